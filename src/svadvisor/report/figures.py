"""The figures of a pipeline report, read from a sheet that `svadvisor batch` wrote.

Every figure counts rows of that sheet or sums the estimated values written in it, so
each can be checked against the sheet by hand. A row batch could not score (its
`problem` column filled) or marked as not a service is counted apart, never guessed at.
Values are read with the same parser as batch: a range counts at its top (as batch
scores it), and a yearly figure or an unreadable one counts as "value not known".
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from svadvisor.answers.values import ValueProblem, parse_money, parse_uk_date
from svadvisor.errors import InputFileError
from svadvisor.pipeline.batch import CONFIDENCE_LEVELS, NOT_A_SERVICE_WHY, PROBLEM_COLUMN
from svadvisor.pipeline.mapping import START_DATE, plan_columns
from svadvisor.pipeline.readers import Cell, open_table
from svadvisor.rulepack.schema import RulePack

NO_RECOMMENDATION = "No recommendation yet"
"""The group for rows whose confidence is insufficient (a tie, or no defining evidence)."""

REQUIRED_COLUMNS = ("recommended_route", "confidence", "settle_first", "regime", "note_ids")
"""Columns only `svadvisor batch` writes: a sheet without them is not a scored sheet."""


@dataclass
class RouteFigure:
    """Rows recommended one route (or none yet), and the value they hold."""

    label: str
    rows: int = 0
    value: float = 0.0
    """The sum of the rows' estimated values that could be read."""
    rows_without_value: int = 0


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
    regimes: dict[str, int] = field(default_factory=dict)
    notes_by_value: list[tuple[str, float, int]] = field(default_factory=list)
    """(note id, value of the rows it binds, rows), the most £ first."""
    ranges: int = 0
    """Rows whose value is a range, counted at its top."""

    @property
    def value_known(self) -> float:
        return sum(route.value for route in self.routes)

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
        figures = _Tally(pack, at, value_at, start_at)
        for row in table.rows:
            figures.add(row.cells)
    return figures.result(path)


class _Tally:
    """Counts as the rows stream, so a 100,000-row sheet is never held in memory."""

    def __init__(
        self,
        pack: RulePack,
        at: Mapping[str, int],
        value_at: int | None,
        start_at: int | None,
    ) -> None:
        self.at, self.value_at, self.start_at = at, value_at, start_at
        self.routes = {route.label: RouteFigure(route.label) for route in pack.routes}
        self.routes[NO_RECOMMENDATION] = RouteFigure(NO_RECOMMENDATION)
        self.confidence: Counter[str] = Counter({level: 0 for level in CONFIDENCE_LEVELS})
        self.settle: Counter[str] = Counter()
        self.quarters: dict[str, Counter[str]] = {}
        self.regimes: Counter[str] = Counter()
        self.notes: dict[str, list[float]] = {}
        self.pack_cells: tuple[str, str, str] = ("", "", "")
        self.read = self.scored = self.flagged = self.not_services = 0
        self.without_start = self.ranges = 0

    def cell(self, cells: list[Cell], name: str) -> str:
        index = self.at.get(name)
        if index is None or index >= len(cells) or cells[index] is None:
            return ""
        return str(cells[index]).strip()

    def add(self, cells: list[Cell]) -> None:
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
        self.regimes[self.cell(cells, "regime") or "not known"] += 1
        for note in _split(self.cell(cells, "note_ids")):
            self.notes.setdefault(note, [0.0, 0])
            self.notes[note][0] += value or 0.0
            self.notes[note][1] += 1
        started = self._start(cells)
        if started is None:
            self.without_start += 1
        else:
            quarter = self.quarters.setdefault(financial_quarter(started), Counter())
            quarter[figure.label] += 1

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
            settle_first=sorted(self.settle.items(), key=lambda item: (-item[1], item[0])),
            quarters=dict(sorted(self.quarters.items())),
            rows_without_start=self.without_start,
            regimes=dict(sorted(self.regimes.items(), key=lambda item: (-item[1], item[0]))),
            notes_by_value=sorted(
                ((note, total, int(rows)) for note, (total, rows) in self.notes.items()),
                key=lambda item: (-item[1], -item[2], item[0]),
            ),
            ranges=self.ranges,
        )


def _split(text: str) -> Iterable[str]:
    return (part.strip() for part in text.split(";") if part.strip())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
