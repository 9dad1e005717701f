"""Terminal rendering of grades with rich: colours on a terminal, plain text when piped."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from grader.cli.inert import console
from grader.models import Grade, Span

__all__ = ["console", "highlighted", "print_grade", "score_style"]

_MARK = {"covered": ("✔", "green"), "partial": ("◐", "yellow"), "missing": ("✘", "red")}
_CONTEXT = 60


def highlighted(answer: str, spans: list[Span]) -> Text:
    """The answer with every evidence span highlighted; long stretches without evidence are elided."""
    text = Text()
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
        text.append(gap)
        text.append(answer[start:end], style="bold black on bright_green")
        pos = end
    tail = answer[pos:]
    if len(tail) > 2 * _CONTEXT and len(answer) > 600:
        tail = tail[:_CONTEXT] + " …"
    text.append(tail)
    return text


def score_style(score: float | None) -> str:
    if score is None:
        return "magenta"
    return "green" if score >= 0.75 else "yellow" if score >= 0.4 else "red"


def print_grade(grade: Grade, answer: str, con: Console, *, title: str = "") -> None:
    """Score, the answer with evidence, each point with its status, then feedback."""
    score = "unscored" if grade.score is None else f"{round(grade.score * 100)}/100"
    head = Text(f"{title}  " if title else "")
    head.append(f"Score: {score}", style=f"bold {score_style(grade.score)}")
    head.append(f"   ({grade.mode})", style="dim")
    con.print(head)
    spans = [s for p in grade.points if p.verdict != "contradicted" for s in p.evidence]  # what earned credit
    if spans:
        con.print(highlighted(answer, spans))
    con.print()
    for p in grade.points:
        mark, colour = _MARK[p.status]
        line = Text(f" {mark} ", style=f"bold {colour}")
        line.append(p.text, style="bold" if p.required else "")
        if p.required:
            line.append(" (required)", style="dim")
        if p.status != "missing" and p.evidence:
            line.append("  ← " + ", ".join(f"«{s.text}»" for s in p.evidence[:4]), style="dim green")
        elif p.verdict == "contradicted" and p.evidence:  # the wrong claim, and below it what is wrong
            line.append("  ✘ " + ", ".join(f"«{s.text}»" for s in p.evidence[:4]), style="red")
        con.print(line)
        # The judge on this point (saying so when its quote is unverified), or what a wrong claim got wrong.
        if p.feedback and (p.decided_by == "llm" or p.verdict == "contradicted"):
            con.print(Text(f"     {p.feedback}", style="dim cyan"))
        if p.status != "covered" and p.hint and not (p.verdict == "contradicted" and p.feedback):
            con.print(Text(f"     {p.hint}", style="dim"))
    for flag in grade.flags:
        con.print(Text(f" ! {flag}", style="magenta"))
    con.print()
    con.print(Text(screen_feedback(grade)))


def screen_feedback(grade: Grade) -> str:
    """The feedback line under a list of every point: the verdict, without naming the points a second time."""
    from grader.engine.feedback import summary

    return grade.feedback.split("\n")[0] if grade.score is None else summary(grade.points, grade.lang, grade.flags)
