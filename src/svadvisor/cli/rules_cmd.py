"""`svadvisor rules ...`: check a council's rule pack before relying on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from svadvisor.cli.common import CasesOption, load_library, rules_dir, user_errors

app = typer.Typer(help="Check and inspect rule packs.", no_args_is_help=True)


@app.command("validate")
@user_errors
def validate(
    ctx: typer.Context,
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DIR]", help="Rule pack folder (default: --rules, else the built-in pack)."
        ),
    ] = None,
    cases: CasesOption = None,
) -> None:
    """Check a rule pack, its memo templates and the case studies used with it; print every
    problem at once.

    Exit status 2 if there is any problem.
    """
    from svadvisor.memo import check_templates
    from svadvisor.pack import load_pack

    pack = load_pack(directory if directory is not None else rules_dir(ctx, None))
    check_templates(pack)
    typer.echo(
        f"OK: {pack.meta.name} {pack.meta.version} - {len(pack.routes)} routes, "
        f"{len(pack.questions)} questions, {len(pack.rules)} rules, {len(pack.notes)} notes "
        f"(sha256 {pack.sha256})"
    )
    library = load_library(ctx, cases, pack)
    typer.echo(f"OK: {len(library.cases)} case studies in {library.source}")
