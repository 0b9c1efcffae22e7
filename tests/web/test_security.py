"""Security across the whole app, found by walking its routes: every POST needs its CSRF
token, a body over the limit is a 413, and every response carries the headers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from tests.web.conftest import BASE_URL, SECRET

from svadvisor.cases.library import load_cases
from svadvisor.rulepack.schema import RulePack
from svadvisor.web.app import create_app

SAMPLE_PARAMETERS = {"qid": "complexity", "kind": "scored", "route_id": "alliance"}
"""A value for each path parameter, so that every route can be reached."""


def post_paths(app: Starlette) -> list[str]:
    """Every path that accepts a POST, its parameters filled in."""
    paths = []
    for route in app.routes:
        if isinstance(route, Route) and route.methods and "POST" in route.methods:
            paths.append(
                re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE_PARAMETERS[m.group(1)], route.path)
            )
        assert not isinstance(route, Mount) or route.path == "/static", "no POST hides in a mount"
    return paths


def test_the_app_has_forms(web_app: Starlette) -> None:
    assert len(post_paths(web_app)) >= 3, "assessment, upload and pipeline forms at least"


def test_every_post_without_its_token_is_refused(web_app: Starlette) -> None:
    with TestClient(web_app, base_url=BASE_URL, follow_redirects=False) as client:
        client.get("/")  # a browser that has the cookie, but a form without the field
        for path in post_paths(web_app):
            refused = client.post(path, data={"state": "", "answer": "complex"})
            assert refused.status_code == 403, path
            assert "This form has expired" in refused.text, path
            forged = client.post(path, data={"csrf_token": "forged"})
            assert forged.status_code == 403, path


def test_a_token_from_another_browser_is_refused(web_app: Starlette) -> None:
    with (
        TestClient(web_app, base_url=BASE_URL) as first,
        TestClient(web_app, base_url=BASE_URL) as second,
    ):
        page = first.get("/assess").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        second.get("/assess")
        for path in post_paths(web_app):
            assert second.post(path, data={"csrf_token": token.group(1)}).status_code == 403


def test_a_body_over_the_limit_is_a_413(small_app: Starlette) -> None:
    with TestClient(small_app, base_url=BASE_URL) as client:
        for path in post_paths(small_app):
            big = client.post(path, files={"pipeline_file": ("big.csv", b"x" * 2_000_000)})
            assert big.status_code == 413, path
            assert "The file is too large" in big.text, "the app's own page"
            assert "frame-ancestors 'none'" in big.headers["content-security-policy"], path


def test_a_chunked_body_over_the_limit_is_a_413_page_too(small_app: Starlette) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 10_000

    with TestClient(small_app, base_url=BASE_URL) as client:
        page = client.get("/assess").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        big = client.post(
            "/assess/upload",
            content=chunks(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert big.status_code == 413
        assert "The file is too large" in big.text
        assert big.headers["x-content-type-options"] == "nosniff"


def test_every_response_has_the_security_headers(web_app: Starlette) -> None:
    with TestClient(web_app, base_url=BASE_URL) as client:
        for path in ("/", "/no-such-page", "/static/govuk/govuk-frontend.min.css"):
            response = client.get(path)
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
            assert response.headers["x-content-type-options"] == "nosniff", path
            assert response.headers["referrer-policy"] == "no-referrer", path
        for path in post_paths(web_app):
            assert client.post(path).headers["x-frame-options"] == "DENY", path


def test_a_405_keeps_its_allow_header(web_app: Starlette) -> None:
    with TestClient(web_app, base_url=BASE_URL) as client:
        refused = client.delete("/assess")
        assert refused.status_code == 405
        assert "GET" in refused.headers["allow"]
        assert refused.headers["x-content-type-options"] == "nosniff"


def test_a_500_is_the_apps_page_with_the_headers(pack: RulePack) -> None:
    app = create_app(pack, load_cases(pack), secret=SECRET)
    app.router.routes.append(Route("/boom", _boom))
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        page = client.get("/boom")
        assert page.status_code == 500
        assert "Sorry, there is a problem with svadvisor" in page.text
        assert "Traceback" not in page.text
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"


async def _boom(request: object) -> None:
    raise RuntimeError("a bug, not the officer's mistake")
