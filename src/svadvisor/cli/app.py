"""The `svadvisor` command: global options, and the command groups registered on it."""

from __future__ import annotations

from typing import Annotated

import typer

from svadvisor.cli import (
    assess_cmd,
    batch_cmd,
    cases_cmd,
    memo_cmd,
    notes_cmd,
    questions_cmd,
    routes_cmd,
    rules_cmd,
)
from svadvisor.cli.common import CasesOption, RulesOption

app = typer.Typer(
    name="svadvisor",
    help=(
        "Which route fits this service - competitive, collaborative, alliance or public "
        "commons? Scores the routes from your answers and explains every point."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from svadvisor import __version__

        typer.echo(f"svadvisor {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    rules: RulesOption = None,
    cases: CasesOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Global options apply to every command: `svadvisor --rules DIR assess ...`."""
    ctx.obj = {"rules": rules, "cases": cases}


app.command("assess")(assess_cmd.assess)
app.command("questions")(questions_cmd.questions)
app.command("batch")(batch_cmd.batch)
app.command("routes")(routes_cmd.routes)
app.command("notes")(notes_cmd.notes)
app.add_typer(cases_cmd.app, name="cases")
app.add_typer(rules_cmd.app, name="rules")
app.add_typer(memo_cmd.app, name="memo")


def main() -> None:
    app(prog_name="svadvisor")
