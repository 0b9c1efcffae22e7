"""Every answer a question can take, up to what the rule pack can tell apart.

A choice question has its listed answers. A number question has infinitely many, but a
pack only ever compares a number with its bands' edges and its conditions' thresholds,
so one value from each stretch between those edges stands for the whole stretch (the
same for dates, whose only edges are conditions' thresholds). "Don't know" is always
one more answer. Searches over answers ("what would change the advice", lint) are
therefore exact, not sampled.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from svadvisor.answers.validate import describe_answer
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import Question, RulePack

MAX_MULTI_OPTIONS = 6
"""A multiple-choice question with more options that matter than this is searched by
adding or removing one option at a time, not over every combination (2**6 = 64)."""

DONT_KNOW_LABEL = "Don't know"

Value = cond.Answer | None
"""An answer, or None for "don't know"."""


def scoring_conditions(pack: RulePack) -> Iterator[cond.ConditionNode]:
    """The conditions that can move a score, a ranking or its confidence: ask_when,
    prerequisites, routes' defining evidence, rules."""
    for q in pack.questions:
        if q.ask_when is not None:
            yield q.ask_when
    for route in pack.routes:
        for prerequisite in route.prerequisites:
            yield prerequisite.requires
        for evidence in route.evidence:
            yield evidence.when
    for rule in pack.rules:
        yield rule.when


def all_conditions(pack: RulePack) -> Iterator[cond.ConditionNode]:
    """Every condition of the pack: scoring ones, notes, and regimes and their outcomes."""
    yield from scoring_conditions(pack)
    for contradiction in pack.contradictions:
        yield contradiction.when
    for note in pack.notes:
        if note.when is not None:
            yield note.when
    for regime in pack.regimes:
        yield regime.applies_when
        for outcome in regime.outcomes:
            yield outcome.when


@dataclass(frozen=True)
class AnswerSpace:
    """The answers to one question that the pack can tell apart (don't know excluded)."""

    question: Question
    values: tuple[cond.Answer, ...]
    leaves: tuple[cond.Leaf, ...] = ()
    relevant: frozenset[str] = field(default_factory=frozenset)
    exhaustive: bool = True
    note: str = ""
    limits: tuple[float, ...] = ()
    """Threshold values (on any day) a number is compared with, in notes and regimes."""
    cpv_lists: tuple[tuple[str, frozenset[str]], ...] = ()
    """For the CPV question: the official lists whose codes imply answers."""

    def key(self, value: Value) -> Hashable:
        """Two answers with the same key score and test alike everywhere in the pack."""
        if value is None:
            return ("dont_know",)
        q = self.question
        if q.type == "multi" and isinstance(value, tuple):
            return ("multi", frozenset(value) & self.relevant)
        if q.type in ("number", "date"):
            band = q.band_for(value) if isinstance(value, int | float) else None
            answers = {q.id: value}
            return (
                q.type,
                band.id if band else None,
                tuple(leaf.evaluate(answers) for leaf in self.leaves if leaf.threshold is None),
                # a number or date question's value and limits compare
                tuple((value > limit, value == limit) for limit in self.limits),  # type: ignore[operator]
            )
        if q.type == "cpv" and isinstance(value, tuple):
            return ("cpv", frozenset(i for i, codes in self.cpv_lists if set(value) & codes))
        if q.type in ("choice", "yesno"):
            return ("choice", value)
        return ("answered",)

    def alternatives(self, current: Value) -> list[Value]:
        """Every answer the pack tells apart from `current`, one per class, don't know last."""
        values: Iterable[cond.Answer] = self.values
        if self.question.type == "multi":
            values = _keeping_the_rest(
                self.question, current, self.relevant, self.exhaustive, values
            )
        here = self.key(current)
        found: list[Value] = [v for v in values if self.key(v) != here]
        if current is not None:
            found.append(None)
        return found

    def label(self, value: Value) -> str:
        if self.cpv_lists and isinstance(value, tuple):
            on = [i for i, codes in self.cpv_lists if set(value) & codes]
            return label(self.question, value) + (f" (on: {', '.join(on)})" if on else "")
        return label(self.question, value)


def label(question: Question, value: Value) -> str:
    """An answer in words: the answer's label, or a number with the band it falls in."""
    if value is None:
        return DONT_KNOW_LABEL
    if question.type == "cpv" and isinstance(value, tuple):
        return "CPV " + "; ".join(value)
    words = describe_answer(question, value)
    if question.type == "number" and isinstance(value, int | float):
        band = question.band_for(value)
        if band is not None:
            words += f" ({band.label})"
    return words


def answer_spaces(pack: RulePack, *, with_notes: bool = False) -> dict[str, AnswerSpace]:
    """Each question's space. Notes change no score, so they count only `with_notes`."""
    conditions = list(all_conditions(pack) if with_notes else scoring_conditions(pack))
    leaves: dict[str, list[cond.Leaf]] = {q.id: [] for q in pack.questions}
    limits: dict[str, set[float]] = {q.id: set() for q in pack.questions}
    thresholds = {t.id: t for t in pack.thresholds}
    for condition in conditions:
        for _, leaf in cond.leaves(condition):
            if leaf.question in leaves and leaf not in leaves[leaf.question]:
                leaves[leaf.question].append(leaf)
            if leaf.threshold in thresholds and leaf.question in limits:
                limits[leaf.question].update(v.value for v in thresholds[leaf.threshold].values)
    cpv = pack.meta.cpv
    cpv_lists = tuple(sorted(pack.cpv_lists.items())) if cpv else ()
    return {
        q.id: answer_space(
            q,
            leaves[q.id],
            pack.meta.effective,
            limits=tuple(sorted(limits[q.id])),
            cpv_lists=cpv_lists if cpv and cpv.question == q.id else (),
        )
        for q in pack.questions
    }


def answer_space(
    question: Question,
    leaves: list[cond.Leaf],
    some_day: date,
    *,
    limits: tuple[float, ...] = (),
    cpv_lists: tuple[tuple[str, frozenset[str]], ...] = (),
) -> AnswerSpace:
    """`leaves` are the tests conditions make on this question; `some_day` stands for any
    date; `limits` are threshold values it is compared with; `cpv_lists` the official
    lists a CPV question's codes are looked up in."""
    q = question
    if q.type in ("choice", "yesno"):
        return AnswerSpace(q, tuple(q.choice_ids), tuple(leaves))
    if q.type == "multi":
        named = {a for leaf in leaves for a in leaf.answer_ids()}
        relevant = frozenset(a.id for a in q.answers if a.scores or a.id in named)
        ordered = [a for a in q.choice_ids if a in relevant]
        if len(ordered) > MAX_MULTI_OPTIONS:
            return AnswerSpace(
                q,
                (),
                tuple(leaves),
                relevant,
                exhaustive=False,
                note=f"{len(ordered)} options matter: tried adding or removing one at a time",
            )
        subsets = tuple(
            tuple(a for a in ordered if a in chosen)
            for n in range(len(ordered) + 1)
            for chosen in itertools.combinations(ordered, n)
        )
        return AnswerSpace(q, subsets, tuple(leaves), relevant)
    if q.type == "number":
        if not q.bands and not leaves:
            return AnswerSpace(
                q, (), note="no band or condition reads it: it cannot change a score"
            )
        probe = AnswerSpace(q, (), tuple(leaves), limits=limits)
        return AnswerSpace(q, tuple(_number_values(probe)), tuple(leaves), limits=limits)
    if q.type == "cpv" and cpv_lists:
        return AnswerSpace(q, _cpv_values(cpv_lists), tuple(leaves), cpv_lists=cpv_lists)
    if q.type == "date":
        if not leaves:
            return AnswerSpace(q, (), note="no condition tests this date: it cannot change a score")
        return AnswerSpace(q, tuple(_date_values(q, leaves, some_day)), tuple(leaves))
    return AnswerSpace(
        q,
        (),
        tuple(leaves),
        note=f"a {q.type} answer cannot be enumerated; only don't know is tried",
    )


def _keeping_the_rest(
    question: Question,
    current: Value,
    relevant: frozenset[str],
    exhaustive: bool,
    subsets: Iterable[cond.Answer],
) -> Iterator[tuple[str, ...]]:
    """Multi answers that change only options that matter, keeping the others picked.

    Too many options to try every combination: add or remove one option at a time.
    """
    picked = set(current) if isinstance(current, tuple) else set()
    if not exhaustive:
        options = [o for o in question.choice_ids if o in relevant]
        subsets = [(), *(tuple((picked & relevant) ^ {o}) for o in options)]
    for subset in subsets:
        chosen = set(subset) | (picked - relevant)  # type: ignore[arg-type]  # multi: a tuple of ids
        yield tuple(a for a in question.choice_ids if a in chosen)


def _nice(number: float) -> float | int:
    return int(number) if float(number).is_integer() else number


def _dedupe(space_key: AnswerSpace, candidates: list[tuple[int, cond.Answer]]) -> list[cond.Answer]:
    """Keep the most readable candidate of each class (lowest rank first), sorted by value."""
    best: dict[Hashable, tuple[int, cond.Answer]] = {}
    for rank, value in candidates:
        k = space_key.key(value)
        if k not in best or (rank, value) < best[k]:
            best[k] = (rank, value)
    return sorted(value for _, value in best.values())


def _number_values(probe: AnswerSpace) -> list[cond.Answer]:
    q = probe.question
    edges: set[float] = set(probe.limits)
    for band in q.bands:
        edges.update(e for e in (band.at_least, band.below) if e is not None)
    for leaf in probe.leaves:
        edges.update(
            e for e in (leaf.at_least, leaf.at_most) if isinstance(e, int | float) and e is not None
        )
    low = q.min if q.min is not None else None
    high = q.max if q.max is not None else None
    points = sorted(
        {e for e in edges if (low is None or e >= low) and (high is None or e <= high)}
        | {b for b in (low, high) if b is not None}
    )
    candidates: list[tuple[int, cond.Answer]] = []
    for a, b in itertools.pairwise(points):
        middle = (a + b) / 2
        candidates.append((0, _nice(round(middle) if a < round(middle) < b else middle)))
    candidates += [(1, _nice(p)) for p in points]
    if points:
        step = max(1.0, abs(points[0]), abs(points[-1]))
        if low is None:
            candidates.append((2, _nice(points[0] - step)))
        if high is None:
            candidates.append((2, _nice(points[-1] + step)))
    else:
        candidates.append((2, 0))
    return _dedupe(probe, candidates)


def _date_values(q: Question, leaves: list[cond.Leaf], some_day: date) -> list[cond.Answer]:
    edges = sorted(
        {e for leaf in leaves for e in (leaf.at_least, leaf.at_most) if isinstance(e, date)}
    )
    day = timedelta(days=1)
    candidates: list[tuple[int, cond.Answer]] = [(1, e) for e in edges]
    candidates += [(2, e + step) for e in edges for step in (day, -day)]
    if not edges:
        candidates.append((2, some_day))
    probe = AnswerSpace(q, (), tuple(leaves))
    return _dedupe(probe, candidates)


MAX_CPV_CLASSES = 5
"""CPV codes fall into classes by the lists they are on; beyond this many classes, each
class is tried alone rather than in every combination."""


def _cpv_values(cpv_lists: tuple[tuple[str, frozenset[str]], ...]) -> tuple[cond.Answer, ...]:
    """One code for each set of lists a code can be on (the lowest code), and every
    combination of those codes: what a CPV answer implies depends on nothing else."""
    firsts: dict[frozenset[str], str] = {}
    for _, codes in cpv_lists:
        for code in codes:
            membership = frozenset(i for i, listed in cpv_lists if code in listed)
            if membership not in firsts or code < firsts[membership]:
                firsts[membership] = code
    classes = sorted(firsts.values())
    sizes = range(1, len(classes) + 1) if len(classes) <= MAX_CPV_CLASSES else (1,)
    return tuple(combo for n in sizes for combo in itertools.combinations(classes, n))
