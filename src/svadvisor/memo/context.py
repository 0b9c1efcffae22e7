"""What a memo says: the assessment turned into the plain data its template is given
(`memo_context`), from the explained points, the runner-up's losses, the engine's
sensitivity analysis (what would change the recommendation, what answering a "don't
know" would do), the main risk, the next steps and the decision record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from svadvisor.answers.record import TO_COMPLETE, DecisionRecord, record_rows
from svadvisor.answers.validate import describe_answer, validate_answers
from svadvisor.memo.record import replay_block
from svadvisor.memo.template import points
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.schema import Question, RulePack
from svadvisor.scoring.assessment import Assessment, Flip, RouteResult, WeightMove


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _question_text(pack: RulePack, question_id: str, rule: str | None) -> str:
    if rule is not None:
        return f"combined answers (rule {rule})"
    question = pack.question(question_id)
    return question.text if question else question_id


def _route_data(pack: RulePack, route: RouteResult) -> dict[str, Any]:
    info = pack.route(route.route)
    data = route.model_dump(mode="json")
    data["summary"] = info.summary if info else ""
    data["source"] = info.source if info else ""
    data["guide"] = info.guide.model_dump(mode="json") if info and info.guide else None
    for item in data["contributions"]:
        item["question_text"] = _question_text(pack, item["question"], item["rule"])
    return data


CHANGES_SHOWN = 5
"""How many of the changes that would change the recommendation the memo's body shows."""

REASONS_SHOWN = 3
"""How many of the recommended route's largest contributions the summary gives."""


def ordered_flips(pack: RulePack, flips: Sequence[Flip]) -> list[Flip]:
    """The changes that matter most first: fewest answers changed, then question order
    (then answer order, as the search found them)."""
    order = {q.id: i for i, q in enumerate(pack.questions)}
    return sorted(
        flips,
        key=lambda f: (len(f.changes), [order.get(c.question, len(order)) for c in f.changes]),
    )


def _weight_name(pack: RulePack) -> Callable[[WeightMove], str]:
    """A question's points named by its words, never by its id, in the weights sentence."""

    def name(move: WeightMove) -> str:
        question = pack.question(move.target) if move.scope == "question" else None
        return f"the answer to '{question.text}'" if question else move.target_label

    return name


def how_sure(pack: RulePack, assessment: Assessment) -> dict[str, Any]:
    """What would change the recommendation, in words (from `svadvisor.scoring.sensitivity`)."""
    from svadvisor.scoring.sensitivity import weights_sentence

    texts = {q.id: q.text for q in pack.questions}
    flips = ordered_flips(pack, assessment.what_would_change)
    changes = [
        {
            "change": " and ".join(
                f"{texts.get(c.question, c.question)} from '{c.from_label}' to '{c.to_label}'"
                for c in flip.changes
            ),
            "winner": flip.winner_label,
            "answers_changed": len(flip.changes),
        }
        for flip in flips
    ]
    close = assessment.close_call
    return {
        "computed": assessment.weight_robustness is not None,
        "close_call": close.model_dump(mode="json") if close else None,
        "changes": changes,
        "top_changes": changes[:CHANGES_SHOWN],
        "more": max(0, len(changes) - CHANGES_SHOWN),
        "pairs": any(len(f.changes) == 2 for f in assessment.what_would_change),
        "weights": weights_sentence(assessment.weight_robustness, name=_weight_name(pack)),
        "settle_first": texts.get(assessment.settle_first or ""),
    }


def runner_up_losses(pack: RulePack, assessment: Assessment) -> list[dict[str, Any]]:
    """The answers (and rules) where the runner-up fell furthest behind, biggest gap first."""
    winner, runner_up = assessment.winner, assessment.runner_up
    rows: dict[tuple[str, str | None], dict[str, Any]] = {}
    for side, route in (("recommended", winner), ("runner_up", runner_up)):
        for c in route.contributions:
            key = (c.question, c.rule)
            row = rows.setdefault(
                key,
                {
                    "question": c.question,
                    "rule": c.rule,
                    "question_text": _question_text(pack, c.question, c.rule),
                    "answer": c.answer_label or c.answer,
                    "recommended_points": 0,
                    "runner_up_points": 0,
                    "reasons": [],
                },
            )
            row[f"{side}_points"] += c.points
            row["reasons"].append(
                {"route": route.label, "points": c.points, "reason": c.reason, "source": c.source}
            )
    losses = []
    for row in rows.values():
        row["gap"] = row["recommended_points"] - row["runner_up_points"]
        if row["gap"] > 0:
            losses.append(row)
    return sorted(losses, key=lambda row: -row["gap"])


def answer_changes(assessment: Assessment) -> tuple[dict[str, list[Flip]], set[str]]:
    """From the engine's sensitivity analysis held on the assessment: each question's own
    answers that would change the winner (its "don't know" impact and the single-answer
    changes), and the questions that change it only together with another answer."""
    singles: dict[str, list[Flip]] = {}
    seen: set[tuple[str, str, str]] = set()
    flips = [flip for impact in assessment.dont_know for flip in impact.flips]
    flips += [flip for flip in assessment.what_would_change if len(flip.changes) == 1]
    for flip in flips:
        change = flip.changes[0]
        key = (change.question, repr(change.to), flip.winner)
        if key not in seen:
            seen.add(key)
            singles.setdefault(change.question, []).append(flip)
    in_pairs = {
        c.question
        for flip in assessment.what_would_change
        if len(flip.changes) > 1
        for c in flip.changes
    }
    return singles, in_pairs


def what_answering_would_do(
    question: Question,
    assessment: Assessment,
    singles: Mapping[str, Sequence[Flip]],
    in_pairs: set[str],
    moving: set[str],
) -> str:
    """For a "don't know": whether answering would change the recommendation, in words,
    as the engine's sensitivity analysis found (`answer_changes`). `moving` holds the
    questions that search covers; any other question can never change a score."""
    settles = [r.label for r in assessment.ranking if question.id in r.to_settle]
    parts = []
    if settles:
        parts.append(f"Settles a prerequisite of {', '.join(settles)}.")
    flips = singles.get(question.id, [])
    if flips:
        changes = [f"'{f.changes[0].to_label}' would recommend {f.winner_label}" for f in flips]
        parts.append("Could change the recommendation: " + "; ".join(changes) + ".")
    elif question.id in in_pairs:
        parts.append(
            "No single answer would change the recommendation, but one together with "
            "another change could (see what would change the recommendation)."
        )
    elif question.id in moving:
        parts.append("No single answer would change the recommendation.")
    else:
        parts.append("Scores nothing itself; answering refines the notes and checks that use it.")
    return " ".join(parts)


def _answers_given(
    pack: RulePack, answers: Mapping[str, Answer], assessment: Assessment
) -> list[dict[str, Any]]:
    from svadvisor.scoring.sensitivity import scoring_questions, with_sensitivity

    if assessment.weight_robustness is None:  # assessed without the sensitivity search
        assessment = with_sensitivity(pack, answers, assessment)
    singles, in_pairs = answer_changes(assessment)
    moving = scoring_questions(pack)
    derived = {d.question: d for d in assessment.derived if d.used}
    rows = []
    for q in pack.questions:
        row: dict[str, Any] = {"question": q.id, "text": q.text, "sharpen": ""}
        if q.id in answers:
            row.update(status="answered", answer=describe_answer(q, answers[q.id]))
        elif q.id in derived:
            row.update(
                status="derived",
                answer=f"{derived[q.id].answer_label} (derived from the CPV codes)",
            )
        elif q.id in assessment.not_applicable:
            row.update(status="not_applicable", answer="Not asked (does not apply)")
        else:
            row.update(
                status="dont_know",
                answer="Don't know",
                sharpen=what_answering_would_do(q, assessment, singles, in_pairs, moving),
            )
        rows.append(row)
    return rows


def top_reasons(route: dict[str, Any], count: int = REASONS_SHOWN) -> list[dict[str, Any]]:
    """A route's largest contributions (points for it), largest first, then in order."""
    gains = [c for c in route["contributions"] if c["points"] > 0]
    return sorted(gains, key=lambda c: -c["points"])[:count]


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _change_words(pack: RulePack, flip: Flip) -> str:
    parts = []
    for c in flip.changes:
        question = pack.question(c.question)
        text = question.text if question else c.question
        parts.append(f"the answer to '{text}' were '{c.to_label}', not '{c.from_label}'")
    return " and ".join(parts)


def main_risk(pack: RulePack, assessment: Assessment) -> dict[str, str]:
    """The one risk the summary names, as `kind` and a plain sentence: a contradiction in
    the answers; no recommendation (a tie, no defining evidence, no route eligible); the
    runner-up and the answer change that would make it win; a close call; the weights; or
    the weakest point of the evidence."""
    winner, runner_up = assessment.winner, assessment.runner_up
    if assessment.warnings:
        first = assessment.warnings[0]
        more = len(assessment.warnings) - 1
        also = f" ({more} more contradiction{'s' if more > 1 else ''} below.)" if more else ""
        return {
            "kind": "contradiction",
            "text": "Some answers contradict each other, and the advice is built on them as "
            f"given: {first.text}{also}",
        }
    if assessment.tie:
        labels = [r.label for r in assessment.ranking if r.route in assessment.tie]
        return {
            "kind": "tie",
            "text": f"The answers do not choose between {_and(labels)}: they tie at "
            f"{points(winner.score)}. A route chosen now would not rest on the evidence.",
        }
    if not winner.eligible:
        unmet = "; ".join(u.text for u in winner.unmet)
        return {
            "kind": "prerequisites",
            "text": f"No route meets all its prerequisites for these answers. {winner.label} "
            f"leads, but: {unmet}",
        }
    if assessment.recommended is None:
        return {
            "kind": "no_evidence",
            "text": f"{winner.label} leads on points, but none of its defining evidence is in "
            "the answers: choosing it now would rest on answers that do not show it fits.",
        }
    flips = ordered_flips(pack, assessment.what_would_change)
    if flips:
        flip = next((f for f in flips if f.winner == runner_up.route), flips[0])
        other = next((r for r in assessment.ranking if r.route == flip.winner), None)
        behind = (
            f" ({points(other.score)}, {points(winner.score - other.score)} behind)"
            if other is not None
            else ""
        )
        count = len(flips)
        kind_of_change = "single-answer changes" if len(flip.changes) == 1 else "pairs of changes"
        tally = (
            f" It is one of {count} {kind_of_change} that would change the recommendation."
            if count > 1
            else ""
        )
        return {
            "kind": "runner_up",
            "text": f"{flip.winner_label}{behind} would be recommended instead if "
            f"{_change_words(pack, flip)}.{tally}",
        }
    if assessment.close_call is not None:
        close = assessment.close_call
        return {
            "kind": "close_call",
            "text": f"A close call: {runner_up.label} is {points(assessment.margin)} behind. "
            f"{close.text}",
        }
    from svadvisor.scoring.sensitivity import weights_sentence

    robustness = assessment.weight_robustness
    if robustness is not None and (robustness.by_route or robustness.by_question):
        words = weights_sentence(robustness, name=_weight_name(pack)).removeprefix("Weights: ")
        return {
            "kind": "weights",
            "text": "No change to one or two answers would change the recommendation; its "
            f"weakest point is the weights: {words}",
        }
    confidence = assessment.confidence
    if robustness is None and confidence is not None and confidence.level != "strong":
        return {"kind": "evidence", "text": confidence.why[-1]}
    return {
        "kind": "none",
        "text": "None found: no change to one or two answers, and no uniform change of the "
        "weights, would change the recommendation.",
    }


STRENGTH_ORDER = {"must": 0, "should": 1}


def binding_notes(notes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notes that bind the next steps: MUST first, then SHOULD (CONSIDER notes are
    left to the appendix), each in the pack's order."""
    binding = [n for n in notes if n["strength"] in STRENGTH_ORDER]
    return sorted(binding, key=lambda n: STRENGTH_ORDER[n["strength"]])


def duties(notes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The MUST notes, grouped by the condition they share (none, or their `applies_if`),
    in the pack's order: `applies_if`, `titles`."""
    groups: dict[str | None, list[str]] = {}
    for note in notes:
        if note["strength"] == "must":
            groups.setdefault(note.get("applies_if"), []).append(note["title"])
    return [{"applies_if": when, "titles": titles} for when, titles in groups.items()]


def memo_context(
    pack: RulePack,
    assessment: Assessment,
    *,
    on: date,
    title: str | None = None,
    described: Mapping[str, Any] | None = None,
    record: DecisionRecord | None = None,
) -> dict[str, Any]:
    """Everything a memo template may use, as plain data (the sandbox sees nothing else)."""
    from svadvisor import __version__

    answers = validate_answers(pack, assessment.answers)
    questions = {q.id: q for q in pack.questions}
    data = assessment.model_dump(mode="json")
    recommended = _route_data(pack, assessment.winner)
    rows = record_rows(record)
    return {
        "title": title or "Commissioning route recommendation",
        "date": long_date(on),
        "date_iso": on.isoformat(),
        "svadvisor_version": __version__,
        "described": [
            {"label": str(k), "value": str(v)}
            for k, v in (described or {}).items()
            if v is not None and str(v).strip()
        ],
        "service": [
            {
                "question": qid,
                "text": questions[qid].text,
                "answer": describe_answer(questions[qid], value),
            }
            for qid, value in answers.items()
        ],
        "recommended": recommended,
        "is_recommended": assessment.recommended is not None,
        "tie": [_route_data(pack, r) for r in assessment.ranking if r.route in assessment.tie],
        "confidence": _confidence_data(pack, assessment),
        "warnings": [
            {
                "id": w.id,
                "text": w.text,
                "questions": [questions[q].text if q in questions else q for q in w.questions],
            }
            for w in assessment.warnings
        ],
        "runner_up": _route_data(pack, assessment.runner_up),
        "ranking": [_route_data(pack, r) for r in assessment.ranking],
        "margin": assessment.margin,
        "runner_up_losses": runner_up_losses(pack, assessment),
        "how_sure": how_sure(pack, assessment),
        "notes": data["notes"],
        "notes_not_holding": data["notes_not_holding"],
        "regimes": data["regimes"],
        "derived": data["derived"],
        "thresholds": data["thresholds"],
        "cases": data["cases"],
        "route_labels": {r.id: r.label for r in pack.routes},
        "to_settle": [
            {"route": r.label, "question": q, "text": questions[q].text if q in questions else q}
            for r in assessment.ranking
            for q in r.to_settle
        ],
        "answers": _answers_given(pack, answers, assessment),
        "rule_pack": {
            **assessment.rule_pack.model_dump(),
            "effective": pack.meta.effective.isoformat(),
            "source": pack.source,
        },
        "assessed_on": on.isoformat(),
        "thresholds_on": assessment.procurement_date.isoformat(),
        "thresholds_basis": assessment.procurement_date_basis,
        "reproducibility": replay_block(assessment, on=on),
        "top_reasons": top_reasons(recommended),
        "main_risk": main_risk(pack, assessment),
        "binding_notes": binding_notes(data["notes"]),
        "duties": duties(data["notes"]),
        "record": {row["field"]: row["value"] for row in rows},
        "record_rows": rows,
        "record_to_complete": sum(1 for row in rows if not row["value"]),
        "to_complete": TO_COMPLETE,
    }


def _confidence_data(pack: RulePack, assessment: Assessment) -> dict[str, Any] | None:
    """The confidence as the memo states it: level, meaning, reasons, questions to settle."""
    confidence = assessment.confidence
    if confidence is None:
        return None
    settle = []
    for q in confidence.settle:
        question = pack.question(q)
        settle.append(question.text if question else q)
    return {
        "level": confidence.level,
        "meaning": confidence.meaning,
        "why": list(confidence.why),
        "settle": settle,
    }
