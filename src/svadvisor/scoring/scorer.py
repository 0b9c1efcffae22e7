"""The pack compiled once into plain lookups, for scoring many answer sets fast.

Batch runs, confidence and the "what would change" search score thousands of answer
sets; they need totals and the ranking, not the explanation objects `engine.assess`
builds. The ranking rule is the same as `assess`'s (property-tested to agree): routes
whose prerequisites are met come first; within each group, the higher score first; a
tie keeps the order of the routes in the pack's `routes.yaml` (and is reported as one).

This module sits below the sensitivity search and the engine: it imports neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import Band, RulePack
from svadvisor.scoring import cpv
from svadvisor.scoring.answerspace import AnswerSpace, answer_spaces, scoring_conditions


class Scorer:
    """A pack's points as dictionaries: `ranking(answers)` in microseconds."""

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack
        self.route_ids = [r.id for r in pack.routes]
        self._order = {route: i for i, route in enumerate(self.route_ids)}
        self._baseline = {r.id: r.baseline.points if r.baseline else 0 for r in pack.routes}
        self._choices: dict[str, dict[str, list[tuple[str, int]]]] = {}
        self._bands: dict[str, list[tuple[Band, list[tuple[str, int]]]]] = {}
        self._ask_when: dict[str, cond.ConditionNode] = {}
        for q in pack.questions:
            if q.ask_when is not None:
                self._ask_when[q.id] = q.ask_when
            if q.type == "number":
                self._bands[q.id] = [(b, [(s.route, s.points) for s in b.scores]) for b in q.bands]
            else:
                self._choices[q.id] = {
                    a.id: [(s.route, s.points) for s in a.scores] for a in q.answers
                }
        self._rules = [(r.when, [(s.route, s.points) for s in r.scores]) for r in pack.rules]
        self._prerequisites = [(r.id, [p.requires for p in r.prerequisites]) for r in pack.routes]

    def totals(self, answers: Mapping[str, cond.Answer]) -> dict[str, int]:
        """Each route's score, for answers with what CPV codes imply filled in."""
        totals = dict(self._baseline)
        for qid, value in answers.items():
            gate = self._ask_when.get(qid)
            if gate is not None and gate.evaluate(answers) is False:
                continue
            if qid in self._choices:
                # a choice or multi question's answer is validated to be answer ids
                picked = cast(tuple[str, ...], value if isinstance(value, tuple) else (value,))
                options = self._choices[qid]
                for answer_id in picked:
                    for route, points in options.get(answer_id, ()):
                        totals[route] += points
            elif qid in self._bands and isinstance(value, int | float):
                for band, scores in self._bands[qid]:
                    if band.contains(value):
                        for route, points in scores:
                            totals[route] += points
                        break
        for when, scores in self._rules:
            if when.evaluate(answers) is True:
                for route, points in scores:
                    totals[route] += points
        return totals

    def effective(self, answers: Mapping[str, cond.Answer]) -> Mapping[str, cond.Answer]:
        """Fill in what CPV codes imply, as `assess` does."""
        if self.pack.meta.cpv is None or self.pack.meta.cpv.question not in answers:
            return answers
        return cpv.derive(self.pack, answers)[0]

    def eligible(self, answers: Mapping[str, cond.Answer]) -> dict[str, bool]:
        return {
            route: all(c.evaluate(answers) is not False for c in conditions)
            for route, conditions in self._prerequisites
        }

    def ranking(self, answers: Mapping[str, cond.Answer]) -> list[tuple[str, int]]:
        """(route, score) best first: eligible routes first, then score, then pack order."""
        effective = self.effective(answers)  # what CPV codes imply, worked out once
        totals = self.totals(effective)
        eligible = self.eligible(effective)
        ordered = sorted(
            self.route_ids, key=lambda r: (not eligible[r], -totals[r], self._order[r])
        )
        return [(route, totals[route]) for route in ordered]

    def winner(self, answers: Mapping[str, cond.Answer]) -> str | None:
        """The top route, or None when the top two tie (same standing, same score)."""
        effective = self.effective(answers)
        totals = self.totals(effective)
        eligible = self.eligible(effective)
        ordered = sorted(
            self.route_ids, key=lambda r: (not eligible[r], -totals[r], self._order[r])
        )
        first, second = ordered[0], ordered[1]
        if eligible[first] == eligible[second] and totals[first] == totals[second]:
            return None
        return first


_SCORERS: dict[int, tuple[RulePack, Scorer, dict[str, AnswerSpace]]] = {}


def compiled(pack: RulePack) -> tuple[Scorer, dict[str, AnswerSpace]]:
    """The pack's Scorer and the answer spaces of the questions that can move a score,
    built once per pack object."""
    cached = _SCORERS.get(id(pack))
    if cached is None or cached[0] is not pack:
        if len(_SCORERS) >= 8:
            _SCORERS.pop(next(iter(_SCORERS)))
        moving = scoring_questions(pack)
        spaces = {q: space for q, space in answer_spaces(pack).items() if q in moving}
        cached = (pack, Scorer(pack), spaces)
        _SCORERS[id(pack)] = cached
    return cached[1], cached[2]


def scoring_questions(pack: RulePack) -> set[str]:
    """Questions whose answer can change a score or a prerequisite: they give points, a
    scoring condition reads them, or (CPV) they imply an answer to such a question.
    Changing any other answer never changes the ranking, so searches skip them."""
    read = {q for c in scoring_conditions(pack) for q in cond.questions_named(c)}
    moving = {
        q.id
        for q in pack.questions
        if q.id in read or any(a.scores for a in q.answers) or any(b.scores for b in q.bands)
    }
    config = pack.meta.cpv
    if config is not None and any(cpv_list.derive.question in moving for cpv_list in config.lists):
        moving.add(config.question)
    return moving
