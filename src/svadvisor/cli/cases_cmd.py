"""`svadvisor cases`: the library of real UK case studies, and one case with its sources."""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Annotated

import typer

from svadvisor.cli.common import CasesOption, RulesOption, fail, load, load_library, user_errors
from svadvisor.suggest import did_you_mean

if TYPE_CHECKING:
    from svadvisor.cases.matching import CaseStudy
    from svadvisor.rulepack.schema import RulePack

app = typer.Typer(
    help="List the real UK case studies, or show one: `svadvisor cases show ID`.",
    invoke_without_command=True,
    add_completion=False,
    rich_markup_mode=None,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.callback()
@user_errors
def list_cases(
    ctx: typer.Context,
    route: Annotated[
        str | None,
        typer.Option("--route", metavar="ROUTE", help="Only cases that took this route."),
    ] = None,
    as_json: JsonOption = False,
    rules: RulesOption = None,
    cases: CasesOption = None,
) -> None:
    """List the case studies: id, name, councils, years and the route each took."""
    if ctx.invoked_subcommand is not None:
        return
    pack = load(ctx, rules)
    library = load_library(ctx, cases, pack)
    if route is not None and pack.route(route) is None:
        known = ", ".join(r.id for r in pack.routes)
        raise fail(f"unknown route {route!r}; routes: {known}")
    listed = list(library.cases) if route is None else library.on_route(route)
    if as_json:
        typer.echo(json.dumps([c.to_data(pack) for c in listed], indent=2, ensure_ascii=False))
        return
    for r in pack.routes:
        on_route = [c for c in listed if c.route == r.id]
        if not on_route:
            continue
        typer.echo(f"{r.label} ({r.id}): {len(on_route)} case{'s' if len(on_route) != 1 else ''}")
        for c in on_route:
            typer.echo(f"  {c.id}")
            typer.echo(f"      {c.name} - {'; '.join(c.councils)} ({c.years})")
        typer.echo()
    typer.echo("Show one case with its sources: svadvisor cases show ID")


@app.command("show")
@user_errors
def show(
    ctx: typer.Context,
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case's id (its file name).")],
    as_json: JsonOption = False,
    rules: RulesOption = None,
    cases: CasesOption = None,
) -> None:
    """Print one case study: what was bought, the route and why, what happened, its sources."""
    pack = load(ctx, rules)
    library = load_library(ctx, cases, pack)
    case = library.get(case_id)
    if case is None:
        hint = did_you_mean(case_id, library.ids, form="lead")
        raise fail(f"no case {case_id!r}; {hint}known: {', '.join(library.ids)}")
    if as_json:
        typer.echo(json.dumps(case.to_data(pack), indent=2, ensure_ascii=False))
        return
    for line in _describe(case, pack):
        typer.echo(line)


def _wrapped(label: str, text: str) -> list[str]:
    return [
        f"{label}:",
        *textwrap.wrap(text, width=88, initial_indent="  ", subsequent_indent="  "),
    ]


def _describe(case: CaseStudy, pack: RulePack) -> list[str]:
    from svadvisor.answers.validate import describe_answer

    route = pack.route(case.route)
    verified = "" if case.outcome_verified else " (not verified)"
    lines = [
        f"{case.name} ({case.id})",
        f"Councils: {'; '.join(case.councils)}",
        f"Years: {case.years}",
        f"Route: {route.label if route else case.route} ({case.route})",
        *_wrapped("What was bought", case.bought),
        *_wrapped("Why this route", case.route_reason),
        *_wrapped(f"What happened{verified}", case.outcome),
        "Answer profile (our reading of the case; compare with `svadvisor questions`):",
    ]
    questions = {q.id: q for q in pack.questions}
    for question_id, value in case.profile.items():
        lines.append(f"  {question_id}: {describe_answer(questions[question_id], value)}")
    lines.append(f"Sources (checked {case.checked.isoformat()}):")
    lines.extend(f"  {url}" for url in case.sources)
    return lines
