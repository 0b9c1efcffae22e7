"""How sure is the advice: what would change it, which unknowns matter, how far the
weights could move, and whether the top two are a close call.

Pure and exact: the search runs over the pack's whole answer space (`answerspace`:
every answer, one value per number band, "don't know" included) with the compiled
`scorer.Scorer`, so nothing is sampled and the built-in pack takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from svadvisor.answers.validate import dump_answers
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import DONT_KNOW, RulePack
from svadvisor.scoring.answerspace import AnswerSpace, Value
from svadvisor.scoring.assessment import (
    Assessment,
    Change,
    CloseCallResult,
    DontKnowImpact,
    Flip,
    WeightMove,
    WeightRobustness,
)
from svadvisor.scoring.scorer import Scorer, compiled, scoring_questions


def with_sensitivity(
    pack: RulePack, answers: Mapping[str, cond.Answer], result: Assessment
) -> Assessment:
    """The assessment with its what-would-change, don't-know, weight and close-call fields."""
    scorer, spaces = compiled(pack)
    dont_know, settle_first = dont_know_impact(pack, answers, result.unanswered, scorer, spaces)
    return result.model_copy(
        update={
            "what_would_change": what_would_change(pack, answers, scorer, spaces),
            "dont_know": dont_know,
            "settle_first": settle_first,
            "weight_robustness": weight_robustness(pack, result),
            "close_call": close_call(pack, result),
        }
    )


# --- what would change the recommendation ------------------------------------------


def _changed(
    answers: Mapping[str, cond.Answer], question: str, value: Value
) -> dict[str, cond.Answer]:
    out = dict(answers)
    if value is None:
        out.pop(question, None)
    else:
        out[question] = value
    return out


def plain(pack: RulePack, question: str, value: Value) -> Any:
    """An answer as an answers file (and JSON) writes it; "dont_know" for don't know."""
    if value is None:
        return DONT_KNOW
    return dump_answers(pack, {question: value})[question]


def _flip(
    pack: RulePack,
    spaces: Mapping[str, AnswerSpace],
    answers: Mapping[str, cond.Answer],
    changes: list[tuple[str, Value]],
    winner: str,
) -> Flip:
    route = pack.route(winner)
    return Flip(
        changes=[
            Change(
                question=q,
                from_=plain(pack, q, answers.get(q)),
                to=plain(pack, q, value),
                from_label=spaces[q].label(answers.get(q)),
                to_label=spaces[q].label(value),
            )
            for q, value in changes
        ],
        winner=winner,
        winner_label=route.label if route else winner,
    )


def what_would_change(
    pack: RulePack,
    answers: Mapping[str, cond.Answer],
    scorer: Scorer | None = None,
    spaces: Mapping[str, AnswerSpace] | None = None,
) -> list[Flip]:
    """Every single answer change that makes another route win; if there is none, every
    pair of changes (to two different questions) that does. Question order, then answer order.
    """
    if scorer is None or spaces is None:
        scorer, spaces = compiled(pack)
    now = scorer.ranking(answers)[0][0]
    questions = [q for q in pack.questions if q.id in spaces]
    alternatives = {q.id: spaces[q.id].alternatives(answers.get(q.id)) for q in questions}

    singles: list[Flip] = []
    for q in questions:
        flipped: list[tuple[Value, str]] = []
        for value in alternatives[q.id]:
            winner = scorer.ranking(_changed(answers, q.id, value))[0][0]
            if winner != now:
                flipped.append((value, winner))
        if q.type in ("multi", "cpv"):
            flipped = _fewest_options_changed(answers.get(q.id), flipped)
        singles += [_flip(pack, spaces, answers, [(q.id, v)], w) for v, w in flipped]
    if singles:
        return singles

    pairs: list[Flip] = []
    ids = [q.id for q in questions]
    for i, first in enumerate(ids):
        for a in alternatives[first]:
            once = _changed(answers, first, a)
            for second in ids[i + 1 :]:
                for b in alternatives[second]:
                    winner = scorer.ranking(_changed(once, second, b))[0][0]
                    if winner != now:
                        pairs.append(
                            _flip(pack, spaces, answers, [(first, a), (second, b)], winner)
                        )
    order = {q: i for i, q in enumerate(ids)}
    pairs.sort(key=lambda f: (order[f.changes[0].question], order[f.changes[1].question]))
    return pairs


def _fewest_options_changed(
    current: Value, flipped: list[tuple[Value, str]]
) -> list[tuple[Value, str]]:
    """Of the multi (or CPV) answers that flip, keep those no smaller change of options
    (or codes) also achieves."""
    was = set(current) if isinstance(current, tuple) else set()

    def moved(value: Value) -> frozenset[str] | None:
        # a multi or CPV answer: a tuple of ids or codes
        return None if value is None else frozenset(was ^ set(value))  # type: ignore[arg-type]

    moves = [moved(v) for v, _ in flipped]
    return [
        (v, w)
        for (v, w), m in zip(flipped, moves, strict=True)
        if m is None or not any(o is not None and o < m for o in moves)
    ]


# --- don't know ----------------------------------------------------------------------


def dont_know_impact(
    pack: RulePack,
    answers: Mapping[str, cond.Answer],
    unanswered: list[str],
    scorer: Scorer | None = None,
    spaces: Mapping[str, AnswerSpace] | None = None,
) -> tuple[list[DontKnowImpact], str | None]:
    """For each unanswered question, the answers that would change the winner, and the
    question to settle first: the one where the largest share of answers changes it."""
    if scorer is None or spaces is None:
        scorer, spaces = compiled(pack)
    now = scorer.ranking(answers)[0][0]
    impacts: list[DontKnowImpact] = []
    best: tuple[float, str] | None = None
    for qid in unanswered:
        possible = spaces[qid].alternatives(None) if qid in spaces else []
        flips = []
        for value in possible:
            winner = scorer.ranking(_changed(answers, qid, value))[0][0]
            if winner != now:
                flips.append(_flip(pack, spaces, answers, [(qid, value)], winner))
        impacts.append(DontKnowImpact(question=qid, robust=not flips, flips=flips))
        if flips:
            share = len(flips) / len(possible)
            if best is None or share > best[0]:
                best = (share, qid)
    return impacts, best[1] if best else None


# --- weights --------------------------------------------------------------------------


def weight_robustness(pack: RulePack, result: Assessment) -> WeightRobustness:
    """The smallest uniform move (in percent) of one route's points, or of one question's
    (or rule's) points, that changes the winner. Moves run from -100% (the points
    removed) upwards; a route whose prerequisites fail cannot win by weights alone.
    """
    winner = result.ranking[0]
    rivals = [r for r in result.ranking[1:] if r.eligible == winner.eligible]
    totals = {r.route: r.score for r in result.ranking}
    order = {r.id: i for i, r in enumerate(pack.routes)}

    groups: dict[tuple[str, str], dict[str, int]] = {}
    for route in pack.routes:
        groups[("route", route.id)] = {route.id: totals.get(route.id, 0)}
    for q in pack.questions:
        groups[("question", q.id)] = {}
    for rule in pack.rules:
        groups[("rule", rule.id)] = {}
    for ranked in result.ranking:
        for c in ranked.contributions:
            key = ("rule", c.rule) if c.rule else ("question", c.question)
            part = groups.setdefault(key, {})
            part[ranked.route] = part.get(ranked.route, 0) + c.points

    def smallest(scopes: tuple[str, ...]) -> WeightMove | None:
        best: tuple[float, int, WeightMove] | None = None
        for index, ((scope, target), part) in enumerate(groups.items()):
            if scope not in scopes:
                continue
            for rival in rivals:
                own, theirs = part.get(winner.route, 0), part.get(rival.route, 0)
                if own == theirs:
                    continue
                # totals at scale k: rest + k * part; the rival draws level at k = level
                level = ((winner.score - own) - (rival.score - theirs)) / (theirs - own)
                keeps_ties = order[winner.route] < order[rival.route]
                if level < 0 or (level == 0 and keeps_ties):
                    continue  # points cannot go below nothing; at nothing the winner keeps it
                percent = round(abs(level - 1) * 100, 1)
                if best is not None and (percent, index) >= best[:2]:
                    continue
                best = (
                    percent,
                    index,
                    WeightMove(
                        scope=scope,
                        target=target,
                        target_label=_target_label(pack, scope, target),
                        percent=percent,
                        direction="up" if theirs > own else "down",
                        winner=rival.route,
                        winner_label=rival.label,
                    ),
                )
        return best[2] if best else None

    return WeightRobustness(
        by_route=smallest(("route",)), by_question=smallest(("question", "rule"))
    )


def _target_label(pack: RulePack, scope: str, target: str) -> str:
    if scope == "route":
        route = pack.route(target)
        return route.label if route else target
    if scope == "question":
        return target
    return f"rule {target}"


def weights_sentence(
    robustness: WeightRobustness | None, name: Callable[[WeightMove], str] | None = None
) -> str:
    """The weight robustness as one line, for the terminal and the memo. `name` says how
    to name a question's (or rule's) points; by default, by its `target_label`."""
    if robustness is None:
        return ""
    moves = [
        (move, kind)
        for move, kind in ((robustness.by_route, "route"), (robustness.by_question, "question"))
        if move is not None
    ]
    if not moves:
        return (
            "Weights: no uniform change to one route's or one question's points changes the winner."
        )
    winners = {move.winner_label for move, _ in moves}
    if len(winners) == 1:
        words = ", or ".join(_move_words(move, kind, name) for move, kind in moves)
        comma = "," if len(moves) > 1 else ""
        return f"Weights: {words}{comma} would make {winners.pop()} win."
    words = ", or ".join(
        f"{_move_words(move, kind, name)} ({move.winner_label} would win)" for move, kind in moves
    )
    return f"Weights: it would take {words}."


def _move_words(
    move: WeightMove, kind: str, name: Callable[[WeightMove], str] | None = None
) -> str:
    verb = "rise" if move.direction == "up" else "cut"
    size = f"any {verb}" if move.percent == 0 else f"a {move.percent:g}% {verb}"
    whose = (
        f"{move.target_label}'s points"
        if kind == "route"
        else f"the points from {name(move) if name else move.target_label}"
    )
    return f"{size} in {whose}"


# --- close calls ----------------------------------------------------------------------


def close_call(pack: RulePack, result: Assessment) -> CloseCallResult | None:
    """A close call when the top two stand together (both meet their prerequisites, or
    neither does) and the margin is below the pack's `close_call.margin`."""
    setting = pack.meta.close_call
    first, second = result.ranking[0], result.ranking[1]
    if setting is None or first.eligible != second.eligible or result.margin >= setting.margin:
        return None
    return CloseCallResult(
        margin=result.margin, threshold=setting.margin, text=setting.text, source=setting.source
    )


__all__ = [
    "close_call",
    "compiled",
    "dont_know_impact",
    "plain",
    "scoring_questions",
    "weight_robustness",
    "weights_sentence",
    "what_would_change",
    "with_sensitivity",
]
