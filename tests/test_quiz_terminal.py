"""The real `grader quiz` in a pseudo-terminal: a scripted Russian session is logged exactly as it happened."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from grader.bank.store import packaged_bank
from tests.conftest import run_cli

pexpect = pytest.importorskip("pexpect")

ANSWERS = {
    "nasyshchenie-neyrona": "Насыщение — выход сигмоиды близок к 0 или 1,\nградиенты малы и обучение останавливается.",
    "ispolzovat-momentum-optimizatsii": "Momentum копит инерцию градиентов. На плато и при переобучении он мешает.",
    "vizualnye-transformery": "ViT режет изображение на патчи 16x16 и подаёт их в self-attention, только энкодер.",
    "backpropagation-through-time-bptt": "BPTT обучает рекуррентные сети: сеть разворачивается во времени.",
}
RETRY = "Насыщение: функция активации выдаёт предельные значения, градиент исчезает, веса не обновляются. ReLU."
LEFT, BACKSPACE, CTRL_D = "\x1b[D", "\x7f", "\x04"
SCORE = re.compile(r"Оценка: \S*?(\d+)/100")


@pytest.fixture()
def small_bank(tmp_path: Path) -> Path:
    """Four questions of the bundled bank, so the session knows every question it may be asked."""
    root = tmp_path / "bank"
    for folder in ("questions", "rubrics"):
        (root / folder).mkdir(parents=True)
        for qid in ANSWERS:
            shutil.copy(packaged_bank() / folder / f"{qid}.yaml", root / folder / f"{qid}.yaml")
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER_", "LC_", "LANG"))}
    # A fake home and data folder: a test never writes to the real user's history.
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg"), LANG="C.UTF-8", TERM="xterm")
    return env


def _spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "grader", "quiz", *args],
        env=_env(tmp_path),
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 220),
    )


def _question(child: pexpect.spawn) -> str:
    # The id must be followed by a space: output arrives in chunks, and a chunk may end inside the id.
    child.expect(r"Вопрос \d/\d\S*\s+\S*?([a-z0-9-]+)\s")
    qid: str = child.match.group(1)
    child.expect("готово")
    return qid


def _score(child: pexpect.spawn) -> int:
    child.expect(SCORE)
    score = int(child.match.group(1))
    child.expect("выход ›")
    return score


@pytest.mark.slow
def test_scripted_russian_session_is_logged_exactly(tmp_path: Path, small_bank: Path) -> None:
    db = tmp_path / "history.sqlite"
    child = _spawn(tmp_path, "--bank", str(small_bank), "--db", str(db), "--count", "4", "--ui-lang", "ru")
    shown: list[tuple[str, int]] = []
    typed: list[str] = []

    # 1: a two-line answer finished by an empty line twice; retried (Cyrillic key «п»), finished with Ctrl-D.
    q1 = _question(child)
    for line in ANSWERS[q1].split("\n"):
        child.sendline(line)
    child.sendline("")
    child.sendline("")
    shown.append((q1, _score(child)))
    typed.append(ANSWERS[q1])
    child.send("п")
    assert _question(child) == q1
    child.sendline(RETRY)
    child.send(CTRL_D)
    shown.append((q1, _score(child)))
    typed.append(RETRY)
    child.send("д")

    # 2: edited with arrows and backspace over Cyrillic before it is sent; then the reference, then next.
    q2 = _question(child)
    wanted = ANSWERS[q2]
    child.send(wanted[:-3] + "ЖЖ" + BACKSPACE * 2 + wanted[-3:] + LEFT * 5 + "Ы" + BACKSPACE)
    child.sendline("")
    child.sendline("")
    child.sendline("")
    shown.append((q2, _score(child)))
    typed.append(wanted)
    child.send("э")
    child.expect("Эталонный ответ")
    child.expect("выход ›")
    child.send("\r")

    # 3: answered; 4: half typed, then Ctrl-C leaves: the half answer is not graded, the rest is kept.
    q3 = _question(child)
    child.sendline(ANSWERS[q3])
    child.sendline("")
    child.sendline("")
    shown.append((q3, _score(child)))
    typed.append(ANSWERS[q3])
    child.send("д")
    q4 = _question(child)
    child.send("Полуответ, который не будет")
    child.sendintr()
    child.expect("Прервано")
    child.expect(r"Ответов оценено: 4.*История: ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len({q1, q2, q3, q4}) == 4

    rows = sqlite3.connect(db).execute("SELECT question_id, score, answer, mode FROM attempts ORDER BY id").fetchall()
    assert [(q, round(s * 100)) for q, s, _, _ in rows] == shown
    assert [a for _, _, a, _ in rows] == typed
    assert {m for *_, m in rows} == {"lexical"}
    assert not (tmp_path / "xdg").exists()

    stats = run_cli("stats", "--json", "--db", str(db))
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    assert data["attempts"] == 4
    assert {q["question_id"]: q["attempts"] for q in data["by_question"]} == {q1: 2, q2: 1, q3: 1}
    by_q = {q["question_id"]: q for q in data["by_question"]}
    assert round(by_q[q1]["last"] * 100) == shown[1][1]
    assert round(by_q[q1]["best"] * 100) == max(shown[0][1], shown[1][1])
    assert sum(d["attempts"] for d in data["trend"]) == 4

    history = json.loads(run_cli("history", "--json", "--db", str(db)).stdout)
    assert [(a["question_id"], a["answer"]) for a in history] == list(zip([q1, q1, q2, q3], typed, strict=True))
    assert all(a["points"] and a["rubric_hash"] for a in history)


@pytest.mark.slow
def test_keys_typed_ahead_are_not_lost(tmp_path: Path, small_bank: Path) -> None:
    db = tmp_path / "history.sqlite"
    child = _spawn(
        tmp_path, "--bank", str(small_bank), "--db", str(db), "-q", "nasyshchenie-neyrona", "--ui-lang", "en"
    )
    child.expect("to finish")
    child.send("Насыщение — градиент исчезает.\r\r\rq")  # the answer, both empty lines and the menu key at once
    child.expect("Answers graded: 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert sqlite3.connect(db).execute("SELECT answer FROM attempts").fetchall() == [
        ("Насыщение — градиент исчезает.",)
    ]
