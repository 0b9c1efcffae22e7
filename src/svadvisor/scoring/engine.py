"""Scoring: validated answers + a rule pack -> a ranked, fully explained assessment.

Pure: no files, no printing, no clock (the caller says which day it is), no state
between calls. The same pack, answers and day always give the same assessment.

Ranking rule: routes whose prerequisites are met come first; within each group, the
higher score first; a tie keeps the order of the routes in the pack's `routes.yaml`, and
is reported as a tie (`tie`), with no route recommended. Every assessment says how sure
it is (`confidence`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Literal

from svadvisor.answers.validate import describe_answer, dump_answers
from svadvisor.cases.matching import CaseLibrary, similar_cases
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import Note, Question, RulePack, Score
from svadvisor.scoring import confidence, cpv, regimes, thresholds
from svadvisor.scoring import sensitivity as sensitivity_search
from svadvisor.scoring.assessment import (
    AppliedThreshold,
    Assessment,
    Contribution,
    Derived,
    NoteResult,
    NotHolding,
    RouteResult,
    RulePackInfo,
    Unmet,
)
from svadvisor.scoring.scorer import Scorer

__all__ = ["Scorer", "applicable_notes", "assess", "contributions", "note_result", "question_state"]

STRENGTH_ORDER = {"must": 0, "should": 1, "consider": 2}

QuestionState = Literal["ask", "skip", "maybe"]


def question_state(question: Question, answers: Mapping[str, cond.Answer]) -> QuestionState:
    """Whether a question applies: its `ask_when` holds, fails, or is unknown yet."""
    if question.ask_when is None:
        return "ask"
    result = question.ask_when.evaluate(answers)
    return "ask" if result is True else "skip" if result is False else "maybe"


def _answer_scores(
    question: Question, value: cond.Answer
) -> Iterator[tuple[str, str, list[Score]]]:
    """(answer id, answer in words, scores) for each part of an answer that scores."""
    if question.type == "multi" and isinstance(value, tuple):
        for option in question.answers:
            if option.id in value:
                yield option.id, option.label, list(option.scores)
    elif question.type in ("choice", "yesno") and isinstance(value, str):
        chosen = question.answer(value)
        if chosen is not None:
            yield chosen.id, chosen.label, list(chosen.scores)
    elif question.type == "number" and isinstance(value, int | float):
        band = question.band_for(value)
        if band is not None:
            yield (
                str(value),
                f"{describe_answer(question, value)} ({band.label})",
                list(band.scores),
            )


def contributions(
    pack: RulePack, answers: Mapping[str, cond.Answer]
) -> dict[str, list[Contribution]]:
    """Every point each route gets, in question order, then the rules over several answers."""
    by_route: dict[str, list[Contribution]] = {r.id: [] for r in pack.routes}
    for route in pack.routes:
        if route.baseline is not None:
            by_route[route.id].append(
                Contribution(
                    question="",
                    answer="",
                    answer_label="before any answer",
                    points=route.baseline.points,
                    reason=route.baseline.reason,
                    source=route.baseline.source,
                    rule="baseline",
                )
            )
    for question in pack.questions:
        if question.id not in answers or question_state(question, answers) == "skip":
            continue
        for answer_id, words, scores in _answer_scores(question, answers[question.id]):
            for score in scores:
                by_route[score.route].append(
                    Contribution(
                        question=question.id,
                        answer=answer_id,
                        answer_label=words,
                        points=score.points,
                        reason=score.reason,
                        source=score.source,
                        group=score.group,
                    )
                )
    questions = {q.id: q for q in pack.questions}
    for rule in pack.rules:
        if rule.when.evaluate(answers) is not True:
            continue
        named = [q for q in cond.questions_named(rule.when) if q in answers]
        words = "; ".join(f"{q}: {describe_answer(questions[q], answers[q])}" for q in named)
        for score in rule.scores:
            by_route[score.route].append(
                Contribution(
                    question=" & ".join(named),
                    answer=words,
                    answer_label=words,
                    points=score.points,
                    reason=score.reason,
                    source=score.source,
                    rule=rule.id,
                    group=score.group,
                )
            )
    return by_route


def assess(
    pack: RulePack,
    answers: Mapping[str, cond.Answer],
    *,
    on: date,
    cases: CaseLibrary | None = None,
    sensitivity: bool = True,
) -> Assessment:
    """Rank the pack's routes for validated answers.

    `on` is today: notes are reviewed against it, and thresholds are chosen for it
    unless the answers give a planned start date. `cases`, a case library checked
    against this pack, adds the nearest real cases. `sensitivity` adds what would
    change the advice (see `svadvisor.scoring.sensitivity`); batch runs that only need the
    ranking can turn it off.
    """
    effective, derived = cpv.derive(pack, answers)
    day, basis = thresholds.procurement_day(pack, effective, on)
    context = thresholds.context(pack, day)
    in_force = thresholds.applied(pack, day, basis)

    scored = contributions(pack, effective)
    results: list[RouteResult] = []
    for route in pack.routes:
        unmet: list[Unmet] = []
        to_settle: list[str] = []
        for prerequisite in route.prerequisites:
            holds = prerequisite.requires.evaluate(effective)
            if holds is False:
                unmet.append(
                    Unmet(id=prerequisite.id, text=prerequisite.unmet, source=prerequisite.source)
                )
            elif holds is None:
                for q in cond.unknown_questions(prerequisite.requires, effective):
                    if q not in to_settle:
                        to_settle.append(q)
        points = scored[route.id]
        results.append(
            RouteResult(
                route=route.id,
                label=route.label,
                score=sum(c.points for c in points),
                eligible=not unmet,
                unmet=unmet,
                to_settle=to_settle,
                contributions=points,
            )
        )
    order = {r.id: i for i, r in enumerate(pack.routes)}
    ranking = sorted(results, key=lambda r: (not r.eligible, -r.score, order[r.route]))

    notes, not_holding = applicable_notes(pack, effective, context, in_force, on=on)
    covered = thresholds.coverage(pack, effective, context)
    notes = sorted(
        [*_cpv_disagreements(pack, derived), *notes], key=lambda n: STRENGTH_ORDER[n.strength]
    )
    states = {q.id: question_state(q, effective) for q in pack.questions}
    unanswered = [q.id for q in pack.questions if q.id not in effective and states[q.id] == "ask"]
    judgement = confidence.judge(pack, answers, effective, ranking, unanswered)
    result = Assessment(
        ranking=ranking,
        margin=ranking[0].score - ranking[1].score,
        notes=notes,
        unanswered=unanswered,
        not_applicable=[q.id for q in pack.questions if states[q.id] == "skip"],
        answers=dump_answers(pack, answers),
        rule_pack=RulePackInfo(name=pack.meta.name, version=pack.meta.version, sha256=pack.sha256),
        procurement_date=day,
        procurement_date_basis=basis,
        regimes=regimes.walk(pack, effective, context),
        derived=derived,
        notes_not_holding=not_holding,
        cases=similar_cases(pack, cases, effective, recommended=ranking[0].route) if cases else [],
        thresholds=in_force,
        recommended=judgement.recommended,
        confidence=judgement.confidence,
        tie=judgement.tie,
        warnings=confidence.contradictions(pack, effective),
        covered_procurement=covered.state if covered is not None else None,
    )
    if not sensitivity:
        return result
    return sensitivity_search.with_sensitivity(pack, answers, result)


def applicable_notes(
    pack: RulePack,
    answers: Mapping[str, cond.Answer],
    context: cond.Context,
    in_force: list[AppliedThreshold],
    *,
    on: date,
) -> tuple[list[NoteResult], list[NotHolding]]:
    """Notes whose condition holds, strongest first, then in pack order; and those whose
    condition holds but which do not hold where the buyer is."""
    by_id = {t.id: t for t in in_force}
    place, home = _jurisdiction(pack, answers)
    config = pack.meta.jurisdiction
    question = pack.question(config.question) if config else None
    places = {o.id: o.label for o in question.answers} if question else {}
    covered = thresholds.coverage(pack, answers, context)
    found: list[NoteResult] = []
    not_holding: list[NotHolding] = []
    for note in pack.notes:
        if note.when is not None and note.when.evaluate(answers, context) is not True:
            continue
        applies_if: str | None = None
        if note.scope != "any" and covered is not None and covered.above:
            wanted = note.scope == "covered"
            if covered.state is not None and covered.state != wanted:
                why = (
                    f"a duty of covered procurement, and {covered.below}"
                    if wanted
                    else f"the rules below the threshold, and {covered.above}"
                )
                not_holding.append(NotHolding(id=note.id, title=note.title, why=why))
                continue
            if covered.state is None:
                applies_if = covered.above if wanted else covered.below
        holds_in = note.jurisdictions or home
        if place is not None and holds_in and place not in holds_in:
            named = [places.get(p, p) for p in holds_in]
            not_holding.append(
                NotHolding(
                    id=note.id,
                    title=note.title,
                    why=f"holds in {', '.join(named)}, not where the buyer is "
                    f"({places.get(place, place)})",
                )
            )
            continue
        result = note_result(note, by_id, on=on)
        if applies_if is not None:
            result = result.model_copy(update={"applies_if": applies_if})
        found.append(result)
    return sorted(found, key=lambda n: STRENGTH_ORDER[n.strength]), not_holding


def note_result(note: Note, in_force: Mapping[str, AppliedThreshold], *, on: date) -> NoteResult:
    """A note as assessments and `svadvisor notes` report it, its thresholds filled in."""
    used = {t: in_force[t] for t in dict.fromkeys(thresholds.named_in(note.when)) if t in in_force}
    return NoteResult(
        id=note.id,
        title=note.title,
        text=thresholds.fill(note.text, in_force),
        sources=list(note.sources),
        strength=note.strength,
        checked=note.checked,
        review_by=note.review_by,
        due_for_review=note.review_by < on,
        thresholds=list(used.values()),
    )


def _jurisdiction(
    pack: RulePack, answers: Mapping[str, cond.Answer]
) -> tuple[str | None, list[str]]:
    config = pack.meta.jurisdiction
    if config is None:
        return None, []
    place = answers.get(config.question)
    return (place if isinstance(place, str) else None), list(config.home)


def _cpv_disagreements(pack: RulePack, derived: list[Derived]) -> list[NoteResult]:
    """A note for each answer the officer gave that differs from what the CPV codes imply."""
    out = []
    for item in derived:
        if item.used or item.officer_answer in (None, item.answer):
            continue
        question = pack.question(item.question)
        given = describe_answer(question, item.officer_answer) if question else item.officer_answer
        out.append(
            NoteResult(
                id=f"cpv_differs_{item.question}",
                title=f"Your answer to {item.question!r} differs from what the CPV codes imply",
                text=(
                    f"{item.basis}, which implies '{item.answer_label}'. Your answer "
                    f"'{given}' is used; check which is right before relying on the advice."
                ),
                sources=[item.source],
                strength="should",
                checked=pack.meta.effective,
            )
        )
    return out
