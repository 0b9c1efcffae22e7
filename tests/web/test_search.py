"""The guides' search as a pure function: any query is safe, matches ignore case and
start at a word, and the marked HTML escapes everything but its own <mark> tags."""

from __future__ import annotations

import re
from html import unescape

from hypothesis import given
from hypothesis import strategies as st

from svadvisor.web.search import Document, highlight, search, snippet, words

ENTITY = re.compile(r"&(amp|lt|gt|#34|#39);")


def plain(html: str) -> str:
    """The HTML without its <mark> tags; asserts nothing else in it is markup."""
    bare = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare, html
    assert "&" not in ENTITY.sub("", bare), html
    return bare


PIECES = st.lists(
    st.sampled_from(["<", ">", "&", "amp", "lt", "mark", '"', "'", "Lots", "lots", " ", "\u2026"])
).map("".join)
"""Text made of HTML's special characters and words that occur in entities and tags, so
that queries and texts often meet."""
TEXT = st.one_of(st.text(alphabet=st.characters(codec="utf-8"), max_size=300), PIECES)
QUERY = st.one_of(st.text(max_size=60), PIECES)


@given(query=QUERY, title=TEXT, text=TEXT)
def test_any_query_is_safe_and_marks_only_its_words(query: str, title: str, text: str) -> None:
    document = Document("notes", title, text, "/guides/notes#x")
    for hit in search([document], query):
        assert unescape(plain(hit.title)) == title
        passage = unescape(plain(hit.snippet)).removeprefix("\u2026 ").removesuffix(" \u2026")
        assert passage in text
        for marked in re.findall(r"<mark>(.*?)</mark>", hit.snippet):
            assert any(unescape(marked).casefold() == w.casefold() for w in words(query))


@given(text=TEXT, query=QUERY)
def test_highlight_round_trips(text: str, query: str) -> None:
    assert unescape(plain(highlight(text, words(query)))) == text
    plain(snippet(text, words(query)))


def test_matches_ignore_case_and_start_at_a_word() -> None:
    documents = [
        Document("notes", "Lots", "Divide the contract into lots.", "/a"),
        Document("glossary", "Assessment", "A proportionate assessment.", "/b"),
    ]
    assert [h.document.url for h in search(documents, "LOTS")] == ["/a"]
    assert [h.document.url for h in search(documents, "lot")] == ["/a"]
    assert search(documents, "sme") == []
    assert search(documents, "   ") == []
    assert search(documents, "lots contract")[0].snippet.count("<mark>") == 2
    assert search(documents, "lots nowhere") == []


def test_a_query_is_escaped_before_it_is_marked() -> None:
    document = Document("notes", "Tags", "Use <script> & friends; AT&T", "/a")
    hit = search([document], "<script> &")[0]
    assert "<script>" not in hit.snippet
    assert "<mark>&lt;script&gt;</mark>" in hit.snippet
    assert "<mark>&amp;</mark>" in hit.snippet
    assert "AT<mark>&amp;</mark>T" in hit.snippet


def test_a_snippet_is_cut_at_spaces_around_the_first_match() -> None:
    text = " ".join(f"word{i}" for i in range(100)) + " needle " + "tail " * 60
    cut = snippet(text, ["needle"])
    assert cut.startswith("\u2026 word") and cut.endswith(" \u2026")
    assert "<mark>needle</mark>" in cut
    assert len(plain(cut)) < 260
    assert snippet("short needle", ["needle"]) == "short <mark>needle</mark>"


def test_words_are_each_kept_once_longest_first() -> None:
    assert words("lot Lots lots  a") == ["Lots", "lot", "a"]
    assert words("") == []
