"""The HTML report as a browser sees it: headless Chromium (Debian's /usr/bin/chromium,
driven by Playwright) opens the page that `svadvisor report` wrote from the example
pipeline, and checks that it loads cleanly and offline, lays out on a desktop and a
phone, prints on A4, and gives a screen reader named charts, captioned tables and
headings in order (read from Chromium's own accessibility tree).

Skipped only when Chromium or the playwright package is missing; CI installs both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from tests.browser import skip_without_browser
from tests.conftest import EXAMPLES
from tests.report.test_figures import scored
from typer.testing import CliRunner

from svadvisor.cli.app import app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request

skip_without_browser()

DESKTOP = 1024
PHONE = 375
A4_POINTS = (595.28, 841.89)
"""A4 portrait in PDF points (210 x 297 mm)."""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML report the real CLI writes from the example pipeline's scored sheet."""
    folder = tmp_path_factory.mktemp("report-browser")
    runner = CliRunner()
    sheet = scored(runner, EXAMPLES / "pipeline.csv", folder)
    output = folder / "report.html"
    result = runner.invoke(app, ["report", str(sheet), "--output", str(output)])
    assert result.exit_code == 0, result.output
    return output


@dataclass
class Opened:
    """A page with the report loaded, and what happened while it loaded."""

    page: Page
    requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def open_report(browser: Browser, report: Path, width: int) -> Opened:
    page = browser.new_page(viewport={"width": width, "height": 900})
    opened = Opened(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            opened.console_errors.append(f"{message.type}: {message.text}")

    def on_request(request: Request) -> None:
        opened.requests.append(request.url)

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: opened.page_errors.append(str(error)))
    page.goto(report.as_uri(), wait_until="load")
    return opened


@pytest.fixture
def desktop(browser: Browser, report: Path) -> Iterator[Opened]:
    opened = open_report(browser, report, DESKTOP)
    yield opened
    opened.page.close()


@pytest.fixture
def phone(browser: Browser, report: Path) -> Iterator[Opened]:
    opened = open_report(browser, report, PHONE)
    yield opened
    opened.page.close()


def test_the_page_loads_without_errors(desktop: Opened) -> None:
    assert desktop.page_errors == []
    assert desktop.console_errors == []
    assert desktop.page.title().startswith("Pipeline report")


def test_the_page_fetches_nothing_but_itself(desktop: Opened, report: Path) -> None:
    assert desktop.requests == [report.as_uri()]


CHART_BOXES = """() => Array.from(document.querySelectorAll('figure.chart'), figure => {
  const svgs = figure.querySelectorAll('svg');
  const box = svgs.length === 1 ? svgs[0].getBoundingClientRect() : {width: 0, height: 0};
  const drawn = svgs.length === 1 ? svgs[0].getBBox() : {width: 0, height: 0};
  return {svgs: svgs.length, width: box.width, height: box.height,
          drawnWidth: drawn.width, drawnHeight: drawn.height};
})"""

OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const element of document.querySelectorAll('body *')) {
    // a table may be wider than the page: it scrolls inside its .table-wrap
    if (element.parentElement.closest('.table-wrap')) continue;
    // an inline chart clips its own drawing; the svg element itself is checked
    if (element.parentElement.closest('svg')) continue;
    // the skip link waits off-screen until it is focused
    if (element.matches('.skip') && document.activeElement !== element) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < -0.5 || box.right > width + 0.5) {
      const name = element.tagName.toLowerCase() + (element.className.baseVal ??
        (element.className ? '.' + element.className : ''));
      found.push(`${name} from ${box.left} to ${box.right}`);
    }
  }
  return found;
}"""

PAGE_WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def check_layout(page: Page) -> None:
    charts: list[dict[str, float]] = page.evaluate(CHART_BOXES)
    assert len(charts) >= 4, "the report has its route, confidence, quarter and regime charts"
    for index, chart in enumerate(charts):
        assert chart["svgs"] == 1, f"chart {index}: {chart['svgs']} svg elements"
        assert chart["width"] > 0 and chart["height"] > 0, f"chart {index} has no size: {chart}"
        assert chart["drawnWidth"] > 0 and chart["drawnHeight"] > 0, f"chart {index}: empty"
    assert page.evaluate(OVERFLOWING) == []
    scroll_width, client_width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= client_width, "the page scrolls sideways"


def test_it_lays_out_on_a_desktop(desktop: Opened) -> None:
    check_layout(desktop.page)


def test_it_lays_out_on_a_phone_with_only_tables_scrolling(phone: Opened) -> None:
    check_layout(phone.page)
    wraps: list[dict[str, Any]] = phone.page.evaluate(
        """() => Array.from(document.querySelectorAll('table'), table => {
          const wrap = table.parentElement;
          return {wrapped: wrap.matches('.table-wrap'),
                  overflow: getComputedStyle(wrap).overflowX,
                  right: wrap.getBoundingClientRect().right};
        })"""
    )
    assert wraps, "the report has tables"
    for wrap in wraps:
        assert wrap["wrapped"] and wrap["overflow"] == "auto", wrap
        assert wrap["right"] <= PHONE + 0.5, wrap


def test_the_skip_link_shows_when_focused(phone: Opened) -> None:
    phone.page.keyboard.press("Tab")
    skip = phone.page.locator("a.skip")
    assert skip.evaluate("element => element === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in points, from its /MediaBox (Chromium writes them uncompressed)."""
    assert pdf.startswith(b"%PDF-"), pdf[:16]
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(boxes) == len(re.findall(rb"/Type\s*/Page\b", pdf)), "a page without a MediaBox"
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def is_a4_portrait(size: tuple[float, float]) -> bool:
    return all(abs(got - want) < 2 for got, want in zip(size, A4_POINTS, strict=True))


def test_it_prints_on_a4_keeping_charts_whole(desktop: Opened) -> None:
    page = desktop.page
    page.emulate_media(media="print")
    breaks = page.evaluate(
        """() => Array.from(document.querySelectorAll('figure.chart, .table-wrap'),
                            element => getComputedStyle(element).breakInside)"""
    )
    assert breaks and set(breaks) == {"avoid"}
    assert page.locator("nav").is_hidden(), "the contents list is not printed"
    asked = pdf_pages(page.pdf(format="A4"))
    assert asked and all(is_a4_portrait(size) for size in asked), asked
    # with no size given, the page's own @page rule decides: A4 portrait
    own = pdf_pages(page.pdf(prefer_css_page_size=True))
    assert own and all(is_a4_portrait(size) for size in own), own


def accessibility_tree(page: Page) -> list[dict[str, Any]]:
    """Chromium's accessibility tree: each node's role, name and heading level."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    session.detach()
    tree = []
    for node in nodes:
        if node.get("ignored"):
            continue
        properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
        tree.append(
            {
                "role": node.get("role", {}).get("value"),
                "name": " ".join(str(node.get("name", {}).get("value", "")).split()),
                "level": properties.get("level"),
            }
        )
    return tree


def texts(page: Page, selector: str) -> list[str]:
    return [" ".join(text.split()) for text in page.locator(selector).all_text_contents()]


def test_a_screen_reader_hears_named_charts(desktop: Opened) -> None:
    page = desktop.page
    titles = texts(page, "figure.chart > svg[role=img] > title")
    captions = texts(page, "figure.chart > figcaption")
    assert len(titles) == len(captions) == page.locator("figure.chart").count() >= 4
    tree = accessibility_tree(page)
    images = [node["name"] for node in tree if node["role"] == "image"]
    assert images == [f"{t} {c}" for t, c in zip(titles, captions, strict=True)]
    figures = [node["name"] for node in tree if node["role"] == "figure"]
    assert figures == captions
    for title in titles:
        assert page.get_by_role("img", name=title).count() == 1, title


def test_every_table_has_a_caption(desktop: Opened) -> None:
    page = desktop.page
    tables = page.locator("table")
    assert tables.count() > 0
    assert page.locator("table > caption").count() == tables.count()
    captions = texts(page, "table > caption")
    assert all(captions), captions
    named = [node["name"] for node in accessibility_tree(page) if node["role"] == "table"]
    assert named == captions


def test_headings_go_down_one_level_at_a_time(desktop: Opened) -> None:
    levels = [
        node["level"] for node in accessibility_tree(desktop.page) if node["role"] == "heading"
    ]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert 2 in levels, levels
    for before, after in pairwise(levels):
        assert after <= before + 1, f"a heading skips from h{before} to h{after}: {levels}"
