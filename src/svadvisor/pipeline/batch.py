"""The batch loop: every row of a table comes back in the scored sheet, in its place,
with its own cells. A row that cannot be scored is flagged in the `problem` column (and
listed in the rejects file by its row, reference and title, column, value and reason); a
row that is not a service (a blank separator, a sub-heading, a total) is kept, marked,
and not scored. No row is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from svadvisor.answers.values import ValueProblem, money, parse_money
from svadvisor.cases.matching import CaseLibrary
from svadvisor.pipeline.mapping import CellProblem, ColumnPlan, ReadRow, RowReader
from svadvisor.pipeline.readers import CELL_LIMIT, Cell, Row, Table, is_blank
from svadvisor.pipeline.scoring import CACHE_LIMIT, BatchScorer, Outcome
from svadvisor.pipeline.writers import Layout, RowWriter
from svadvisor.rulepack.schema import Route, RulePack

REJECT_COLUMNS = ["row", "reference", "title", "column", "value", "problem"]
PROBLEM_COLUMN = "problem"
VALUE_NOTE_COLUMN = "value_note"
REFERENCE_HEADERS = (
    "reference",
    "ref",
    "ref no",
    "reference number",
    "ocid",
    "id",
    "project reference",
)
TITLE_HEADERS = ("title", "name", "service", "project", "contract", "description", "project title")
"""Carried columns a row is named by in the rejects file (and its memo): the first match."""
ADDED_WIDTHS = {
    PROBLEM_COLUMN: 30.0,
    "recommended_route": 26.0,
    "runner_up": 26.0,
    "margin": 8.0,
    "confidence": 12.0,
    "confidence_why": 50.0,
    "settle_first": 40.0,
    "regime": 30.0,
    "notes": 50.0,
    "warnings": 40.0,
    VALUE_NOTE_COLUMN: 40.0,
}
"""Widths for svadvisor's columns in a workbook: wide enough to read the text columns."""
_TOTAL = re.compile(r"^\s*(grand\s+|sub[\s-]*)?totals?\b", re.IGNORECASE)
SOURCE_COLUMNS = ["answers_from_sheet", "unknown_questions"]
PACK_COLUMNS = ["rule_pack", "rule_pack_version", "rule_pack_sha256"]
PROGRESS_EVERY = 2048
"""Rows between progress reports."""
NO_RECOMMENDATION = "none"
"""The summary's key for rows with no recommendation yet (a tie or insufficient evidence)."""
CONFIDENCE_LEVELS = ("strong", "moderate", "weak", "insufficient")
NOT_A_SERVICE_WHY = (
    "not scored: a blank row",
    "not scored: a total row",
    "not scored: a sub-heading",
)
"""How the `problem` column begins for a row kept but not a service (read by reports)."""


@dataclass(slots=True)
class Scored:
    row: Row
    outcome: Outcome
    added: tuple[Cell, ...]
    """The cells the batch adds to the row, in `Batch.header` order."""


@dataclass(slots=True)
class Rejected:
    row: Row
    problems: list[CellProblem]


@dataclass(slots=True)
class NotAService:
    """A row kept in the sheet but not scored: a blank separator, a sub-heading, a total."""

    row: Row
    why: str


@dataclass
class Summary:
    """What a run did; `--json` prints `as_json()` (field names are a contract)."""

    input: str
    output: str
    rejects: str
    rule_pack: dict[str, str]
    columns: dict[str, str]
    carried: list[str]
    rows_read: int = 0
    rows_scored: int = 0
    rows_rejected: int = 0
    blank_rows: int = 0
    rows_not_services: int = 0
    """Sub-headings and totals kept in the sheet, not scored (blank rows are counted apart)."""
    wins: dict[str, int] = field(default_factory=dict)
    """Rows each route ranks first in (recommended or not)."""
    recommended: dict[str, int] = field(default_factory=dict)
    """Rows each route is recommended for; `none` counts rows with no recommendation yet."""
    confidence: dict[str, int] = field(default_factory=dict)
    """Rows at each confidence level."""
    remarks: list[str] = field(default_factory=list)
    unknown: dict[str, int] = field(default_factory=dict)
    """How many scored rows left each question unknown, most first."""

    def sections(self, routes: list[Route]) -> list[list[tuple[str, int]]]:
        """The summary's counts as (label, rows), in sections: rows, routes, confidence.
        What the command prints and the web app shows, so both say the same."""
        rows = [
            ("read", self.rows_read),
            ("scored", self.rows_scored),
            ("not scored (kept, flagged in 'problem')", self.rows_rejected),
        ]
        if self.rows_not_services:
            rows.append(("not a service (sub-heading, total), kept", self.rows_not_services))
        if self.blank_rows:
            rows.append(("blank, kept", self.blank_rows))
        recommended = [
            (f"recommended: {route.label}", self.recommended.get(route.id, 0)) for route in routes
        ]
        recommended.append(
            (
                "no recommendation yet (tie or insufficient evidence)",
                self.recommended.get(NO_RECOMMENDATION, 0),
            )
        )
        levels = [(f"confidence {level}", rows) for level, rows in self.confidence.items()]
        return [rows, recommended, levels]

    def as_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "rejects": self.rejects,
            "rows_read": self.rows_read,
            "rows_scored": self.rows_scored,
            "rows_rejected": self.rows_rejected,
            "blank_rows": self.blank_rows,
            "rows_not_services": self.rows_not_services,
            "wins": self.wins,
            "recommended": self.recommended,
            "confidence": self.confidence,
            "columns": self.columns,
            "carried": self.carried,
            "remarks": self.remarks,
            "unknown_questions": self.unknown,
            "rule_pack": self.rule_pack,
        }


class Batch:
    """One sheet scored against one pack: the output layout and the per-row work.

    Rows that read the same (same answer cells, numbers in the same bands) share their
    added cells, remembered beside the reader's table of answer cells (bounded), so a
    repeated profile costs two look-ups.
    """

    def __init__(
        self,
        table: Table,
        plan: ColumnPlan,
        pack: RulePack,
        *,
        on: date,
        cases: CaseLibrary | None = None,
    ) -> None:
        self.table = table
        self.plan = plan
        self.scorer = BatchScorer(pack, on=on, cases=cases)
        self.reader = RowReader(plan, pack, self.scorer.profile_part)
        added = [
            PROBLEM_COLUMN,
            *self.scorer.result_columns(),
            VALUE_NOTE_COLUMN,
            *SOURCE_COLUMNS,
            *PACK_COLUMNS,
        ]
        replaced = set(added)
        self._blank_tail: tuple[Cell, ...] = (None,) * (len(added) - len(PACK_COLUMNS))
        self._kept = [i for i, name in enumerate(table.header) if name not in replaced]
        self._width = len(table.header)
        self.header = [table.header[i] for i in self._kept] + added
        self.keeps_all = len(self._kept) == self._width
        self._pack_cells = (pack.meta.name, pack.meta.version, pack.sha256)
        self._answer_columns = {use.index for use in plan.used}
        self._value_index = next((use.index for use in plan.used if use.target == "value"), None)
        self._running_total = 0.0
        header = [h.strip().casefold() for h in table.header]
        self._reference = _first_header(header, REFERENCE_HEADERS, plan.carried)
        self._title = _first_header(header, TITLE_HEADERS, plan.carried)
        if len(self._kept) < self._width:
            plan.remarks.append(
                "columns from an earlier svadvisor run were replaced: "
                + ", ".join(n for n in table.header if n in replaced)
            )

    def rows(self) -> Iterator[Scored | Rejected | NotAService]:
        """Each row scored, rejected, or kept as not a service."""
        width = self._width
        profile = self.reader.profile
        for row in self.table.rows:
            if row.problem is not None:
                yield Rejected(row, [CellProblem(*row.problem)])
                continue
            cells = row.cells
            if len(cells) != width:
                if len(cells) > width:
                    extra = cells[width:]
                    if any(c not in (None, "") for c in extra):
                        yield Rejected(row, [_too_wide(len(cells), width, extra)])
                        continue
                    del cells[width:]
                else:
                    cells.extend([None] * (width - len(cells)))
            if not any(cells) and is_blank(cells):
                yield NotAService(row, "not scored: a blank row")
                continue
            skipped = self._not_a_service(cells)
            if skipped is not None:
                yield NotAService(row, skipped)
                continue
            memo, key, problems = profile(cells)
            if problems:
                yield Rejected(row, problems)
                continue
            found = memo.get(key)
            if found is None:
                found = self._score(cells)
                if len(memo) >= CACHE_LIMIT:
                    memo.clear()
                memo[key] = found
            if self._value_index is not None:
                self._running_total += _amount(cells[self._value_index])
            yield Scored(row, *found)

    def _not_a_service(self, cells: list[Cell]) -> str | None:
        """Why a row is not a service (a total, a sub-heading), or None when it may be one.

        Most rows fill many cells: the scan stops at the second filled cell."""
        first: tuple[int, Cell] | None = None
        for index, cell in enumerate(cells):
            if cell is None or cell == "" or (cell.__class__ is str and not cell.strip()):
                continue
            if first is not None:
                text = first[1]
                if text.__class__ is str and _TOTAL.match(text):
                    self._running_total = 0.0
                    return "not scored: a total row"
                return None
            first = (index, cell)
        if first is None:
            return None
        index, cell = first
        if cell.__class__ is str:
            if _TOTAL.match(cell):
                self._running_total = 0.0
                return "not scored: a total row"
            if index not in self._answer_columns and not any(ch.isdigit() for ch in cell):
                # "Adult social care", not "REF-1"
                self._running_total = 0.0
                return "not scored: a sub-heading"
        elif (
            isinstance(cell, int | float)
            and not isinstance(cell, bool)
            and self._running_total
            and abs(float(cell) - self._running_total) < 0.5
        ):
            self._running_total = 0.0
            return "not scored: a total row (its only figure is the sum of the rows above)"
        return None

    def _score(self, cells: list[Cell]) -> tuple[Outcome, tuple[Cell, ...]]:
        read = self.reader.read(cells)
        outcome = self.scorer.outcome(read.answers)
        notes = list(read.notes)
        for qid, (low, _) in read.ranges.items():
            at_low = self.scorer.outcome({**read.answers, qid: low})
            if (at_low.recommended, at_low.winner, at_low.notes) != (
                outcome.recommended,
                outcome.winner,
                outcome.notes,
            ):
                route = self.scorer.labels.get(at_low.recommended or "", "none yet")
                notes.append(
                    f"the advice changes across the range: at its bottom, {money(low)}, the "
                    f"recommended route is {route} and the notes that apply differ; settle "
                    "the value before relying on it"
                )
            else:
                notes.append("the advice is the same across the range")
        added = (
            None,
            *outcome.cells,
            "; ".join(notes) or None,
            "; ".join([*read.sources, *outcome.derived]),
            "; ".join(outcome.unknown),
            *self._pack_cells,
        )
        return outcome, added

    def not_scored_tail(self, why: str) -> tuple[Cell, ...]:
        """The added cells of a row that is not scored: the reason, and the pack used."""
        return (why, *self._blank_tail[1:], *self._pack_cells)

    def label(self, row: Row) -> tuple[Cell, Cell]:
        """The row's reference and title, for the rejects file."""
        cells = row.cells
        return (
            cells[self._reference]
            if self._reference is not None and self._reference < len(cells)
            else None,
            cells[self._title] if self._title is not None and self._title < len(cells) else None,
        )

    def answers(self, row: Row) -> ReadRow:
        """A scored row's answers, read again (for features that need more than the cells)."""
        return self.reader.read(row.cells)

    def layout(self) -> Layout:
        """How a workbook of the scored sheet should look: the input sheet's name, formats
        and widths for the officer's own columns, and widths for svadvisor's."""
        position = {source: out for out, source in enumerate(self._kept)}
        return Layout(
            sheet=self.table.sheet or "scored",
            own_columns=len(self._kept),
            formats={position[i]: f for i, f in self.table.formats.items() if i in position},
            widths={position[i]: w for i, w in self.table.widths.items() if i in position},
            added_widths=ADDED_WIDTHS,
        )

    @property
    def kept_indices(self) -> list[int]:
        """The input columns the output keeps (all but earlier svadvisor columns)."""
        return self._kept

    def kept_cells(self, item: Scored | Rejected | NotAService) -> list[Cell]:
        """The input cells the output keeps (all but earlier svadvisor columns)."""
        cells = item.row.cells
        return cells if self.keeps_all else [cells[i] for i in self._kept]


def _amount(cell: Cell) -> float:
    """A value cell's amount for the running total that tells a total row (0 if none)."""
    if cell.__class__ is int or cell.__class__ is float:
        return float(cell)
    if cell.__class__ is str and cell:
        digits = cell[1:] if cell[:1] == "£" else cell
        digits = digits.replace(",", "")
        if digits.isdigit() and digits.isascii():
            return float(digits)
        try:
            money = parse_money(cell)
        except ValueProblem:
            return 0.0
        return money.high if money is not None and not money.annual else 0.0
    return 0.0


def _empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _first_header(header: list[str], wanted: tuple[str, ...], carried: list[int]) -> int | None:
    for name in wanted:
        for index in carried:
            if header[index] == name:
                return index
    return None


def _too_wide(count: int, width: int, extra: list[Cell]) -> CellProblem:
    shown = next(c for c in extra if c not in (None, ""))
    return CellProblem(
        "",
        shown,
        f"the row has {count} cells but the header has {width} columns; "
        "a delimiter inside a cell may need quotes",
    )


def run(
    batch: Batch,
    output: RowWriter,
    rejects: RowWriter,
    summary: Summary,
    on_progress: Callable[[], None] | None = None,
    *,
    on_scored: Callable[[Scored], None] | None = None,
) -> Summary:
    """Score every row into `output` and `rejects`, counting as it goes."""
    wins = dict.fromkeys(batch.scorer.labels, 0)
    recommended = {**dict.fromkeys(batch.scorer.labels, 0), NO_RECOMMENDATION: 0}
    levels = dict.fromkeys(CONFIDENCE_LEVELS, 0)
    write, reject = output.write, rejects.write
    kept = batch.kept_cells
    width = len(batch.table.header)
    keeps_all = batch.keeps_all
    every = PROGRESS_EVERY if on_progress is not None else 0
    unknown_sets: dict[tuple[str, ...], int] = {}
    """Rows per set of unknown questions (few distinct sets), for the unknown-question counts."""
    for count, item in enumerate(batch.rows(), start=1):
        if item.__class__ is Scored:
            write(item.row.cells if keeps_all else kept(item), item.added)
            outcome = item.outcome
            wins[outcome.winner] += 1
            recommended[outcome.recommended or NO_RECOMMENDATION] += 1
            levels[outcome.confidence] = levels.get(outcome.confidence, 0) + 1
            unknown_sets[outcome.unknown] = unknown_sets.get(outcome.unknown, 0) + 1
            if on_scored is not None:
                on_scored(item)
        elif item.__class__ is NotAService:
            write(
                _width(item.row.cells, width) if keeps_all else kept(item),
                batch.not_scored_tail(item.why),
            )
            if item.why == "not scored: a blank row":
                summary.blank_rows += 1
            else:
                summary.rows_not_services += 1
        else:
            reference, title = batch.label(item.row)
            messages = []
            # a Rejected: mypy does not narrow on `__class__ is` (kept for speed) in else
            for problem in item.problems:  # type: ignore[union-attr]
                reject(
                    [
                        item.row.number,
                        reference,
                        title,
                        problem.column,
                        problem.value,
                        problem.message,
                    ]
                )
                where = f"column {problem.column!r}: " if problem.column else ""
                messages.append(where + problem.message)
            cells = [_fits(c) for c in _width(item.row.cells, width)]
            write(
                cells if keeps_all else [cells[i] for i in batch.kept_indices],
                batch.not_scored_tail("not scored: " + "; ".join(messages)),
            )
            summary.rows_rejected += 1
        if every and count % every == 0:
            on_progress()  # type: ignore[misc]  # `every` is 0 when on_progress is None
    summary.rows_scored = sum(wins.values())
    summary.rows_read = summary.rows_scored + summary.rows_rejected
    summary.wins = wins
    summary.recommended = recommended
    summary.confidence = levels
    unknown: dict[str, int] = {}
    for questions, rows in unknown_sets.items():
        for question in questions:
            unknown[question] = unknown.get(question, 0) + rows
    summary.unknown = dict(sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0])))
    return summary


CUT_TO = 1000
"""An over-long cell (the reason its row is not scored) is cut to this many characters in
the scored sheet, which could not hold it whole; the rejects file says what it was."""


def _fits(cell: Cell) -> Cell:
    if isinstance(cell, str) and len(cell) > CELL_LIMIT:
        return cell[:CUT_TO] + f"... [cut: the cell held {len(cell):,} characters]"
    return cell


def _width(cells: list[Cell], width: int) -> list[Cell]:
    """A row's cells, as wide as the header: short rows padded, a too-wide row's extra
    cells dropped from the scored sheet (the rejects file names what they held)."""
    if len(cells) < width:
        return [*cells, *([None] * (width - len(cells)))]
    return cells[:width]


def default_paths(source: Path) -> tuple[Path, Path]:
    """`<input>.scored.<ext>` and `<input>.rejects.csv`, beside the input."""
    suffix = source.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        suffix = ".xlsx"
    elif source.is_dir() or suffix not in (".csv", ".tsv", ".txt"):
        suffix = ".csv"  # notices (.json, .jsonl or a folder) give a CSV
    return (
        source.with_name(f"{source.stem}.scored{suffix}"),
        source.with_name(f"{source.stem}.rejects.csv"),
    )
