"""The report as one self-contained HTML page: styles inline, charts as inline SVG, no
script, font or image fetched from anywhere, so it opens from a shared drive or an
email attachment. Every text from the sheet is escaped (Jinja2's autoescape)."""

from __future__ import annotations

import re
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

import svadvisor
from svadvisor.answers.values import money
from svadvisor.report.charts import render_svg
from svadvisor.report.content import Chart, Report

_CODE = re.compile(r"`([^`]+)`")


def render_html(report: Report) -> str:
    """The page for `report`, its charts drawn and inlined."""
    environment = Environment(
        loader=PackageLoader("svadvisor.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    environment.filters["code"] = _code
    environment.globals.update(money=money, number=_number)
    css = resources.files("svadvisor.report").joinpath("templates/report.css").read_text("utf-8")
    charts = [chart for section in report.sections for chart in section.charts]
    svgs = {chart.id: Markup(labelled_svg(chart, render_svg(chart))) for chart in charts}
    template = environment.get_template("report.html.j2")
    return template.render(report=report, css=Markup(css), svgs=svgs, version=svadvisor.__version__)


def labelled_svg(chart: Chart, svg: str) -> str:
    """The chart's SVG as an image with a name and a description a screen reader reads
    (role="img", <title> and <desc>), the text escaped."""
    title = escape(chart.title)
    desc = escape(chart.alt)
    opening_end = svg.index(">", svg.index("<svg")) + 1
    opening = svg[:opening_end].replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{chart.id}-title {chart.id}-desc" ',
        1,
    )
    return (
        f'{opening}<title id="{chart.id}-title">{title}</title>'
        f'<desc id="{chart.id}-desc">{desc}</desc>{svg[opening_end:]}'
    )


def _code(text: str) -> Markup:
    """Escape the text, then show `command` spans as code."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(escape(text))))


def _number(cell: object) -> str:
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return str(cell)
    return f"{cell:,}" if isinstance(cell, int) else f"{cell:,.1f}"
