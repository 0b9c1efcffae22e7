"""The result of an assessment: what the CLI renders and `--json` prints.

These field names are a contract with scripts and later features (batch, memos), so
change them only by adding.
"""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from svadvisor.cases.matching import CaseResult


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class Contribution(_Out):
    """One point (or several) a route gained or lost, and why."""

    question: str
    answer: str
    points: int
    """Points given (negative for points taken away)."""
    reason: str
    source: str
    answer_label: str = ""
    rule: str | None = None
    """The scoring rule's id when the points come from a rule over several answers, or
    `baseline`."""
    group: str | None = None
    """The route group whose shared points these are (e.g. the collaborative pathway)."""


class Unmet(_Out):
    """A prerequisite the answers show is not met."""

    id: str
    text: str
    source: str


class RouteResult(_Out):
    route: str
    """The route's id."""
    label: str
    score: int
    """The route's points: the sum of its `contributions`."""
    eligible: bool
    """False when the answers fail one of its prerequisites."""
    unmet: list[Unmet]
    """The prerequisites the answers fail, in words, with their sources."""
    to_settle: list[str]
    """Questions (ids) whose "don't know" leaves a prerequisite open."""
    contributions: list[Contribution]
    """Every point of the score, with the question, answer, reason and source."""


class AppliedThreshold(_Out):
    """A threshold value in force on the procurement's start day, and why that value."""

    id: str
    label: str
    value: float
    in_force_from: date | None
    source: str
    basis: str


class NoteResult(_Out):
    id: str
    title: str
    text: str
    sources: list[str]
    strength: str
    checked: date
    review_by: date | None = None
    due_for_review: bool = False
    thresholds: list[AppliedThreshold] = []
    applies_if: str | None = None
    """Set when the note holds only if a fact still unknown turns out so: "the estimated
    value is at or above £207,720 (the goods and services threshold in force on ...)"."""


class NotHolding(_Out):
    """A note whose condition holds but which does not hold where the buyer is."""

    id: str
    title: str
    why: str


class Derived(_Out):
    """An answer implied by the CPV codes given; the officer's own answer wins if different."""

    question: str
    answer: str
    answer_label: str
    basis: str
    source: str
    used: bool
    officer_answer: str | None = None


class PathStep(_Out):
    question: str
    text: str
    answer: str
    answer_label: str


class RegimeOutcome(_Out):
    id: str
    title: str
    text: str
    source: str


class RegimeResult(_Out):
    """A regime that governs instead of (or beside) the pack's main law, walked step by step."""

    id: str
    title: str
    text: str
    sources: list[str]
    path: list[PathStep]
    outcome: RegimeOutcome | None
    settle_next: str | None


class RulePackInfo(_Out):
    name: str
    version: str
    sha256: str


class Change(_Out):
    """One answer changed: `from` and `to` are answers as an answers file writes them."""

    model_config = ConfigDict(
        frozen=True, serialize_by_alias=True, validate_by_name=True, defer_build=True
    )

    question: str
    from_: Any = Field(alias="from")
    to: Any
    from_label: str = ""
    to_label: str = ""


class Flip(_Out):
    """Answer changes that, made together, make another route win."""

    changes: list[Change]
    winner: str
    winner_label: str = ""


class DontKnowImpact(_Out):
    """An unanswered question: robust when no answer to it would change the winner."""

    question: str
    robust: bool
    flips: list[Flip]


class WeightMove(_Out):
    """The smallest uniform move of one group of points (a route's, a question's or a
    rule's) that changes the winner, in percent of those points."""

    scope: Literal["route", "question", "rule"]
    target: str
    target_label: str
    percent: float
    direction: Literal["up", "down"]
    winner: str
    winner_label: str


class WeightRobustness(_Out):
    by_route: WeightMove | None
    by_question: WeightMove | None


class CloseCallResult(_Out):
    """The top two are closer than the pack's `close_call.margin`; `text` says what to do."""

    margin: int
    threshold: int
    text: str
    source: str | None = None


ConfidenceLevel = Literal["strong", "moderate", "weak", "insufficient"]


class ConfidenceResult(_Out):
    """How sure the advice is, and why: the margin, the defining evidence answered, and
    whether a don't-know answer could change the winner. `settle` lists the questions to
    answer first (for an insufficient result, the ones that would let it recommend)."""

    level: ConfidenceLevel
    why: list[str]
    meaning: str = ""
    settle: list[str] = []


class AnswerWarning(_Out):
    """Answers that contradict each other: they are scored as given, but flagged."""

    id: str
    questions: list[str]
    text: str


class Assessment(_Out):
    ranking: list[RouteResult]
    """Every route, best first: routes whose prerequisites the answers fail come after all the
    others, whatever their points."""
    margin: int
    """The leader's score minus the runner-up's."""
    notes: list[NoteResult]
    """The legal and practical notes that apply (or may apply: see each note's `applies_if`)."""
    unanswered: list[str]
    """Questions (ids) that apply but were not answered, or answered "don't know"."""
    not_applicable: list[str]
    """Questions (ids) skipped because their `ask_when` condition does not hold."""
    answers: dict[str, Any]
    """The answers scored: question id -> answer id (or number, date, list of ids)."""
    rule_pack: RulePackInfo
    """Which rule pack gave the advice: its name, version and sha256."""
    procurement_date: date
    """The day thresholds and start-date tests were judged on."""
    procurement_date_basis: str
    """Why that day: the planned start date, or today when none is given."""
    regimes: list[RegimeResult] = []
    """Regimes that take over (the Provider Selection Regime, Scotland, Wales), with the decision
    path walked with the answers."""
    derived: list[Derived] = []
    """Answers implied by other answers (by the CPV codes), and whether each was used."""
    notes_not_holding: list[NotHolding] = []
    """Notes whose condition holds but that do not hold here (where the buyer is, or below the
    threshold), and why."""
    thresholds: list[AppliedThreshold] = []
    """The threshold values the notes compared against, with the day each is in force from."""
    cases: list[CaseResult] = []
    """The nearest real case studies (up to three), when a case library fits the pack."""
    what_would_change: list[Flip] = []
    """Every change of one answer (or, when none does, of two) that makes another route win."""
    dont_know: list[DontKnowImpact] = []
    """For each unanswered question: robust (no answer changes the winner), or which answers
    would."""
    settle_first: str | None = None
    """The unanswered question to settle first: the one where the largest share of answers changes
    the winner."""
    weight_robustness: WeightRobustness | None = None
    """How far a route's points, or one question's, must move before the winner changes (`null` when
    no such move can)."""
    close_call: CloseCallResult | None = None
    """Set when the top two are closer than the pack's `close_call.margin`, with the pack's
    advice."""
    recommended: str | None = None
    """The winner's id; None for a tie or when the confidence is insufficient."""
    confidence: ConfidenceResult | None = None
    """How sure the advice is: `strong`, `moderate`, `weak` or `insufficient`, with the reasons."""
    tie: list[str] = []
    """Routes tied at the top (empty unless there is an exact tie)."""
    covered_procurement: bool | None = None
    """At or above the threshold for its kind on the start date (True), below it (False),
    or not known yet (None): see the pack's `covered_procurement`."""
    warnings: list[AnswerWarning] = []
    """Answers that contradict each other: scored as given, but flagged."""

    @property
    def winner(self) -> RouteResult:
        return self.ranking[0]

    @property
    def runner_up(self) -> RouteResult:
        return self.ranking[1]
