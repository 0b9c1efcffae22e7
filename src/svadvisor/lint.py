"""Beyond validation: parts of a valid rule pack that can never take effect.

Validation says a pack can be read; lint says whether it does what its author meant:
a question whose `ask_when` never holds, an answer that scores nothing anywhere, a
note, rule or prerequisite whose condition can never hold, a route that can never be
recommended, and test cases that name ids the pack does not have ("did you mean").
Conditions are checked exactly, over every combination of the answers they read
(`answerspace`), not by sampling.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from svadvisor import conditions as cond
from svadvisor.answerspace import AnswerSpace, answer_spaces
from svadvisor.errors import Problem
from svadvisor.model import Route, RulePack
from svadvisor.pack import PACK_FILES, load_pack
from svadvisor.packtest import PackTestError, load_cases
from svadvisor.yamlfile import PathKey, YamlDocument, YamlProblem, load_yaml_file

MAX_COMBINATIONS = 200_000
"""A condition reading more combinations of answers than this is not checked."""

Level = Literal["warning", "info"]


@dataclass(frozen=True)
class Finding:
    """A located finding; warnings are likely mistakes, infos may be intended."""

    level: Level
    problem: Problem

    def __str__(self) -> str:
        p = self.problem
        return str(Problem(f"{self.level}: {p.message}", p.file, p.line, p.column, p.path))


class _Locator:
    def __init__(self, directory: Path) -> None:
        self.docs: dict[str, YamlDocument] = {}
        for name in PACK_FILES:
            try:
                self.docs[name] = load_yaml_file(directory / name)
            except YamlProblem:
                continue  # optional file absent (the pack loaded, so nothing else is wrong)

    def __call__(self, level: Level, file: str, path: PathKey, message: str) -> Finding:
        doc = self.docs.get(file)
        problem = doc.problem(path, message) if doc else Problem(message, file)
        return Finding(level, problem)


def lint_pack(directory: Path) -> list[Finding]:
    """Every finding, in file order. A pack that does not validate raises RulePackError."""
    pack = load_pack(directory)
    at = _Locator(directory)
    spaces = answer_spaces(pack, with_notes=True)
    never_asked: set[str] = set()
    findings = list(_never_asked(pack, spaces, never_asked, at))
    findings += _neutral_answers(pack, never_asked, at)
    findings += _conditions_that_never_hold(pack, spaces, never_asked, at)
    findings += _routes_that_never_win(pack, never_asked, at)
    try:
        load_cases(pack, directory)
    except PackTestError as exc:
        findings += [Finding("warning", p) for p in exc.problems]
    return findings


def can_hold(
    condition: cond.ConditionNode, spaces: dict[str, AnswerSpace], never_asked: set[str]
) -> bool | None:
    """Whether some answers make the condition hold (None: too many combinations to try).

    Questions that are never asked stay unanswered, as they would in an interview.
    """
    named = cond.questions_named(condition)
    choices = [[None] if q in never_asked else [None, *spaces[q].alternatives(None)] for q in named]
    if math.prod(len(c) for c in choices) > MAX_COMBINATIONS:
        return None
    for combination in itertools.product(*choices):
        answers = {q: v for q, v in zip(named, combination, strict=True) if v is not None}
        if condition.evaluate(answers) is True:
            return True
    return False


def _never_asked(
    pack: RulePack, spaces: dict[str, AnswerSpace], never_asked: set[str], at: _Locator
) -> Iterator[Finding]:
    for i, q in enumerate(pack.questions):
        if q.ask_when is None:
            continue
        holds = can_hold(q.ask_when, spaces, never_asked)
        if holds is False:
            never_asked.add(q.id)
            named = ", ".join(cond.questions_named(q.ask_when))
            yield at(
                "warning",
                "questions.yaml",
                ("questions", i, "ask_when"),
                f"question {q.id!r} can never be asked: no answers to {named} make its "
                "ask_when hold",
            )
        elif holds is None:
            yield at("info", "questions.yaml", ("questions", i, "ask_when"), _too_many(q.ask_when))


def _too_many(condition: cond.ConditionNode) -> str:
    return (
        f"not checked: the condition reads {', '.join(cond.questions_named(condition))}, "
        f"more than {MAX_COMBINATIONS:,} combinations of answers"
    )


def _named_by_rules(pack: RulePack) -> dict[str, set[str]]:
    named: dict[str, set[str]] = {}
    for rule in pack.rules:
        for _, leaf in cond.leaves(rule.when):
            named.setdefault(leaf.question, set()).update(leaf.answer_ids() or {"*"})
    return named


def _neutral_answers(pack: RulePack, never_asked: set[str], at: _Locator) -> Iterator[Finding]:
    named = _named_by_rules(pack)
    for i, q in enumerate(pack.questions):
        if q.id in never_asked:
            continue
        by_rules = named.get(q.id, set())
        for j, a in enumerate(q.answers):
            if not a.scores and a.id not in by_rules and "*" not in by_rules:
                yield at(
                    "info",
                    "questions.yaml",
                    ("questions", i, "answers", j, "id"),
                    f"answer {a.id!r} to {q.id!r} scores nothing anywhere: no points, and no "
                    "scoring rule names it (fine if it is meant to be neutral)",
                )
        for j, b in enumerate(q.bands):
            if not b.scores and not by_rules:
                yield at(
                    "info",
                    "questions.yaml",
                    ("questions", i, "bands", j, "id"),
                    f"band {b.id!r} of {q.id!r} scores nothing anywhere: no points, and no "
                    "scoring rule tests this question (fine if it is meant to be neutral)",
                )


def _conditions_that_never_hold(
    pack: RulePack, spaces: dict[str, AnswerSpace], never_asked: set[str], at: _Locator
) -> Iterator[Finding]:
    checks: list[tuple[str, PathKey, cond.ConditionNode, str]] = []
    for ri, route in enumerate(pack.routes):
        for pi, p in enumerate(route.prerequisites):
            checks.append(
                (
                    "routes.yaml",
                    ("routes", ri, "prerequisites", pi, "requires"),
                    p.requires,
                    f"prerequisite {p.id!r} of {route.id!r} can never be met: only an "
                    "unanswered question keeps the route in the running",
                )
            )
    for i, rule in enumerate(pack.rules):
        checks.append(
            (
                "scoring.yaml",
                ("rules", i, "when"),
                rule.when,
                f"rule {rule.id!r} can never give its points: its condition never holds",
            )
        )
    for i, note in enumerate(pack.notes):
        checks.append(
            (
                "notes.yaml",
                ("notes", i, "when"),
                note.when,
                f"note {note.id!r} can never apply: its condition never holds",
            )
        )
    for file, path, condition, message in checks:
        holds = can_hold(condition, spaces, never_asked)
        if holds is False:
            yield at("warning", file, path, message)
        elif holds is None:
            yield at("info", file, path, _too_many(condition))


def best_lead(pack: RulePack, route: str, rival: str, never_asked: set[str]) -> int:
    """An upper bound on `route`'s score minus `rival`'s over every possible answer set.

    Each question adds at most its best answer's difference (don't know adds 0, and a
    multiple choice picks every option that helps); each rule at most its difference
    when it fires.
    """

    def difference(scores: list) -> int:
        return sum(s.points for s in scores if s.route == route) - sum(
            s.points for s in scores if s.route == rival
        )

    lead = 0
    for q in pack.questions:
        if q.id in never_asked:
            continue
        options = [difference(list(a.scores)) for a in q.answers]
        options += [difference(list(b.scores)) for b in q.bands]
        if q.type == "multi":
            lead += sum(max(0, d) for d in options)
        else:
            lead += max([0, *options])
    for rule in pack.rules:
        lead += max(0, difference(list(rule.scores)))
    return lead


def _routes_that_never_win(
    pack: RulePack, never_asked: set[str], at: _Locator
) -> Iterator[Finding]:
    order = {r.id: i for i, r in enumerate(pack.routes)}
    for i, route in enumerate(pack.routes):
        reason = _never_wins(pack, route, order, never_asked)
        if reason:
            yield at(
                "warning",
                "routes.yaml",
                ("routes", i, "id"),
                f"route {route.id!r} can never be recommended: {reason}",
            )


def _never_wins(
    pack: RulePack, route: Route, order: dict[str, int], never_asked: set[str]
) -> str | None:
    for rival in pack.routes:
        if rival.id == route.id or rival.prerequisites:
            continue  # a rival with prerequisites can drop below it
        lead = best_lead(pack, route.id, rival.id, never_asked)
        if lead < 0 or (lead == 0 and order[rival.id] < order[route.id]):
            at_best = "draw level with" if lead == 0 else f"come {-lead} point(s) behind"
            return (
                f"whatever the answers, it can at best {at_best} {rival.id!r} (which has no "
                "prerequisite, and wins ties by coming first in routes.yaml)"
                if lead == 0
                else f"whatever the answers, it can at best {at_best} {rival.id!r}, "
                "which has no prerequisite"
            )
    return None
