"""The frame every page shares: headers, host allow-list, error pages, no GOV.UK identity."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from svadvisor.web.security import allowed_hosts, is_loopback

STATIC = Path(__file__).resolve().parents[2] / "src" / "svadvisor" / "web" / "static"


def test_the_home_page_has_the_security_headers(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text, "no inline script: the CSP would block it"
    assert 'style="' not in page.text, "no inline style either"


def test_a_wrong_host_is_refused(web_app: object) -> None:
    with TestClient(web_app, base_url="http://evil.example") as client:  # type: ignore[arg-type]
        assert client.get("/").status_code == 400


def test_host_allow_list() -> None:
    assert allowed_hosts("127.0.0.1") == ["localhost", "127.0.0.1", "::1", "[::1]"]
    assert "10.0.0.5" in allowed_hosts("10.0.0.5")
    assert allowed_hosts("0.0.0.0", ["advisor.anytown.gov.uk"])[-1] == "advisor.anytown.gov.uk"
    assert "0.0.0.0" not in allowed_hosts("0.0.0.0")
    assert is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")


def test_an_unknown_page_is_a_404_page_in_the_template(client: TestClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "Page not found" in page.text and "govuk-template" in page.text
    assert page.headers["content-security-policy"]


def test_no_government_identity() -> None:
    css = (STATIC / "govuk" / "govuk-frontend.min.css").read_text(encoding="utf-8")
    assert "GDS Transport" not in css and "/assets/fonts/" not in css
    assert not (STATIC / "govuk" / "assets").exists(), "no crown images or GDS fonts shipped"
    templates = Path(__file__).resolve().parents[2] / "src" / "svadvisor" / "web" / "templates"
    for page in templates.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "govuk-header__logotype" not in text and "govuk-footer__crown" not in text, page
        assert "govuk-footer__copyright-logo" not in text, page
    licence = (STATIC / "govuk" / "LICENSE.txt").read_text(encoding="utf-8")
    assert licence.startswith("The MIT License (MIT)")
