"""What the guide pages show, built from the rule pack and the case library.

The same data and wording as the terminal's `routes`, `notes`, `glossary` and `cases`
commands, arranged for pages: notes by strength with their scope in words, the glossary
in alphabetical order, cases by route, and the documents a search looks through. Pure
functions of the pack, the library and the day, so the page handlers stay thin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from svadvisor.answers.validate import describe_answer
from svadvisor.cases.matching import CaseLibrary, CaseStudy
from svadvisor.rulepack.schema import (
    GUIDE_SECTIONS,
    GlossaryEntry,
    Note,
    Route,
    RouteGroup,
    RulePack,
    Sourced,
)
from svadvisor.scoring import thresholds
from svadvisor.scoring.assessment import NoteResult
from svadvisor.scoring.engine import note_result
from svadvisor.web.search import Document


@dataclass(frozen=True)
class Strength:
    """A note's strength in words: its group's heading, its tag and what it means."""

    id: str
    heading: str
    tag: str
    meaning: str
    colour: str
    """The GOV.UK tag's colour modifier."""


STRENGTHS = (
    Strength("must", "Duties", "Must", "a duty in law", "govuk-tag--red"),
    Strength(
        "should",
        "Guidance",
        "Should",
        "guidance: follow it unless there is a good reason not to",
        "govuk-tag--yellow",
    ),
    Strength("consider", "Worth considering", "Consider", "an option to weigh", "govuk-tag--blue"),
)
"""In the order assessments list notes (strongest first), as the schema names them:
`must` (a duty), `should` (guidance) or `consider`."""

KINDS = (
    ("routes", "Route guides"),
    ("notes", "Legal and practical notes"),
    ("glossary", "Glossary"),
    ("cases", "Case studies"),
)
"""The kinds of document a search finds, in the order their results are listed."""


def source_label(url: str) -> str:
    """A source link's text: its host and path ("legislation.gov.uk/ukpga/2023/54"), which
    says where the link goes when read out of context. The scheme and the query are left
    out, except where the query names the page: after a script ("mgAi.aspx?ID=98925") or
    with no path at all."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    query = f"?{parts.query}" if parts.query and ("." in last or not path) else ""
    return f"{host}{path}{query}" if host else url


def long_date(day: date) -> str:
    """A date as GOV.UK writes it: 30 November 2026."""
    return f"{day.day} {day:%B %Y}"


def route_sections(route: Route) -> list[tuple[str, str, list[Sourced]]]:
    """The route's guide as (section id, heading, items), in the terminal's order; none
    when the pack has no guide for the route."""
    if route.guide is None:
        return []
    return [(key, heading, list(getattr(route.guide, key))) for key, heading in GUIDE_SECTIONS]


def groups_of(pack: RulePack, route: Route) -> list[RouteGroup]:
    return [g for g in pack.groups if route.id in g.routes]


@dataclass(frozen=True)
class NoteView:
    """A note as the notes page shows it: its text with thresholds filled in, where it
    holds, and when it applies in words (empty when always)."""

    note: NoteResult
    scope: str
    holds_in: list[str]


def notes_today(pack: RulePack, today: date) -> list[NoteResult]:
    """Every note as `svadvisor notes` reports it on `today`: thresholds in force filled in."""
    day, basis = thresholds.procurement_day(pack, {}, today)
    in_force = {t.id: t for t in thresholds.applied(pack, day, basis)}
    return [note_result(note, in_force, on=today) for note in pack.notes]


def scope_words(pack: RulePack, today: date) -> dict[str, str]:
    """When a note of each scope applies, in the words an assessment uses when the value
    is not known ("Applies only if the estimated value is at or above ...")."""
    day, _ = thresholds.procurement_day(pack, {}, today)
    covered = thresholds.coverage(pack, {}, thresholds.context(pack, day))
    above = f", that is if {covered.above}" if covered and covered.above else ""
    below = f", that is if {covered.below}" if covered and covered.below else ""
    return {
        "any": "",
        "covered": f"Applies only to covered procurement{above}.",
        "below_threshold": f"Applies only below the threshold for covered procurement{below}.",
    }


def _places(pack: RulePack) -> tuple[Mapping[str, str], list[str]]:
    """Names of the places notes may hold in, and the pack's home places."""
    config = pack.meta.jurisdiction
    if config is None:
        return {}, []
    question = pack.question(config.question)
    names = {o.id: o.label for o in question.answers} if question else {}
    return names, list(config.home)


def notes_by_strength(pack: RulePack, today: date) -> list[tuple[Strength, list[NoteView]]]:
    """The notes grouped by strength, strongest first, each group in pack order."""
    names, home = _places(pack)
    scopes = scope_words(pack, today)
    source: dict[str, Note] = {n.id: n for n in pack.notes}
    views = [
        NoteView(
            result,
            scopes[source[result.id].scope],
            [names.get(p, p) for p in (source[result.id].jurisdictions or home)],
        )
        for result in notes_today(pack, today)
    ]
    grouped = [(s, [v for v in views if v.note.strength == s.id]) for s in STRENGTHS]
    return [(strength, listed) for strength, listed in grouped if listed]


def glossary_entries(pack: RulePack) -> list[GlossaryEntry]:
    """The glossary in alphabetical order of its terms."""
    return sorted(pack.glossary, key=lambda e: e.term.casefold())


def cases_by_route(pack: RulePack, library: CaseLibrary) -> list[tuple[Route, list[CaseStudy]]]:
    """The cases grouped by the route they took, in the pack's order of routes."""
    grouped = [(route, library.on_route(route.id)) for route in pack.routes]
    return [(route, cases) for route, cases in grouped if cases]


def case_profile(pack: RulePack, case: CaseStudy) -> list[tuple[str, str]]:
    """The case's answer profile as (question, answer in words): our reading of the case."""
    rows = []
    for question_id, value in case.profile.items():
        question = pack.question(question_id)
        if question is not None:
            rows.append((question.text, describe_answer(question, value)))
    return rows


def documents(pack: RulePack, library: CaseLibrary | None, today: date) -> list[Document]:
    """Everything a search looks through: each route's guide, note, glossary term and case."""
    found: list[Document] = []
    for route in pack.routes:
        items = [item.text for _, _, listed in route_sections(route) for item in listed]
        text = " ".join([route.summary, *items])
        found.append(Document("routes", route.label, text, f"/guides/routes/{route.id}"))
    for note in notes_today(pack, today):
        found.append(Document("notes", note.title, note.text, f"/guides/notes#{note.id}"))
    for entry in glossary_entries(pack):
        aliases = f" Also called: {', '.join(entry.aliases)}." if entry.aliases else ""
        text = (entry.text or "") + aliases
        found.append(Document("glossary", entry.term, text, f"/guides/glossary#{entry.id}"))
    for case in library.cases if library is not None else ():
        text = " ".join(
            ["; ".join(case.councils), case.years, case.bought, case.route_reason, case.outcome]
        )
        found.append(Document("cases", case.name, text, f"/guides/cases/{case.id}"))
    return found


HELPERS: Mapping[str, Any] = {"source_label": source_label, "long_date": long_date}
"""Functions the guide templates call, so that wording is made in one place."""
