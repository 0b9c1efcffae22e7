"""`svadvisor routes [ID]`: plain-English guides to each route, for officers new to it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from svadvisor.cli.common import (
    CasesOption,
    RulesOption,
    library_for_assessment,
    load,
    user_errors,
)
from svadvisor.errors import SvadvisorError


@user_errors
def routes(
    ctx: typer.Context,
    route_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="A route id, e.g. alliance.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    rules: RulesOption = None,
    cases: CasesOption = None,
) -> None:
    """List the routes, or print one route's guide: what it is, when it fits, how to do it."""
    pack = load(ctx, rules)
    chosen = pack.routes
    if route_id is not None:
        route = pack.route(route_id)
        if route is None:
            known = ", ".join(r.id for r in pack.routes)
            raise SvadvisorError(f"no route {route_id!r}; routes: {known}")
        chosen = [route]
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json", by_alias=True) for r in chosen], indent=2))
        return
    from rich.console import Console
    from rich.padding import Padding
    from rich.text import Text

    from svadvisor.rulepack.schema import GUIDE_SECTIONS

    console = Console(highlight=False, markup=False, emoji=False)
    for route in chosen:
        console.print(Text(f"{route.label} ({route.id})", style="bold underline"))
        console.print(Padding(Text(route.summary), (0, 0, 0, 2)))
        console.print(f"  source: {route.source}", soft_wrap=True, style="dim")
        if route_id is None:
            console.print()
            continue
        if route.guide is None:
            console.print("  This rule pack has no guide for this route.")
        else:
            for key, title in GUIDE_SECTIONS:
                console.print()
                console.print(Text(title, style="bold"))
                for item in getattr(route.guide, key):
                    console.print(Padding(Text(f"- {item.text}"), (0, 0, 0, 2)))
                    console.print(f"    source: {item.source}", soft_wrap=True, style="dim")
        for prerequisite in route.prerequisites:
            console.print()
            console.print(Text("Needs", style="bold"))
            console.print(Padding(Text(f"- {prerequisite.unmet}"), (0, 0, 0, 2)))
            console.print(f"    source: {prerequisite.source}", soft_wrap=True, style="dim")
        library = library_for_assessment(ctx, cases, pack)
        examples = library.on_route(route.id) if library else []
        if examples:
            console.print()
            console.print(Text("Case studies (svadvisor cases show ID)", style="bold"))
            for case in examples:
                line = f"- {case.name} ({', '.join(case.councils)}, {case.years}) [{case.id}]"
                console.print(Padding(Text(line), (0, 0, 0, 2)))
                console.print(f"    source: {case.sources[0]}", soft_wrap=True, style="dim")
