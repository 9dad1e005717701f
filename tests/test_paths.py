"""One resolver for the config, cache and data folders: XDG variables on Linux, ~/Library on macOS, AppData."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.llm.judges import cache, config
from grader.paths import user_dir
from grader.quiz import history

HOME = Path("/home/u")


@pytest.mark.parametrize(
    ("kind", "platform", "env", "expected"),
    [
        ("config", "linux", {"XDG_CONFIG_HOME": "/cfg"}, "/cfg/grader"),
        ("config", "linux", {}, "/home/u/.config/grader"),
        ("cache", "linux", {"XDG_CACHE_HOME": "/var/cache/u"}, "/var/cache/u/grader"),
        ("cache", "linux", {"XDG_CACHE_HOME": "rel/cache"}, "/home/u/.cache/grader"),
        ("data", "linux", {"XDG_DATA_HOME": "/data"}, "/data/grader"),
        ("cache", "darwin", {"XDG_CACHE_HOME": "/ignored"}, "/home/u/Library/Caches/grader"),
        ("config", "darwin", {}, "/home/u/Library/Application Support/grader"),
        ("cache", "win32", {"LOCALAPPDATA": "/local"}, "/local/grader/Cache"),
        ("config", "win32", {}, "/home/u/AppData/Roaming/grader"),
    ],
    ids=["xdg-config", "config-default", "xdg-cache", "xdg-relative-ignored", "xdg-data", "macos-cache",
         "macos-config", "windows-cache", "windows-config-default"],
)
def test_user_dir(kind: str, platform: str, env: dict[str, str], expected: str) -> None:
    assert user_dir(kind, env, platform, HOME) == Path(expected)  # type: ignore[arg-type]


def test_every_file_uses_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The config file, the LLM cache and the quiz history all follow the XDG variables of this process."""
    for var in ("GRADER_CONFIG", "GRADER_CACHE_DIR", "GRADER_DB"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "k"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    monkeypatch.setattr("sys.platform", "linux")
    assert config.config_path() == tmp_path / "c" / "grader" / "config.toml"
    assert cache.default_cache_path() == tmp_path / "k" / "grader" / "llm-cache.sqlite"
    assert history.resolve_db() == tmp_path / "d" / "grader" / "history.sqlite"
