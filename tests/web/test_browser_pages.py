"""Every page an officer can reach by following links, in a real browser (Debian's
Chromium through Playwright): no script or CSP error, no request leaving the app, and no
serious or critical accessibility violation (axe-core, WCAG 2.2 AA). Skipped only when
Chromium, playwright or axe-core (npm ci in tests/web) is missing; CI installs all three."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urlparse

import pytest
from tests.browser import skip_without_browser
from tests.web.live import AXE, axe_problems

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

skip_without_browser(axe=True)

MAX_PAGES = 80
DOWNLOADS = ("/download", "/logo", "/static/")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context()
    made.add_init_script(path=str(AXE))
    yield made
    made.close()


def crawl(context: BrowserContext, base_url: str) -> dict[str, list[str]]:
    """Visit every page reachable by links from the home page; problems by page."""
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"script error: {e}"))
    page.on(
        "request",
        lambda r: (
            messages.append(f"request left the app: {r.url}")
            if not r.url.startswith(base_url)
            else None
        ),
    )
    queue, seen = ["/"], {"/"}
    while queue and len(seen) <= MAX_PAGES:
        path = queue.pop(0)
        messages.clear()
        response = page.goto(base_url + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        found = axe_problems(page) + [m for m in messages if "error" in m or "left" in m]
        if found:
            problems[path] = found
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url, _ = urldefrag(href)
            parsed = urlparse(url)
            if not url.startswith(base_url) or parsed.path.startswith(DOWNLOADS):
                continue
            target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    page.close()
    return problems


def test_every_linked_page_is_accessible_and_clean(context: BrowserContext, base_url: str) -> None:
    assert crawl(context, base_url) == {}


def test_pages_work_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/")
    assert page.get_by_role("link", name="Assess a service").first.is_visible()
    assert "js-enabled" not in (page.get_attribute("body", "class") or "")
    context.close()


def test_javascript_enhances_under_the_strict_policy(
    context: BrowserContext, base_url: str
) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base_url + "/")
    page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
    assert errors == []
