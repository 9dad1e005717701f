"""In a real terminal: Ctrl-D ends an answer even after text on its line; Ctrl-C keeps a half-typed answer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.test_quiz_terminal import CTRL_D, _score, _spawn, small_bank  # noqa: F401 (a fixture)

pexpect = pytest.importorskip("pexpect")

QID = "nasyshchenie-neyrona"


@pytest.mark.slow
def test_ctrl_d_after_text_ends_the_answer(tmp_path: Path, small_bank: Path) -> None:  # noqa: F811
    db = tmp_path / "h.sqlite"
    child = _spawn(tmp_path, "--bank", str(small_bank), "--db", str(db), "--question", QID, "--ui-lang", "ru")
    child.expect("готово")
    child.sendline("Насыщение — выход сигмоиды у 0 или 1,")
    child.send("градиент почти ноль 😀")
    child.send(CTRL_D)
    _score(child)
    child.send("в")
    child.expect(pexpect.EOF)
    child.close()
    [(answer,)] = sqlite3.connect(db).execute("SELECT answer FROM attempts").fetchall()
    assert answer == "Насыщение — выход сигмоиды у 0 или 1,\nградиент почти ноль 😀"


@pytest.mark.slow
def test_ctrl_c_saves_the_answer_being_typed(tmp_path: Path, small_bank: Path) -> None:  # noqa: F811
    db = tmp_path / "h.sqlite"
    child = _spawn(tmp_path, "--bank", str(small_bank), "--db", str(db), "--question", QID, "--ui-lang", "en")
    child.expect("to finish")
    child.sendline("First line of a long answer, with ё and English terms like dropout")
    child.send("and a half-typed sec")
    child.expect("half-typed sec")
    child.sendintr()
    child.expect("Interrupted")
    child.expect(r"is saved: (\S+\.txt)")
    path = Path(child.match.group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert path.parent == tmp_path / "drafts"
    text = path.read_text(encoding="utf-8")
    assert text == "First line of a long answer, with ё and English terms like dropout\nand a half-typed sec\n"
    assert sqlite3.connect(db).execute("SELECT count(*) FROM attempts").fetchone() == (0,)  # not graded

    # The next session shows the draft under the question; answering removes it.
    child = _spawn(tmp_path, "--bank", str(small_bank), "--db", str(db), "--question", QID, "--ui-lang", "en")
    child.expect("unfinished answer from last time")
    child.expect("and a half-typed sec")
    child.sendline("First line, and the rest of it: the gradient vanishes.")
    child.send(CTRL_D)
    child.expect("quit ›")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert not path.exists()
