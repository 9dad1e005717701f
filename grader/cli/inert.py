"""Text from answers, questions and rubrics made inert before it reaches a terminal.

A candidate's answer is data. Control characters (ESC starts the sequences that move the cursor, clear the screen
or write the clipboard with OSC 52; C1 controls are their 8-bit forms) and bidirectional overrides (which reorder
what is shown, e.g. a forged "Score: 100/100") are removed; tab and newline stay. Colours the program itself
prints are styles rich renders, not characters in the text, so they stay.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

# C0 but tab and newline, DEL, C1, and the bidi controls: marks, embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The same, but as JSON escapes rather than removed: JSON output keeps the data, only its spelling changes.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def inert(text: str) -> str:
    """`text` without control characters (but tab and newline) and bidi controls."""
    return _UNSAFE.sub("", text)


def inert_json(text: str) -> str:
    r"""JSON text (from `json.dumps(..., ensure_ascii=False)`, which already escapes C0 controls) with DEL, C1
    and bidi controls written as \uXXXX escapes: the same data, nothing a terminal acts on."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def console(err: bool = False, **kwargs: Any) -> Console:
    """The console every command prints through."""
    return _inert_console()(stderr=err, highlight=False, soft_wrap=True, **kwargs)


@functools.cache
def _inert_console() -> type[Console]:
    """The console class, made on first use: rich is imported only by what prints through it (not by --json)."""
    from rich.console import Console
    from rich.segment import Segment

    class InertConsole(Console):
        """A rich Console that removes control and bidi characters from all text it prints; its own styles stay."""

        def _render_buffer(self, buffer: Iterable[Segment]) -> str:
            clean = (seg if seg.control else Segment(inert(seg.text), seg.style, seg.control) for seg in buffer)
            return super()._render_buffer(clean)

    return InertConsole
