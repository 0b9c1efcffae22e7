"""`svadvisor report` and `batch --report`, run for real on scored sheets: the figures
against the sheet, a page with nothing fetched from elsewhere, text from the sheet
escaped, and the structure a screen reader relies on."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from tests.conftest import EXAMPLES
from typer.testing import CliRunner, Result

from svadvisor.answers.values import money, parse_money
from svadvisor.cli.app import app
from svadvisor.report.charts import PALETTE, TEXT
from svadvisor.report.markdown import escape_md

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REACH = FIXTURES / "report" / "reach-pipeline.csv"
NOTICES = FIXTURES / "ocds" / "cf_release_package_2025-01-23.json"
RESERVATION_NOTES = {"below_threshold_reservation", "reserved_mutuals"}


def run(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def batch_with_report(
    runner: CliRunner, source: Path, folder: Path, report: str = "report.html", *extra: str
) -> tuple[Path, Path]:
    """Run the real `batch --report`; the scored sheet and the report."""
    sheet = folder / f"{source.stem}.scored.csv"
    result = run(
        runner,
        "batch",
        source,
        "--output",
        sheet,
        "--rejects",
        folder / "rejects.csv",
        "--report",
        folder / report,
        *extra,
    )
    assert result.exit_code in (0, 1), result.output
    return sheet, folder / report


def read_rows(sheet: Path) -> list[dict[str, str]]:
    with sheet.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


class Page(HTMLParser):
    """The parts of a page the tests read: tags with their attributes, table cells by
    table, and text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[dict[str, list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._part = ""
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append({"caption": [], "rows": []})
        elif tag == "caption":
            self._part = "caption"
            self._cell = []
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "caption" and self._cell is not None:
            self.tables[-1]["caption"].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def table(self, caption: str) -> list[list[str]]:
        """The body rows of the table with this caption (the header row left out)."""
        found = [t for t in self.tables if t["caption"] == [caption]]
        assert found, f"no table captioned {caption!r}"
        return found[0]["rows"][1:]


def test_the_example_pipeline_report_matches_its_sheet(runner: CliRunner, tmp_path: Path) -> None:
    sheet, report = batch_with_report(runner, EXAMPLES / "pipeline.csv", tmp_path)
    rows = read_rows(sheet)
    page = Page(report.read_text(encoding="utf-8"))
    by_route = {r[0]: r for r in page.table("Rows and estimated value per recommended route")}
    expected: Counter[str] = Counter()
    value: Counter[str] = Counter()
    for row in rows:
        group = row["recommended_route"] if row["confidence"] != "insufficient" else ""
        label = group or "No recommendation yet"
        expected[label] += 1
        amount = parse_money(row["Estimated value (£)"])
        value[label] += int(amount.high) if amount is not None else 0
    for label, count in expected.items():
        assert by_route[label][1] == str(count), label
        assert by_route[label][3] == money(value[label]), label
    confidence = {r[0]: r[1] for r in page.table("Rows by confidence")}
    for level in ("strong", "moderate", "weak", "insufficient"):
        assert confidence[level.capitalize()] == str(
            sum(1 for r in rows if r["confidence"] == level)
        )
    header = report.read_text(encoding="utf-8")
    assert hashlib.sha256(sheet.read_bytes()).hexdigest() in header
    assert rows[0]["rule_pack_sha256"] in header
    assert "svadvisor built-in rule pack" in header


def test_the_page_fetches_nothing_from_elsewhere(runner: CliRunner, tmp_path: Path) -> None:
    _sheet, report = batch_with_report(runner, EXAMPLES / "pipeline.csv", tmp_path)
    text = report.read_text(encoding="utf-8")
    page = Page(text)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "image", "metadata"}
    for tag, attrs in page.tags:
        for name in ("src", "href", "xlink:href", "srcset", "data", "action"):
            target = attrs.get(name)
            assert target is None or target.startswith("#"), (tag, name, target)
    assert "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(?!#)", text), "only url(#id) references inside SVG"
    assert "<!DOCTYPE svg" not in text and "<?xml" not in text
    ids = [attrs["id"] for _, attrs in page.tags if attrs.get("id")]
    assert len(ids) == len(set(ids)), "every id on the page is unique, across charts too"


def test_accessibility_structure(runner: CliRunner, tmp_path: Path) -> None:
    _sheet, report = batch_with_report(runner, REACH, tmp_path)
    page = Page(report.read_text(encoding="utf-8"))
    html = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html["lang"] == "en-GB"
    headings = [int(tag[1]) for tag, _ in page.tags if re.fullmatch(r"h[1-6]", tag)]
    assert headings[0] == 1 and headings.count(1) == 1
    assert all(b - a <= 1 for a, b in pairwise(headings))
    ids = {attrs["id"]: tag for tag, attrs in page.tags if attrs.get("id")}
    svgs = [attrs for tag, attrs in page.tags if tag == "svg"]
    assert len(svgs) == 6, "routes (2), confidence, when, law and reach"
    for attrs in svgs:
        assert attrs["role"] == "img"
        named_by = (attrs["aria-labelledby"] or "").split()
        assert [ids[name] for name in named_by] == ["title", "desc"]
    figures = sum(1 for tag, attrs in page.tags if tag == "figure")
    captions = sum(1 for tag, _ in page.tags if tag == "figcaption")
    assert figures == captions == len(svgs)
    assert all(table["caption"] for table in page.tables)
    header_cells = [attrs for tag, attrs in page.tags if tag == "th"]
    assert header_cells and all(attrs.get("scope") in ("col", "row") for attrs in header_cells)
    text = report.read_text(encoding="utf-8")
    for chart in ("routes-rows", "routes-value", "confidence", "when", "law", "reach"):
        after = text[text.index(f'id="{chart}-caption"') :]
        assert after.index("<table") < after.index("</section>"), f"{chart}: a table follows"


def test_text_from_the_sheet_is_escaped(runner: CliRunner, tmp_path: Path) -> None:
    _sheet, report = batch_with_report(runner, REACH, tmp_path)
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in text
    page = Page(text)
    assert "Grounds maintenance <script>alert('x')</script>" in "".join(page.text)
    assert not any(attrs.get("href", "").startswith("http") for _, attrs in page.tags)


def test_markdown_report_with_charts_beside_it(runner: CliRunner, tmp_path: Path) -> None:
    _sheet, report = batch_with_report(runner, REACH, tmp_path, "pipeline.md")
    text = report.read_text(encoding="utf-8")
    charts = sorted((tmp_path / "pipeline_charts").iterdir())
    assert [c.name for c in charts] == sorted(
        f"{name}.svg"
        for name in ("routes-rows", "routes-value", "confidence", "when", "law", "reach")
    )
    linked = re.findall(r"!\[[^\]]+\]\((pipeline_charts/[^)]+\.svg)\)", text)
    assert sorted(tmp_path / link for link in linked) == charts
    for chart in charts:
        svg = chart.read_text(encoding="utf-8")
        assert svg.startswith("<svg ") and svg.count('xmlns="http://www.w3.org/2000/svg"') == 1
        assert "<title id=" in svg and "<desc id=" in svg
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in rendered
    assert 'href="http://evil.example"' not in rendered
    assert "Alliance [for](http://evil.example) complex needs" in rendered
    assert "| pipe # heading *bold*" in rendered


@given(st.text(max_size=60))
def test_escaped_markdown_shows_the_text_as_written(text: str) -> None:
    html = MarkdownIt("commonmark").render(escape_md(text))
    assert not re.search(r"<(?!/?p>)[a-z/]", html), html
    flat = " ".join(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).split())
    shown = unescape(re.sub(r"</?p>", "", html).strip())
    assert shown == flat


def test_the_reach_section_counts_rows_that_leave_small_suppliers_out(
    runner: CliRunner, tmp_path: Path
) -> None:
    sheet, report = batch_with_report(runner, REACH, tmp_path, "r.html", "--json")
    rows = [r for r in read_rows(sheet) if r["confidence"]]
    no_lots = [r for r in rows if r["lots"] == "no"]
    not_reserved = [
        r
        for r in rows
        if r["reserved_for"] == "not_reserved"
        and RESERVATION_NOTES & set(r["note_ids"].split("; "))
    ]
    either = {r["Reference"] for r in no_lots} | {r["Reference"] for r in not_reserved}
    assert no_lots and not_reserved and len(either) < len(no_lots) + len(not_reserved)
    assert "EX-5" not in either, "a competition reserved to SMEs and VCSEs reaches them"

    def total(chosen: list[dict[str, str]]) -> str:
        return money(sum(parse_money(r["Estimated value (£)"]).high for r in chosen))  # type: ignore[union-attr]

    page = Page(report.read_text(encoding="utf-8"))
    table = {
        r[0]: r[1:] for r in page.table("Rows whose answers leave SMEs, VCSEs or co-operatives out")
    }
    assert table["No lots"] == [str(len(no_lots)), total(no_lots)]
    assert table["Not reserved, though a reservation is possible"] == [
        str(len(not_reserved)),
        total(not_reserved),
    ]
    chosen = [r for r in rows if r["Reference"] in either]
    assert table["Either"] == [str(len(either)), total(chosen)]
    listed = re.findall(
        r"<strong>(EX-\d)", report.read_text(encoding="utf-8").split("leave them out")[-1]
    )
    values = {r["Reference"]: parse_money(r["Estimated value (£)"]).high for r in chosen}  # type: ignore[union-attr]
    assert listed == sorted(either, key=lambda ref: -values[ref]), "the most £ first"


def test_published_notices_report(runner: CliRunner, tmp_path: Path) -> None:
    sheet, report = batch_with_report(runner, NOTICES, tmp_path)
    rows = read_rows(sheet)
    page = Page(report.read_text(encoding="utf-8"))
    counted = sum(int(r[1]) for r in page.table("Rows and estimated value per recommended route"))
    assert counted == sum(1 for r in rows if r["confidence"])
    regimes = {r[0]: int(r[1]) for r in page.table("Rows and estimated value by regime")}
    assert sum(regimes.values()) == counted


def test_an_existing_report_is_kept_unless_forced(runner: CliRunner, tmp_path: Path) -> None:
    sheet, report = batch_with_report(runner, EXAMPLES / "pipeline.csv", tmp_path)
    report.write_text("mine", encoding="utf-8")
    result = run(runner, "report", sheet, "--output", report)
    assert result.exit_code == 2
    assert "already exists; pass --force" in result.stderr
    assert report.read_text(encoding="utf-8") == "mine"
    again = run(runner, "report", sheet, "--output", report, "--force")
    assert again.exit_code == 0, again.output
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_report_honours_the_umask(runner: CliRunner, tmp_path: Path) -> None:
    sheet, _ = batch_with_report(runner, EXAMPLES / "pipeline.csv", tmp_path)
    old = os.umask(0o027)
    try:
        result = run(runner, "report", sheet, "--output", tmp_path / "private.html")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "private.html").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("pipeline", "not a sheet that svadvisor batch wrote"),
        ("missing", "no such file"),
        ("format", "'pdf': choose html or md"),
    ],
)
def test_bad_input_is_one_clear_error(
    runner: CliRunner, tmp_path: Path, setup: str, message: str
) -> None:
    source = EXAMPLES / "pipeline.csv"
    args: list[str | Path] = ["report", source, "--output", tmp_path / "r.html"]
    if setup == "missing":
        args[1] = tmp_path / "nowhere.csv"
    if setup == "format":
        args += ["--format", "pdf"]
    result = run(runner, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.html").exists()


def test_an_empty_or_all_rejected_sheet_gives_an_honest_empty_report(
    runner: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Reference,Title,complexity\nB-1,One,very\nB-2,Two,extremely\n", "utf-8")
    sheet, report = batch_with_report(runner, bad, tmp_path)
    text = report.read_text(encoding="utf-8")
    assert "2 rows read: 0 rows scored, 2 rows not scored" in text
    assert "No row of this sheet was scored" in text
    assert "<svg" not in text
    header_only = tmp_path / "header.scored.csv"
    header_only.write_text(sheet.read_text("utf-8-sig").splitlines()[0] + "\n", "utf-8")
    result = run(runner, "report", header_only, "--output", tmp_path / "empty.html")
    assert result.exit_code == 0, result.output
    assert "0 rows read" in (tmp_path / "empty.html").read_text(encoding="utf-8")


def test_batch_json_names_the_report_and_refuses_to_overwrite_its_own_sheet(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "pipeline.csv"
    shutil.copy(EXAMPLES / "pipeline.csv", source)
    result = run(runner, "batch", source, "--json", "--report", tmp_path / "r.md")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["report"] == str(tmp_path / "r.md")
    clash = run(runner, "batch", source, "--force", "--report", tmp_path / "pipeline.scored.csv")
    assert clash.exit_code == 2
    assert "is also the scored sheet" in clash.stderr


def test_a_workbook_reports_as_its_csv_does(runner: CliRunner, tmp_path: Path) -> None:
    as_csv = tmp_path / "csv"
    as_xlsx = tmp_path / "xlsx"
    as_csv.mkdir()
    as_xlsx.mkdir()
    _, from_csv = batch_with_report(runner, REACH, as_csv)
    workbook = as_xlsx / "reach.scored.xlsx"
    result = run(runner, "batch", REACH, "--output", workbook, "--rejects", as_xlsx / "r.csv")
    assert result.exit_code in (0, 1), result.output
    report = run(runner, "report", workbook, "--output", as_xlsx / "report.html")
    assert report.exit_code == 0, report.output

    def tables(path: Path) -> list[dict[str, list[list[str]]]]:
        return Page(path.read_text(encoding="utf-8")).tables

    assert tables(as_xlsx / "report.html") == tables(from_csv)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_chart_colours_meet_wcag_contrast() -> None:
    for colour in PALETTE:
        assert contrast(colour, "#ffffff") >= 3.0, f"{colour} against the page (1.4.11)"
        assert contrast(colour, "#ffffff") >= 4.5, f"white value labels on {colour} (1.4.3)"
    assert contrast(TEXT, "#ffffff") >= 4.5


def modules_after(*args: str) -> set[str]:
    """The modules a fresh interpreter has imported after running svadvisor with args."""
    script = (
        "import json, sys\n"
        "from svadvisor.cli.app import app\n"
        "try:\n"
        f"    app({list(args)!r}, prog_name='svadvisor')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n' + json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_the_charting_library_is_imported_only_for_a_report(tmp_path: Path) -> None:
    source = tmp_path / "pipeline.csv"
    shutil.copy(EXAMPLES / "pipeline.csv", source)
    assert "matplotlib" not in modules_after("batch", str(source))
    assert "matplotlib" in modules_after(
        "batch", str(source), "--force", "--report", str(tmp_path / "r.html")
    )
    assert (tmp_path / "r.html").is_file()
