"""`svadvisor assess`: score answers (from a file, or asked in the terminal) and explain the
recommendation."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from svadvisor.cli.common import (
    CasesOption,
    ForceOption,
    MemoFormatOption,
    RulesOption,
    fail,
    library_for_assessment,
    load,
    user_errors,
)

if TYPE_CHECKING:
    from svadvisor.answers.record import DecisionRecord
    from svadvisor.rulepack.schema import RulePack


@user_errors
def assess(
    ctx: typer.Context,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FILE",
            help="YAML file of answers (question id: answer). Without it, asks the questions.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON.")] = False,
    save_answers: Annotated[
        Path | None,
        typer.Option(
            "--save-answers",
            metavar="FILE",
            help="Also write the answers to FILE, as YAML that --answers reads back.",
        ),
    ] = None,
    ask_missing: Annotated[
        bool,
        typer.Option("--ask-missing", help="With --answers: ask what the file leaves out."),
    ] = False,
    memo: Annotated[
        Path | None,
        typer.Option(
            "--memo",
            metavar="FILE",
            help="Also write a recommendation memo: FILE.md (Markdown) or FILE.docx (Word).",
        ),
    ] = None,
    memo_format: MemoFormatOption = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="The memo's title (default: from the answers file name)."),
    ] = None,
    record: Annotated[
        Path | None,
        typer.Option(
            "--record",
            metavar="FILE",
            help="The memo's decision-record fields (prepared_by, decision_maker, budget, ...), "
            "as YAML; over any `record:` block in the answers file.",
        ),
    ] = None,
    force: ForceOption = False,
    brief: Annotated[
        bool, typer.Option("--brief", help="Show each note's first sentence only.")
    ] = False,
    rules: RulesOption = None,
    cases: CasesOption = None,
) -> None:
    """Rank the four routes for a service, explain every point, and list similar real cases.

    Without --answers, asks the questions in the terminal (? shows help, Ctrl-C stops).
    """
    from svadvisor.atomic import refuse_overwrite
    from svadvisor.cli.interactive import gather_answers
    from svadvisor.scoring import engine

    pack = load(ctx, rules)
    if memo is None and memo_format is not None:
        raise fail("--format is the memo's format: give --memo FILE too")
    if memo is None and record is not None:
        raise fail("--record fills in the memo's decision record: give --memo FILE too")
    record_fields = None
    if record is not None:
        from svadvisor.answers.record import read_record_file

        record_fields = read_record_file(record)  # a misspelt field stops before any question
    if memo is not None:
        refuse_overwrite(memo, force=force)  # before any question is asked
    today = date.today()
    checked = gather_answers(pack, answers, ask_missing, save_to=save_answers, force=force)
    library = library_for_assessment(ctx, cases, pack)
    result = engine.assess(pack, checked, on=today, cases=library)
    if memo is not None:
        named = answers or save_answers
        default_title = "Commissioning route recommendation" + (f": {named.stem}" if named else "")
        from svadvisor.answers.record import merged
        from svadvisor.cli.memo_cmd import write_assessment_memo

        write_assessment_memo(
            pack,
            result,
            memo,
            on=today,
            title=title or default_title,
            fmt=memo_format,
            force=force,
            record=merged(answers_record(pack, answers), record_fields),
        )
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    from rich.console import Console

    from svadvisor.cli.render import render_assessment

    render_assessment(
        Console(highlight=False, markup=False, emoji=False), result, pack, brief=brief
    )


def answers_record(pack: RulePack, answers: Path | None) -> DecisionRecord | None:
    """The answers file's `record:` block, if it has one (already checked when the answers
    were read)."""
    if answers is None:
        return None
    from svadvisor.answers.files import read_answers_record
    from svadvisor.yamlfile import load_user_file

    return read_answers_record(load_user_file(answers, "answers file"), pack)
