"""The report as Markdown, with each chart an SVG file in a folder beside it (for a wiki,
a repository, or a document that takes Markdown). Text from the sheet is escaped so that
a title cannot become a link, a heading or HTML."""

from __future__ import annotations

import re

from svadvisor.report.content import Report, Table

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
"""Characters that could make a title markup: emphasis, code, links, HTML, headings,
table cells, strike-through, entities. Parentheses are harmless once brackets are escaped."""
_BLOCK_START = re.compile(r"^(\d*)([-+=.)])")
"""A line starting with a list marker ("- ", "1. ") or a setext underline would be a block."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def render_markdown(report: Report, chart_folder: str) -> str:
    """The Markdown text; charts are linked as `chart_folder/<chart id>.svg`."""
    lines = [f"# {escape_md(report.title)}", ""]
    lines += [f"- **{what}:** {escape_md(value)}" for what, value in report.header]
    lines += ["", "## Summary", ""]
    for line in report.summary:
        lines += [_keep_code(line), ""]
    for section in report.sections:
        lines += [f"## {escape_md(section.title)}", ""]
        for line in section.paragraphs:
            lines += [_keep_code(line), ""]
        for chart in section.charts:
            lines += [
                f"![{escape_md(chart.alt)}]({chart_folder}/{chart.id}.svg)",
                "",
                *table_lines(chart.table),
                "",
            ]
        for table in section.tables:
            lines += [*table_lines(table), ""]
        for heading, rows in section.lists:
            lines += [f"### {escape_md(heading)}", ""]
            if not rows:
                lines += ["None.", ""]
            for number, row in enumerate(rows, start=1):
                lines.append(
                    f"{number}. **{escape_md(row.name)}** (sheet row {row.number}): "
                    f"{escape_md(row.facts())}"
                )
                lines += [f"    - {escape_md(reason)}" for reason in row.reasons]
            lines.append("")
    lines.append(
        "Made by svadvisor from the scored sheet named above. Every figure counts rows of "
        "that sheet or sums the estimated values written in it."
    )
    return "\n".join(lines) + "\n"


def table_lines(table: Table) -> list[str]:
    """A pipe table with the caption in bold above it."""
    align = [
        ("---:" if table.numeric and table.numeric[i] else "---") for i in range(len(table.headers))
    ]
    lines = [
        f"**{escape_md(table.caption)}**",
        "",
        "| " + " | ".join(escape_md(h) for h in table.headers) + " |",
        "| " + " | ".join(align) + " |",
    ]
    for row in table.rows:
        cells = [escape_md(f"{c:,}" if isinstance(c, int) else str(c)) for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def escape_md(text: str) -> str:
    """Text shown as written: Markdown's special characters escaped, line breaks flattened,
    control characters (never meant to be seen) dropped."""
    flat = " ".join(_CONTROL.sub("", str(text)).split())
    return _BLOCK_START.sub(r"\1\\\2", _SPECIAL.sub(r"\\\1", flat), count=1)


def _keep_code(text: str) -> str:
    """Escape a sentence of svadvisor's own, keeping its `command` spans as code."""
    parts = text.split("`")
    return "".join(f"`{part}`" if i % 2 else escape_md(part) for i, part in enumerate(parts))
