"""`svadvisor batch`: score every row of a procurement pipeline spreadsheet."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from svadvisor.cli.common import (
    CasesOption,
    MemoFormatOption,
    RulesOption,
    library_for_assessment,
    load,
    user_errors,
)

if TYPE_CHECKING:
    from svadvisor.pipeline.batch import Summary
    from svadvisor.pipeline.readers import Table
    from svadvisor.rulepack.schema import Route, RulePack

EXIT_SOME_REJECTED = 1
EXIT_INTERRUPTED = 130


@user_errors
def batch(
    ctx: typer.Context,
    source: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT",
            help="The pipeline: a .csv (any common delimiter; UTF-8 or Windows-1252) or .xlsx; "
            "or published notices: an OCDS .json package, a .jsonl file, or a folder of them.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            metavar="FILE",
            help="Scored sheet, .csv or .xlsx (default: INPUT.scored.<ext> beside the input).",
            show_default=False,
        ),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            metavar="FILE",
            help="Rows that could not be scored (default: INPUT.rejects.csv).",
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            metavar="NAME",
            help="Workbook sheet (default: the first with a recognisable header row).",
        ),
    ] = None,
    header_row: Annotated[
        int | None,
        typer.Option(
            "--header-row",
            metavar="N",
            min=1,
            help="The header's row number, as the spreadsheet shows it (default: found "
            "below any title rows).",
        ),
    ] = None,
    columns: Annotated[
        Path | None,
        typer.Option(
            "--columns",
            metavar="MAP.yaml",
            help="Map your own headers to question ids (columns: {Header: question}).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the output and rejects files if they exist.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    memos: Annotated[
        Path | None,
        typer.Option(
            "--memos",
            metavar="DIR",
            help="Also write a recommendation memo per scored row into DIR.",
            show_default=False,
        ),
    ] = None,
    memo_fmt: MemoFormatOption = None,
    report_path: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FILE",
            help="Also write a pipeline report of the scored sheet: report.html, or "
            "report.md (Markdown, charts as SVG files beside it).",
            show_default=False,
        ),
    ] = None,
    report_format: Annotated[
        str | None,
        typer.Option(
            "--report-format",
            metavar="html|md",
            help="The report's format (default: from its suffix, else html).",
            show_default=False,
        ),
    ] = None,
    unknown_report: Annotated[
        bool,
        typer.Option(
            "--unknown-report",
            help="List the questions left unknown for most rows: what to add for sharper advice.",
        ),
    ] = False,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate",
            help="Notices only: check each release against the OCDS 1.1.5 schema; "
            "a release that fails is rejected.",
        ),
    ] = False,
    rules: RulesOption = None,
    cases: CasesOption = None,
) -> None:
    """Score every row of a pipeline sheet; write a scored sheet and a rejects file.

    Exit status: 0 when every row scored, 1 when some rows were rejected, 2 when the
    input cannot be used.
    """
    from svadvisor.pipeline.job import prepare, run_job
    from svadvisor.pipeline.mapping import read_column_map

    job = prepare(
        source,
        output=output,
        rejects=rejects,
        sheet=sheet,
        header_row=header_row,
        validate=validate,
        memos=memos,
        memo_format=memo_fmt,
        force=force,
    )
    output, rejects = job.output, job.rejects
    chosen_report = None
    if report_path is not None:
        from svadvisor.cli.report_cmd import parse_format
        from svadvisor.report.write import check_report_output, format_for

        chosen_report = format_for(report_path, parse_format(report_format))
        if report_path.absolute() in (output.absolute(), rejects.absolute()):
            raise typer.BadParameter(
                f"{report_path}: is also the scored sheet or the rejects file; name another",
                param_hint="--report",
            )
        check_report_output(report_path, chosen_report, force=force)
    pack = load(ctx, rules)
    library = library_for_assessment(ctx, cases, pack)
    if columns is not None:
        job = replace(job, column_map=read_column_map(columns, pack))
    try:
        summary = run_job(job, pack, library, progress=_progress)
    except KeyboardInterrupt:
        typer.echo(
            f"Interrupted: no output written; {output} and {rejects} are as they were"
            + (" (memos already written are complete)" if memos is not None else ""),
            err=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None

    written = None
    if report_path is not None and chosen_report is not None:
        from svadvisor.report.write import write_report

        written = write_report(output, pack, report_path, chosen=chosen_report, force=force)
    if as_json:
        payload = summary.as_json()
        if written is not None:
            payload["report"] = str(written.path)
        typer.echo(json.dumps(payload, indent=2))
    else:
        _print_summary(summary, pack.routes)
        if unknown_report:
            _print_unknown(summary, pack)
        if memos is not None:
            typer.echo(f"Memos: {summary.rows_scored} in {memos}")
        if written is not None:
            charts = f" (charts in {written.charts[0].parent})" if written.charts else ""
            typer.echo(f"Report: {written.path}{charts}")
    if summary.rows_rejected:
        typer.echo(
            f"{summary.rows_rejected} of {summary.rows_read} rows could not be scored: they "
            f"are kept in the scored sheet, flagged in its 'problem' column; see {rejects}",
            err=True,
        )
        raise typer.Exit(EXIT_SOME_REJECTED)


def _print_unknown(summary: Summary, pack: RulePack) -> None:
    """Which questions were unknown for most rows: what the sheet should add."""
    if not summary.rows_scored:
        return
    typer.echo(
        f"Questions left unknown, of {summary.rows_scored} rows scored "
        "(add these for sharper advice):"
    )
    for question_id, rows in summary.unknown.items():
        question = pack.question(question_id)
        text = question.text if question else question_id
        share = 100 * rows / summary.rows_scored
        typer.echo(f"  {rows:>7} ({share:3.0f}%)  {question_id}: {text}")


@contextmanager
def _progress(table: Table) -> Iterator[Callable[[], None] | None]:
    """A rich progress bar on a terminal; nothing when output is piped or redirected."""
    if not (sys.stdout.isatty() and sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("Scoring {task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        done, total = table.progress()
        task = bar.add_task(Path(table.name).name, total=total, completed=done)

        def tick() -> None:
            done, total = table.progress()
            bar.update(task, completed=done, total=total)

        yield tick


def _print_summary(summary: Summary, routes: list[Route]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console(highlight=False, markup=False, emoji=False)
    # lines are not wrapped, so a path or header can be copied whole
    console.print(f"Scored {summary.input}", soft_wrap=True)
    table = RichTable(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("rows")
    table.add_column("count", justify="right")
    sections = summary.sections(routes)
    for number, section in enumerate(sections, start=1):
        for index, (label, rows) in enumerate(section, start=1):
            last = index == len(section) and number < len(sections)
            table.add_row(label, str(rows), end_section=last)
    console.print(table)
    read = "; ".join(f"{header!r} -> {target}" for header, target in summary.columns.items())
    console.print(f"Columns read: {read}", soft_wrap=True)
    if summary.carried:
        console.print(
            "Carried through: " + ", ".join(repr(c) for c in summary.carried), soft_wrap=True
        )
    for remark in summary.remarks:
        console.print(f"Note: {remark}", soft_wrap=True)
    console.print(f"Scored sheet: {summary.output}", soft_wrap=True)
    console.print(f"Rejects: {summary.rejects}", soft_wrap=True)
