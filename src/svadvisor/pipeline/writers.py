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
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO, Protocol

from svadvisor.atomic import atomic_writer
from svadvisor.errors import InputFileError
from svadvisor.pipeline.readers import Cell

FORMULA_STARTS = frozenset("=+-@\t\r\n")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise(value: Cell) -> Cell:
    """A cell made safe to open in a spreadsheet (see the module docstring)."""
    if value.__class__ is str and value[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.match(value):  # type: ignore[index,arg-type]
        return "'" + value  # type: ignore[operator]
    return value


class RowWriter(Protocol):
    def write(self, cells: Sequence[Cell], tail: tuple[Cell, ...] = ()) -> None:
        """Write one row: `cells`, then `tail`.

        `tail` is for cells many rows share (a batch's added columns): pass the same tuple
        object each time and a writer may encode it once.
        """
        ...


WriterOpener = Callable[..., contextlib.AbstractContextManager[RowWriter]]


def open_writer(
    path: Path, header: Sequence[str], *, force: bool, delimiter: str = ","
) -> contextlib.AbstractContextManager[RowWriter]:
    """A writer chosen by the file's suffix; the header is written first."""
    opener = WRITERS.get(path.suffix.lower())
    if opener is None:
        raise InputFileError(f"{path}: cannot write {path.suffix!r} files; use {writable()}")
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

    def __init__(self, handle: BinaryIO, delimiter: str) -> None:
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
        if not _RISKY.search("\x00" + "\x00".join(cells)):  # type: ignore[arg-type]
            return cells  # all text, none risky: the common case, checked in one pass
    except TypeError:
        pass  # not all text (a workbook's numbers and dates): cell by cell
    starts = FORMULA_STARTS
    return [
        (c if c[:1] not in starts else neutralise(c))  # type: ignore[index]
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
    def __init__(self, sheet: object, illegal: re.Pattern[str]) -> None:
        self._append = sheet.append  # type: ignore[attr-defined]
        self._illegal = illegal

    def write(self, cells: Sequence[Cell], tail: tuple[Cell, ...] = ()) -> None:
        self._append([self._cell(c) for c in (*cells, *tail)])

    def _cell(self, value: Cell) -> Cell:
        if value.__class__ is str:
            value = neutralise(value)
            if self._illegal.search(value):  # type: ignore[arg-type]
                value = self._illegal.sub("", value)  # type: ignore[arg-type]
        return value


@contextlib.contextmanager
def write_xlsx(
    path: Path, header: Sequence[str], *, force: bool, delimiter: str = ","
) -> Iterator[RowWriter]:
    """openpyxl's write-only mode: rows go to disk as they come, not into memory.

    Control characters XML cannot hold are dropped from text cells.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("scored")
    rows = _XlsxRows(sheet, ILLEGAL_CHARACTERS_RE)
    rows.write(header)
    yield rows
    with atomic_writer(path, force=force, mode="wb") as handle:
        workbook.save(handle)


WRITERS: dict[str, WriterOpener] = {".csv": write_csv, ".tsv": write_csv, ".xlsx": write_xlsx}
"""Writers by lower-case file suffix."""
