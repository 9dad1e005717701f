"""Rows of input from CSV, JSONL and XLSX files, read one at a time in named columns (batch, evaluate, check).

`row` holds what a row is, `parse` how a file's pieces are read, `rows` the streaming sources over a file.
"""

from grader.tables.parse import detect_format, sniff_delimiter, sniff_encoding
from grader.tables.row import Columns, LeanRow, Row, RowKey, cell_text
from grader.tables.rows import RowCursor, RowSource

__all__ = [
    "Columns",
    "LeanRow",
    "Row",
    "RowCursor",
    "RowKey",
    "RowSource",
    "cell_text",
    "detect_format",
    "sniff_delimiter",
    "sniff_encoding",
]
