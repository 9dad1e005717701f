"""Terminal rendering of grades with rich: colours on a terminal, plain text when piped (see `grader.cli.screen`,
which lays a grade out as styled lines and writes them without rich when nothing needs it)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from grader.cli.inert import console
from grader.cli.screen import Line, highlight_pieces, score_style, screen_feedback
from grader.models import Span

__all__ = ["console", "highlighted", "print_lines", "score_style", "screen_feedback"]


def highlighted(answer: str, spans: list[Span]) -> Text:
    """The answer with every evidence span highlighted; long stretches without evidence are elided."""
    return Text.assemble(*highlight_pieces(answer, spans))


def print_lines(lines: list[Line], con: Console) -> None:
    """Each line as one `Text`: its first piece's style the base style of the line, the others spans on it."""
    for line in lines:
        if not line:
            con.print()
            continue
        (first, style), *rest = line
        text = Text(first, style=style)
        for piece, piece_style in rest:
            text.append(piece, style=piece_style)
        con.print(text)

