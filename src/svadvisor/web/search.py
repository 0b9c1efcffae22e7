"""Searching the guides: documents in, hits out, with the matching words marked.

Pure and small, so that a property test can throw any query at it. Matches are found in
the raw text; every piece of text, matched or not, is escaped before a match is wrapped
in `<mark>`. Escaping the whole text first and then marking the escaped text would also
be safe, but a query such as "amp" or "lt" would then match inside an entity and cut it
in two; this way nothing of the query or the pack reaches the page unescaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

MAX_QUERY = 200
"""The longest query accepted, in characters (a longer one is refused with a 400 page)."""
BEFORE = 60
AFTER = 160
"""How much of a document's text a snippet shows before and after its first match."""
ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class Document:
    """One thing a search can find: a route's guide, a note, a glossary term or a case."""

    kind: str
    """Which group of results it is listed in (the caller's own key)."""
    title: str
    text: str
    url: str
    """Where it is, with the anchor of the item on a page of many."""


@dataclass(frozen=True)
class Hit:
    document: Document
    title: Markup
    snippet: Markup
    """A short passage of the text around the first match, the matches marked."""


def words(query: str) -> list[str]:
    """The query's words, each once (ignoring case), longest first so that a longer word
    is marked whole where a shorter one is part of it."""
    seen: dict[str, str] = {}
    for word in query.split():
        seen.setdefault(word.casefold(), word)
    return sorted(seen.values(), key=len, reverse=True)


_WORDLIKE = re.compile(r"\w")


def _piece(word: str) -> str:
    """A word as a regular expression that matches it at the start of a word of the text
    (so "lot" finds "lots" but "sme" does not find "assessment"), ignoring case."""
    start = r"(?<!\w)" if _WORDLIKE.match(word) else ""
    return start + re.escape(word)


def _pattern(found: Sequence[str]) -> re.Pattern[str] | None:
    if not found:
        return None
    return re.compile("|".join(_piece(w) for w in found), re.IGNORECASE)


def search(documents: Iterable[Document], query: str) -> list[Hit]:
    """The documents in which every word of the query occurs (in the title or the text,
    ignoring case), in their order, those with every word in the title first."""
    wanted = words(query)
    if not wanted:
        return []
    each = [re.compile(_piece(w), re.IGNORECASE) for w in wanted]
    hits: list[tuple[bool, Hit]] = []
    for document in documents:
        if not all(p.search(document.title) or p.search(document.text) for p in each):
            continue
        in_title = all(p.search(document.title) for p in each)
        hit = Hit(document, highlight(document.title, wanted), snippet(document.text, wanted))
        hits.append((not in_title, hit))
    return [hit for _, hit in sorted(hits, key=lambda pair: pair[0])]


def highlight(text: str, marked: Sequence[str]) -> Markup:
    """The text as HTML, escaped, with each occurrence of a word (ignoring case) in
    `<mark>`."""
    pattern = _pattern(marked)
    if pattern is None:
        return escape(text)
    pieces: list[Markup] = []
    last = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(Markup("<mark>{}</mark>").format(match.group()))
        last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


def snippet(text: str, marked: Sequence[str]) -> Markup:
    """The passage around the first match (the start of the text when only the title
    matched), cut at spaces, with an ellipsis where text is left out."""
    pattern = _pattern(marked)
    found = pattern.search(text) if pattern is not None else None
    at = found.start() if found is not None else 0
    start = max(0, at - BEFORE)
    end = min(len(text), at + AFTER)
    if start > 0:
        space = text.find(" ", start, at)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", max(at, start), end)
        end = space if space > at else end
    passage = text[start:end].strip()
    lead = ELLIPSIS + " " if start > 0 else ""
    tail = " " + ELLIPSIS if end < len(text) else ""
    return Markup("{}{}{}").format(lead, highlight(passage, marked), tail)
