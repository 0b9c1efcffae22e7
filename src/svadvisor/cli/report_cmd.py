"""`svadvisor report`: the whole of a scored pipeline sheet at a glance, with charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from svadvisor.cli.common import ForceOption, RulesOption, load, user_errors

if TYPE_CHECKING:
    from svadvisor.report.write import ReportFormat, WrittenReport
    from svadvisor.rulepack.schema import RulePack

ReportFormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="html|md",
        help="html: one self-contained page; md: Markdown with the charts as SVG files in "
        "a folder beside it (default: from the output's suffix, else html).",
        show_default=False,
    ),
]


@user_errors
def report(
    ctx: typer.Context,
    sheet: Annotated[
        Path,
        typer.Argument(
            metavar="SCORED_SHEET",
            help="A sheet `svadvisor batch` wrote (.csv or .xlsx).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            metavar="FILE",
            help="The report to write: report.html, or report.md with --format md.",
            show_default=False,
        ),
    ],
    report_format: ReportFormatOption = None,
    sheet_name: Annotated[
        str | None,
        typer.Option("--sheet", metavar="NAME", help="Workbook sheet (default: the scored one)."),
    ] = None,
    force: ForceOption = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report's headline figures as JSON.")
    ] = False,
    rules: RulesOption = None,
) -> None:
    """Report on a scored pipeline: routes, confidence, timing, law, candidates, reach.

    The report counts the rows of the sheet and sums the values written in it: routes and
    £ per route, how sure the advice is and which questions would settle most rows, start
    quarters, regimes and thresholds, the rows best suited to each collaborative route,
    and the contracts that leave SMEs, VCSEs and co-operatives out.
    """
    from svadvisor.report.write import check_report_output, format_for, write_report

    chosen = format_for(output, parse_format(report_format))
    check_report_output(output, chosen, force=force)
    if not sheet.is_file():
        raise typer.BadParameter(f"{sheet}: no such file", param_hint="SCORED_SHEET")
    pack = load(ctx, rules)
    written = write_report(sheet, pack, output, chosen=chosen, force=force, sheet_name=sheet_name)
    print_written(written, pack, as_json=as_json)


def parse_format(text: str | None) -> ReportFormat | None:
    """The --format value, checked: html or md."""
    if text is None:
        return None
    from svadvisor.report.write import FORMATS

    for known in FORMATS:
        if text.lower() == known:
            return known
    raise typer.BadParameter(f"{text!r}: choose html or md", param_hint="--format")


def print_written(written: WrittenReport, pack: RulePack, *, as_json: bool) -> None:
    """Say what was written, and warn when the sheet was scored with another pack."""
    figures = written.figures
    if figures.rule_pack_sha256 and figures.rule_pack_sha256 != pack.sha256:
        typer.echo(
            f"Warning: the sheet was scored with {figures.rule_pack} "
            f"{figures.rule_pack_version} (sha256 {figures.rule_pack_sha256[:12]}...), not the "
            f"pack loaded now ({pack.meta.name} {pack.meta.version}, sha256 "
            f"{pack.sha256[:12]}...): the figures are the sheet's; note titles and route groups "
            "come from the pack loaded now.",
            err=True,
        )
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "report": str(written.path),
                    "format": written.format,
                    "charts": [str(path) for path in written.charts],
                    "rows_read": figures.rows_read,
                    "rows_scored": figures.rows_scored,
                    "rows_not_scored": figures.rows_flagged,
                    "rows_not_services": figures.rows_not_services,
                    "routes": {
                        r.label: {
                            "rows": r.rows,
                            "value": r.value,
                            "rows_without_value": r.rows_without_value,
                        }
                        for r in figures.routes
                    },
                    "confidence": figures.confidence,
                },
                indent=2,
            )
        )
        return
    extra = (
        f" and {len(written.charts)} charts in {written.charts[0].parent}" if written.charts else ""
    )
    typer.echo(
        f"Report: {written.path}{extra} ({figures.rows_scored:,} of {figures.rows_read:,} rows "
        "scored)"
    )
