"""Where the grader keeps its files: one resolver for the config, cache and data folders of every platform.

Linux and other Unixes follow the XDG base directories (`$XDG_CONFIG_HOME`, `$XDG_CACHE_HOME`, `$XDG_DATA_HOME`;
a relative value is invalid by the spec and ignored), macOS `~/Library`, Windows `%APPDATA%` / `%LOCALAPPDATA%` —
the folders `platformdirs` gives, computed here from an environment and platform that tests can pass in.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

APP = "grader"
Kind = Literal["config", "cache", "data"]

_XDG: dict[Kind, tuple[str, tuple[str, ...]]] = {
    "config": ("XDG_CONFIG_HOME", (".config",)),
    "cache": ("XDG_CACHE_HOME", (".cache",)),
    "data": ("XDG_DATA_HOME", (".local", "share")),
}
_MAC: dict[Kind, tuple[str, ...]] = {
    "config": ("Library", "Application Support"),
    "cache": ("Library", "Caches"),
    "data": ("Library", "Application Support"),
}
_WINDOWS: dict[Kind, tuple[str, tuple[str, ...], tuple[str, ...]]] = {  # variable, fallback under home, suffix
    "config": ("APPDATA", ("AppData", "Roaming"), ()),
    "cache": ("LOCALAPPDATA", ("AppData", "Local"), ("Cache",)),
    "data": ("APPDATA", ("AppData", "Roaming"), ()),
}


def user_dir(
    kind: Kind, env: Mapping[str, str] | None = None, platform: str | None = None, home: Path | None = None
) -> Path:
    """The grader's own folder of this `kind` for the current user (not created)."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    home = home or Path.home()
    if platform == "win32":
        var, fallback, suffix = _WINDOWS[kind]
        base = Path(env[var]) if env.get(var) else home.joinpath(*fallback)
        return base.joinpath(APP, *suffix)
    if platform == "darwin":
        return home.joinpath(*_MAC[kind], APP)
    var, fallback_parts = _XDG[kind]
    xdg = env.get(var, "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else home.joinpath(*fallback_parts)
    return base / APP


def config_file() -> Path:
    """The config file: `$GRADER_CONFIG`, else `config.toml` in the user's config folder."""
    chosen = os.environ.get("GRADER_CONFIG")
    return Path(chosen) if chosen else user_dir("config") / "config.toml"
