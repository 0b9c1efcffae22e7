"""The project's own error types.

Every user mistake surfaces as one of these, carrying where it happened, so the CLI
can print one located line per problem and never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One located problem: a file position and a field path, as a compiler would report it."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
        parts = [p for p in (where, self.path) if p]
        return ": ".join([*parts, self.message])


class SvadvisorError(Exception):
    """Base class: everything the CLI turns into a clean message and exit status 2."""


@dataclass
class ProblemsError(SvadvisorError):
    """Several located problems found at once, so the user can fix them in one pass."""

    problems: list[Problem] = field(default_factory=list)
    summary: str = "problems found"

    def __post_init__(self) -> None:
        super().__init__(self.summary)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems) or self.summary


class RulePackError(ProblemsError):
    """A rule pack that cannot be used: every problem, located in its file."""


class CaseLibraryError(ProblemsError):
    """Case studies that cannot be used: every problem, located in its file."""


class AnswersError(ProblemsError):
    """Answers that do not fit the rule pack's questions."""


class InputFileError(SvadvisorError):
    """A file or folder the user named cannot be read, or written."""
