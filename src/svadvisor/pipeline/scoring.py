"""Answers -> the columns a scored sheet adds, with the rule pack compiled once per run.

`engine.Scorer` gives the totals and the ranking. The explanation columns (the winner's
top three reasons, the notes that apply, the questions left unknown) come from tables
built here from the pack, not from the pydantic `engine.assess` result, and every result
is remembered by the row's answer profile: forward plans repeat profiles, so most rows
are a dictionary look-up. Numbers enter the profile only through the thresholds the pack
compares them with, so two values in the same band share one entry.

The columns agree with `engine.assess` (property-tested): same winner, runner-up,
margin, scores, notes and unanswered questions.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from svadvisor import conditions as cond
from svadvisor import engine
from svadvisor.model import Band, Question, RulePack

CACHE_LIMIT = 4096
"""Answer profiles remembered; bounded so memory does not grow with the sheet."""

TOP_REASONS = 3


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
    cells: tuple[Any, ...]
    """recommended route .. notes, in `result_columns` order."""

    @property
    def runner_up(self) -> str:
        return self.ranking[1][0]

    @property
    def margin(self) -> int:
        return self.ranking[0][1] - self.ranking[1][1]


_ReasonTable = tuple[
    dict[str, dict[str, list["Reason"]]],
    dict[str, list[tuple[Band, list["Reason"]]]],
    list[tuple[cond.Evaluator, list[str], list[tuple[int, str]]]],
]
"""One route's positive points: by question and answer, by question and band, by rule."""


class BatchScorer:
    """The pack compiled for scoring many rows: one `Outcome` per answer profile."""

    def __init__(self, pack: RulePack, *, cache_limit: int = CACHE_LIMIT) -> None:
        self.pack = pack
        self.scorer = engine.Scorer(pack)
        self.labels = {r.id: r.label for r in pack.routes}
        self._cache: dict[tuple[Any, ...], Outcome] = {}
        self._cache_limit = cache_limit
        self._order = [q.id for q in pack.questions]
        self._ask_when = {
            q.id: cond.compile_condition(q.ask_when) for q in pack.questions if q.ask_when
        }
        self._rules = [
            (cond.compile_condition(r.when), cond.questions_named(r.when), r.scores)
            for r in pack.rules
        ]
        self._reason_tables = {route: self._reason_table(route) for route in self.labels}
        self._notes = sorted(
            ((cond.compile_condition(n.when), n.id) for n in pack.notes),
            key=lambda pair: engine.STRENGTH_ORDER[_strength(pack, pair[1])],
        )
        self._parts = {q.id: _profile_part(q, pack) for q in pack.questions}
        self._profile = list(self._parts.items())

    def result_columns(self) -> list[str]:
        """Headers of `Outcome.cells`."""
        scores = [f"score_{route}" for route in self.labels]
        reasons = [f"reason_{i}" for i in range(1, TOP_REASONS + 1)]
        return [
            "recommended_route",
            "runner_up",
            "margin",
            *scores,
            "prerequisites_not_met",
            *reasons,
            "notes",
        ]

    def profile_part(self, question_id: str) -> Callable[[cond.Answer], Hashable]:
        """How one question's answer enters the profile (see `_profile_part`)."""
        return self._parts[question_id]

    def profile(self, answers: Mapping[str, cond.Answer]) -> tuple[Any, ...]:
        """A key equal for answers the pack cannot tell apart."""
        return tuple(part(answers[qid]) if qid in answers else None for qid, part in self._profile)

    def outcome(self, answers: Mapping[str, cond.Answer]) -> Outcome:
        key = self.profile(answers)
        found = self._cache.get(key)
        if found is None:
            found = self._score(answers)
            if len(self._cache) >= self._cache_limit:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _score(self, answers: Mapping[str, cond.Answer]) -> Outcome:
        ranking = tuple(self.scorer.ranking(answers))
        states = {qid: gate(answers) for qid, gate in self._ask_when.items()}
        reasons = self._reasons(ranking[0][0], answers, states)
        notes = tuple(note_id for when, note_id in self._notes if when(answers) is True)
        unknown = tuple(
            qid for qid in self._order if qid not in answers and states.get(qid, True) is True
        )
        (winner, top), (runner_up, second) = ranking[0], ranking[1]
        texts = [r.text() for r in reasons]
        texts += [""] * (TOP_REASONS - len(texts))
        scores = dict(ranking)
        cells = (
            self.labels[winner],
            self.labels[runner_up],
            top - second,
            *(scores[route] for route in self.labels),
            "; ".join(r for r, ok in self.scorer.eligible(answers).items() if not ok),
            *texts,
            "; ".join(notes),
        )
        return Outcome(ranking, winner, reasons, notes, unknown, cells)

    def _reason_table(self, route: str) -> _ReasonTable:
        """For one route: each answer's (and band's) positive points, and the rules that give
        it positive points, built once so a row only looks them up."""
        answers: dict[str, dict[str, list[Reason]]] = {}
        bands: dict[str, list[tuple[Band, list[Reason]]]] = {}
        for q in self.pack.questions:
            answers[q.id] = {
                a.id: [
                    Reason(q.id, s.points, s.reason, f"{q.id}: {a.label}")
                    for s in a.scores
                    if s.route == route and s.points > 0
                ]
                for a in q.answers
            }
            bands[q.id] = [
                (
                    b,
                    [
                        Reason(q.id, s.points, s.reason, f"{q.id}: {b.label}")
                        for s in b.scores
                        if s.route == route and s.points > 0
                    ],
                )
                for b in q.bands
            ]
        rules = [
            (
                when,
                named,
                [(s.points, s.reason) for s in scores if s.route == route and s.points > 0],
            )
            for when, named, scores in self._rules
        ]
        return answers, bands, [rule for rule in rules if rule[2]]

    def _reasons(
        self,
        winner: str,
        answers: Mapping[str, cond.Answer],
        states: Mapping[str, cond.Truth],
    ) -> tuple[Reason, ...]:
        """The winner's largest positive contributions, in the order `assess` lists them."""
        by_answer, by_band, rules = self._reason_tables[winner]
        found: list[Reason] = []
        for qid, value in answers.items():
            if states.get(qid) is False:
                continue
            if value.__class__ is str:
                found += by_answer[qid].get(value, ())  # type: ignore[arg-type]
            elif isinstance(value, tuple):
                options = by_answer[qid]
                for answer_id in options:
                    if answer_id in value:
                        found += options[answer_id]
            elif isinstance(value, int | float):
                for band, reasons in by_band[qid]:
                    if band.contains(value):
                        found += reasons
                        break
        for when, named, points in rules:
            if when(answers) is True:
                question = " & ".join(q for q in named if q in answers)
                found += [Reason(question, p, reason, question) for p, reason in points]
        found.sort(key=lambda r: -r.points)
        return tuple(found[:TOP_REASONS])


def _strength(pack: RulePack, note_id: str) -> str:
    return next(n.strength for n in pack.notes if n.id == note_id)


def _profile_part(question: Question, pack: RulePack) -> Callable[[cond.Answer], Hashable]:
    """How a question's answer enters the profile key.

    A number or date matters only through the thresholds the pack compares it with (its
    bands, and `at_least` / `at_most` in any condition; a checked pack compares numbers
    with numbers and dates with dates), so the key holds how many thresholds the value
    has reached, not the value.
    """
    if question.type not in ("number", "date"):
        return _same
    lows: set[Any] = set()
    highs: set[Any] = set()
    for band in question.bands:
        lows.update(t for t in (band.at_least, band.below) if t is not None)
    for condition in _conditions(pack):
        for _, leaf in cond.leaves(condition):
            if leaf.question == question.id:
                lows.update(t for t in (leaf.at_least,) if t is not None)
                highs.update(t for t in (leaf.at_most,) if t is not None)
    try:
        at_least, at_most = sorted(lows), sorted(highs)
    except TypeError:  # numbers and dates mixed: only the value itself is a safe key
        return _same

    def part(value: cond.Answer) -> Hashable:
        try:
            return bisect_right(at_least, value), bisect_left(at_most, value)
        except TypeError:
            return value

    return part


def _same(value: cond.Answer) -> Hashable:
    return value


def _conditions(pack: RulePack) -> list[cond.ConditionNode]:
    found: list[cond.ConditionNode] = [q.ask_when for q in pack.questions if q.ask_when]
    found += [r.when for r in pack.rules]
    found += [n.when for n in pack.notes]
    found += [p.requires for r in pack.routes for p in r.prerequisites]
    return found
