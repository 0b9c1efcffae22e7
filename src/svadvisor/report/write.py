"""Make a report from a scored sheet and write it: one HTML file, or a Markdown file with
its charts as SVG files in a folder beside it. Files are written atomically, with the
umask's permissions, and never replace one that exists unless asked (`force`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from svadvisor.atomic import refuse_overwrite, write_text_atomic
from svadvisor.errors import InputFileError
from svadvisor.report.content import Report, build_report
from svadvisor.report.figures import PipelineFigures, read_figures
from svadvisor.rulepack.schema import RulePack

ReportFormat = Literal["html", "md"]
FORMATS: tuple[ReportFormat, ...] = ("html", "md")


@dataclass(frozen=True)
class WrittenReport:
    """What was written, for the command's message and its --json."""

    path: Path
    format: ReportFormat
    charts: tuple[Path, ...]
    figures: PipelineFigures


def format_for(output: Path, chosen: ReportFormat | None) -> ReportFormat:
    """The format asked for, else the one the output's name says (.md: Markdown)."""
    if chosen is not None:
        return chosen
    return "md" if output.suffix.lower() in (".md", ".markdown") else "html"


def chart_folder(output: Path) -> Path:
    """Where a Markdown report's charts go: `report_charts/` beside `report.md`."""
    return output.with_name(f"{output.stem}_charts")


def check_report_output(output: Path, chosen: ReportFormat, *, force: bool) -> None:
    """Fail before any work if the report (or a Markdown report's chart folder) cannot be
    written: it exists and `force` is not set, or its folder is missing."""
    refuse_overwrite(output, force=force)
    if chosen == "md":
        folder = chart_folder(output)
        if folder.exists() and not folder.is_dir():
            raise InputFileError(f"{folder}: exists and is not a folder; the charts go there")


def write_report(
    sheet: Path,
    pack: RulePack,
    output: Path,
    *,
    chosen: ReportFormat | None = None,
    force: bool = False,
    sheet_name: str | None = None,
    made_on: date | None = None,
) -> WrittenReport:
    """Read the scored sheet, build the report and write it."""
    report_format = format_for(output, chosen)
    check_report_output(output, report_format, force=force)
    figures = read_figures(sheet, pack, sheet=sheet_name)
    report = build_report(figures, pack, made_on=made_on or date.today())
    if report_format == "html":
        from svadvisor.report.html import render_html

        write_text_atomic(output, render_html(report), force=force)
        return WrittenReport(output, report_format, (), figures)
    charts = _write_charts(report, chart_folder(output), force=force)
    from svadvisor.report.markdown import render_markdown

    write_text_atomic(output, render_markdown(report, chart_folder(output).name), force=force)
    return WrittenReport(output, report_format, charts, figures)


def _write_charts(report: Report, folder: Path, *, force: bool) -> tuple[Path, ...]:
    from svadvisor.report.charts import render_svg
    from svadvisor.report.html import labelled_svg

    charts = [chart for section in report.sections for chart in section.charts]
    paths = tuple(folder / f"{chart.id}.svg" for chart in charts)
    if folder.is_dir():
        for path in paths:
            refuse_overwrite(path, force=force)
    folder.mkdir(exist_ok=True)
    for chart, path in zip(charts, paths, strict=True):
        # matplotlib's <svg> names its namespace, so the file stands on its own
        write_text_atomic(path, labelled_svg(chart, render_svg(chart)), force=force)
    return paths
