"""`svadvisor questions`: what the rule pack asks, and which answers it accepts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from svadvisor.cli.common import RulesOption, load, user_errors

if TYPE_CHECKING:
    from svadvisor.rulepack.schema import Question, RulePack


def question_data(q: Question) -> dict[str, Any]:
    from svadvisor.rulepack.schema import DONT_KNOW, DONT_KNOW_LABEL

    answers = [{"id": a.id, "label": a.label} for a in q.answers]
    answers.append({"id": DONT_KNOW, "label": DONT_KNOW_LABEL})
    data: dict[str, Any] = {"id": q.id, "text": q.text, "help": q.help, "type": q.type}
    if q.type == "number":
        data.update(unit=q.unit, min=q.min, max=q.max)
        data["bands"] = [
            {"id": b.id, "label": b.label, "at_least": b.at_least, "below": b.below}
            for b in q.bands
        ]
    data["answers"] = answers
    data["ask_when"] = (
        q.ask_when.model_dump(by_alias=True, exclude_none=True) if q.ask_when else None
    )
    return data


def asked_when(condition: Any, pack: RulePack) -> str:
    """A condition on earlier answers in words: 'the answer to "Q?" is A or B'."""
    from svadvisor.rulepack import conditions as cond

    if isinstance(condition, cond.AllOf):
        return " and ".join(asked_when(c, pack) for c in condition.all)
    if isinstance(condition, cond.AnyOf):
        return "(" + " or ".join(asked_when(c, pack) for c in condition.any) + ")"
    if isinstance(condition, cond.Not):
        return f"not ({asked_when(condition.not_, pack)})"
    if isinstance(condition, cond.Leaf):
        q = pack.question(condition.question)
        asked = f'the answer to "{q.text if q else condition.question}"'
        if condition.answered is not None:
            return f"{asked} is {'given' if condition.answered else 'not given'}"
        ids = condition.answer_ids()
        if ids:
            labels = [(option.label if q and (option := q.answer(a)) else a) for a in ids]
            return f"{asked} is {' or '.join(repr(label) for label in labels)}"
        bounds = [
            f"{word} {value}"
            for word, value in (("at least", condition.at_least), ("at most", condition.at_most))
            if value is not None
        ]
        return f"{asked} is {' and '.join(bounds)}"
    return json.dumps(condition.model_dump(by_alias=True, exclude_none=True), default=str)


@user_errors
def questions(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the questions as JSON.")] = False,
    rules: RulesOption = None,
) -> None:
    """List every question: id, text, help, type and allowed answers."""
    from svadvisor.rulepack.schema import DONT_KNOW, DONT_KNOW_LABEL

    pack = load(ctx, rules)
    if as_json:
        typer.echo(json.dumps([question_data(q) for q in pack.questions], indent=2, default=str))
        return
    for q in pack.questions:
        unit = f", {q.unit}" if q.unit else ""
        typer.echo(f"{q.text}  ({q.id}; {q.type}{unit})")
        if q.help:
            typer.echo(f"  help: {q.help}")
        if q.ask_when is not None:
            typer.echo(f"  asked only when: {asked_when(q.ask_when, pack)}")
        for a in q.answers:
            typer.echo(f"    - {a.label} ({a.id})")
        if q.type == "number":
            limits = [f"{k} {v:,g}" for k, v in (("min", q.min), ("max", q.max)) if v is not None]
            typer.echo("    - a number" + (f" ({', '.join(limits)})" if limits else ""))
        if q.type == "date":
            typer.echo("    - a date, YYYY-MM-DD")
        typer.echo(f"    - {DONT_KNOW_LABEL} ({DONT_KNOW})")
        typer.echo()
