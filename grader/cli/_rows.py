"""Shared typer options for commands that read input rows (batch, evaluate): column mapping and file sniffing.

A command declares the options as parameters and turns them into a `RowSource`:

    def cmd(input: InputArg, id_col: IdColOpt = "id", candidate_col: CandidateColOpt = "candidate",
            question_id_col: QuestionIdColOpt = "question_id", question_col: QuestionColOpt = "question",
            reference_col: ReferenceColOpt = "reference", answer_col: AnswerColOpt = "answer",
            input_format: FormatOpt = None, encoding: EncodingOpt = None, delimiter: DelimiterOpt = None,
            sheet: SheetOpt = None) -> None:
        cols = Columns(id=id_col, candidate=candidate_col, question_id=question_id_col, question=question_col,
                       reference=reference_col, answer=answer_col)
        source = open_source(input, cols, input_format, encoding, delimiter, sheet)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from grader.cli._common import said
from grader.tables import Columns, RowSource

_PANEL = "Input columns"

InputArg = Annotated[
    Path,
    typer.Argument(help="Rows to grade: .csv (encoding and delimiter sniffed), .jsonl or .xlsx.", show_default=False),
]
IdColOpt = Annotated[str, typer.Option("--id-col", help="Column with the row id.", rich_help_panel=_PANEL)]
CandidateColOpt = Annotated[
    str, typer.Option("--candidate-col", help="Column with the candidate's name.", rich_help_panel=_PANEL)
]
QuestionIdColOpt = Annotated[
    str, typer.Option("--question-id-col", help="Column with a bank question id.", rich_help_panel=_PANEL)
]
QuestionColOpt = Annotated[
    str, typer.Option("--question-col", help="Column with the question text (no bank id).", rich_help_panel=_PANEL)
]
ReferenceColOpt = Annotated[
    str, typer.Option("--reference-col", help="Column with the reference answer text.", rich_help_panel=_PANEL)
]
AnswerColOpt = Annotated[str, typer.Option("--answer-col", help="Column with the answer.", rich_help_panel=_PANEL)]
FormatOpt = Annotated[
    Literal["csv", "jsonl", "xlsx"] | None,
    typer.Option(
        "--format", help=said("Input format [default: from the extension]"), rich_help_panel=_PANEL, show_default=False
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help=said("CSV encoding [default: sniffed: UTF-8, UTF-8/16 with BOM, else guessed from the bytes]"),
        rich_help_panel=_PANEL,
        show_default=False,
    ),
]
DelimiterOpt = Annotated[
    str | None,
    typer.Option(
        "--delimiter",
        help=said("CSV delimiter; `tab` for a tab [default: sniffed from , ; tab]"),
        rich_help_panel=_PANEL,
        show_default=False,
    ),
]
SheetOpt = Annotated[
    str | None,
    typer.Option(
        "--sheet", help=said("XLSX sheet name [default: the first sheet]"), rich_help_panel=_PANEL, show_default=False
    ),
]


def open_source(
    path: Path,
    columns: Columns,
    input_format: Literal["csv", "jsonl", "xlsx"] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> RowSource:
    """The `RowSource` the shared options describe (header checked; raises a GraderError on a bad file)."""
    if delimiter in ("tab", "\\t"):
        delimiter = "\t"
    return RowSource.open(path, columns, fmt=input_format, encoding=encoding, delimiter=delimiter, sheet=sheet)
