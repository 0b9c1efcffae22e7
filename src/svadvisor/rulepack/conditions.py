"""The structured condition language of rule packs, evaluated in three-valued logic.

A condition is plain YAML (`all`, `any`, `not`, and leaves naming a question), never
code. An unanswered question makes a leaf *unknown* rather than false, so "don't
know" can never fail a prerequisite by accident: Kleene's logic carries the doubt up.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

Answer = str | float | int | date | tuple[str, ...]
"""A validated answer: a choice id, a number, a date, or the ids picked in a multiple choice."""

Truth = bool | None
"""True, False, or None for "unknown because a question it needs is unanswered"."""


@dataclass(frozen=True)
class Context:
    """What a condition may read besides the answers: the day the procurement starts
    (its planned start date, else today) and the threshold values in force on that day.

    Without a context, tests on thresholds and dates are unknown.
    """

    on: date
    thresholds: Mapping[str, tuple[float, bool]] = field(default_factory=dict)
    """Threshold id -> (value in force, whether a value equal to it counts as reaching it)."""


PACK_CONFIG = ConfigDict(
    extra="forbid",
    frozen=True,
    populate_by_name=True,
    defer_build=True,
    allow_inf_nan=False,  # a pack's numbers are finite: `.inf` or `.nan` is a mistake
)
"""Every model of a rule pack: read-only once loaded, a misspelt key is an error, and the
validators are built on first use, not at import."""


class _Strict(BaseModel):
    model_config = PACK_CONFIG


class Leaf(_Strict):
    """A test on one question's answer."""

    question: str
    equals: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    at_least: float | date | None = None
    at_most: float | date | None = None
    answered: bool | None = None
    at_least_threshold: str | None = None
    below_threshold: str | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Self:
        tests = [
            name
            for name, value in (
                ("equals", self.equals),
                ("in", self.in_),
                ("answered", self.answered),
                ("at_least_threshold", self.at_least_threshold),
                ("below_threshold", self.below_threshold),
            )
            if value is not None
        ]
        if self.at_least is not None or self.at_most is not None:
            tests.append("at_least/at_most")
        if len(tests) != 1:
            raise ValueError(
                "a test on a question needs exactly one of: equals, in, at_least and/or "
                "at_most, at_least_threshold, below_threshold, answered "
                f"(found {', '.join(tests) or 'none'})"
            )
        return self

    @property
    def threshold(self) -> str | None:
        return self.at_least_threshold or self.below_threshold

    def evaluate(self, answers: Mapping[str, Answer], context: Context | None = None) -> Truth:
        if self.question not in answers:
            return False if self.answered is True else (True if self.answered is False else None)
        value = answers[self.question]
        if self.answered is not None:
            return self.answered
        if self.threshold is not None:
            if context is None or self.threshold not in context.thresholds:
                return None
            if not isinstance(value, int | float):
                return False
            limit, inclusive = context.thresholds[self.threshold]
            reached = value >= limit if inclusive else value > limit
            return reached if self.at_least_threshold else not reached
        if self.equals is not None:
            return self.equals in value if isinstance(value, tuple) else value == self.equals
        if self.in_ is not None:
            if isinstance(value, tuple):
                return any(v in self.in_ for v in value)
            return value in self.in_
        bounds = [b for b in (self.at_least, self.at_most) if b is not None]
        if isinstance(value, tuple | str) or any(
            isinstance(b, date) != isinstance(value, date) for b in bounds
        ):
            return False
        # value and its bounds are now both numbers or both dates, which compare
        low_ok = self.at_least is None or value >= self.at_least  # type: ignore[operator]
        return low_ok and (self.at_most is None or value <= self.at_most)  # type: ignore[operator]

    def answer_ids(self) -> list[str]:
        if self.equals is not None:
            return [self.equals]
        return list(self.in_ or [])


class AllOf(_Strict):
    all: list["Condition"] = Field(min_length=1)

    def evaluate(self, answers: Mapping[str, Answer], context: Context | None = None) -> Truth:
        results = [c.evaluate(answers, context) for c in self.all]
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True


class AnyOf(_Strict):
    any: list["Condition"] = Field(min_length=1)

    def evaluate(self, answers: Mapping[str, Answer], context: Context | None = None) -> Truth:
        results = [c.evaluate(answers, context) for c in self.any]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False


class Not(_Strict):
    not_: "Condition" = Field(alias="not")

    def evaluate(self, answers: Mapping[str, Answer], context: Context | None = None) -> Truth:
        result = self.not_.evaluate(answers, context)
        return None if result is None else not result


class StartDate(_Strict):
    """A test on the day the procurement starts (planned start date, else today)."""

    starts_on_or_after: date | None = None
    starts_before: date | None = None

    @model_validator(mode="after")
    def _some_test(self) -> Self:
        if self.starts_on_or_after is None and self.starts_before is None:
            raise ValueError("give starts_on_or_after and/or starts_before")
        return self

    def evaluate(self, answers: Mapping[str, Answer], context: Context | None = None) -> Truth:
        if context is None:
            return None
        after = self.starts_on_or_after is None or context.on >= self.starts_on_or_after
        return after and (self.starts_before is None or context.on < self.starts_before)


def kind_of(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        kinds = {Leaf: "question", AllOf: "all", AnyOf: "any", Not: "not", StartDate: "starts"}
        return kinds.get(type(value))
    if isinstance(value, dict):
        for key in ("all", "any", "not", "question"):
            if key in value:
                return key
        if "starts_on_or_after" in value or "starts_before" in value:
            return "starts"
    return None


Condition = Annotated[
    Annotated[Leaf, Tag("question")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[StartDate, Tag("starts")],
    Discriminator(
        kind_of,
        custom_error_type="invalid_condition",
        custom_error_message=(
            "a condition is a mapping with one of: all, any, not, starts_on_or_after, "
            "starts_before, or question (with equals, in, at_least, at_most, "
            "at_least_threshold, below_threshold or answered)"
        ),
    ),
]
"""Any condition: what a rule pack's `when`, `ask_when` and `requires` fields hold."""


ConditionNode = Leaf | AllOf | AnyOf | Not | StartDate


def leaves(
    condition: ConditionNode, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Leaf]]:
    """Every leaf with its path inside the condition, for reference checks."""
    if isinstance(condition, Leaf):
        yield path, condition
    elif isinstance(condition, AllOf):
        for i, child in enumerate(condition.all):
            yield from leaves(child, (*path, "all", i))
    elif isinstance(condition, AnyOf):
        for i, child in enumerate(condition.any):
            yield from leaves(child, (*path, "any", i))
    elif isinstance(condition, Not):
        yield from leaves(condition.not_, (*path, "not"))


def start_date_tests(
    condition: ConditionNode, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[str | int, ...]]:
    """Paths of the tests on the procurement's start date, which need a Context."""
    if isinstance(condition, StartDate):
        yield path
    elif isinstance(condition, AllOf | AnyOf):
        key = "all" if isinstance(condition, AllOf) else "any"
        children = condition.all if isinstance(condition, AllOf) else condition.any
        for i, child in enumerate(children):
            yield from start_date_tests(child, (*path, key, i))
    elif isinstance(condition, Not):
        yield from start_date_tests(condition.not_, (*path, "not"))


def questions_named(condition: ConditionNode) -> list[str]:
    """The questions a condition reads, in order of first mention."""
    seen: dict[str, None] = {}
    for _, leaf in leaves(condition):
        seen.setdefault(leaf.question, None)
    return list(seen)


def unknown_questions(condition: ConditionNode, answers: Mapping[str, Answer]) -> list[str]:
    """Questions whose answer would settle a condition that is unknown now."""
    return [q for q in questions_named(condition) if q not in answers]
