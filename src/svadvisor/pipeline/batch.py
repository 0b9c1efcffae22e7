"""The batch loop: every row of a table is either scored into the output or written to the
rejects with its row number, column, value and reason. No row is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from svadvisor.cases import CaseLibrary
from svadvisor.model import RulePack
from svadvisor.pipeline.mapping import CellProblem, ColumnPlan, ReadRow, RowReader
from svadvisor.pipeline.readers import Cell, Row, Table, is_blank
from svadvisor.pipeline.scoring import CACHE_LIMIT, BatchScorer, Outcome
from svadvisor.pipeline.writers import RowWriter

REJECT_COLUMNS = ["row", "column", "value", "problem"]
SOURCE_COLUMNS = ["answers_from_sheet", "unknown_questions"]
PACK_COLUMNS = ["rule_pack", "rule_pack_version", "rule_pack_sha256"]
PROGRESS_EVERY = 2048
NO_RECOMMENDATION = "none"
"""The summary's key for rows with no recommendation yet (a tie or insufficient evidence)."""
CONFIDENCE_LEVELS = ("strong", "moderate", "weak", "insufficient")
"""Rows between progress reports."""


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
    wins: dict[str, int] = field(default_factory=dict)
    """Rows each route ranks first in (recommended or not)."""
    recommended: dict[str, int] = field(default_factory=dict)
    """Rows each route is recommended for; `none` counts rows with no recommendation yet."""
    confidence: dict[str, int] = field(default_factory=dict)
    """Rows at each confidence level."""
    remarks: list[str] = field(default_factory=list)
    unknown: dict[str, int] = field(default_factory=dict)
    """How many scored rows left each question unknown, most first."""

    def as_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "rejects": self.rejects,
            "rows_read": self.rows_read,
            "rows_scored": self.rows_scored,
            "rows_rejected": self.rows_rejected,
            "blank_rows": self.blank_rows,
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
        added = [*self.scorer.result_columns(), *SOURCE_COLUMNS, *PACK_COLUMNS]
        replaced = set(added)
        self._kept = [i for i, name in enumerate(table.header) if name not in replaced]
        self._width = len(table.header)
        self.header = [table.header[i] for i in self._kept] + added
        self.keeps_all = len(self._kept) == self._width
        self._pack_cells = (pack.meta.name, pack.meta.version, pack.sha256)
        if len(self._kept) < self._width:
            plan.remarks.append(
                "columns from an earlier svadvisor run were replaced: "
                + ", ".join(n for n in table.header if n in replaced)
            )

    def rows(self) -> Iterator[Scored | Rejected | None]:
        """Each row scored or rejected; None for a blank row."""
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
                yield None
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
            yield Scored(row, *found)

    def _score(self, cells: list[Cell]) -> tuple[Outcome, tuple[Cell, ...]]:
        read = self.reader.read(cells)
        outcome = self.scorer.outcome(read.answers)
        added = (
            *outcome.cells,
            "; ".join([*read.sources, *outcome.derived]),
            "; ".join(outcome.unknown),
            *self._pack_cells,
        )
        return outcome, added

    def answers(self, row: Row) -> ReadRow:
        """A scored row's answers, read again (for features that need more than the cells)."""
        return self.reader.read(row.cells)

    def kept_cells(self, item: Scored) -> list[Cell]:
        """The input cells the output keeps (all but earlier svadvisor columns)."""
        cells = item.row.cells
        return cells if self.keeps_all else [cells[i] for i in self._kept]


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
    keeps_all = batch.keeps_all
    every = PROGRESS_EVERY if on_progress is not None else 0
    unknown_sets: dict[tuple[str, ...], int] = {}
    """Rows per set of unknown questions (few distinct sets), for the unknown-question counts."""
    for count, item in enumerate(batch.rows(), start=1):
        if item.__class__ is Scored:
            write(item.row.cells if keeps_all else kept(item), item.added)  # type: ignore[union-attr]
            outcome = item.outcome  # type: ignore[union-attr]
            wins[outcome.winner] += 1
            recommended[outcome.recommended or NO_RECOMMENDATION] += 1
            levels[outcome.confidence] = levels.get(outcome.confidence, 0) + 1
            unknown_sets[outcome.unknown] = unknown_sets.get(outcome.unknown, 0) + 1
            if on_scored is not None:
                on_scored(item)  # type: ignore[arg-type]
        elif item is None:
            summary.blank_rows += 1
        else:
            for problem in item.problems:  # type: ignore[union-attr]
                reject([item.row.number, problem.column, problem.value, problem.message])  # type: ignore[union-attr]
            summary.rows_rejected += 1
        if every and count % every == 0:
            on_progress()  # type: ignore[misc]
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
