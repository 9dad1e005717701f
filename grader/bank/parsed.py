"""Bank files kept parsed: a question or rubric file, once read and validated, is kept as JSON in the cache folder
(`$GRADER_CACHE_DIR/bank/`, else `~/.cache/grader/bank/`), so that the next `grader grade` reads it without
importing PyYAML (~15-20 ms of its CPU, a tenth; `benchmarks/startup.py`).

An entry is used only while its key holds: the file's path, size, modification and change times and inode, the
grader's version, its models' source and the limits on what a file may hold. The entry is validated again by the
model, like the YAML it stands for. Anything else (a missing, unreadable, corrupt or outdated entry) reads the YAML
again; writing is best effort, so a read-only or missing cache folder costs only the time. Delete the folder at will
(or `grader cache clear --only bank`, `grader.bank.parsed_admin`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from grader import __version__, models
from grader.limits import limit
from grader.paths import user_dir

M = TypeVar("M", bound=BaseModel)
CACHE_ENV = "GRADER_CACHE_DIR"
_LIMITS = ("GRADER_MAX_FILE_BYTES", "GRADER_MAX_YAML_ALIASES", "GRADER_MAX_YAML_NODES")


def cache_folder() -> Path:
    """Where parsed bank files are kept."""
    base = os.environ.get(CACHE_ENV)
    return (Path(base) if base else user_dir("cache")) / "bank"


def key_of(path: Path) -> list[Any]:
    """What an entry for `path` must have been written under; taken before the file is read, so that an entry
    written from a file that changed while it was read is never used."""
    st = os.stat(path)
    code = os.stat(models.__file__)
    return [__version__, os.path.abspath(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino,
            code.st_size, code.st_mtime_ns, *(limit(name) for name in _LIMITS)]  # fmt: skip


def is_ours(name: str) -> bool:
    """Whether a file name in `cache_folder()` is one this module writes: an entry (`_entry`) or a temporary file a
    writer left (`save`), so that clearing the cache never deletes anything else a user keeps there."""
    stem, _, rest = name.partition(".")
    pid = rest[:-4] if rest.endswith(".tmp") else ""
    return (len(stem) == 32 and all(c in "0123456789abcdef" for c in stem)
            and (rest == "json" or (pid.isascii() and pid.isdigit())))  # fmt: skip


def _entry(key: list[Any]) -> Path:
    name = hashlib.sha256(str(key[1]).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return cache_folder() / f"{name}.json"


def load(key: list[Any], model: type[M]) -> M | None:
    """The file's model from its entry, or None when there is no entry that holds for `key`."""
    try:
        data = json.loads(_entry(key).read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    try:
        return model.model_validate(data.get("data"))
    except ValidationError:
        return None


def save(key: list[Any], value: BaseModel) -> None:
    """Keep `value` (read and validated from the file `key` was taken of) as the file's entry; best effort."""
    entry = _entry(key)
    text = json.dumps({"key": key, "data": value.model_dump(mode="json", exclude_unset=True)}, ensure_ascii=False)
    temporary = entry.with_name(f"{entry.stem}.{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, entry)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
