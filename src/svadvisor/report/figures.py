"""The figures of a pipeline report, read from a sheet that `svadvisor batch` wrote.

Every figure counts rows of that sheet or sums the estimated values written in it, so
each can be checked against the sheet by hand. A row batch could not score (its
`problem` column filled) or marked as not a service is counted apart, never guessed at.
Values are read with the same parser as batch: a range counts at its top (as batch
scores it), and a yearly figure or an unreadable one counts as "value not known".
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from svadvisor.answers.values import ValueProblem, money, parse_money, parse_uk_date
from svadvisor.errors import InputFileError
from svadvisor.pipeline.batch import (
    CONFIDENCE_LEVELS,
    NOT_A_SERVICE_WHY,
    PROBLEM_COLUMN,
    REFERENCE_HEADERS,
    TITLE_HEADERS,
)
from svadvisor.pipeline.mapping import START_DATE, CellReader, cell_reader, plan_columns
from svadvisor.pipeline.readers import Cell, open_table
from svadvisor.pipeline.scoring import TOP_REASONS
from svadvisor.rulepack.schema import RulePack

NO_RECOMMENDATION = "No recommendation yet"
"""The group for rows whose confidence is insufficient (a tie, or no defining evidence)."""

REQUIRED_COLUMNS = (
    "recommended_route",
    "runner_up",
    "margin",
    "confidence",
    "settle_first",
    "regime",
    "note_ids",
)
"""Columns only `svadvisor batch` writes: a sheet without them is not a scored sheet."""

LISTED = 10
"""Rows listed by name in each candidates, close-calls and reach table."""

CONFIDENCE_RANK = {level: rank for rank, level in enumerate(reversed(CONFIDENCE_LEVELS))}
"""Strong ranks highest: candidates are listed by confidence, then margin, then value."""

BAND_AT_OR_ABOVE = "At or above the threshold"
BAND_BELOW = "Below the threshold (Part 6)"
BAND_NOT_KNOWN = "Threshold not known"
BAND_OTHER = "Another regime's rules"
BANDS = (BAND_AT_OR_ABOVE, BAND_BELOW, BAND_NOT_KNOWN, BAND_OTHER)


@dataclass
class RouteFigure:
    """Rows recommended one route (or none yet), and the value they hold."""

    label: str
    rows: int = 0
    value: float = 0.0
    """The sum of the rows' estimated values that could be read."""
    rows_without_value: int = 0


@dataclass(frozen=True)
class ListedRow:
    """One row named in a table of the report, with what the sheet says of it."""

    number: int
    """The row's number as the spreadsheet shows it."""
    reference: str
    title: str
    route: str
    runner_up: str
    confidence: str
    margin: int | None
    value: float | None
    reasons: tuple[str, ...]
    regime: str = ""

    def facts(self) -> str:
        """The row's advice in one line: route, confidence, margin, value, regime."""
        points = "point" if self.margin == 1 else "points"
        if self.route == NO_RECOMMENDATION:
            advice = f"{NO_RECOMMENDATION} (confidence {self.confidence})"
            if self.margin is not None:
                advice += f": the top two routes are {self.margin} {points} apart" + (
                    f", the runner-up {self.runner_up}" if self.runner_up else ""
                )
        else:
            advice = f"{self.route}, confidence {self.confidence}"
            if self.margin is not None and self.runner_up:
                advice += f", {self.margin} {points} ahead of {self.runner_up}"
        value = money(self.value) if self.value is not None else "value not known"
        return "; ".join(part for part in (advice, value, self.regime) if part)

    @property
    def name(self) -> str:
        return " - ".join(part for part in (self.reference, self.title) if part) or (
            f"Row {self.number}"
        )


@dataclass
class ReachFigures:
    """Rows whose answers leave SMEs, VCSEs and co-operatives out, and their value."""

    no_lots_rows: int = 0
    no_lots_value: float = 0.0
    not_reserved_rows: int = 0
    """Open to all although a reservation to small or social suppliers is possible."""
    not_reserved_value: float = 0.0
    either_rows: int = 0
    either_value: float = 0.0
    lots_not_known: int = 0
    """Scored rows with no lots answer: they may leave small suppliers out too."""
    rows: list[ListedRow] = field(default_factory=list)
    """The rows that leave them out, the most £ first (at most LISTED)."""
    asked: bool = True
    """False when the pack has no `reach:` settings, or the sheet no lots or reservation
    column: the section then says so rather than show zeros."""


@dataclass
class PipelineFigures:
    """What a head of commissioning asks of a pipeline, each figure from the sheet."""

    source: str
    source_sha256: str
    rule_pack: str
    rule_pack_version: str
    rule_pack_sha256: str
    rows_read: int = 0
    rows_scored: int = 0
    rows_flagged: int = 0
    """Rows batch could not score: kept in the sheet with a problem, left out here."""
    rows_not_services: int = 0
    routes: list[RouteFigure] = field(default_factory=list)
    confidence: dict[str, int] = field(default_factory=dict)
    settle_first: list[tuple[str, int]] = field(default_factory=list)
    """Questions that would settle a row's advice, by how many rows name them."""
    quarters: dict[str, Counter[str]] = field(default_factory=dict)
    """Rows by planned start quarter (financial year, April to March) and route."""
    rows_without_start: int = 0
    notes_by_value: list[tuple[str, float, int]] = field(default_factory=list)
    """(note id, value of the rows it binds, rows), the most £ first."""
    ranges: int = 0
    """Rows whose value is a range, counted at its top."""
    regime_bands: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    """(regime, threshold band) -> [rows, value], for the Law section."""
    candidates: dict[str, list[ListedRow]] = field(default_factory=dict)
    """Per collaborative route: its most suited rows (confidence, margin, value)."""
    candidate_counts: dict[str, int] = field(default_factory=dict)
    close_calls: list[ListedRow] = field(default_factory=list)
    """Rows whose top two routes are within the pack's close-call margin, the most £ first."""
    close_call_rows: int = 0
    close_call_value: float = 0.0
    close_call_margin: int | None = None
    reach: ReachFigures = field(default_factory=ReachFigures)
    collaborative_routes: list[str] = field(default_factory=list)
    """Labels of the routes in the pack's route groups (the collaborative pathway)."""

    @property
    def value_known(self) -> float:
        return sum(route.value for route in self.routes)

    @property
    def value_unknown_rows(self) -> int:
        return sum(route.rows_without_value for route in self.routes)

    def regime_rows(self) -> list[tuple[str, int, float]]:
        """(regime, rows, value) per regime, the most rows first."""
        totals: dict[str, list[float]] = {}
        for (regime, _band), (rows, value) in self.regime_bands.items():
            entry = totals.setdefault(regime, [0, 0.0])
            entry[0] += rows
            entry[1] += value
        return _most_first((regime, int(rows), value) for regime, (rows, value) in totals.items())

    def band_rows(self) -> list[tuple[str, int, float]]:
        """(threshold band, rows, value) in the bands' order, leaving out empty ones."""
        totals = {band: [0, 0.0] for band in BANDS}
        for (_regime, band), (rows, value) in self.regime_bands.items():
            totals[band][0] += rows
            totals[band][1] += value
        return [(band, int(rows), value) for band, (rows, value) in totals.items() if rows]

    def share_of_value(self, label: str) -> float | None:
        """The route's share of the value known across scored rows, or None if no value."""
        total = self.value_known
        found = next((r for r in self.routes if r.label == label), None)
        return found.value / total if found is not None and total else None


def financial_quarter(day: date) -> str:
    """UK councils plan by financial year, April to March: 1 May 2026 is 2026-27 Q1."""
    start_year = day.year if day.month >= 4 else day.year - 1
    quarter = (day.month - 4) % 12 // 3 + 1
    months = ("Apr-Jun", "Jul-Sep", "Oct-Dec", "Jan-Mar")[quarter - 1]
    return f"{start_year}-{(start_year + 1) % 100:02d} Q{quarter} ({months})"


def read_figures(path: Path, pack: RulePack, *, sheet: str | None = None) -> PipelineFigures:
    """The report's figures for a scored sheet (CSV or XLSX); InputFileError when the
    sheet is not one `svadvisor batch` wrote, naming the columns it lacks."""

    def is_scored_header(names: list[str]) -> bool:
        return "recommended_route" in names

    with open_table(path, sheet=sheet, is_header=is_scored_header) as table:
        header = table.header
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise InputFileError(
                f"{table.name}: not a sheet that svadvisor batch wrote: no "
                f"{', '.join(missing)} column(s); run `svadvisor batch` on the pipeline first"
            )
        at = {name: header.index(name) for name in header if name}
        plan = plan_columns(header, pack)
        value_at = next((u.index for u in plan.used if u.target == "value"), None)
        start_at = next((u.index for u in plan.used if u.target == START_DATE), None)
        if start_at is None:
            start_at = next((u.index for u in plan.used if u.target == "start_date"), None)
        answer_at = {u.target: u.index for u in plan.used}
        figures = _Tally(pack, at, value_at, start_at, answer_at)
        figures.reference_at = _first(header, REFERENCE_HEADERS)
        figures.title_at = _first(header, TITLE_HEADERS)
        for row in table.rows:
            figures.add(row.number, row.cells)
    return figures.result(path)


class _Tally:
    """Counts as the rows stream, so a 100,000-row sheet is never held in memory."""

    def __init__(
        self,
        pack: RulePack,
        at: Mapping[str, int],
        value_at: int | None,
        start_at: int | None,
        answer_at: Mapping[str, int],
    ) -> None:
        self.at, self.value_at, self.start_at = at, value_at, start_at
        self.reference_at: int | None = None
        self.title_at: int | None = None
        groups = {route_id for group in pack.groups for route_id in group.routes}
        self.collaborative = [r.label for r in pack.routes if r.id in groups]
        self.candidates: dict[str, list[tuple[tuple[float, ...], int, ListedRow]]] = {
            label: [] for label in self.collaborative
        }
        self.candidate_counts: Counter[str] = Counter()
        self.close_margin = pack.meta.close_call.margin if pack.meta.close_call else None
        self.close: list[tuple[tuple[float, ...], int, ListedRow]] = []
        self.close_rows = 0
        self.close_value = 0.0
        self.reach = ReachFigures()
        self.reach_heap: list[tuple[tuple[float, ...], int, ListedRow]] = []
        self.lots_read: CellReader | None = None
        self.reservation_read: CellReader | None = None
        self.lots_at: int | None = None
        self.reservation_at: int | None = None
        reach = pack.meta.reach
        self.reach_settings = reach
        if reach is not None:
            lots = pack.question(reach.lots_question)
            reservation = pack.question(reach.reservation_question)
            self.lots_at = answer_at.get(reach.lots_question)
            self.reservation_at = answer_at.get(reach.reservation_question)
            self.lots_read = cell_reader(lots) if lots is not None else None
            self.reservation_read = cell_reader(reservation) if reservation else None
        self.reach.asked = reach is not None and (
            self.lots_at is not None or self.reservation_at is not None
        )
        self.regime_bands: dict[tuple[str, str], list[float]] = {}
        self.routes = {route.label: RouteFigure(route.label) for route in pack.routes}
        self.routes[NO_RECOMMENDATION] = RouteFigure(NO_RECOMMENDATION)
        self.confidence: Counter[str] = Counter({level: 0 for level in CONFIDENCE_LEVELS})
        self.settle: Counter[str] = Counter()
        self.quarters: dict[str, Counter[str]] = {}
        self.notes: dict[str, list[float]] = {}
        self.pack_cells: tuple[str, str, str] = ("", "", "")
        self.read = self.scored = self.flagged = self.not_services = 0
        self.without_start = self.ranges = 0

    def cell(self, cells: list[Cell], name: str) -> str:
        index = self.at.get(name)
        if index is None or index >= len(cells) or cells[index] is None:
            return ""
        return str(cells[index]).strip()

    def add(self, number: int, cells: list[Cell]) -> None:
        self.read += 1
        problem = self.cell(cells, PROBLEM_COLUMN)
        if problem.startswith(NOT_A_SERVICE_WHY):
            self.not_services += 1
            return
        route = self.cell(cells, "recommended_route")
        confidence = self.cell(cells, "confidence")
        if problem or not confidence:
            self.flagged += 1
            return
        self.scored += 1
        if not self.pack_cells[0]:
            self.pack_cells = (
                self.cell(cells, "rule_pack"),
                self.cell(cells, "rule_pack_version"),
                self.cell(cells, "rule_pack_sha256"),
            )
        group = route if route in self.routes and confidence != "insufficient" else None
        figure = self.routes[group or NO_RECOMMENDATION]
        figure.rows += 1
        value = self._value(cells)
        if value is None:
            figure.rows_without_value += 1
        else:
            figure.value += value
        self.confidence[confidence] += 1
        for question in _split(self.cell(cells, "settle_first")):
            self.settle[question] += 1
        regime_text = self.cell(cells, "regime")
        key = regime_and_band(regime_text)
        entry = self.regime_bands.setdefault(key, [0, 0.0])
        entry[0] += 1
        entry[1] += value or 0.0
        note_ids = list(_split(self.cell(cells, "note_ids")))
        for note in note_ids:
            self.notes.setdefault(note, [0.0, 0])
            self.notes[note][0] += value or 0.0
            self.notes[note][1] += 1
        facts = _RowFacts(
            number=number,
            route=figure.label,
            runner_up=self.cell(cells, "runner_up"),
            confidence=confidence,
            margin=_margin(self.cell(cells, "margin")),
            value=value,
        )
        built: list[ListedRow] = []

        def row() -> ListedRow:
            if not built:
                built.append(self._listed(number, cells, facts, regime_text))
            return built[0]

        self._rank(facts, row, cells, note_ids)
        started = self._start(cells)
        if started is None:
            self.without_start += 1
        else:
            quarter = self.quarters.setdefault(financial_quarter(started), Counter())
            quarter[figure.label] += 1

    def _listed(self, number: int, cells: list[Cell], facts: _RowFacts, regime: str) -> ListedRow:
        reasons = tuple(
            text for i in range(1, TOP_REASONS + 1) if (text := self.cell(cells, f"reason_{i}"))
        )
        return ListedRow(
            number=number,
            reference=_text(cells, self.reference_at),
            title=_text(cells, self.title_at),
            route=facts.route,
            runner_up=facts.runner_up,
            confidence=facts.confidence,
            margin=facts.margin,
            value=facts.value,
            reasons=reasons,
            regime=regime,
        )

    def _rank(
        self,
        facts: _RowFacts,
        row: Callable[[], ListedRow],
        cells: list[Cell],
        note_ids: list[str],
    ) -> None:
        """Keep the best-suited rows per collaborative route, the largest close calls and
        the largest rows that leave small suppliers out: never more than LISTED each. A
        row's listing is built only when it enters a table (most rows never do)."""
        value = facts.value or 0.0
        if facts.route in self.candidates:
            self.candidate_counts[facts.route] += 1
            key = (CONFIDENCE_RANK.get(facts.confidence, 0), facts.margin or 0, value)
            _keep(self.candidates[facts.route], key, facts.number, row)
        close = (
            self.close_margin is not None
            and facts.margin is not None
            and facts.margin < self.close_margin
        )
        if close and facts.runner_up:
            self.close_rows += 1
            self.close_value += value
            _keep(self.close, (value,), facts.number, row)
        self._reach(facts, row, cells, note_ids)

    def _reach(
        self,
        facts: _RowFacts,
        row: Callable[[], ListedRow],
        cells: list[Cell],
        note_ids: list[str],
    ) -> None:
        settings = self.reach_settings
        if settings is None or not self.reach.asked:
            return
        lots = _answer(self.lots_read, cells, self.lots_at)
        reserved = _answer(self.reservation_read, cells, self.reservation_at)
        value = facts.value or 0.0
        no_lots = lots == "no"
        possible = any(note in settings.reservation_notes for note in note_ids)
        not_reserved = reserved == settings.not_reserved and possible
        if lots is None:
            self.reach.lots_not_known += 1
        if no_lots:
            self.reach.no_lots_rows += 1
            self.reach.no_lots_value += value
        if not_reserved:
            self.reach.not_reserved_rows += 1
            self.reach.not_reserved_value += value
        if no_lots or not_reserved:
            self.reach.either_rows += 1
            self.reach.either_value += value
            _keep(self.reach_heap, (value,), facts.number, row)

    def _value(self, cells: list[Cell]) -> float | None:
        if self.value_at is None or self.value_at >= len(cells):
            return None
        try:
            money = parse_money(cells[self.value_at])
        except ValueProblem:
            return None
        if money is None or money.annual:
            return None
        if money.is_range:
            self.ranges += 1
        return money.high

    def _start(self, cells: list[Cell]) -> date | None:
        if self.start_at is None or self.start_at >= len(cells):
            return None
        written = cells[self.start_at]
        if isinstance(written, date):
            return written
        try:
            return parse_uk_date(written)
        except ValueProblem:
            return None

    def result(self, path: Path) -> PipelineFigures:
        name, version, sha = self.pack_cells
        return PipelineFigures(
            source=path.name,
            source_sha256=_sha256(path),
            rule_pack=name,
            rule_pack_version=version,
            rule_pack_sha256=sha,
            rows_read=self.read,
            rows_scored=self.scored,
            rows_flagged=self.flagged,
            rows_not_services=self.not_services,
            routes=list(self.routes.values()),
            confidence=dict(self.confidence),
            settle_first=_most_first(self.settle.items()),
            quarters=dict(sorted(self.quarters.items())),
            rows_without_start=self.without_start,
            notes_by_value=sorted(
                ((note, total, int(rows)) for note, (total, rows) in self.notes.items()),
                key=lambda item: (-item[1], -item[2], item[0]),
            ),
            ranges=self.ranges,
            regime_bands=self.regime_bands,
            candidates={label: _best(heap) for label, heap in self.candidates.items()},
            candidate_counts={label: self.candidate_counts[label] for label in self.candidates},
            close_calls=_best(self.close),
            close_call_rows=self.close_rows,
            close_call_value=self.close_value,
            close_call_margin=self.close_margin,
            reach=replace(self.reach, rows=_best(self.reach_heap)),
            collaborative_routes=self.collaborative,
        )


def regime_and_band(regime: str) -> tuple[str, str]:
    """The regime column in two parts: the law (with "light touch" kept, as it changes the
    rules) and the threshold band. "Procurement Act 2023 (light touch, threshold not
    known)" is ("Procurement Act 2023 (light touch)", "Threshold not known")."""
    if not regime:
        return ("Not known", BAND_NOT_KNOWN)
    base, _, inside = regime.partition(" (")
    parts = [part.strip() for part in inside.rstrip(")").split(",") if part.strip()]
    law = base + (" (light touch)" if "light touch" in parts else "")
    if not base.startswith("Procurement Act"):
        return (regime, BAND_OTHER)
    if any(part.startswith("below threshold") for part in parts):
        return (law, BAND_BELOW)
    if "threshold not known" in parts:
        return (law, BAND_NOT_KNOWN)
    return (law, BAND_AT_OR_ABOVE)


@dataclass(frozen=True)
class _RowFacts:
    """What ranking a row needs, read from its cells (its listing is built only if kept)."""

    number: int
    route: str
    runner_up: str
    confidence: str
    margin: int | None
    value: float | None


def _margin(text: str) -> int | None:
    try:
        return int(float(text)) if text else None
    except ValueError:
        return None


Ranked = TypeVar("Ranked", bound=tuple[Any, ...])


def _most_first(items: Iterable[Ranked]) -> list[Ranked]:
    """(name, count, ...) tuples, the largest count first, then by name."""
    return sorted(items, key=lambda item: (-item[1], item[0]))


def _keep(
    heap: list[tuple[tuple[float, ...], int, ListedRow]],
    key: tuple[float, ...],
    number: int,
    row: Callable[[], ListedRow],
) -> None:
    """Keep the LISTED largest keys; among equals, the rows that came first."""
    order = (key, -number)
    if len(heap) < LISTED:
        heapq.heappush(heap, (key, -number, row()))
    elif order > heap[0][:2]:
        heapq.heapreplace(heap, (key, -number, row()))


def _best(heap: list[tuple[tuple[float, ...], int, ListedRow]]) -> list[ListedRow]:
    return [row for _key, _order, row in sorted(heap, key=lambda item: item[:2], reverse=True)]


def _answer(read: CellReader | None, cells: list[Cell], at: int | None) -> object:
    """A cell read as the pack's question reads it; None when blank, unreadable or "don't know"."""
    if read is None or at is None or at >= len(cells) or cells[at] is None:
        return None
    try:
        answer = read(cells[at])
    except (ValueError, ValueProblem):
        return None
    return None if answer in ("dont_know", "") else answer


def _text(cells: list[Cell], at: int | None) -> str:
    if at is None or at >= len(cells) or cells[at] is None:
        return ""
    return str(cells[at]).strip()


def _first(header: list[str], wanted: tuple[str, ...]) -> int | None:
    lowered = [name.strip().lower() for name in header]
    return next((lowered.index(name) for name in wanted if name in lowered), None)


def _split(text: str) -> Iterable[str]:
    return (part.strip() for part in text.split(";") if part.strip())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
