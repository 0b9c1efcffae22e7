"""The web app in a test client: the real pack and case library, a fixed signing key."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from svadvisor.cases.library import load_cases
from svadvisor.rulepack.schema import RulePack
from svadvisor.web.app import create_app
from svadvisor.web.settings import WebSettings

SECRET = "test-secret-" + "x" * 40
BASE_URL = "http://127.0.0.1:8765"
"""Requests name the default bound address as their host, as a browser would."""


@pytest.fixture(scope="session")
def web_app(pack: RulePack) -> Starlette:
    return create_app(pack, load_cases(pack), secret=SECRET, settings=WebSettings())


@pytest.fixture
def small_app(pack: RulePack) -> Starlette:
    """The app with an upload limit of 0.01 MB (about 10 KB), to test what is over it."""
    return create_app(
        pack, load_cases(pack), secret=SECRET, settings=WebSettings(max_upload_mb=0.01)
    )


@pytest.fixture(scope="module")
def base_url(web_app: Starlette) -> Iterator[str]:
    """The app served for real by uvicorn on a loopback port, for the browser tests."""
    from tests.web.live import serving

    with serving(web_app) as url:
        yield url


@pytest.fixture
def client(web_app: Starlette) -> Iterator[TestClient]:
    """A browser-like client: keeps cookies, does not follow redirects on its own."""
    with TestClient(web_app, base_url=BASE_URL, follow_redirects=False) as test_client:
        yield test_client


def hidden(html: str, name: str) -> str:
    """The value of the hidden input `name` in a page (the first one)."""
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    if found is None:
        found = re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{re.escape(name)}"', html)
    assert found is not None, f"no hidden field {name!r} on the page"
    from html import unescape

    return unescape(found.group(1))


def csrf_token(client: TestClient, path: str = "/assess") -> str:
    """Visit a page with a form, as a browser would, and read its CSRF token."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return hidden(page.text, "csrf_token")
