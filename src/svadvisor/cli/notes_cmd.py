"""`svadvisor notes`: every legal and practical note in the rule pack, with its sources."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from typing import Annotated

import typer

from svadvisor.cli.common import RulesOption, load, user_errors


@user_errors
def notes(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the notes as JSON.")] = False,
    rules: RulesOption = None,
) -> None:
    """List the pack's notes: id, title, text, strength, sources, checked and review dates."""
    from svadvisor.scoring import thresholds
    from svadvisor.scoring.engine import note_result

    pack = load(ctx, rules)
    today = date.today()
    day, basis = thresholds.procurement_day(pack, {}, today)
    in_force = {t.id: t for t in thresholds.applied(pack, day, basis)}
    results = [note_result(note, in_force, on=today) for note in pack.notes]
    if as_json:
        typer.echo(json.dumps([n.model_dump(mode="json") for n in results], indent=2))
        return
    for n in results:
        due = " [due for review]" if n.due_for_review else ""
        typer.echo(f"[{n.strength.upper()}] {n.title} ({n.id}){due}")
        for line in textwrap.wrap(n.text, width=88, initial_indent="  ", subsequent_indent="  "):
            typer.echo(line)
        for source in n.sources:
            typer.echo(f"  source: {source}")
        review = f", review by {n.review_by.isoformat()}" if n.review_by else ""
        typer.echo(f"  checked {n.checked.isoformat()}{review}")
        typer.echo()
