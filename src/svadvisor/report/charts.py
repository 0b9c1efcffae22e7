"""Charts as static SVG, drawn by matplotlib's SVG backend (imported only here, and only
when a report is made).

Why matplotlib: it renders SVG in-process with no browser or JavaScript runtime, keeps
text as text (`svg.fonttype: none`, so a screen reader and a search find it), and gives
hatch patterns, so no chart relies on colour alone. Every bar is also labelled with its
value, and the colours below have at least 3:1 contrast with the white page (WCAG 2.2,
1.4.11 non-text contrast); the labels' dark grey has 4.5:1 or more.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from svadvisor.report.content import Chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.typing import RcKeyType as RcKey

PALETTE = ("#1d70b8", "#00703c", "#912b88", "#b1440e", "#505a5f", "#6a4c00", "#003078")
"""Bar colours, each with at least 3:1 contrast against white (tests/report check it)."""
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo")
"""A pattern per series, so stacked bars are told apart without colour."""
TEXT = "#0b0c0c"
WIDTH_INCHES = 6.8
"""A chart's width: the A4 portrait text width with 15 mm margins, at 100%."""

_ID = re.compile(r'\bid="([^"]+)"')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def render_svg(chart: Chart) -> str:
    """The chart as an SVG document (no XML prologue or DOCTYPE: it is inlined in HTML
    and written as a file), with its ids prefixed by the chart's id so that several
    charts on one page never share one."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    settings: dict[RcKey, Any] = {
        "svg.fonttype": "none",
        "svg.hashsalt": chart.id,
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib: same layout everywhere
        "font.size": 9,
        "text.color": TEXT,
        "axes.labelcolor": TEXT,
        "xtick.color": TEXT,
        "ytick.color": TEXT,
        "axes.edgecolor": TEXT,
        "hatch.color": "white",
        "hatch.linewidth": 1.2,
    }
    with rc_context(settings):
        rows = len(chart.categories)
        height = 3.6 if chart.stacked else max(1.6, 0.45 * rows + 1.0 + 0.18 * _label_lines(chart))
        figure = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        if chart.stacked:
            _stacked(axes, chart)
        else:
            _horizontal(axes, chart)
        figure.suptitle(
            _wrap(chart.title, 80), x=0.01, ha="left", fontsize=10, fontweight="bold", color=TEXT
        )
        axes.spines[["top", "right"]].set_visible(False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "svadvisor"})
    return _inlinable(buffer.getvalue(), chart.id)


def _horizontal(axes: Axes, chart: Chart) -> None:
    from matplotlib.ticker import MaxNLocator

    (series,) = chart.series
    positions = list(range(len(chart.categories)))
    bars = axes.barh(
        positions,
        series.values,
        color=[PALETTE[i % len(PALETTE)] for i in positions],
        hatch=[HATCHES[i % len(HATCHES)] for i in positions],
        edgecolor="white",
        linewidth=0.8,
    )
    axes.set_yticks(positions, [_wrap(c) for c in chart.categories])
    axes.invert_yaxis()
    labels = [_value_text(v, chart) for v in series.values]
    axes.bar_label(bars, labels=labels, padding=3, color=TEXT)
    axes.set_xlabel(chart.value_label)
    axes.set_ylabel(chart.category_label)
    if not chart.money:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    largest = max(series.values, default=0.0)
    axes.set_xlim(0, largest * 1.18 if largest else 1)


def _stacked(axes: Axes, chart: Chart) -> None:
    from matplotlib.ticker import MaxNLocator

    positions = list(range(len(chart.categories)))
    bottoms = [0.0] * len(positions)
    for i, series in enumerate(chart.series):
        bars = axes.bar(
            positions,
            series.values,
            bottom=bottoms,
            label=series.name,
            color=PALETTE[i % len(PALETTE)],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="white",
            linewidth=0.8,
        )
        labels = [f"{v:,.0f}" if v else "" for v in series.values]
        axes.bar_label(bars, labels=labels, label_type="center", color="white", fontsize=8)
        bottoms = [b + v for b, v in zip(bottoms, series.values, strict=True)]
    axes.set_xticks(positions, [_wrap(c, 12) for c in chart.categories], fontsize=8)
    axes.set_xlabel(chart.category_label)
    axes.set_ylabel(chart.value_label)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    largest = max(bottoms, default=0.0)
    axes.set_ylim(0, largest * 1.1 if largest else 1)


def _value_text(value: float, chart: Chart) -> str:
    if chart.money:
        return f"£{value:,.1f}" if value else "£0"
    return f"{value:,.0f}"


def _label_lines(chart: Chart) -> int:
    return sum(_wrap(c).count("\n") for c in chart.categories)


def _wrap(text: str, width: int = 28) -> str:
    """Break a long category label over lines at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _inlinable(svg: str, prefix: str) -> str:
    start = svg.index("<svg")
    body = _METADATA.sub("", svg[start:])  # matplotlib's RDF block: namespaces, no content
    ids = set(_ID.findall(body))
    for name in sorted(ids, key=len, reverse=True):
        body = body.replace(f'id="{name}"', f'id="{prefix}-{name}"')
        body = body.replace(f"#{name})", f"#{prefix}-{name})")
        body = body.replace(f'href="#{name}"', f'href="#{prefix}-{name}"')
    return body
