"""Errors a user can meet. Each message says where (file, line, row or field) and how to fix it."""

from __future__ import annotations


class GraderError(Exception):
    """Bad input or a run that cannot proceed; the CLI prints it on one line and exits with code 2."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.message = message
        self.where = where
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}. {self.fix}" if self.fix else text


class InvalidFile(GraderError):
    """A question, rubric or data file that cannot be read or does not validate."""


class NotFound(GraderError):
    """An id, file or folder that does not exist."""


class BadAnswer(GraderError):
    """An answer that cannot be graded (empty, binary, not UTF-8)."""


class JudgeError(GraderError):
    """The LLM judge cannot be used: no key, server unreachable, model missing."""
