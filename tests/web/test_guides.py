"""The guides in the browser: every route guide item, note, term and case with its
sources, anchors that links can point at, 404s, the search, and the about page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape
from starlette.applications import Starlette
from starlette.testclient import TestClient
from tests.tinypack import SOURCE, tiny_pack_files, write_pack
from tests.web.conftest import BASE_URL, SECRET

from svadvisor.cases.library import load_cases
from svadvisor.cases.matching import CaseLibrary
from svadvisor.rulepack.load import load_pack
from svadvisor.rulepack.schema import GUIDE_SECTIONS, RulePack
from svadvisor.web.app import create_app
from svadvisor.web.guide_content import long_date, source_label
from svadvisor.web.settings import WebSettings

PAGES = [
    "/guides",
    "/guides/routes/alliance",
    "/guides/notes",
    "/guides/glossary",
    "/guides/cases",
    "/guides/cases/plymouth-alliance",
    "/guides/search",
    "/guides/search?q=lots",
    "/about",
]


class Page(HTMLParser):
    """What a test reads from a page: its text, ids, links and headings."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.ids: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.headings: list[tuple[int, str]] = []
        self.targets: list[str] = []
        self.tags: set[str] = set()
        self._link: list[str] | None = None
        self._heading: tuple[int, list[str]] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.add(tag)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if found.get("target"):
            self.targets.append(str(found["target"]))
        if tag == "a":
            self._link = [str(found.get("href", "")), ""]
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = (int(tag[1]), [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], self._link[1].strip()))
            self._link = None
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._heading[0], "".join(self._heading[1]).strip()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._link is not None:
            self._link[1] += data
        if self._heading is not None:
            self._heading[1].append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def hrefs(self) -> set[str]:
        return {href for href, _ in self.links}

    def source_shown(self, url: str) -> bool:
        """The source is a link whose text names its host and path."""
        return (url, source_label(url)) in self.links


@pytest.mark.parametrize(
    ("url", "label"),
    [
        (
            "https://www.legislation.gov.uk/ukpga/2023/54/section/18?view=plain",
            "legislation.gov.uk/ukpga/2023/54/section/18",
        ),
        ("https://councils.coop/case-study/plymouth/", "councils.coop/case-study/plymouth"),
        (
            "https://democracy.plymouth.gov.uk/mgAi.aspx?ID=98925",
            "democracy.plymouth.gov.uk/mgAi.aspx?ID=98925",
        ),
        ("https://example.org/?p=12", "example.org?p=12"),
        ("http://EXAMPLE.org", "example.org"),
    ],
)
def test_a_source_link_names_its_host_and_path(url: str, label: str) -> None:
    assert source_label(url) == label


def get(client: TestClient, path: str) -> Page:
    """The page at `path`, which must answer 200."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return Page(response.text)


@pytest.fixture(scope="module")
def library(pack: RulePack) -> CaseLibrary:
    return load_cases(pack)


@pytest.mark.parametrize("path", PAGES)
def test_each_page_has_one_h1_headings_in_order_and_unique_ids(
    client: TestClient, path: str
) -> None:
    page = get(client, path)
    levels = [level for level, _ in page.headings]
    assert levels.count(1) == 1 and levels[0] == 1, path
    for before, after in pairwise(levels):
        assert after <= before + 1, (path, page.headings)
    assert len(page.ids) == len(set(page.ids)), [i for i in page.ids if page.ids.count(i) > 1]
    assert not page.targets, "links open where they are: no target"
    assert "<script>" not in client.get(path).text


def test_the_index_links_every_route_and_the_other_guides(
    client: TestClient, pack: RulePack
) -> None:
    page = get(client, "/guides")
    for route in pack.routes:
        assert (f"/guides/routes/{route.id}", route.label) in page.links
        assert route.summary in page.text
    assert {"/guides/notes", "/guides/glossary", "/guides/cases"} <= page.hrefs
    html = client.get("/guides").text
    assert re.search(r'<form method="get" action="/guides/search"', html)
    assert 'name="q"' in html and 'class="govuk-button"' in html


@pytest.mark.parametrize("route_id", ["competitive", "collaborative", "alliance", "commons"])
def test_a_route_guide_shows_every_item_with_its_source(
    client: TestClient, pack: RulePack, route_id: str
) -> None:
    route = pack.route(route_id)
    assert route is not None and route.guide is not None
    page = get(client, f"/guides/routes/{route_id}")
    assert (1, route.label) in page.headings
    assert [h for h in page.headings if h[0] == 2][: len(GUIDE_SECTIONS)] == [
        (2, heading) for _, heading in GUIDE_SECTIONS
    ]
    assert page.source_shown(route.source)
    for key, _ in GUIDE_SECTIONS:
        for item in getattr(route.guide, key):
            assert item.text in page.text
            assert page.source_shown(item.source), item.source
    for prerequisite in route.prerequisites:
        assert prerequisite.unmet in page.text and page.source_shown(prerequisite.source)


def test_a_route_guide_links_its_case_studies(client: TestClient, library: CaseLibrary) -> None:
    page = get(client, "/guides/routes/alliance")
    for case in library.on_route("alliance"):
        assert (f"/guides/cases/{case.id}", case.name) in page.links


def test_the_notes_page_has_every_note_with_its_anchor_and_sources(
    client: TestClient, pack: RulePack
) -> None:
    page = get(client, "/guides/notes")
    for note in pack.notes:
        assert note.id in page.ids
        assert (3, note.title) in page.headings
        for url in note.sources:
            assert page.source_shown(url), url
    assert "Applies only to covered procurement" in page.text
    assert "Applies only below the threshold" in page.text
    assert "Checked" in page.text and "Review by" in page.text
    html = client.get("/guides/notes").text
    assert '<h3 class="govuk-heading-m" id="lots_s18">' in html
    assert "govuk-tag" in html and "Must" in page.text and "Consider" in page.text


def test_notes_are_grouped_by_strength_strongest_first(client: TestClient) -> None:
    page = get(client, "/guides/notes")
    groups = [title for level, title in page.headings if level == 2 and title != "Support links"]
    assert groups == ["Duties (must)", "Guidance (should)", "Worth considering (consider)"]


def test_the_glossary_has_every_term_with_its_anchor_and_source(
    client: TestClient, pack: RulePack
) -> None:
    page = get(client, "/guides/glossary")
    for entry in pack.glossary:
        assert entry.id in page.ids
        assert entry.term in page.text
        assert entry.text and entry.text in page.text
        if entry.source:
            assert page.source_shown(entry.source)
    assert 'class="govuk-summary-list' in client.get("/guides/glossary").text


def test_the_cases_page_lists_every_case(client: TestClient, library: CaseLibrary) -> None:
    page = get(client, "/guides/cases")
    for case in library.cases:
        assert (f"/guides/cases/{case.id}", case.name) in page.links


def test_each_case_page_shows_the_case_and_its_sources(
    client: TestClient, pack: RulePack, library: CaseLibrary
) -> None:
    for case in library.cases:
        page = get(client, f"/guides/cases/{case.id}")
        assert (1, case.name) in page.headings
        for words in (case.bought, case.route_reason, case.outcome, *case.councils):
            assert words in page.text
        route = pack.route(case.route)
        assert route is not None and (f"/guides/routes/{route.id}", route.label) in page.links
        assert f"Checked {long_date(case.checked)}" in page.text
        for url in case.sources:
            assert page.source_shown(url), (case.id, url)


@pytest.mark.parametrize(
    "path",
    [
        "/guides/routes/nope",
        "/guides/routes/ALLIANCE",
        "/guides/cases/nope",
        "/guides/cases/%3Cb%3E",
    ],
)
def test_an_unknown_id_is_a_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.text and "<b>" not in response.text


def test_without_a_library_the_cases_page_says_they_do_not_fit(pack: RulePack) -> None:
    app = create_app(pack, None, secret=SECRET, settings=WebSettings())
    with TestClient(app, base_url=BASE_URL) as client:
        page = get(client, "/guides/cases")
        assert "do not fit this rule pack" in page.text
        assert client.get("/guides/cases/plymouth-alliance").status_code == 404
        for path in ("/guides/routes/alliance", "/guides/search?q=Plymouth"):
            assert not any(h.startswith("/guides/cases/") for h in get(client, path).hrefs)


def test_search_finds_lots_in_the_notes_and_the_glossary(client: TestClient) -> None:
    page = get(client, "/guides/search?q=lots")
    assert "/guides/notes#lots_s18" in page.hrefs
    assert "/guides/glossary#lots" in page.hrefs
    headings = [title for level, title in page.headings if level == 2]
    assert any(h.startswith("Legal and practical notes") for h in headings)
    assert any(h.startswith("Glossary") for h in headings)
    assert "<mark>lots</mark>" in client.get("/guides/search?q=lots").text


def test_search_finds_plymouth_in_the_cases_ignoring_case(client: TestClient) -> None:
    found = [get(client, f"/guides/search?q={q}").hrefs for q in ("Plymouth", "pLYMOUTH")]
    assert "/guides/cases/plymouth-alliance" in found[0]
    assert found[0] == found[1]
    assert "<mark>pLYMOUTH</mark>" not in client.get("/guides/search?q=pLYMOUTH").text
    assert "<mark>Plymouth</mark>" in client.get("/guides/search?q=pLYMOUTH").text


@pytest.mark.parametrize("query", ["<script>", "&", "<script>alert(1)</script> & lots", '"><b>'])
def test_search_escapes_the_query(client: TestClient, query: str) -> None:
    response = client.get("/guides/search", params={"q": query})
    assert response.status_code == 200
    assert "<script>" not in response.text and "<b>" not in response.text
    assert str(escape(query.strip())) in response.text
    page = Page(response.text)
    assert query.strip() in page.text


SEARCH_TAGS = {"mark", "strong", "p", "ul", "li", "a", "h2"}
"""The tags a results page adds to the empty search page's."""


@settings(deadline=None)
@given(query=st.text(max_size=210) | st.sampled_from(["<script>", "&amp;", "<mark>lots", '"x']))
def test_any_query_gives_a_page_that_shows_it_escaped(web_app: Starlette, query: str) -> None:
    client = TestClient(web_app, base_url=BASE_URL)
    response = client.get("/guides/search", params={"q": query})
    assert response.status_code == (400 if len(query) > 200 else 200)
    page = Page(response.text)
    plain = Page(client.get("/guides/search").text)
    assert page.tags <= plain.tags | SEARCH_TAGS, page.tags - plain.tags
    if query.strip() and response.status_code == 200:
        assert query.strip() in page.text


def test_an_empty_search_shows_the_form_with_a_hint(client: TestClient) -> None:
    for path in ("/guides/search", "/guides/search?q=", "/guides/search?q=+++"):
        page = get(client, path)
        assert "q" in page.ids and "q-hint" in page.ids
        assert "Enter one or more words" in page.text
        assert "results for" not in page.text


def test_a_search_with_no_results_says_so_and_suggests_the_glossary(client: TestClient) -> None:
    page = get(client, "/guides/search?q=zzxxqq")
    assert "No results for" in page.text
    assert "/guides/glossary" in page.hrefs


def test_a_query_over_200_characters_is_a_400_with_the_error_summary(client: TestClient) -> None:
    assert client.get("/guides/search", params={"q": "a" * 200}).status_code == 200
    response = client.get("/guides/search", params={"q": "a" * 201})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    page = Page(response.text)
    assert ("#q", "Search terms must be 200 characters or fewer") in page.links
    assert "q-error" in page.ids
    assert "<title>Error:" in response.text


def test_about_names_the_pack_and_how_to_run_it(client: TestClient, pack: RulePack) -> None:
    page = get(client, "/about")
    assert pack.sha256 and pack.sha256 in page.text
    assert pack.meta.name in page.text and pack.meta.version in page.text
    for words in ("not legal advice", "MIT licence", "reverse proxy", "allowed_hosts", "--host"):
        assert words in page.text


def test_the_footer_and_navigation_links_resolve(client: TestClient) -> None:
    page = get(client, "/guides")
    for path in ("/about", "/guides/glossary", "/guides"):
        assert path in page.hrefs
        assert client.get(path).status_code == 200
    assert 'aria-current="page"' in client.get("/guides/notes").text


def test_a_pack_without_guides_notes_or_glossary_still_has_every_page(tmp_path: Path) -> None:
    files = tiny_pack_files()
    note = {
        "id": "tiny_duty",
        "title": "A tiny duty",
        "text": "Only above the threshold.",
        "strength": "must",
        "scope": "covered",
        "sources": [SOURCE],
        "checked": "2019-06-01",
        "review_by": "2020-01-01",
    }
    files["notes.yaml"] = {"notes": [note]}
    tiny = load_pack(write_pack(tmp_path / "tiny", files))
    app = create_app(tiny, None, secret=SECRET, settings=WebSettings())
    with TestClient(app, base_url=BASE_URL) as client:
        for path in PAGES:
            if "/routes/" not in path and "/cases/" not in path:
                get(client, path)
        assert "no guide for this route" in get(client, "/guides/routes/a").text
        assert "no glossary" in get(client, "/guides/glossary").text
        notes = get(client, "/guides/notes")
        assert "tiny_duty" in notes.ids
        assert "Applies only to covered procurement." in notes.text
        assert "Due for review" in notes.text
        assert "/guides/notes#tiny_duty" in get(client, "/guides/search?q=TINY").hrefs
        assert tiny.sha256 in get(client, "/about").text
