"""Real UK case studies, and which of them an assessment's answers resemble.

Pure: `case_library.py` reads the case files; here a case is data and matching is
counting over answers, so the engine can call it.

Similarity, kept simple enough to check by hand: for each question answered both by the
officer and by the case's profile, an answer that agrees counts +1 and one that differs
-1; a question only one side answered counts 0. (A number agrees when it falls in the
same band; a multiple choice when the two share an answer.) The highest score is
nearest; ties go to the case sharing more answers, then to the case with fewer answers
the officer did not give, then to file order. The nearest cases are chosen first; among
them, those that took the recommended route are listed first.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from svadvisor.answers.validate import dump_answers
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.schema import Id, Question, RulePack, Text, Url

CaseId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
"""Lower-case words joined by hyphens, the same as the file's name: `plymouth-alliance`."""

NEAREST = 3
"""How many similar cases an assessment lists."""


class CaseResult(BaseModel):
    """A real case whose answer profile resembles the answers; `why` says which it shares.
    Part of an assessment's result (`Assessment.cases`)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    name: str
    route: str
    why: str
    sources: list[str]
    councils: list[str] = []
    years: str = ""
    outcome_verified: bool = False
    checked: date | None = None
    score: int = 0
    shared: list[str] = []
    differs: list[str] = []


class CaseStudy(BaseModel):
    """One real case, as its YAML file states it; `profile` holds the answers it resembles."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: CaseId
    name: Text
    councils: list[Text] = Field(min_length=1)
    years: Text
    bought: Text
    route: Id
    route_reason: Text
    outcome: Text
    outcome_verified: bool
    profile: dict[str, Any] = Field(min_length=1)
    sources: list[Url] = Field(min_length=1)
    checked: date

    def to_data(self, pack: RulePack) -> dict[str, Any]:
        """The case as JSON data: `cases --json` and `cases show --json` print this."""
        data = self.model_dump(mode="json", exclude={"profile"})
        data["profile"] = dump_answers(pack, self.profile)
        return data


@dataclass(frozen=True)
class CaseLibrary:
    """Validated cases (each profile checked against one rule pack), in file-name order."""

    cases: tuple[CaseStudy, ...]
    source: str = "<memory>"

    def get(self, case_id: str) -> CaseStudy | None:
        return next((c for c in self.cases if c.id == case_id), None)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.cases]

    def on_route(self, route: str) -> list[CaseStudy]:
        return [c for c in self.cases if c.route == route]


@dataclass(frozen=True)
class Match:
    """How one case compares with an officer's answers."""

    case: CaseStudy
    shared: tuple[str, ...]
    differs: tuple[str, ...]
    case_only: int
    """Questions the case's profile answers and the officer did not."""

    @property
    def score(self) -> int:
        return len(self.shared) - len(self.differs)


def _agree(question: Question | None, mine: Answer, theirs: Answer) -> bool:
    if (
        question is not None
        and question.bands
        and isinstance(mine, int | float)
        and isinstance(theirs, int | float)
    ):
        band = question.band_for(mine)
        return band is not None and band is question.band_for(theirs)
    if isinstance(mine, tuple) and isinstance(theirs, tuple):
        return bool(set(mine) & set(theirs))
    return mine == theirs


def compare(pack: RulePack, case: CaseStudy, answers: Mapping[str, Answer]) -> Match:
    shared: list[str] = []
    differs: list[str] = []
    for question_id, theirs in case.profile.items():
        if question_id not in answers:
            continue
        agree = _agree(pack.question(question_id), answers[question_id], theirs)
        (shared if agree else differs).append(question_id)
    return Match(
        case, tuple(shared), tuple(differs), len(case.profile) - len(shared) - len(differs)
    )


def nearest(
    pack: RulePack,
    library: CaseLibrary,
    answers: Mapping[str, Answer],
    *,
    recommended: str | None = None,
    limit: int = NEAREST,
) -> list[Match]:
    """The `limit` cases most like the answers, those on the recommended route first.

    Only cases with more answers shared than differing are listed, so no answers give no
    cases.
    """
    order = {c.id: i for i, c in enumerate(library.cases)}
    matches = [m for m in (compare(pack, c, answers) for c in library.cases) if m.score > 0]
    matches.sort(key=lambda m: (-m.score, -len(m.shared), m.case_only, order[m.case.id]))
    chosen = matches[:limit]
    return sorted(chosen, key=lambda m: m.case.route != recommended)


def _shown(pack: RulePack, question_id: str, value: Answer) -> str:
    question = pack.question(question_id)
    if isinstance(value, tuple):
        return "/".join(value)
    if question is not None and question.type == "number" and isinstance(value, int | float):
        band = question.band_for(value)
        if band is not None:
            return band.id
    return str(value)


def why(pack: RulePack, match: Match) -> str:
    """One line: which answers the case shares, and where it differs."""
    profile = match.case.profile
    shared = ", ".join(f"{q}={_shown(pack, q, profile[q])}" for q in match.shared)
    noun = "answer" if len(match.shared) == 1 else "answers"
    line = f"shares {len(match.shared)} {noun}: {shared}"
    if match.differs:
        line += f"; differs on {', '.join(match.differs)}"
    return line


def similar_cases(
    pack: RulePack,
    library: CaseLibrary,
    answers: Mapping[str, Answer],
    *,
    recommended: str | None,
) -> list[CaseResult]:
    """The nearest cases, as an assessment reports them."""
    return [
        CaseResult(
            id=m.case.id,
            name=m.case.name,
            route=m.case.route,
            why=why(pack, m),
            sources=list(m.case.sources),
            councils=list(m.case.councils),
            years=m.case.years,
            outcome_verified=m.case.outcome_verified,
            checked=m.case.checked,
            score=m.score,
            shared=list(m.shared),
            differs=list(m.differs),
        )
        for m in nearest(pack, library, answers, recommended=recommended)
    ]
