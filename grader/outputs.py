"""Writing output files, one way: through a temporary file renamed into place, OS errors as one line with a fix.

write_atomic(path, text)            # readers never see half a file; a failed write leaves the old one
with writing(path): ...             # any OSError inside becomes an `OutputError` naming `path`
with FolderLock(out): ...           # one writer per output folder; a second is refused with the first's PID
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType

from grader.errors import GraderError

_FIXES = {
    errno.EACCES: "Check the permissions, or write somewhere else",
    errno.EPERM: "Check the permissions, or write somewhere else",
    errno.EROFS: "The file system is read-only: write somewhere else",
    errno.ENOSPC: "The disk is full: free some space, or write somewhere else",
    errno.EDQUOT: "The disk quota is used up: free some space, or write somewhere else",
    errno.EISDIR: "A folder is in the way: remove it, or give another path",
    errno.ENOTDIR: "A file is in the way of a folder in the path: remove it, or give another path",
    errno.EEXIST: "Something is in the way: remove it, or give another path",
    errno.ENOTEMPTY: "A folder is in the way: remove it, or give another path",
    errno.ENOENT: "Check that the folder exists",
    errno.ENAMETOOLONG: "Give a shorter path",
    errno.ENOLCK: "This file system cannot lock files: give an --out folder on a local disk",
}


# A rename that fails for one of these fails because of its target (`filename2`), not its source.
_IN_THE_WAY = {errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR}


class OutputError(GraderError):
    """A file or folder the grader must write could not be written."""


def os_error(exc: OSError, path: str | os.PathLike[str] | None = None) -> GraderError:
    """An OSError as a one-line `GraderError` naming the path and how to fix it."""
    target = exc.filename2 if exc.filename2 is not None and exc.errno in _IN_THE_WAY else exc.filename
    where = str(target if target is not None else path or "")
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(reason[0].lower() + reason[1:], where=where or None, fix=_FIXES.get(exc.errno or 0))


@contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[None]:
    """Any OSError inside becomes an `OutputError` naming the file (or the path the OS named)."""
    try:
        yield
    except OSError as exc:
        raise os_error(exc, path) from None


def write_atomic(path: str | os.PathLike[str], data: str | bytes | Iterable[str]) -> str:
    """Write `data` (text as UTF-8; chunks of text one by one, so a file streamed is never held whole in memory) to a
    temporary file beside `path`, then rename it over `path` (readers never see half). Returns `path`."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(target))
        try:
            with tmp.open("wb") as fh:
                if isinstance(data, str | bytes):
                    fh.write(data.encode("utf-8") if isinstance(data, str) else data)
                else:
                    for chunk in data:
                        fh.write(chunk.encode("utf-8"))
            os.replace(tmp, target)
        except BaseException:
            with suppress(OSError):
                tmp.unlink()
            raise
    return str(target)


LOCK = ".grader-lock"


class FolderLock:
    """An exclusive lock on an output folder for the whole run (`flock` on OUT/.grader-lock, which holds the PID).
    The file is removed when the run ends, whether it finished or stopped on an error; the kernel drops the lock when
    the process ends however it ends, so a killed run's file is taken over by the next run, never taken as a run."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.fd = folder, -1

    def __enter__(self) -> FolderLock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX: no lock rather than no batch
            return self
        path = self.folder / LOCK
        with writing(path):
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = _lock(path, fcntl.flock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            try:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
            except BaseException:
                _release(path, fd)  # a lock whose file cannot be written is no lock: held on, it refuses a re-run
                raise
        self.fd = fd
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.fd >= 0:
            _release(self.folder / LOCK, self.fd)
            self.fd = -1


def _lock(path: Path, flock: Callable[[int, int], None], flags: int) -> int:
    """An open descriptor of `path` holding the lock. A run that ends removes the file while it holds the lock, so a
    lock taken on a file no longer at `path` is let go and taken again on the one there now."""
    while True:
        try:  # never through a link: the run would write its PID into whatever file the link names
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OutputError("is a link, not the batch's lock file", where=str(path),
                                  fix="Remove it; a batch makes its lock file itself") from None  # fmt: skip
            raise
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OutputError("is not a regular file, so it cannot be the batch's lock file", where=str(path),
                              fix="Remove it; a batch makes its lock file itself")  # fmt: skip
        try:
            flock(fd, flags)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                _release(path, fd)  # no lock was taken: the file it made must not linger
                raise  # no locks on this file system, say: reported as what it is, not as another run
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise GraderError(f"another run is writing into this folder (PID {holder})", where=str(path.parent),
                              fix="Wait for it to finish (or stop it), or give another --out") from None  # fmt: skip
        try:
            held, there = os.fstat(fd), os.stat(path)
        except FileNotFoundError:
            os.close(fd)
            continue
        if (held.st_dev, held.st_ino) == (there.st_dev, there.st_ino):
            return fd
        os.close(fd)


def _release(path: Path, fd: int) -> None:
    """Remove the lock file (still holding the lock, so no other run has it) and let go; a file at `path` that is not
    the one `fd` holds (deleted by hand, and another run's since) is that run's and stays."""
    with suppress(OSError):
        held, there = os.fstat(fd), os.stat(path, follow_symlinks=False)
        if (held.st_dev, held.st_ino) == (there.st_dev, there.st_ino):
            path.unlink()
    os.close(fd)
