"""The quiz in a terminal: readline input, a single-key menu, rich output (plain when piped).

Answers are read line by line with `input()`, which uses GNU readline where Python has it: arrows, backspace and
history work over Cyrillic (readline is multibyte-aware under a UTF-8 locale, which Python sets up itself). The
menu after a grade reads one key in cbreak mode on a terminal (Ctrl-C still interrupts) and a line otherwise.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rich.console import Console
from rich.text import Text

from grader.cli._common import ANSWER
from grader.cli.interrupt import interruptible
from grader.cli.render import highlighted, score_style, screen_feedback
from grader.cli.ui_text import UiLang, say
from grader.errors import BadAnswer
from grader.limits import limit, too_big
from grader.models import Grade, Question
from grader.quiz.drafts import drafts_of
from grader.quiz.session import Choice

try:  # readline turns on line editing for input(); Windows edits natively
    import readline
except ImportError:  # pragma: no cover
    readline = None  # type: ignore[assignment]

# Ctrl-D ends an answer even after text on its line: GNU readline only deletes a character there, so Ctrl-D is
# bound to "end of line, insert END_MARK, accept the line", and a line ending in END_MARK ends the answer.
END_MARK = "\x1f"
if readline is not None and "libedit" not in (readline.__doc__ or ""):
    readline.parse_and_bind(r'"\C-d": "\C-e\C-v\037\r"')


class AnswerInterrupted(KeyboardInterrupt):
    """Ctrl-C while an answer was being typed: `draft` is what was typed, the line being edited included."""

    def __init__(self, draft: str) -> None:
        super().__init__()
        self.draft = draft
        self.question_id = ""

_MARK = {"covered": ("✔", "green"), "partial": ("◐", "yellow"), "missing": ("✘", "red")}
# Keys per choice: Latin, the Cyrillic letter on the same key of a ЙЦУКЕН keyboard, and the Russian initial.
KEYS: dict[Choice, tuple[str, ...]] = {
    "next": ("n", "т", "д", "", "\r", "\n", " "),
    "retry": ("r", "к", "п"),
    "reference": ("s", "ы", "э"),
    "quit": ("q", "й", "в", "\x04"),
}


def parse_choice(key: str) -> Choice | None:
    """The menu choice a key (or a typed line) stands for; None when it stands for none."""
    key = key.strip().lower() if key.strip() else key[:1]
    for choice, keys in KEYS.items():
        if key in keys or (len(key) > 1 and key[0] in keys):
            return choice
    return None


def read_key() -> str:
    """One key press on a terminal (cbreak mode keeps Ctrl-C working); a whole line when not a terminal."""
    if not sys.stdin.isatty():
        try:
            line = sys.stdin.readline(64)  # a menu key: a long line is cut, not read whole
        except UnicodeDecodeError:
            return "\x04"  # not a key: leave the quiz (what was graded is kept)
        return line if line else "\x04"
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        key = str(msvcrt.getwch())  # type: ignore[attr-defined,unused-ignore]
        if key == "\x03":  # getwch reads Ctrl-C as a character instead of raising
            raise KeyboardInterrupt
        return key
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)  # not the default TCSAFLUSH: a key typed ahead must not be lost
        with interruptible():
            return _read_utf8(fd)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _read_utf8(fd: int) -> str:
    """One key: a byte, or the bytes of one UTF-8 letter."""
    raw = os.read(fd, 1)
    while raw and raw[0] >= 0xC0 and len(raw) < 4:  # the rest of a UTF-8 letter, e.g. Cyrillic
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raw += os.read(fd, 1)
    return raw.decode("utf-8", "replace") or "\x04"


def read_answer(prompt: str = "› ", more: str = "  ") -> str:
    """Lines until an empty line twice or Ctrl-D (at the start of a line or after text); trailing blank lines
    dropped. Ctrl-C raises `AnswerInterrupted` carrying what was typed. Input that is not UTF-8 or an answer over
    the length limit (an endless pipe) is refused."""
    lines: list[str] = []
    size, most = 0, limit(ANSWER)
    try:
        with interruptible():  # readline alone may swallow a Ctrl-C that lands while it draws the prompt or a key
            while True:
                try:
                    line = input(prompt if not lines else more)
                    line.encode("utf-8")  # piped bytes that are not UTF-8 arrive as surrogates (surrogateescape)
                except EOFError:
                    print()
                    break
                except (UnicodeDecodeError, UnicodeEncodeError):
                    raise BadAnswer("the input is not UTF-8 text", where="stdin",
                                    fix="Convert it first, e.g. `iconv -f cp1251 -t utf-8`") from None  # fmt: skip
                if line.endswith(END_MARK):  # Ctrl-D after text
                    lines.append(line.removesuffix(END_MARK))
                    break
                if not line.strip() and lines and not lines[-1].strip():
                    break
                size += len(line) + 1
                if size > most:
                    raise BadAnswer(too_big("the answer", size, ANSWER), where="stdin", fix="Shorten the answer")
                lines.append(line)
    except KeyboardInterrupt:
        editing = readline.get_line_buffer() if readline is not None else ""
        raise AnswerInterrupted("\n".join([*lines, editing]).strip()) from None
    return "\n".join(lines).strip()


class TerminalUI:
    """The quiz in a terminal: rich output (plain when piped), readline input, single-key menu."""

    def __init__(self, con: Console, lang: UiLang, drafts: Path | None = None) -> None:
        self.con = con
        self.lang = lang
        self.drafts = drafts  # the folder holding drafts/ (beside the history): a kept draft is shown again

    def ask(self, question: Question, number: int, total: int, *, retry: bool) -> str:
        head = Text(say(self.lang, "question", n=number, total=total), style="bold cyan")
        head.append(f"  {question.id}  " + " ".join("#" + t for t in question.tags), style="dim")
        self.con.rule(style="dim")
        self.con.print(head)
        self.con.print(Text(question.question, style="bold"))
        self.con.print(Text(say(self.lang, "retry_prompt" if retry else "answer_prompt"), style="dim"))
        kept = drafts_of(self.drafts, question.id) if self.drafts is not None and not retry else []
        if kept:  # what was being typed when the last session was interrupted
            self.con.print(Text(say(self.lang, "draft_shown", path=str(kept[-1])), style="yellow"))
            self.con.print(Text(kept[-1].read_text(encoding="utf-8").rstrip(), style="dim"))
        try:
            answer = read_answer()
        except AnswerInterrupted as stop:
            stop.question_id = question.id
            raise
        if answer.strip():  # answered now: the drafts of this question have served
            for path in kept:
                path.unlink(missing_ok=True)
        return answer

    def skipped(self) -> None:
        self.con.print(Text(say(self.lang, "skipped"), style="yellow"))

    def show_grade(self, question: Question, grade: Grade, answer: str) -> None:
        show_grade(self.con, self.lang, grade, answer)

    def show_reference(self, question: Question) -> None:
        self.con.print(Text(say(self.lang, "reference"), style="bold"))
        self.con.print(Text(question.reference))
        self.con.print()

    def choose(self, *, reference_shown: bool) -> Choice:
        menu = say(self.lang, "menu_after_reference" if reference_shown else "menu")
        while True:
            self.con.print(Text(menu, style="bold"), end=" ")
            choice = parse_choice(read_key())
            if choice is not None and not (choice == "reference" and reference_shown):
                self.con.print(say(self.lang, f"chose_{choice}"))
                return choice
            self.con.print()


def show_grade(con: Console, lang: UiLang, grade: Grade, answer: str) -> None:
    """Score, the answer with its evidence, covered points with evidence, missing ones with hints, feedback."""
    score = say(lang, "unscored") if grade.score is None else f"{round(grade.score * 100)}/100"
    con.print()
    head = Text(say(lang, "score") + " ")
    head.append(score, style=f"bold {score_style(grade.score)}")
    head.append(f"   ({grade.mode})", style="dim")
    con.print(head)
    spans = [s for p in grade.points if p.verdict != "contradicted" for s in p.evidence]  # what earned credit
    if spans:
        con.print(highlighted(answer, spans))
    for status in ("covered", "partial", "missing"):
        points = [p for p in grade.points if p.status == status]
        if not points:
            continue
        mark, colour = _MARK[status]
        con.print(Text(say(lang, status), style=f"bold {colour}"))
        for p in points:
            line = Text(f" {mark} ", style=f"bold {colour}")
            line.append(p.text, style="bold" if p.required else "")
            if p.required:
                line.append(" " + say(lang, "required"), style="dim")
            quotes = [s.text for s in p.evidence[:4]] or ([p.quote] if p.quote else [])
            if status != "missing" and quotes:
                line.append("  ← " + ", ".join(f"«{q}»" for q in quotes), style="dim green")
            elif p.verdict == "contradicted" and quotes:  # the wrong claim; its feedback follows
                line.append("  ✘ " + ", ".join(f"«{q}»" for q in quotes), style="red")
            con.print(line)
            if p.feedback:  # the LLM judge's sentence on this point
                con.print(Text(f"     {p.feedback}", style="dim"))
            if status != "covered" and p.hint and p.hint != p.text and not (p.verdict == "contradicted" and p.feedback):
                con.print(Text(f"     {say(lang, 'hint')} {p.hint}", style="dim"))
    for flag in grade.flags:
        con.print(Text(f" ! {flag}", style="magenta"))
    con.print(Text(screen_feedback(grade)))
