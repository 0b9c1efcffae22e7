"""`svadvisor questions`: what the rule pack asks, and which answers it accepts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from svadvisor.cli.common import RulesOption, load, user_errors

if TYPE_CHECKING:
    from svadvisor.model import Question


def question_data(q: Question) -> dict[str, Any]:
    from svadvisor.model import DONT_KNOW, DONT_KNOW_LABEL

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


@user_errors
def questions(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the questions as JSON.")] = False,
    rules: RulesOption = None,
) -> None:
    """List every question: id, text, help, type and allowed answers."""
    from svadvisor.model import DONT_KNOW, DONT_KNOW_LABEL

    pack = load(ctx, rules)
    if as_json:
        typer.echo(json.dumps([question_data(q) for q in pack.questions], indent=2, default=str))
        return
    for q in pack.questions:
        unit = f", {q.unit}" if q.unit else ""
        typer.echo(f"{q.id}  ({q.type}{unit})")
        typer.echo(f"  {q.text}")
        if q.help:
            typer.echo(f"  help: {q.help}")
        if q.ask_when is not None:
            typer.echo(
                "  asked only when: "
                + json.dumps(q.ask_when.model_dump(by_alias=True, exclude_none=True))
            )
        for a in q.answers:
            typer.echo(f"    - {a.id}: {a.label}")
        if q.type == "number":
            limits = [f"{k} {v:,g}" for k, v in (("min", q.min), ("max", q.max)) if v is not None]
            typer.echo("    - a number" + (f" ({', '.join(limits)})" if limits else ""))
        if q.type == "date":
            typer.echo("    - a date, YYYY-MM-DD")
        typer.echo(f"    - {DONT_KNOW}: {DONT_KNOW_LABEL}")
        typer.echo()
