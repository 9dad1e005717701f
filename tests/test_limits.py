"""The guards themselves: bounded YAML, JSON and reads, output errors in one line, the folder lock, marked files."""

from __future__ import annotations

import errno
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from grader import dbfiles
from grader.cli._common import run_safely
from grader.errors import GraderError, InvalidFile
from grader.limits import json_loads, limit, read_bounded, read_file
from grader.limits_yaml import load_yaml
from grader.outputs import FolderLock, os_error, write_atomic


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    """Limits are read once per process; these tests change them."""
    limit.cache_clear()
    yield
    limit.cache_clear()


class TestYaml:
    """Aliases are fine in moderation; a bomb, a self-reference or too many aliases are refused before expanding."""

    def test_a_few_aliases_load(self) -> None:
        assert load_yaml("a: &x [1, 2]\nb: *x\nc: ёж\n") == {"a": [1, 2], "b": [1, 2], "c": "ёж"}

    def test_self_reference_refused(self) -> None:
        with pytest.raises(Exception, match="contains it"):
            load_yaml("a: &x [1, *x]\n")

    def test_too_many_aliases(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GRADER_MAX_YAML_ALIASES", "3")
        with pytest.raises(Exception, match="GRADER_MAX_YAML_ALIASES"):
            load_yaml("a: &x 1\nb: [*x, *x, *x, *x]\n")

    def test_expanded_size_counts_shared_nodes_once_each_use(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GRADER_MAX_YAML_NODES", "40")
        text = "a: &x [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*x, *x, *x]\n"  # 10 nodes, used 4 times: over 40
        with pytest.raises(Exception, match="aliases expanded"):
            load_yaml(text)
        monkeypatch.setenv("GRADER_MAX_YAML_NODES", "60")
        limit.cache_clear()
        assert len(load_yaml(text)["b"]) == 3

    def test_a_bad_limit_value_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GRADER_MAX_YAML_NODES", "-1")
        with pytest.raises(GraderError, match="GRADER_MAX_YAML_NODES"):
            load_yaml("a: 1\n")


class TestReads:
    def test_json_errors_are_value_errors(self) -> None:
        for text in ("[" * 100_000 + "]" * 100_000, "1" + "0" * 5000, "{"):
            with pytest.raises(ValueError):
                json_loads(text)

    def test_bounded_read(self) -> None:
        assert read_bounded(io.BytesIO(b"abc"), 3, "x", "N") == b"abc"
        with pytest.raises(InvalidFile, match="longer than 3 bytes"):
            read_bounded(io.BytesIO(b"abcd"), 3, "x", "N")

    def test_devices_and_folders_are_not_files(self, tmp_path: Path) -> None:
        with pytest.raises(InvalidFile, match="not a regular file"):
            read_file(Path("/dev/zero"))
        with pytest.raises(InvalidFile, match="is a folder"):
            read_file(tmp_path)


class TestOutputs:
    def test_os_error_names_the_path_and_the_fix(self) -> None:
        err = os_error(PermissionError(errno.EACCES, "Permission denied", "/x/out.csv"))
        assert str(err) == "/x/out.csv: permission denied. Check the permissions, or write somewhere else"

    def test_atomic_write_leaves_no_temporary_file(self, tmp_path: Path) -> None:
        write_atomic(tmp_path / "a" / "f.txt", "ёж")
        assert (tmp_path / "a" / "f.txt").read_text(encoding="utf-8") == "ёж"
        assert [p.name for p in (tmp_path / "a").iterdir()] == ["f.txt"]
        (tmp_path / "d").mkdir()
        with pytest.raises(GraderError, match="folder is in the way"):
            write_atomic(tmp_path / "d", "x")

    def test_one_lock_per_folder(self, tmp_path: Path) -> None:
        with FolderLock(tmp_path), pytest.raises(GraderError, match="another run is writing"):
            FolderLock(tmp_path).__enter__()
        with FolderLock(tmp_path):  # released on exit
            pass


class TestMarkedFiles:
    def test_a_legacy_grader_file_is_stamped(self, tmp_path: Path) -> None:
        db = tmp_path / "h.sqlite"
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE attempts (id INTEGER)")
        conn.close()
        opened = dbfiles.connect(db, app_id=dbfiles.HISTORY_ID, tables={"attempts"}, what="history", fix="")
        assert opened.execute("PRAGMA application_id").fetchone()[0] == dbfiles.HISTORY_ID
        opened.close()

    def test_another_kind_of_grader_file_is_refused(self, tmp_path: Path) -> None:
        db = tmp_path / "c.sqlite"
        dbfiles.connect(db, app_id=dbfiles.CACHE_ID, tables=set(), what="cache", fix="").close()
        with pytest.raises(InvalidFile, match="another application"):
            dbfiles.connect(db, app_id=dbfiles.HISTORY_ID, tables={"attempts"}, what="history", fix="")


class TestLastResort:
    """An exception no guard foresaw is still one line (exit 2); GRADER_DEBUG=1 shows its traceback."""

    @staticmethod
    def _app() -> typer.Typer:
        app = typer.Typer()

        @app.command()
        def boom() -> None:
            raise ValueError("\x1b[2Jsomething odd")

        return app

    def test_one_line(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("GRADER_DEBUG", raising=False)
        monkeypatch.setattr("sys.argv", ["grader"])
        assert run_safely(self._app()) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "unexpected ValueError: [2Jsomething odd" in err and "\x1b" not in err

    def test_debug_shows_the_traceback(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GRADER_DEBUG", "1")
        monkeypatch.setattr("sys.argv", ["grader"])
        with pytest.raises(ValueError, match="something odd"):
            run_safely(self._app())
