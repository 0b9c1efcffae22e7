"""Beyond validation: parts of a valid rule pack that can never take effect.

Validation says a pack can be read; lint says whether it does what its author meant:
a question whose `ask_when` never holds, an answer that scores nothing anywhere, a
note, rule or prerequisite whose condition can never hold, a route that can never be
recommended, test cases that name ids the pack does not have ("did you mean"), and a
cited source outside the classes the pack accepts (`sources.yaml`).
Conditions are checked exactly, over every combination of the answers they read
(`answerspace`), not by sampling.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from svadvisor.errors import Problem
from svadvisor.packcheck.selftest import PackTestError, load_pack_tests
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack import sources
from svadvisor.rulepack.load import PACK_FILES, load_pack
from svadvisor.rulepack.schema import Route, RulePack, Score
from svadvisor.scoring import thresholds
from svadvisor.scoring.answerspace import AnswerSpace, all_conditions, answer_spaces
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


def lint_pack(directory: Path, library: Path | None = None) -> list[Finding]:
    """Every finding, in file order. A pack that does not validate raises RulePackError.

    `library`, a case-study folder used with the pack, has its sources checked too."""
    pack = load_pack(directory)
    at = _Locator(directory)
    spaces = answer_spaces(pack, with_notes=True)
    never_asked: set[str] = set()
    findings = list(_never_asked(pack, spaces, never_asked, at))
    findings += _neutral_answers(pack, never_asked, at)
    findings += _conditions_that_never_hold(pack, spaces, never_asked, context_days(pack), at)
    findings += _routes_that_never_win(pack, never_asked, at)
    try:
        load_pack_tests(pack, directory)
    except PackTestError as exc:
        findings += [Finding("warning", p) for p in exc.problems]
    documents = list(sources.pack_documents(directory))
    if library is not None and library.is_dir():
        documents += sources.library_documents(library)
    findings += [Finding("warning", p) for p in sources.unlisted(pack.source_classes, documents)]
    return findings


def can_hold(
    condition: cond.ConditionNode,
    spaces: dict[str, AnswerSpace],
    never_asked: set[str],
    days: list[cond.Context] | None = None,
) -> bool | None:
    """Whether some answers make the condition hold (None: too many combinations to try).

    Questions that are never asked stay unanswered, as they would in an interview. A
    condition on the start date or a threshold is tried on each of `days`, the contexts
    on which some date or threshold value the pack names changes.
    """
    named = cond.questions_named(condition)
    choices = [[None] if q in never_asked else [None, *spaces[q].alternatives(None)] for q in named]
    contexts: list[cond.Context | None] = [None]
    if days and _reads_context(condition):
        contexts = list(days)
    if math.prod(len(c) for c in choices) * len(contexts) > MAX_COMBINATIONS:
        return None
    for combination in itertools.product(*choices):
        answers = {q: v for q, v in zip(named, combination, strict=True) if v is not None}
        if any(condition.evaluate(answers, context) is True for context in contexts):
            return True
    return False


def _reads_context(condition: cond.ConditionNode) -> bool:
    if any(True for _ in _start_tests(condition)):
        return True
    return any(leaf.threshold is not None for _, leaf in cond.leaves(condition))


def context_days(pack: RulePack) -> list[cond.Context]:
    """A context for each stretch of days on which every start-date test and threshold
    value of the pack stays the same (the day before and on each date the pack names)."""
    named: set[date] = {pack.meta.effective}
    for threshold in pack.thresholds:
        named.update(v.from_ for v in threshold.values if v.from_ is not None)
    for condition in all_conditions(pack):
        for test in _start_tests(condition):
            named.update(d for d in (test.starts_on_or_after, test.starts_before) if d)
    days = sorted({d for day in named for d in (day, day - timedelta(days=1))})
    return [thresholds.context(pack, day) for day in days]


def _start_tests(condition: cond.ConditionNode) -> Iterator[cond.StartDate]:
    if isinstance(condition, cond.StartDate):
        yield condition
    elif isinstance(condition, cond.AllOf | cond.AnyOf):
        for child in condition.all if isinstance(condition, cond.AllOf) else condition.any:
            yield from _start_tests(child)
    elif isinstance(condition, cond.Not):
        yield from _start_tests(condition.not_)


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


def _named_anywhere(pack: RulePack) -> dict[str, set[str]]:
    """Answer ids each question's answers are named by in any condition; "*" when a
    condition reads the question another way (a number, answered or not)."""
    named: dict[str, set[str]] = {}
    for condition in all_conditions(pack):
        for _, leaf in cond.leaves(condition):
            named.setdefault(leaf.question, set()).update(leaf.answer_ids() or {"*"})
    return named


def _neutral_answers(pack: RulePack, never_asked: set[str], at: _Locator) -> Iterator[Finding]:
    named = _named_anywhere(pack)
    on_a_path = {q for regime in pack.regimes for q in regime.path}
    for i, q in enumerate(pack.questions):
        if q.id in never_asked or q.id in on_a_path:
            continue  # a decision path's answers matter by the order its outcomes are tried
        read = named.get(q.id, set())
        for j, a in enumerate(q.answers):
            if not a.scores and a.id not in read and "*" not in read:
                yield at(
                    "info",
                    "questions.yaml",
                    ("questions", i, "answers", j, "id"),
                    f"answer {a.id!r} to {q.id!r} scores nothing anywhere: no points, and no "
                    "rule, note, prerequisite or regime names it (fine if it is meant to be "
                    "neutral)",
                )
        for j, b in enumerate(q.bands):
            if not b.scores and not read:
                yield at(
                    "info",
                    "questions.yaml",
                    ("questions", i, "bands", j, "id"),
                    f"band {b.id!r} of {q.id!r} scores nothing anywhere: no points, and no "
                    "condition reads this question (fine if it is meant to be neutral)",
                )


def _conditions_that_never_hold(
    pack: RulePack,
    spaces: dict[str, AnswerSpace],
    never_asked: set[str],
    days: list[cond.Context],
    at: _Locator,
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
        if note.when is None:
            continue
        checks.append(
            (
                "notes.yaml",
                ("notes", i, "when"),
                note.when,
                f"note {note.id!r} can never apply: its condition never holds",
            )
        )
    for file, path, condition, message in checks:
        holds = can_hold(condition, spaces, never_asked, days)
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

    def difference(scores: list[Score]) -> int:
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
