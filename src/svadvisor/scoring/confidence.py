"""How sure an assessment is: strong, moderate, weak or insufficient, with the reasons.

An officer acts on the advice, so it says how far it can be trusted, from three facts:
- the margin between the top two routes (an exact tie recommends neither);
- whether the winner's defining evidence is answered (an alliance needs providers who
  share outcomes, risk and governance; a commons needs a community association): a route
  that wins on generic points alone is not recommended;
- whether answering a "don't know" could change the winner.

The margins and the words for each level are the pack's (`pack.yaml` `confidence:`).
Pure: it reads the pack, the answers and the ranking, and scores with `scorer.Scorer`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from svadvisor.answers.validate import describe_answer
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import ConfidenceSettings, Evidence, Route, RulePack
from svadvisor.scoring.assessment import (
    AnswerWarning,
    ConfidenceLevel,
    ConfidenceResult,
    RouteResult,
)
from svadvisor.scoring.scorer import compiled

DEFAULT_SETTINGS = ConfidenceSettings(
    strong_margin=6,
    moderate_margin=3,
    meaning={
        "strong": "The answers clearly favour this route and no unanswered question could "
        "change it.",
        "moderate": "The answers favour this route, but an unanswered question or a modest "
        "change of weights could change it.",
        "weak": "The answers lean towards this route by a small margin: test the top two routes "
        "before choosing.",
        "insufficient": "The answers do not support a recommendation yet: settle the questions "
        "named before relying on the advice.",
    },
)
"""For a pack without a `confidence:` block (the built-in pack states its own)."""


@dataclass(frozen=True)
class Judgement:
    """What `judge` decides: the recommended route (or None), the tie, and the confidence."""

    recommended: str | None
    tie: list[str]
    confidence: ConfidenceResult


def settings(pack: RulePack) -> ConfidenceSettings:
    return pack.meta.confidence or DEFAULT_SETTINGS


def evidence_state(
    route: Route, answers: Mapping[str, cond.Answer]
) -> tuple[list[Evidence], list[Evidence]]:
    """(evidence that holds, evidence not yet answered) for a route."""
    held = [e for e in route.evidence if e.when.evaluate(answers) is True]
    open_ = [e for e in route.evidence if e.when.evaluate(answers) is None]
    return held, open_


def judge(
    pack: RulePack,
    answers: Mapping[str, cond.Answer],
    effective: Mapping[str, cond.Answer],
    ranking: Sequence[RouteResult],
    unanswered: Sequence[str],
) -> Judgement:
    """The confidence of a ranking. `answers` are the officer's; `effective` has what CPV
    codes imply filled in; `unanswered` are the questions still to ask."""
    setting = settings(pack)
    top, second = ranking[0], ranking[1]
    tie = [r.route for r in ranking if r.eligible == top.eligible and r.score == top.score]
    tie = tie if len(tie) > 1 else []
    route = pack.route(top.route)
    assert route is not None
    held, open_ = evidence_state(route, effective)
    why: list[str] = []
    settle: list[str] = []
    """For an insufficient result, the questions that would show defining evidence; else the
    unanswered questions whose answer could change the winner."""
    evidence_questions: list[str] = []

    if tie:
        names = _and([r.label for r in ranking if r.route in tie])
        why.append(f"{names} tie at {top.score} points: the answers do not choose between them.")
    else:
        gap = top.score - second.score
        why.append(f"{top.label} leads {second.label} by {gap} point{'' if gap == 1 else 's'}.")
    if not top.eligible:
        why.append(
            f"{top.label} does not meet all its prerequisites, and nor does any other route."
        )

    tied_routes = [pack.route(r) for r in tie] if tie else [route]
    for candidate in tied_routes:
        assert candidate is not None
        if not candidate.evidence:
            continue
        c_held, c_open = evidence_state(candidate, effective)
        if c_held:
            why.append(
                f"Defining evidence for {candidate.label}: {_and([e.label for e in c_held])}."
            )
        else:
            why.append(f"None of {candidate.label}'s defining evidence is in the answers.")
        for item in c_open:
            for q in cond.unknown_questions(item.when, effective):
                if q not in evidence_questions:
                    evidence_questions.append(q)

    no_evidence = bool(route.evidence) and not held
    level: ConfidenceLevel
    if tie or no_evidence or not top.eligible:
        level = "insufficient"
        settle = evidence_questions
        if no_evidence and not tie:
            # the questions that would let any route show its defining evidence
            for other in pack.routes:
                for item in evidence_state(other, effective)[1]:
                    for q in cond.unknown_questions(item.when, effective):
                        if q not in settle:
                            settle.append(q)
    elif top.score - second.score < setting.moderate_margin:
        level = "weak"
    else:
        flips = (
            _dont_know_flips(pack, answers, top.route, unanswered)
            if (top.score - second.score >= setting.strong_margin)
            else None
        )
        if flips is None:
            level = "moderate"
            why.append(
                f"The margin is below {setting.strong_margin} points, so a changed answer or "
                "weight could change the winner."
            )
        elif flips:
            level = "moderate"
            question, value, winner = flips[0]
            flip_q = pack.question(question)
            new_winner = pack.route(winner) if winner else None
            becomes = (
                f"{new_winner.label} would win" if new_winner else "the leading routes would tie"
            )
            why.append(
                "A don't-know answer could change the winner: "
                f"if '{flip_q.text if flip_q else question}' "
                f"were answered '{describe_answer(flip_q, value) if flip_q else value}', {becomes}."
            )
            for flip_question, _, _ in flips:
                if flip_question not in settle:
                    settle.append(flip_question)
        else:
            level = "strong"
            why.append("No answer to an unanswered question could change the winner.")
    if open_ and level != "insufficient":
        unanswered_evidence = _and([e.label for e in open_])
        why.append(f"Not yet answered for {route.label}: {unanswered_evidence}.")
    order = {q.id: i for i, q in enumerate(pack.questions)}
    settle = sorted(settle, key=lambda q: order.get(q, len(order)))
    recommended = None if level == "insufficient" else top.route
    return Judgement(
        recommended=recommended,
        tie=tie,
        confidence=ConfidenceResult(
            level=level, why=why, meaning=setting.meaning[level], settle=settle
        ),
    )


def _dont_know_flips(
    pack: RulePack,
    answers: Mapping[str, cond.Answer],
    winner: str,
    unanswered: Sequence[str],
) -> list[tuple[str, cond.Answer, str | None]]:
    """Each (question, answer, new winner or None for a tie) where answering one
    unanswered question changes the winner."""
    scorer, spaces = compiled(pack)
    found: list[tuple[str, cond.Answer, str | None]] = []
    for qid in unanswered:
        space = spaces.get(qid)
        if space is None:
            continue
        for value in space.alternatives(None):
            if value is None:
                continue
            changed = {**answers, qid: value}
            now = scorer.winner(changed)
            if now != winner:
                found.append((qid, value, now))
                break
    return found


def contradictions(pack: RulePack, answers: Mapping[str, cond.Answer]) -> list[AnswerWarning]:
    """The pack's contradictions that the answers show."""
    return [
        AnswerWarning(
            id=c.id,
            questions=[q for q in cond.questions_named(c.when) if q in answers],
            text=c.text,
        )
        for c in pack.contradictions
        if c.when.evaluate(answers) is True
    ]


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
