"""The result of an assessment: what the CLI renders and `--json` prints.

These field names are a contract with scripts and later features (batch, memos), so
change them only by adding.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Contribution(_Out):
    """One point (or several) a route gained or lost, and why."""

    question: str
    answer: str
    points: int
    reason: str
    source: str
    answer_label: str = ""
    rule: str | None = None


class Unmet(_Out):
    """A prerequisite the answers show is not met."""

    id: str
    text: str
    source: str


class RouteResult(_Out):
    route: str
    label: str
    score: int
    eligible: bool
    unmet: list[Unmet]
    to_settle: list[str]
    contributions: list[Contribution]


class NoteResult(_Out):
    id: str
    title: str
    text: str
    sources: list[str]
    strength: str
    checked: date
    review_by: date | None = None
    due_for_review: bool = False


class RulePackInfo(_Out):
    name: str
    version: str
    sha256: str


class Assessment(_Out):
    ranking: list[RouteResult]
    margin: int
    notes: list[NoteResult]
    unanswered: list[str]
    not_applicable: list[str]
    answers: dict[str, Any]
    rule_pack: RulePackInfo

    @property
    def winner(self) -> RouteResult:
        return self.ranking[0]

    @property
    def runner_up(self) -> RouteResult:
        return self.ranking[1]
