"""Regimes that take over from the pack's main law (e.g. the Provider Selection Regime
for health care, or another nation's rules), walked along their official decision path.
"""

from __future__ import annotations

from collections.abc import Mapping

from svadvisor.answers.validate import describe_answer
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import Regime, RulePack
from svadvisor.scoring.assessment import PathStep, RegimeOutcome, RegimeResult


def walk(
    pack: RulePack, answers: Mapping[str, cond.Answer], context: cond.Context
) -> list[RegimeResult]:
    """Every regime whose condition holds, with the path the answers take through it."""
    return [
        _walk(pack, regime, answers, context)
        for regime in pack.regimes
        if regime.applies_when.evaluate(answers, context) is True
    ]


def _walk(
    pack: RulePack, regime: Regime, answers: Mapping[str, cond.Answer], context: cond.Context
) -> RegimeResult:
    steps = []
    for question_id in regime.path:
        question = pack.question(question_id)
        if question is None or question_id not in answers:
            continue
        value = answers[question_id]
        steps.append(
            PathStep(
                question=question_id,
                text=question.text,
                answer=str(value),
                answer_label=describe_answer(question, value),
            )
        )
    outcome = None
    settle_next = None
    for candidate in regime.outcomes:
        holds = candidate.when.evaluate(answers, context)
        if holds is True:
            outcome = RegimeOutcome(
                id=candidate.id, title=candidate.title, text=candidate.text, source=candidate.source
            )
            break
        if holds is None:
            unknown = cond.unknown_questions(candidate.when, answers)
            ordered = [q for q in regime.path if q in unknown] + unknown
            settle_next = ordered[0] if ordered else None
            break
    return RegimeResult(
        id=regime.id,
        title=regime.title,
        text=regime.text,
        sources=list(regime.sources),
        path=steps,
        outcome=outcome,
        settle_next=settle_next,
    )
