"""An officer's journeys through the web app in a real browser (Debian's Chromium through
Playwright, the app served by uvicorn): a whole assessment to the advice, the "Change"
links, a memo download, an answers-file resume, and a pipeline upload and its downloads.
Every page on the way is checked with axe-core (no serious or critical violation) and for
script errors. Skipped only when Chromium, playwright or axe-core is missing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.browser import skip_without_browser
from tests.conftest import EXAMPLES
from tests.web.live import AXE, axe_problems

from svadvisor.answers.files import read_answers_file_settled
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.schema import RulePack

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

skip_without_browser(axe=True)

PLYMOUTH = EXAMPLES / "plymouth-alliance.yaml"
QUESTION = re.compile(r"/assess/question/(\w+)")


class Officer:
    """A browser tab that checks each page it lands on."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.context = browser.new_context(accept_downloads=True)
        self.context.add_init_script(path=str(AXE))
        self.page: Page = self.context.new_page()
        self.base_url = base_url
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.visited: list[str] = []

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.check()

    def check(self) -> None:
        """The page the tab is on: accessible and free of script errors."""
        self.page.wait_for_load_state("networkidle")
        path = self.page.url.removeprefix(self.base_url).split("?")[0]
        self.visited.append(path)
        assert axe_problems(self.page) == [], path
        assert self.errors == [], path

    def click(self, name: str, role: str = "button") -> None:
        self.page.get_by_role(role, name=name).first.click()  # type: ignore[arg-type]
        self.check()

    def answer_from(self, answers: dict[str, Answer]) -> list[str]:
        """Answer each question page from `answers` ("I don't know" when absent) until
        the check page; the question ids asked, in order."""
        asked = []
        while (found := QUESTION.search(self.page.url)) is not None:
            qid = found.group(1)
            asked.append(qid)
            self.fill(answers.get(qid))
            self.click("Continue")
        return asked

    def fill(self, value: Answer | None) -> None:
        page = self.page
        if value is None:
            page.check('input[name="answer"][value="dont_know"]')
        elif isinstance(value, date):
            page.fill("#answer-day", str(value.day))
            page.fill("#answer-month", str(value.month))
            page.fill("#answer-year", str(value.year))
        elif isinstance(value, tuple):
            for item in value:
                page.check(f'input[name="answer"][value="{item}"]')
        elif page.locator('input[type="radio"][name="answer"]').count():
            page.check(f'input[name="answer"][value="{value}"]')
        else:
            page.fill("#answer", str(value))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def officer(browser: Browser, base_url: str) -> Iterator[Officer]:
    tab = Officer(browser, base_url)
    yield tab
    tab.close()


def test_a_whole_assessment_with_a_change_and_a_memo(officer: Officer, pack: RulePack) -> None:
    answers, _ = read_answers_file_settled(PLYMOUTH, pack)
    officer.go("/")
    officer.click("Assess a service", role="link")
    officer.page.fill("#title", "Complex needs <support>")
    officer.click("Start now")
    asked = officer.answer_from(answers)
    assert asked[0] == pack.questions[0].id and "shared_governance" in asked
    assert "psr_existing_provider" not in asked, "a PSR question is skipped for light touch"
    assert officer.page.url.split("?")[0].endswith("/assess/check")
    assert "Complex needs <support>" in officer.page.inner_text("main")

    officer.page.get_by_role("link", name=re.compile(r"Change.*complex", re.I)).first.click()
    officer.check()
    assert officer.page.url.split("?")[0].endswith("/assess/question/complexity")
    officer.page.check('input[name="answer"][value="complex"]')
    officer.click("Continue")
    assert officer.page.url.split("?")[0].endswith("/assess/check"), "a change returns here"

    officer.click("Get the advice", role="button")
    main = officer.page.inner_text("main")
    assert "Alliance contracting" in main and "moderate" in main.lower()
    with officer.page.expect_download() as download:
        officer.page.get_by_role("link", name="Recommendation memo (Markdown)").click()
    memo = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Alliance contracting" in memo
    assert download.value.suggested_filename.endswith(".md")


def test_resume_from_an_answers_file(officer: Officer) -> None:
    officer.go("/assess")
    officer.page.set_input_files("#answers_file", str(PLYMOUTH))
    officer.click("Upload and continue")
    while QUESTION.search(officer.page.url):
        officer.fill(None)
        officer.click("Continue")
    assert officer.page.url.split("?")[0].endswith("/assess/check")
    officer.click("Get the advice", role="button")
    assert "Alliance contracting" in officer.page.inner_text("main")
    with officer.page.expect_download() as download:
        officer.page.get_by_role("link", name=re.compile(r"^Your answers")).click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert "complexity: complex" in saved


def test_a_pipeline_upload_and_its_downloads(officer: Officer) -> None:
    officer.go("/pipeline")
    officer.page.set_input_files("#pipeline_file", str(EXAMPLES / "pipeline.csv"))
    officer.page.locator('form[action="/pipeline"] button[type="submit"]').click()
    officer.check()
    assert "7" in officer.page.inner_text("main")
    with officer.page.expect_download() as download:
        officer.page.get_by_role("button", name="Download the scored sheet (CSV)").click()
    scored = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(scored)))
    assert len(rows) == 7 and rows[2]["recommended_route"] == "Alliance contracting"
    with officer.page.expect_download() as report:
        officer.page.get_by_role("button", name="Download the pipeline report (HTML)").click()
    assert "<h1>Pipeline report" in Path(report.value.path()).read_text(encoding="utf-8")
