"""`grader cache info|clear` for the parsed bank files (`grader.bank.parsed`): how many, how large, and deleting them
(all, or those written before a given age). Only files the cache writes are counted or deleted; the folder is never
created.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from grader.bank.parsed import cache_folder, is_ours
from grader.models import Model
from grader.outputs import writing


class ParsedInfo(Model):
    """The folder of parsed bank files and what is in it."""

    path: str
    exists: bool
    bytes: int = 0
    entries: int = 0


def _files(folder: Path) -> Iterator[Path]:
    try:
        yield from (p for p in folder.iterdir() if is_ours(p.name) and p.is_file())
    except (FileNotFoundError, NotADirectoryError):
        return


def parsed_info() -> ParsedInfo:
    """Where the parsed bank files are kept, their number (entries, not temporary files) and total size."""
    folder = cache_folder()
    sizes = {p: st.st_size for p in _files(folder) if (st := _stat(p)) is not None}
    return ParsedInfo(path=str(folder), exists=folder.is_dir(), bytes=sum(sizes.values()),
                      entries=sum(p.suffix == ".json" for p in sizes))  # fmt: skip


def _stat(path: Path) -> os.stat_result | None:
    """The file's status, None when it is gone: another run clears or writes the cache at the same time."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def clear_parsed(older_than: float | None = None, now: float | None = None) -> int:
    """Delete the parsed bank files (all, or those written more than `older_than` seconds ago); how many entries were
    deleted. The next read of a bank file parses it again."""
    cutoff = None if older_than is None else (time.time() if now is None else now) - older_than
    gone = 0
    folder = cache_folder()
    with writing(folder):
        for path in _files(folder):
            if cutoff is None or ((st := _stat(path)) is not None and st.st_mtime < cutoff):
                path.unlink(missing_ok=True)
                gone += path.suffix == ".json"
    return gone
