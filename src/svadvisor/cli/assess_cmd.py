"""`svadvisor assess`: score answers from a file and explain the recommendation."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from svadvisor.cli.common import (
    CasesOption,
    RulesOption,
    fail,
    library_for_assessment,
    load,
    user_errors,
)


@user_errors
def assess(
    ctx: typer.Context,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers", metavar="FILE", help="YAML file of answers (question id: answer)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON.")] = False,
    rules: RulesOption = None,
    cases: CasesOption = None,
) -> None:
    """Rank the four routes for a service, explain every point, and list similar real cases."""
    from svadvisor import engine
    from svadvisor.answersfile import read_answers_file

    pack = load(ctx, rules)
    if answers is None:
        raise fail("no answers given: pass --answers FILE (a YAML file of question: answer)")
    checked = read_answers_file(answers, pack)
    library = library_for_assessment(ctx, cases, pack)
    result = engine.assess(pack, checked, on=date.today(), cases=library)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    from rich.console import Console

    from svadvisor.cli.render import render_assessment

    render_assessment(Console(highlight=False, markup=False, emoji=False), result, pack)
