"""A grade on screen as lines of styled pieces, printed by rich on a terminal and as plain text when piped.

Piped (no terminal, no FORCE_COLOR or TTY_COMPATIBLE), rich writes no styles: each line is its pieces' text, made
inert, and a newline. `write_plain` writes exactly that without importing rich (a tenth of a lexical
`grader grade`'s start-up); text rich would change on the way (tabs it expands, `:emoji:` codes it replaces in
markup) is left to rich, so the bytes are rich's either way.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, TextIO

from grader.cli.inert import inert

if TYPE_CHECKING:
    from grader.models import Grade, Span

# A line is (text, rich style) pieces: the first piece's style is the line's base style (rich applies it to the
# whole line, as `Text(text, style=...)` does), the others' are spans appended to it.
Piece = tuple[str, str]
Line = list[Piece]

_MARK = {"covered": ("✔", "green"), "partial": ("◐", "yellow"), "missing": ("✘", "red")}
_CONTEXT = 60
_EMOJI_CODE = re.compile(r":\S*?:")  # a superset of what rich's markup replaces with an emoji


def highlight_pieces(answer: str, spans: list[Span]) -> list[Piece]:
    """The answer with every evidence span highlighted; long stretches without evidence are elided."""
    pieces: list[Piece] = []
    merged: list[tuple[int, int]] = []
    for s in sorted(spans, key=lambda s: s.start):
        if merged and s.start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], s.end))
        else:
            merged.append((s.start, s.end))
    pos = 0
    for start, end in merged:
        gap = answer[pos:start]
        if len(gap) > 2 * _CONTEXT + 5 and len(answer) > 600:
            gap = (gap[:_CONTEXT] if pos else "") + " … " + gap[-_CONTEXT:]
        pieces.append((gap, ""))
        pieces.append((answer[start:end], "bold black on bright_green"))
        pos = end
    tail = answer[pos:]
    if len(tail) > 2 * _CONTEXT and len(answer) > 600:
        tail = tail[:_CONTEXT] + " …"
    pieces.append((tail, ""))
    return pieces


def score_style(score: float | None) -> str:
    if score is None:
        return "magenta"
    return "green" if score >= 0.75 else "yellow" if score >= 0.4 else "red"


def grade_lines(grade: Grade, answer: str, *, title: str = "") -> list[Line]:
    """Score, the answer with evidence, each point with its status, then feedback; [] is an empty line."""
    score = "unscored" if grade.score is None else f"{round(grade.score * 100)}/100"
    lines: list[Line] = [
        [(f"{title}  " if title else "", ""), (f"Score: {score}", f"bold {score_style(grade.score)}"),
         (f"   ({grade.mode})", "dim")]
    ]  # fmt: skip
    spans = [s for p in grade.points if p.verdict != "contradicted" for s in p.evidence]  # what earned credit
    if spans:
        lines.append([("", ""), *highlight_pieces(answer, spans)])
    lines.append([])
    for p in grade.points:
        mark, colour = _MARK[p.status]
        line: Line = [(f" {mark} ", f"bold {colour}"), (p.text, "bold" if p.required else "")]
        if p.required:
            line.append((" (required)", "dim"))
        if p.status != "missing" and p.evidence:
            line.append(("  ← " + ", ".join(f"«{s.text}»" for s in p.evidence[:4]), "dim green"))
        elif p.verdict == "contradicted" and p.evidence:  # the wrong claim, and below it what is wrong
            line.append(("  ✘ " + ", ".join(f"«{s.text}»" for s in p.evidence[:4]), "red"))
        lines.append(line)
        # The judge on this point (saying so when its quote is unverified), or what a wrong claim got wrong.
        if p.feedback and (p.decided_by == "llm" or p.verdict == "contradicted"):
            lines.append([(f"     {p.feedback}", "dim cyan")])
        if p.status != "covered" and p.hint and not (p.verdict == "contradicted" and p.feedback):
            lines.append([(f"     {p.hint}", "dim")])
    lines.extend([[(f" ! {flag}", "magenta")] for flag in grade.flags])
    lines.append([])
    lines.append([(screen_feedback(grade), "")])
    return lines


def screen_feedback(grade: Grade) -> str:
    """The feedback line under a list of every point: the verdict, without naming the points a second time."""
    from grader.engine.feedback import summary

    return grade.feedback.split("\n")[0] if grade.score is None else summary(grade.points, grade.lang, grade.flags)


def plain_stream(stream: TextIO) -> bool:
    """Whether rich would write plain UTF-8 text to `stream`: not a terminal, and nothing tells it otherwise."""
    if sys.platform == "win32" or "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ:
        return False
    if {"idlelib", "ipykernel"} & sys.modules.keys() or (getattr(stream, "encoding", "") or "").lower() != "utf-8":
        return False
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):
        return False


def plain_text(title: str, lines: list[Line]) -> str | None:
    """What rich prints for the bold `title` (as markup; none when empty) and `lines`, piped; None when rich would
    change some of the text (a tab, an emoji code in the title), which only rich then prints right."""
    if "\t" in title or _EMOJI_CODE.search(title) or any("\t" in text for line in lines for text, _ in line):
        return None
    out = [f"{title}\n\n"] if title else []
    out += ["".join(text for text, _ in line) + "\n" for line in lines]
    return inert("".join(out))


def write_plain(title: str, lines: list[Line], stream: TextIO) -> bool:
    """Write `plain_text` to `stream` when it is plain and the text needs no rich; False (nothing written) if not."""
    text = plain_text(title, lines) if plain_stream(stream) else None
    if text is None:
        return False
    stream.write(text)
    stream.flush()
    return True
