"""The one renderer for an assessment in the terminal, shared by every way of assessing.

Nothing is conveyed by colour alone: signs, words and brackets carry the meaning, and
colour only helps the eye (rich drops it under NO_COLOR or when piped).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from svadvisor.answers.validate import describe_answer
from svadvisor.answers.values import money
from svadvisor.rulepack.schema import DONT_KNOW, RulePack
from svadvisor.scoring.assessment import Assessment, Flip, RouteResult, WeightMove
from svadvisor.scoring.sensitivity import weights_sentence

STRENGTH_TAG = {"must": "MUST", "should": "SHOULD", "consider": "CONSIDER"}

MAX_FLIPS_SHOWN = 10
"""Pairs of changes can run to dozens; the terminal shows this many, --json lists all."""


def _points(points: int) -> str:
    return f"{points:+d}"


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + (dot.strip() if dot else "")


def _asked(pack: RulePack, question_id: str) -> str:
    """A question as the officer reads it: its text, never its bare id."""
    question = pack.question(question_id)
    return question.text if question else question_id.replace("_", " ")


def _named(pack: RulePack, question_id: str) -> str:
    """A question's text with its id after it, for the expert who edits an answers file."""
    question = pack.question(question_id)
    return f"{question.text} ({question_id})" if question else question_id.replace("_", " ")


def _answered(pack: RulePack, question_id: str, value: Any) -> str:
    """An answer in words, as the answers record it (lists as read back from JSON)."""
    question = pack.question(question_id)
    if question is None:
        return str(value)
    if isinstance(value, list):
        value = tuple(value)
    return describe_answer(question, value)


def _group_label(pack: RulePack, group_id: str) -> str:
    group = next((g for g in pack.groups if g.id == group_id), None)
    if group is None:
        return group_id.replace("_", " ")
    return group.label[:1].lower() + group.label[1:]


def _indented(console: Console, text: str, indent: int = 6, style: str = "") -> None:
    console.print(Padding(Text(text, style=style), (0, 0, 0, indent)))


def _source(console: Console, url: str, indent: int = 6) -> None:
    """Sources are never wrapped, so a URL can be copied whole from any terminal."""
    console.print(" " * indent + f"source: {url}", soft_wrap=True, style="dim")


def _explain(
    console: Console, route: RouteResult, role: str, result: Assessment, pack: RulePack
) -> None:
    console.print(Text(f"Why {route.label} ({role}, {route.score} points)", style="bold underline"))
    if not route.contributions:
        _indented(console, "No answer gave this route points either way.", 2)
    for c in route.contributions:
        body = Text()
        if c.rule == "baseline":
            body.append("Starting points, before any answer", style="bold")
            body.append(" (baseline)", style="dim")
        elif c.rule:
            named = [q for q in c.question.split(" & ") if q]
            body.append("These answers together", style="bold")
            body.append(f" (rule {c.rule})", style="dim")
            body.append(":", style="bold")
            for q in named:
                body.append(f"\n- {_asked(pack, q)} ")
                body.append(_answered(pack, q, result.answers.get(q)), style="italic")
            if not named:
                body.append(f"\n- {c.answer_label}")
        else:
            body.append(f"{_asked(pack, c.question)}\n", style="bold")
            body.append("Your answer: ")
            body.append(c.answer_label or c.answer, style="italic")
        if c.group:
            body.append(f"  [shared: {_group_label(pack, c.group)}]", style="dim")
        grid = Table.grid(padding=(0, 2))
        grid.add_column(justify="right", width=4, no_wrap=True)
        grid.add_column()
        grid.add_row(
            Text(_points(c.points), style="bold green" if c.points > 0 else "bold red"), body
        )
        console.print(grid)
        _indented(console, c.reason)
        _source(console, c.source)
    _indented(console, f"total {route.score} points", 3, style="italic")
    for unmet in route.unmet:
        _indented(console, f"Prerequisite not met: {unmet.text}", 3)
        _source(console, unmet.source)


def _regimes(console: Console, result: Assessment, pack: RulePack) -> None:
    """The regime check comes first: which law governs, before which route fits."""
    for regime in result.regimes:
        console.print(Text(f"Regime check: {regime.title}", style="bold"))
        _indented(console, regime.text, 2)
        for source in regime.sources:
            _source(console, source, 2)
        if regime.path:
            _indented(console, "Decision path, with your answers:", 2)
            for step in regime.path:
                _indented(console, f"- {step.text} {step.answer_label}", 4)
        if regime.outcome is not None:
            _indented(console, f"Outcome: {regime.outcome.title}", 2, style="bold")
            _indented(console, regime.outcome.text, 4)
            _source(console, regime.outcome.source, 4)
        elif regime.settle_next is not None:
            _indented(
                console,
                f"Settle next to find the award route: {_named(pack, regime.settle_next)}",
                2,
            )
        console.print()


def _derived(console: Console, result: Assessment, pack: RulePack) -> None:
    if not result.derived:
        return
    console.print(Text("Derived from the CPV codes", style="bold"))
    for item in result.derived:
        officer = item.officer_answer
        if officer is not None:
            officer = _answered(pack, item.question, officer)
        used = "used" if item.used else f"not used: your answer '{officer}' wins"
        _indented(console, f"- {_asked(pack, item.question)} {item.answer_label} [{used}]", 2)
        _indented(console, item.basis, 4)
        _source(console, item.source, 4)
    console.print()


def _short(value: object, label: str) -> str:
    """An answer in words: its label ("don't know" for none); numbers keep their band and
    CPV codes the lists they are on."""
    if value == DONT_KNOW:
        return "don't know"
    if label:
        return label
    if isinstance(value, list):
        return "+".join(map(str, value)) if value else "none of these"
    return str(value)


def _changes(flips: list[Flip], pack: RulePack) -> list[tuple[str, str, list[str], str]]:
    """Per question (or pair) and winner: (the fixed changes, the question and its answer
    now, the answers that would change the winner, the winner)."""
    lines: dict[tuple[str, str, str], list[str]] = {}
    for flip in flips:
        *fixed, last = flip.changes
        head = " and ".join(
            f"{_asked(pack, c.question)} {_short(c.from_, c.from_label)} -> "
            f"{_short(c.to, c.to_label)}"
            for c in fixed
        )
        was = f"{_asked(pack, last.question)} {_short(last.from_, last.from_label)}"
        lines.setdefault((head, was, flip.winner_label), []).append(_short(last.to, last.to_label))
    return [(head, was, targets, winner) for (head, was, winner), targets in lines.items()]


def _either(targets: list[str]) -> str:
    return ", ".join(targets[:-1]) + " or " + targets[-1] if len(targets) > 1 else targets[0]


def _grouped(flips: list[Flip], pack: RulePack) -> list[str]:
    """One line per question (or pair) and winner:
    `How many providers...? Several -> One or A few  => X`."""
    return [
        " and ".join(part for part in (head, f"{was} -> {_either(targets)}") if part)
        + f"  => {winner}"
        for head, was, targets, winner in _changes(flips, pack)
    ]


def _weight_target(pack: RulePack) -> Any:
    """How the weights sentence names a question's (or a rule's) points: in words."""

    def name(move: WeightMove) -> str:
        if move.scope == "question":
            return f'the answer to "{_asked(pack, move.target)}" ({move.target})'
        if move.scope == "rule":
            return f"answers taken together (rule {move.target})"
        return move.target_label

    return name


def _how_sure(console: Console, result: Assessment, pack: RulePack) -> None:
    """Close call, what would change the winner, and how far the weights could move."""
    close = result.close_call
    if close is not None:
        console.print()
        console.print(
            Text(
                f"Close call: the top two are less than {close.threshold} points apart.",
                style="bold",
            )
        )
        _indented(console, close.text, 2)
        if close.source:
            _source(console, close.source, 2)
    console.print()
    flips = result.what_would_change
    if not flips:
        console.print(
            "What would change it: no change to one or two answers makes another route win."
        )
    else:
        size = "one answer" if len(flips[0].changes) == 1 else "two answers; no single change does"
        console.print(Text(f"What would change it (changing {size}):", style="bold"))
        lines = _grouped(flips, pack)
        for line in lines[:MAX_FLIPS_SHOWN]:
            _indented(console, f"- {line}", 2)
        if len(lines) > MAX_FLIPS_SHOWN:
            _indented(console, f"... and {len(lines) - MAX_FLIPS_SHOWN} more (see --json)", 2)
    line = weights_sentence(result.weight_robustness, name=_weight_target(pack))
    if line:
        console.print(line)


def _headline(console: Console, result: Assessment, pack: RulePack) -> None:
    """The advice in one line: a route, a tie, or no recommendation yet."""
    labels = {r.id: r.label for r in pack.routes}
    level = result.confidence.level if result.confidence else ""
    if result.recommended:
        console.print(
            Text(
                f"Recommended route: {labels[result.recommended]} ({level} confidence)",
                style="bold",
            )
        )
    elif result.tie:
        names = [labels[r] for r in result.tie]
        tied = f"{', '.join(names[:-1])} and {names[-1]}"
        console.print(
            Text(f"Recommended route: none yet - {tied} tie", style="bold"), soft_wrap=True
        )
    else:
        console.print(
            Text(
                "Recommended route: none yet - the answers lack the defining evidence", style="bold"
            )
        )


def _confidence(console: Console, result: Assessment, pack: RulePack) -> None:
    """How sure the advice is, with each reason, and what to answer first."""
    confidence = result.confidence
    if confidence is None:
        return
    console.print(Text(f"Confidence: {confidence.level}", style="bold"))
    if confidence.meaning:
        _indented(console, confidence.meaning, 2)
    for why in confidence.why:
        _indented(console, f"- {why}", 2)
    if confidence.settle:
        _indented(console, "Answer first:", 2, style="bold")
        for q in confidence.settle:
            question = pack.question(q)
            _indented(console, f"- {question.text if question else q}", 4)


def _warnings(console: Console, result: Assessment, pack: RulePack) -> None:
    """Answers that contradict each other, before anything is built on them."""
    if not result.warnings:
        return
    console.print(Text("Answers that contradict each other", style="bold"))
    for warning in result.warnings:
        named = ", ".join(
            (asked.text if (asked := pack.question(q)) else q) for q in warning.questions
        )
        _indented(console, f"! {warning.text}", 2)
        _indented(console, f"(questions: {named})", 4)
    console.print()


def render_assessment(
    console: Console, result: Assessment, pack: RulePack, *, brief: bool = False
) -> None:
    """The assessment in the terminal; `brief` shows each note's first sentence only."""
    winner, runner_up = result.ranking[0], result.ranking[1]

    _regimes(console, result, pack)
    _derived(console, result, pack)
    _warnings(console, result, pack)
    _headline(console, result, pack)
    for rank, route in enumerate(result.ranking, start=1):
        status = "" if route.eligible else "  [prerequisite not met]"
        marker = ""
        if route.route == result.recommended:
            marker = "  <- recommended"
        elif route.route in result.tie:
            marker = "  <- tied"
        elif rank == 1:
            marker = "  <- leads, not recommended"
        console.print(f"  {rank}. {route.label:<30} {route.score:>4} points{status}{marker}")
    console.print()
    _confidence(console, result, pack)
    console.print()
    _explain(console, winner, "recommended" if result.recommended else "leading", result, pack)
    console.print()
    _explain(console, runner_up, "runner-up", result, pack)
    console.print()
    noun = "point" if abs(result.margin) == 1 else "points"
    console.print(
        Text(
            f"Margin: {result.margin} {noun} between {winner.label} and {runner_up.label}.",
            style="bold",
        )
    )
    _how_sure(console, result, pack)

    for route in (r for r in result.ranking[2:] if r.unmet):
        for unmet in route.unmet:
            console.print()
            console.print(f"{route.label}: prerequisite not met - {unmet.text}")
            _source(console, unmet.source, 2)

    to_settle = [(r.label, q) for r in result.ranking for q in r.to_settle]
    if to_settle:
        console.print()
        console.print(Text("To settle before relying on this ranking", style="bold"))
        for label, q in to_settle:
            _indented(console, f"- {_named(pack, q)} - a prerequisite of {label}", 2)

    console.print()
    if result.notes:
        console.print(Text("Notes that apply", style="bold"))
        for note in result.notes:
            due = " [due for review]" if note.due_for_review else ""
            tag = STRENGTH_TAG[note.strength] + (", CONDITIONAL" if note.applies_if else "")
            head = Text(f"  [{tag}] ", style="bold")
            head.append(note.title + due, style="bold")
            console.print(head)
            if note.applies_if:
                _indented(console, f"Applies only if {note.applies_if}.")
            _indented(console, _first_sentence(note.text) if brief else note.text)
            for threshold in note.thresholds:
                _indented(
                    console,
                    f"Threshold used: {threshold.label}, {money(threshold.value)} "
                    f"({threshold.basis})",
                )
            for source in note.sources:
                _source(console, source)
    else:
        console.print("No legal or practical notes apply to these answers.")

    if result.notes_not_holding:
        console.print()
        console.print(Text("Notes that do not hold here", style="bold"))
        for item in result.notes_not_holding:
            _indented(console, f"- {item.title}: {item.why}", 2)

    if result.cases:
        console.print()
        console.print(Text("Similar cases (real UK cases whose answers are nearest)", style="bold"))
        routes = {r.id: r.label for r in pack.routes}
        for case in result.cases:
            head = Text(case.name, style="bold")
            head.append(f" ({'; '.join(case.councils)}, {case.years})")
            head.append(f" - {routes.get(case.route, case.route)}")
            if not case.outcome_verified:
                head.append(" [outcome not verified]")
            console.print(Padding(head, (0, 0, 0, 2)))
            _indented(console, _case_why(case.shared, case.differs, result, pack))
            _source(console, case.sources[0])
        ids = " ".join(c.id for c in result.cases)
        _indented(console, f"Every source and what happened: svadvisor cases show ID ({ids})", 2)

    if result.unanswered:
        console.print()
        console.print(
            Text(
                "Not answered (don't know) - answering these would sharpen the advice:",
                style="bold",
            )
        )
        impact = {d.question: d for d in result.dont_know}
        for q in result.unanswered:
            _indented(console, f"- {_named(pack, q)}", 2)
            if q in impact and impact[q].robust:
                _indented(console, "robust: no answer to it would change the winner", 4)
            elif q in impact:
                for _, _, targets, new_winner in _changes(impact[q].flips, pack):
                    _indented(console, f"matters: {_either(targets)}  => {new_winner}", 4)
        if result.settle_first:
            _indented(
                console, f"Settle first: {_named(pack, result.settle_first)}", 2, style="bold"
            )

    console.print()
    info = result.rule_pack
    console.print(f"Rule pack: {info.name} {info.version} (sha256 {info.sha256[:12]})", style="dim")


def _case_why(shared: list[str], differs: list[str], result: Assessment, pack: RulePack) -> str:
    """Which of the officer's answers a case shares, and where it differs, in words."""

    def said(question_id: str) -> str:
        question = pack.question(question_id)
        words = _answered(pack, question_id, result.answers.get(question_id))
        if question is None or (question.type != "yesno" and len(words) > 12):
            return words
        return f"{question.text} {words}"

    noun = "answer" if len(shared) == 1 else "answers"
    line = f"shares {len(shared)} of your {noun}"
    if shared:
        line += ": " + "; ".join(said(q) for q in shared)
    if differs:
        line += ". Differs on: " + " ".join(_asked(pack, q) for q in differs)
    return line
