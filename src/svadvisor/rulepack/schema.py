"""Pydantic models of a rule pack: what each YAML file may hold, and nothing else.

Field names are the words an officer types into the YAML, so they double as the
rule pack's documentation; `extra="forbid"` turns a misspelt key into a located error.
"""

from datetime import date
from functools import cached_property
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from svadvisor.rulepack.conditions import PACK_CONFIG, Condition

DONT_KNOW = "dont_know"
"""The answer every question accepts; it scores nothing and is listed as unanswered."""
DONT_KNOW_LABEL = "Don't know"


def _is_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError("a source must be a public web address starting with https:// or http://")
    return value


Url = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=8), AfterValidator(_is_url)
]
Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class PackModel(BaseModel):
    """Every pack model: read-only once loaded, and a misspelt key is an error."""

    model_config = PACK_CONFIG


class Jurisdiction(PackModel):
    """Which question says where the buyer is, and where the pack's notes hold by default."""

    question: Id
    home: list[Id] = Field(min_length=1)


class CpvDerivation(PackModel):
    """An answer that a CPV code on an official list implies."""

    question: Id
    answer: Id


class CpvList(PackModel):
    """An official list of CPV codes (a CSV with a `cpv_code` column), and what it implies."""

    id: Id
    file: Text
    title: Text
    source: Url
    only_where: dict[str, str] = {}
    derive: CpvDerivation


class CpvConfig(PackModel):
    """`pack.yaml` `cpv:` the CPV question, the vocabulary that names codes, and the lists."""

    question: Id
    vocabulary: Text
    vocabulary_source: Url
    lists: list[CpvList] = []


class CloseCall(PackModel):
    """When the top two routes are closer than `margin` points, say so in the pack's words."""

    margin: int = Field(ge=1, le=100)
    text: Text
    source: Url | None = None


class SocialValueReach(PackModel):
    """`pack.yaml` `reach:` which answers show a contract shutting SMEs, VCSEs and
    co-operatives out, for the pipeline report: no lots, or no reservation where one of
    the named notes says a reservation is possible."""

    lots_question: Id
    """A yesno question: will the contract be divided into lots?"""
    reservation_question: Id
    """A choice question: is taking part reserved to certain suppliers?"""
    not_reserved: Id
    """The reservation question's answer that means open to all suppliers."""
    reservation_notes: list[Id] = Field(min_length=1)
    """Notes that apply when a reservation open to small or social suppliers is possible."""


class ConfidenceSettings(PackModel):
    """`pack.yaml` `confidence:` how far ahead the winner must be for each level, and what
    each level means in the pack's words (shown beside the level in every output)."""

    strong_margin: int = Field(ge=1, le=100)
    moderate_margin: int = Field(ge=1, le=100)
    meaning: dict[Literal["strong", "moderate", "weak", "insufficient"], Text]


class CoveredThreshold(PackModel):
    """The threshold that makes a contract covered procurement when `when` holds (for
    example the works threshold for works)."""

    when: Condition | None = None
    threshold: Id
    label: Text
    """What the threshold is for, in words: "goods and services"."""


class CoveredProcurement(PackModel):
    """`pack.yaml` `covered_procurement:` when a contract is covered procurement (at or
    above the threshold in force on its start date), so that duties of covered procurement
    (notes with `scope: covered`) show only when they apply, and say "applies if the
    value is at or above £X" when the value or the kind of contract is not known."""

    value_question: Id
    thresholds: list[CoveredThreshold] = Field(min_length=1)
    source: Url


class PackMeta(PackModel):
    """`pack.yaml`: who wrote the pack, which version, and from when it applies."""

    name: Text
    """The pack's name, shown with every result and memo."""
    version: Text
    """The pack's version."""
    effective: date
    """The day from which the pack's advice applies."""
    description: str = ""
    scope: str = ""
    start_date_question: Id | None = None
    """The question that gives the procurement's planned start date (it picks the thresholds in
    force)."""
    jurisdiction: Jurisdiction | None = None
    """Which question says where the buyer is, and where notes hold by default."""
    cpv: CpvConfig | None = None
    """The CPV question, vocabulary and official lists, and what each list implies."""
    close_call: CloseCall | None = None
    """When a result counts as a close call, and what to say then."""
    confidence: ConfidenceSettings | None = None
    """The margins for each confidence level, and what each level means."""
    covered_procurement: CoveredProcurement | None = None
    """Which threshold makes a procurement covered (s3 of the Act) for each kind of contract."""
    reach: SocialValueReach | None = None
    """Which answers leave SMEs, VCSEs and co-operatives out (the report's reach section)."""


class Prerequisite(PackModel):
    """A condition without which a route cannot fit, stated in words with its source."""

    id: Id
    requires: Condition
    unmet: Text
    source: Url


class Sourced(PackModel):
    """One statement and the public source behind it."""

    text: Text
    source: Url


class Guide(PackModel):
    """A plain-English guide to a route, for officers new to it; every line sourced."""

    what: list[Sourced] = Field(min_length=1)
    fits_when: list[Sourced] = Field(min_length=1)
    not_when: list[Sourced] = Field(min_length=1)
    vehicles: list[Sourced] = Field(min_length=1)
    steps: list[Sourced] = Field(min_length=1)
    pitfalls: list[Sourced] = Field(min_length=1)


GUIDE_SECTIONS = (
    ("what", "What it is"),
    ("fits_when", "When it fits"),
    ("not_when", "When it does not"),
    ("vehicles", "Legal vehicles"),
    ("steps", "Practical steps"),
    ("pitfalls", "Usual pitfalls"),
)
"""Each section of a route's guide and its heading, in order: `svadvisor routes ID` and
the web app's guide pages show the same headings."""


class Evidence(PackModel):
    """A fact that defines a route (an alliance's shared governance, a commons' community
    association): a route none of whose evidence holds is never recommended with
    confidence, however many generic points it has."""

    id: Id
    label: Text
    when: Condition


class Baseline(PackModel):
    """Points a route has before any answer: the pack's default route, in its words."""

    points: int = Field(ge=-100, le=100)
    reason: Text
    source: Url


class Route(PackModel):
    id: Id
    """The route's id (e.g. `alliance`)."""
    label: Text
    """The route's name in the output."""
    summary: Text
    """One sentence on what the route is."""
    source: Url
    baseline: Baseline | None = None
    """Points the route has before any answer (competition's default)."""
    evidence: list[Evidence] = []
    """The route's defining evidence: a leader with none of it holding is not recommended."""
    prerequisites: list[Prerequisite] = []
    """Conditions the route needs; a route whose prerequisite the answers fail is ranked after every
    route that meets its own."""
    guide: Guide | None = None
    """The plain-English guide `svadvisor routes ID` prints."""


class RouteGroup(PackModel):
    """Routes that share points: a score naming the group gives each member the points.

    The built-in pack's collaborative pathway (collaborative, alliance, commons) shares the
    signs that a need is not a plain market purchase; each route's own evidence then
    decides among them.
    """

    id: Id
    label: Text
    routes: list[Id] = Field(min_length=2)


class Score(PackModel):
    """Points one answer (or one rule) gives one route (or each route of a group), with
    the reason and its source. `group` records the group a loaded score came from."""

    route: Id
    """A route id, or a route group id (each member gets the points)."""
    points: int = Field(ge=-100, le=100)
    """Points given; negative to take points away."""
    reason: Text
    """Why, in one or two sentences: shown beside the points."""
    source: Url
    """The public source of the reason."""
    group: Id | None = None


class YearsSpan(PackModel):
    """The run of years a choice answer stands for: `at_least` <= years < `below`.

    Lets a spreadsheet's contract dates or duration answer a question such as timescale.
    """

    at_least: float | None = Field(default=None, ge=0)
    below: float | None = Field(default=None, gt=0)

    def contains(self, years: float) -> bool:
        return (self.at_least is None or years >= self.at_least) and (
            self.below is None or years < self.below
        )


class AnswerOption(PackModel):
    id: Id
    label: Text
    help: str = ""
    scores: list[Score] = []
    years: YearsSpan | None = None


class Band(PackModel):
    """A range of a number question's answers that scores as one: `at_least` <= value < `below`."""

    id: Id
    label: Text
    at_least: float | None = None
    """The band starts at this value (inclusive)."""
    below: float | None = None
    """The band ends below this value."""
    scores: list[Score] = []

    def contains(self, value: float) -> bool:
        return (self.at_least is None or value >= self.at_least) and (
            self.below is None or value < self.below
        )


class Question(PackModel):
    id: Id
    """The question's id: the key in an answers file, and the column name a sheet may use."""
    text: Text
    """The question as an officer reads it."""
    help: str = ""
    """Shown with `?` in the interview, and by `svadvisor questions`."""
    type: Literal["choice", "multi", "yesno", "number", "date", "cpv"]
    """`choice` (one answer), `multi` (any of them), `yesno`, `number` (scored by `bands`), `date`,
    or `cpv` (CPV codes)."""
    unit: Literal["GBP", "years"] | None = None
    """For a number: `GBP` (amounts) or `years` (a contract's length, which a sheet's dates or
    duration can answer)."""
    min: float | None = None
    max: float | None = None
    answers: list[AnswerOption] = []
    """The answers a choice, multi or yesno question allows, with the points each gives."""
    bands: list[Band] = []
    """For a number: the ranges it is scored by (`at_least` <= value < `below`)."""
    ask_when: Condition | None = None
    """Asked (and scored) only when this condition on earlier answers holds."""

    def answer(self, answer_id: str) -> AnswerOption | None:
        return next((a for a in self.answers if a.id == answer_id), None)

    def band_for(self, value: float) -> Band | None:
        return next((b for b in self.bands if b.contains(value)), None)

    @property
    def choice_ids(self) -> list[str]:
        return [a.id for a in self.answers]


class Rule(PackModel):
    """Points from a condition over several answers (e.g. many providers *and* a long term)."""

    id: Id
    when: Condition
    scores: list[Score] = Field(min_length=1)


class Contradiction(PackModel):
    """Answers that contradict each other: flagged with `text`, never silently scored."""

    id: Id
    when: Condition
    text: Text


class Note(PackModel):
    """A legal or practical note, shown when its condition holds (always, without `when`).

    `jurisdictions` lists where the note holds (answers of the pack's jurisdiction
    question); by default, the pack's home jurisdictions.
    """

    id: Id
    title: Text
    text: Text
    """The note in full; `{threshold:ID}` prints the threshold value in force."""
    when: Condition | None = None
    """The note applies when this condition holds (always, without one)."""
    strength: Literal["must", "should", "consider"]
    """`must` (a duty), `should` (guidance) or `consider`."""
    sources: list[Url] = Field(min_length=1)
    """Public sources, each in a class `sources.yaml` accepts."""
    checked: date
    """The day the sources were last read."""
    review_by: date
    """After this day the note is still shown, marked due for review."""
    jurisdictions: list[Id] | None = None
    """Where the note holds (answers of the buyer's-nation question); default: the pack's `home`."""
    scope: Literal["any", "covered", "below_threshold"] = "any"
    """`covered`: a duty of covered procurement only (shown when the contract is at or
    above its threshold; with the value unknown, shown as applying only if it is);
    `below_threshold`: the rules for contracts below it."""


class SourceClass(PackModel):
    """`sources.yaml`: a class of source the pack accepts, and the web domains in it."""

    id: Id
    name: Text
    domains: list[Text] = Field(min_length=1)
    why: str = ""


class GlossaryEntry(PackModel):
    """`glossary.yaml`: a term an officer meets in the output, explained in plain English.

    `aliases` are other spellings matched in text (`terms_in`) and by `svadvisor glossary
    TERM`; `text` is one to three sentences; `source` says where the meaning comes from
    (left out only for the tool's own words, such as "don't know"). An entry naming a
    `confidence` level takes its text from pack.yaml's `confidence.meaning`, so the
    glossary and the assessment never disagree.
    """

    id: Id
    term: Text
    aliases: list[Text] = []
    text: Text | None = None
    confidence: Literal["strong", "moderate", "weak", "insufficient"] | None = None
    source: Url | None = None

    @model_validator(mode="after")
    def _text_or_confidence(self) -> "GlossaryEntry":
        if self.confidence is None and self.text is None:
            raise ValueError("give the entry a text (or a confidence level whose meaning it shows)")
        return self


class ThresholdValue(PackModel):
    """A value and the day from which it applies (the first value may have no start day)."""

    value: float = Field(ge=0)
    from_: date | None = Field(default=None, alias="from")
    source: Url


class Threshold(PackModel):
    """A money threshold whose value changes over time: dated data, never a constant."""

    id: Id
    label: Text
    values: list[ThresholdValue] = Field(min_length=1)
    inclusive: bool = True
    checked: date
    review_by: date
    jurisdictions: list[Id] | None = None

    def in_force(self, on: date) -> ThresholdValue:
        """The value that applies on a day: the latest one whose start is not after it."""
        current = self.values[0]
        for candidate in self.values:
            if candidate.from_ is None or candidate.from_ <= on:
                current = candidate
        return current


class Outcome(PackModel):
    id: Id
    title: Text
    when: Condition
    text: Text
    source: Url


class Regime(PackModel):
    """A legal regime that takes over when its condition holds, and its decision path.

    `path` lists the questions of the official decision path in order; `outcomes` are
    tried in order and the first whose condition holds is the answer.
    """

    id: Id
    title: Text
    applies_when: Condition
    text: Text
    sources: list[Url] = Field(min_length=1)
    checked: date
    review_by: date
    path: list[Id] = []
    outcomes: list[Outcome] = []


class OcdsValue(PackModel):
    """Which question the notice's value answers; what is left unknown and flagged."""

    question: Id
    currency: str = "GBP"
    placeholder_below: float = Field(default=1.0, ge=0)


class OcdsCodes(PackModel):
    """Which question a coded OCDS field answers, and the answer for each code."""

    question: Id
    answers: dict[str, Id]


class OcdsLots(PackModel):
    question: Id
    two_or_more: Id
    one: Id


class OcdsFramework(PackModel):
    question: Id
    answer: Id


class OcdsNation(PackModel):
    """The buyer's nation, told by the publisher's ocid prefix."""

    question: Id
    ocid_prefixes: dict[str, Id]


class OcdsKeyword(PackModel):
    """Words in a notice's own text (title, description, procurement method details) that
    answer a question: matched as whole words, ignoring case; the answer quotes them."""

    words: list[Text] = Field(min_length=1)
    unless: list[Text] = []
    """Phrases that contain a word but mean something else ("Welsh Procurement Alliance")."""
    question: Id
    answer: Id


class OcdsMapping(PackModel):
    """`ocds.yaml`: how published notices (OCDS) answer the pack's questions.

    Anything a notice cannot tell (system complexity, say) stays "don't know".
    """

    notice_date: Id | None = None
    value: OcdsValue | None = None
    duration: Id | None = None
    cpv: Id | None = None
    category: OcdsCodes | None = None
    lots: OcdsLots | None = None
    suitability: OcdsCodes | None = None
    reserved: OcdsCodes | None = None
    framework: OcdsFramework | None = None
    nation: OcdsNation | None = None
    keywords: list[OcdsKeyword] = []


class RulePack(PackModel):
    """A validated rule pack, ready for the engine."""

    meta: PackMeta
    routes: list[Route]
    groups: list[RouteGroup] = []
    questions: list[Question]
    rules: list[Rule] = []
    contradictions: list[Contradiction] = []
    source_classes: list[SourceClass] = []
    notes: list[Note] = []
    glossary: list[GlossaryEntry] = []
    """Plain-English meanings of the terms in the output (`glossary.yaml`), in its order."""
    thresholds: list[Threshold] = []
    regimes: list[Regime] = []
    ocds: OcdsMapping | None = None
    cpv_names: dict[str, str] = {}
    cpv_lists: dict[str, frozenset[str]] = {}
    templates: dict[str, str] = {}
    """Text of each `templates/*.j2` file (memo wording), keyed by its path in templates/."""
    sha256: str = ""
    source: str = "<memory>"

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def question(self, question_id: str) -> Question | None:
        """Looked up many times per assessment, so through an index built once."""
        return self._questions_by_id.get(question_id)

    def route(self, route_id: str) -> Route | None:
        return next((r for r in self.routes if r.id == route_id), None)
