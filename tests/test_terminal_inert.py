"""Text from an answer is data on a terminal too: OSC 52 (clipboard), CSI (cursor, clear screen) and bidi
overrides in an answer never reach the output, while the program's own colours do."""

from __future__ import annotations

import json
import os

from tests.conftest import run_cli

QID = "nasyshchenie-neyrona"
OSC52 = "\x1b]52;c;ZXZpbA==\x07"
CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b31m"
BIDI = "\u202eevil\u202c\u2066x\u2069"
ANSWER = (
    f"Насыщение: выход сигмоиды {OSC52}застревает у 0 или 1,{CLEAR} градиент почти нулевой {BIDI}, обучение"
    f" стоит{C1_CSI}. [red]markup[/]"
)
UNSAFE = ("\x1b]", "\x1b[2J", "\x1b[H", "\x07", "\x9b", "\u202e", "\u202c", "\u2066", "\u2069")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    return {**env, **extra}


class TestInertAnswer:
    """The answer is printed, highlighted, without anything a terminal would act on."""

    def test_plain_output(self) -> None:
        proc = run_cli("grade", QID, "--answer", ANSWER, env=_env())
        assert proc.returncode in (0, 1), proc.stderr
        assert "Score:" in proc.stdout and "[red]markup[/]" in proc.stdout  # the answer is shown, as text
        for seq in UNSAFE:
            assert seq not in proc.stdout + proc.stderr, repr(seq)

    def test_colour_output_keeps_own_colours_only(self) -> None:
        proc = run_cli("grade", QID, "--answer", ANSWER, env=_env(FORCE_COLOR="1", TERM="xterm-256color"))
        assert "\x1b[" in proc.stdout  # the program's own styles
        for seq in UNSAFE:
            assert seq not in proc.stdout, repr(seq)

    def test_json_keeps_the_data_escaped(self) -> None:
        proc = run_cli("grade", QID, "--answer", ANSWER, "--json", env=_env())
        for seq in UNSAFE:
            assert seq not in proc.stdout, repr(seq)
        assert json.loads(proc.stdout)["score"] > 0


def test_json_escapes_decode_to_the_same_text() -> None:
    from grader.cli.inert import inert, inert_json

    data = {"answer": ANSWER, "строка": "ёж 🙂 Gradient"}
    text = inert_json(json.dumps(data, ensure_ascii=False))
    assert json.loads(text) == data
    assert not any(seq in text for seq in UNSAFE) and "ёж 🙂" in text
    assert inert(ANSWER) == inert(inert(ANSWER)) and not any(seq in inert(ANSWER) for seq in UNSAFE)
