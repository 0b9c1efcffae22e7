"""Answers -> the columns a scored sheet adds, one `engine.assess` per answer profile.

A pipeline repeats answer profiles (most rows of a forward plan answer the same few
questions the same way), so each distinct profile is assessed once by the engine itself
and remembered: the scored sheet says exactly what `svadvisor assess` says, and most rows
cost a dictionary look-up.

A number or date enters the profile only through where it falls among the values the
pack and the case library compare it with (band edges, `at_least` / `at_most`, every
threshold value and start day, case profiles), so rows whose values differ but cannot
be told apart by any of those share one assessment.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from svadvisor.cases.matching import CaseLibrary
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import Question, RulePack
from svadvisor.scoring import engine
from svadvisor.scoring.assessment import Assessment, Contribution

CACHE_LIMIT = 4096
"""Answer profiles remembered; bounded so memory does not grow with the sheet."""

TOP_REASONS = 3

SETTLE_MOST = 3
"""Questions named in a row's `settle_first` cell, most useful first."""


@dataclass(frozen=True)
class Reason:
    """One contribution to the winner's score."""

    question: str
    points: int
    reason: str
    answer: str

    def text(self) -> str:
        return f"{self.reason} ({self.answer}, {self.points:+d})"


@dataclass(frozen=True)
class Outcome:
    """What one answer profile scores, and the added cells that show it."""

    ranking: tuple[tuple[str, int], ...]
    winner: str
    reasons: tuple[Reason, ...]
    notes: tuple[str, ...]
    unknown: tuple[str, ...]
    nearest_case: str | None
    derived: tuple[str, ...]
    """Answers the engine filled in from others (`service_type (from CPV)`)."""
    cells: tuple[Any, ...]
    """recommended route .. notes (and the nearest case), in `result_columns` order."""
    recommended: str | None = None
    """The recommended route; None for a tie or an insufficient confidence."""
    confidence: str = ""

    @property
    def runner_up(self) -> str:
        return self.ranking[1][0]

    @property
    def margin(self) -> int:
        return self.ranking[0][1] - self.ranking[1][1]


class BatchScorer:
    """Scores many rows against one pack: one `Outcome` per answer profile.

    `on` is the run's day (as `assess` takes it); `cases`, a case library checked
    against the pack, adds the nearest real case to each row.
    """

    def __init__(
        self,
        pack: RulePack,
        *,
        on: date,
        cases: CaseLibrary | None = None,
        cache_limit: int = CACHE_LIMIT,
    ) -> None:
        self.pack = pack
        self.on = on
        self.cases = cases
        self.labels = {r.id: r.label for r in pack.routes}
        self._cache: dict[tuple[Any, ...], Outcome] = {}
        self._cache_limit = cache_limit
        compared = _compared_values(pack, cases)
        self._parts = {q.id: _profile_part(q, compared.get(q.id, set())) for q in pack.questions}
        self._profile = list(self._parts.items())

    def result_columns(self) -> list[str]:
        """Headers of `Outcome.cells`."""
        scores = [f"score_{route}" for route in self.labels]
        reasons = [f"reason_{i}" for i in range(1, TOP_REASONS + 1)]
        cases = ["nearest_case"] if self.cases is not None else []
        return [
            "recommended_route",
            "runner_up",
            "margin",
            "confidence",
            "confidence_why",
            "settle_first",
            "regime",
            *scores,
            "prerequisites_not_met",
            *reasons,
            "notes",
            "note_ids",
            "warnings",
            *cases,
        ]

    def profile_part(self, question_id: str) -> Callable[[cond.Answer], Hashable]:
        """How one question's answer enters the profile (see the module docstring)."""
        return self._parts[question_id]

    def profile(self, answers: Mapping[str, cond.Answer]) -> tuple[Any, ...]:
        """A key equal for answers the pack (and case library) cannot tell apart."""
        return tuple(part(answers[qid]) if qid in answers else None for qid, part in self._profile)

    def outcome(self, answers: Mapping[str, cond.Answer]) -> Outcome:
        key = self.profile(answers)
        found = self._cache.get(key)
        if found is None:
            result = engine.assess(
                self.pack, answers, on=self.on, cases=self.cases, sensitivity=False
            )
            found = self.explain(result)
            if len(self._cache) >= self._cache_limit:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _answer_words(self, contribution: Contribution) -> str:
        """How a reason names its answer: `providers: Several ...`, a number by its band
        (never the value: rows in one band share the text), or a rule's questions."""
        if contribution.rule == "baseline":
            return contribution.answer_label
        if contribution.rule:
            return contribution.question
        question = self.pack.question(contribution.question)
        if question is not None and question.type == "number":
            band = question.band_for(float(contribution.answer))
            return f"{question.id}: {band.label if band else 'a number'}"
        return f"{contribution.question}: {contribution.answer_label}"

    def regime(self, result: Assessment) -> str:
        """The law that governs the row, in words: a regime that takes over (the Provider
        Selection Regime, Scottish or Welsh rules), else the Procurement Act 2023, saying
        when the contract is light touch or below the threshold."""
        if result.regimes:
            return "; ".join(r.title for r in result.regimes)
        parts = ["Procurement Act 2023"]
        if result.answers.get("service_type") == "light_touch":
            parts.append("light touch")
        if result.covered_procurement is False:
            parts.append("below threshold (Part 6)")
        elif result.covered_procurement is None and self.pack.meta.covered_procurement:
            parts.append("threshold not known")
        return parts[0] + (f" ({', '.join(parts[1:])})" if parts[1:] else "")

    def explain(self, result: Assessment) -> Outcome:
        """The added columns for one assessment."""
        ranking = tuple((r.route, r.score) for r in result.ranking)
        positive = [c for c in result.winner.contributions if c.points > 0]
        reasons = tuple(
            Reason(c.question, c.points, c.reason, self._answer_words(c))
            for c in sorted(positive, key=lambda c: -c.points)[:TOP_REASONS]
        )
        texts = [r.text() for r in reasons]
        texts += [""] * (TOP_REASONS - len(texts))
        notes = tuple(n.id for n in result.notes)
        nearest = result.cases[0] if result.cases else None
        nearest_case = f"{nearest.name} ({nearest.id})" if nearest else None
        scores = dict(ranking)
        confidence = result.confidence
        level = confidence.level if confidence else ""
        settle = [
            asked.text if (asked := self.pack.question(q)) else q
            for q in (confidence.settle if confidence else [])[:SETTLE_MOST]
        ]
        cells = (
            self.labels[result.recommended] if result.recommended else "",
            self.labels[result.runner_up.route],
            result.margin,
            level,
            " ".join(confidence.why) if confidence else "",
            "; ".join(settle),
            self.regime(result),
            *(scores[route] for route in self.labels),
            "; ".join(self.labels[r.route] for r in result.ranking if not r.eligible),
            *texts,
            "; ".join(_note_words(n) for n in result.notes),
            "; ".join(notes),
            "; ".join(w.text for w in result.warnings),
            *([nearest_case or ""] if self.cases is not None else []),
        )
        return Outcome(
            ranking,
            result.winner.route,
            reasons,
            notes,
            tuple(result.unanswered),
            nearest_case,
            tuple(f"{d.question} (from CPV)" for d in result.derived if d.used),
            cells,
            result.recommended,
            level,
        )


def _note_words(note: Any) -> str:
    """A note as the sheet names it: its title, and "(MUST)", or "(MUST, if above the
    threshold)" when it depends on a value not known."""
    strength = note.strength.upper()
    return f"{note.title} ({strength}{', conditional' if note.applies_if else ''})"


def _profile_part(question: Question, compared: set[Any]) -> Callable[[cond.Answer], Hashable]:
    """Where a number or date falls among the values compared with it; other answers as is."""
    if question.type not in ("number", "date") or not compared:
        return _same
    try:
        points = sorted(compared)
    except TypeError:  # numbers and dates mixed: only the value itself is a safe key
        return _same

    def part(value: cond.Answer) -> Hashable:
        try:
            return bisect_left(points, value), bisect_right(points, value)
        except TypeError:
            return value

    return part


def _same(value: cond.Answer) -> Hashable:
    return value


def _compared_values(pack: RulePack, cases: CaseLibrary | None) -> dict[str, set[Any]]:
    """For each number and date question, every value the pack or the cases compare it with:
    band edges and `at_least` / `at_most`; every value of each threshold a condition tests
    it against; for the planned start date, every day a threshold changes and every day a
    `starts_...` test names; and, for a question without bands, the cases' answers."""
    kinds = {q.id: q.type for q in pack.questions if q.type in ("number", "date")}
    found: dict[str, set[Any]] = {q: set() for q in kinds}
    thresholds = {t.id: t for t in pack.thresholds}
    for question in pack.questions:
        for band in question.bands:
            found[question.id].update(v for v in (band.at_least, band.below) if v is not None)
    start = pack.meta.start_date_question
    for node in _condition_nodes(pack):
        if isinstance(node, cond.Leaf) and node.question in found:
            found[node.question].update(v for v in (node.at_least, node.at_most) if v is not None)
            if node.threshold in thresholds:
                found[node.question].update(v.value for v in thresholds[node.threshold].values)
        elif isinstance(node, cond.StartDate) and start in found:
            found[start].update(v for v in (node.starts_on_or_after, node.starts_before) if v)
    if start in found:
        found[start].update(v.from_ for t in pack.thresholds for v in t.values if v.from_)
    for case in cases.cases if cases else ():
        for question_id, value in case.profile.items():
            profiled = pack.question(question_id)
            if question_id in found and profiled and not profiled.bands:
                found[question_id].add(value)
    return found


def _condition_nodes(node: Any) -> Iterator[Any]:
    """Every condition node anywhere in the pack (rules, notes, regimes, prerequisites...)."""
    if isinstance(node, cond.AllOf | cond.AnyOf):
        yield node
        for child in node.all if isinstance(node, cond.AllOf) else node.any:
            yield from _condition_nodes(child)
    elif isinstance(node, cond.Not):
        yield node
        yield from _condition_nodes(node.not_)
    elif isinstance(node, cond.Leaf | cond.StartDate):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _condition_nodes(getattr(node, name))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _condition_nodes(item)
