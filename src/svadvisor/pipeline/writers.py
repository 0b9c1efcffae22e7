"""Writers: rows -> a CSV or XLSX file, streamed, atomic, and safe to open in a spreadsheet.

Every writer goes through `svadvisor.atomic`: rows stream into a temporary file beside
the target, which replaces the target only when the run completes, so an interrupted run
leaves the old file (or none), never half a sheet.

Spreadsheet safety (OWASP "CSV injection"): a text cell that begins with `=`, `+`, `-`,
`@`, a tab, a carriage return or a line feed could run as a formula when the file is
opened, so it is written with a leading apostrophe (`'=1+2`). Text that is just a number
(`-5`, `+3.5`) cannot run and is left alone, and numbers stay numbers.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol, cast

from svadvisor.atomic import atomic_writer
from svadvisor.errors import InputFileError
from svadvisor.pipeline.readers import Cell

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = frozenset("=+-@\t\r\n")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise(value: Cell) -> Cell:
    """A cell made safe to open in a spreadsheet (see the module docstring)."""
    if value.__class__ is str and value[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


@dataclass
class Layout:
    """How a workbook written back should look like the officer's own: the input sheet's
    name, its number formats and column widths (by output column), and how many of the
    columns are the officer's own (svadvisor's come after, under a distinct header)."""

    sheet: str = "scored"
    own_columns: int = 0
    formats: dict[int, str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    added_widths: dict[str, float] = field(default_factory=dict)
    """Widths for svadvisor's own columns, by header."""


OWN_HEADER_FILL = "D9D9D9"
"""The officer's own header cells: light grey, bold."""
ADDED_HEADER_FILL = "DDEBF7"
"""svadvisor's added header cells: light blue, bold, so the new columns stand apart."""
DATE_FORMAT = "dd/mm/yyyy"
"""A date cell with no format of its own, written the UK way."""


class RowWriter(Protocol):
    def write(self, cells: Sequence[Cell], tail: tuple[Cell, ...] = ()) -> None:
        """Write one row: `cells`, then `tail`.

        `tail` is for cells many rows share (a batch's added columns): pass the same tuple
        object each time and a writer may encode it once.
        """
        ...


WriterOpener = Callable[..., contextlib.AbstractContextManager[RowWriter]]


def open_writer(
    path: Path,
    header: Sequence[str],
    *,
    force: bool,
    delimiter: str = ",",
    layout: Layout | None = None,
) -> contextlib.AbstractContextManager[RowWriter]:
    """A writer chosen by the file's suffix; the header is written first. A workbook takes
    the `layout` (sheet name, formats, widths); CSV has none to keep."""
    opener = WRITERS.get(path.suffix.lower())
    if opener is None:
        raise InputFileError(f"{path}: cannot write {path.suffix!r} files; use {writable()}")
    if opener is write_xlsx:
        return write_xlsx(path, header, force=force, layout=layout)
    return opener(path, header, force=force, delimiter=delimiter)


def writable() -> str:
    return ", ".join(sorted(WRITERS))


class _Sink:
    """What `csv.writer` writes into: its lines, collected to be written in chunks."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.write = self.lines.append


class _CsvRows:
    """Rows as UTF-8 CSV; a shared tail is encoded once and appended as bytes.

    Lines end in CRLF, and `csv` quotes any cell holding a line break, quote or delimiter.
    A row of plain text cells (none risky, none needing quotes: most rows) is joined
    directly, which gives the same line `csv` would write, faster.
    """

    def __init__(self, handle: IO[bytes], delimiter: str) -> None:
        self._handle = handle
        self._delimiter = delimiter
        self._sink = _Sink()
        self._text = self._sink.lines
        self._row = csv.writer(self._sink, delimiter=delimiter, lineterminator="\r\n").writerow
        self._lines: list[bytes] = []
        self._tails: dict[int, tuple[tuple[Cell, ...], bytes]] = {}

    def write(self, cells: Sequence[Cell], tail: tuple[Cell, ...] = ()) -> None:
        if tail:
            known = self._tails.get(id(tail))
            if known is None or known[0] is not tail:
                known = (tail, self._encoded(tail))
                if len(self._tails) >= _TAILS_KEPT:
                    self._tails.clear()
                self._tails[id(tail)] = known
            line = self._line(cells).encode() + known[1] if cells else known[1][1:]
        else:
            line = self._line(cells).encode() + b"\r\n"
        self._lines.append(line)
        if len(self._lines) >= _LINES_PER_WRITE:
            self.flush()

    def _line(self, cells: Sequence[Cell]) -> str:
        """One row as CSV text, without its line end."""
        try:
            # not all cells need be text: join raises TypeError then, handled below
            joined = "\x00" + "\x00".join(cells)  # type: ignore[arg-type]
        except TypeError:  # not all text: a workbook's numbers and dates
            joined = ""
        delimiter = self._delimiter
        if (
            len(cells) > 1
            and joined
            # nothing to quote (substring tests: several times faster than one regex)
            and not (delimiter in joined or '"' in joined or "\r" in joined or "\n" in joined)
            # and no cell starting with a formula character (each cell follows a NUL)
            and not ("\x00=" in joined or "\x00+" in joined or "\x00-" in joined)
            and not ("\x00@" in joined or "\x00\t" in joined)
            and joined.count("\x00") == len(cells)
        ):
            return joined[1:].replace("\x00", delimiter)
        self._row(_safe_cells(cells))
        return self._text.pop()[:-2]

    def flush(self) -> None:
        self._handle.write(b"".join(self._lines))
        self._lines.clear()

    def _encoded(self, tail: tuple[Cell, ...]) -> bytes:
        """The tail as the end of a line: a leading delimiter, its cells, CRLF."""
        self._row(["", *_safe_cells(tail)])
        return self._text.pop().encode()


_TAILS_KEPT = 4096
_LINES_PER_WRITE = 32
"""Lines joined per write: a few tens of KiB, so the joined buffer stays a small allocation."""


_RISKY = re.compile("\x00[=+\\-@\t\r\n]")
"""A risky first character after the NUL that starts each cell (see `_safe_cells`)."""


def _safe_cells(cells: Sequence[Cell]) -> Sequence[Cell]:
    """Cells ready for CSV: risky text neutralised, dates as text."""
    try:
        # not all cells need be text: join raises TypeError then, handled below
        if not _RISKY.search("\x00" + "\x00".join(cells)):  # type: ignore[arg-type]
            return cells  # all text, none risky: the common case, checked in one pass
    except TypeError:
        pass  # not all text (a workbook's numbers and dates): cell by cell
    starts = FORMULA_STARTS
    return [
        (c if c[:1] not in starts else neutralise(c))
        if c.__class__ is str
        else c
        if c.__class__ is int or c is None
        else _csv_cell(c)
        for c in cells
    ]


def _csv_cell(value: Cell) -> Cell:
    """A non-text cell as CSV text: numbers as they are, dates as YYYY-MM-DD."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


@contextlib.contextmanager
def write_csv(
    path: Path, header: Sequence[str], *, force: bool, delimiter: str = ","
) -> Iterator[RowWriter]:
    """UTF-8 with a byte-order mark, so Excel shows accents and £ signs correctly."""
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    with atomic_writer(path, force=force, mode="wb") as handle:
        handle.write(codecs.BOM_UTF8)
        rows = _CsvRows(handle, delimiter)
        rows.write(header)
        yield rows
        rows.flush()


class _XlsxRows:
    def __init__(self, sheet: WriteOnlyWorksheet, illegal: re.Pattern[str], layout: Layout) -> None:
        from openpyxl.cell import WriteOnlyCell

        self._sheet = sheet
        self._append = sheet.append
        self._illegal = illegal
        self._cell_type = WriteOnlyCell
        self._formats = layout.formats
        self.rows = 0

    def write(self, cells: Sequence[Cell], tail: tuple[Cell, ...] = ()) -> None:
        values: list[object] = [self._cell(c) for c in (*cells, *tail)]
        for index, value in enumerate(values):
            if isinstance(value, date | datetime) or (
                index in self._formats and isinstance(value, int | float)
            ):
                # openpyxl writes a date as it does a datetime; its stubs name only datetime
                cell = self._cell_type(self._sheet, value=value)  # type: ignore[arg-type]
                cell.number_format = self._formats.get(index, DATE_FORMAT)
                values[index] = cell
        self._append(values)
        self.rows += 1

    def write_header(self, header: Sequence[str], own: int) -> None:
        from openpyxl.styles import Font, PatternFill

        bold = Font(bold=True)
        fills = (
            PatternFill("solid", fgColor=OWN_HEADER_FILL),
            PatternFill("solid", fgColor=ADDED_HEADER_FILL),
        )
        cells = []
        for index, name in enumerate(header):
            # a header name stays text through `_cell`
            cell = self._cell_type(self._sheet, value=cast(str, self._cell(name)))
            cell.font = bold
            cell.fill = fills[index >= own]
            cells.append(cell)
        self._append(cells)
        self.rows += 1

    def _cell(self, value: Cell) -> Cell:
        if value.__class__ is str:
            text = cast(str, neutralise(value))  # text stays text, perhaps with an apostrophe
            if self._illegal.search(text):
                text = self._illegal.sub("", text)
            return text
        return value


SHEET_NAME_CHARACTERS = re.compile(r"[\\/?*\[\]:]")


@contextlib.contextmanager
def write_xlsx(
    path: Path,
    header: Sequence[str],
    *,
    force: bool,
    delimiter: str = ",",
    layout: Layout | None = None,
) -> Iterator[RowWriter]:
    """openpyxl's write-only mode: rows go to disk as they come, not into memory.

    The sheet looks like the officer's own: its name, column widths and number formats
    (dates stay dates), a bold header row that is frozen and filterable, and svadvisor's
    columns after the officer's under a header of another colour. Control characters XML
    cannot hold are dropped from text cells.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    layout = layout or Layout(own_columns=len(header))
    workbook = Workbook(write_only=True)
    title = SHEET_NAME_CHARACTERS.sub(" ", layout.sheet).strip()[:31] or "scored"
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header):
        width = layout.widths.get(index) or layout.added_widths.get(name)
        if width is None and index >= layout.own_columns:
            width = 18.0
        if width:
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
    rows = _XlsxRows(sheet, ILLEGAL_CHARACTERS_RE, layout)
    rows.write_header(header, layout.own_columns)
    yield rows
    last = get_column_letter(max(len(header), 1))
    sheet.auto_filter.ref = f"A1:{last}{max(rows.rows, 1)}"
    with atomic_writer(path, force=force, mode="wb") as handle:
        workbook.save(handle)


WRITERS: dict[str, WriterOpener] = {".csv": write_csv, ".tsv": write_csv, ".xlsx": write_xlsx}
"""Writers by lower-case file suffix."""
