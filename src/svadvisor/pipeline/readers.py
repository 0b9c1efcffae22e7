"""Readers: a spreadsheet file -> a `Table`, its header and a lazy stream of numbered rows.

Each reader is a context manager registered in `READERS` by file suffix, so a new format
(an OCDS release package, say) plugs in without touching the rest of the pipeline.
Row numbers are those a spreadsheet shows: the header is row 1 when it is the first row.

CSV text is decoded in a documented order: a byte-order mark wins (UTF-8 or UTF-16);
otherwise UTF-8 if the whole file is valid UTF-8, else Windows-1252 (what Excel writes
for "CSV" on a UK Windows machine). The delimiter (comma, semicolon, tab or bar) is
found by `csv.Sniffer` on the first 64 KiB, checked against the header line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from svadvisor.errors import InputFileError

Cell = str | int | float | bool | date | datetime | time | None
"""A cell's value as read: CSV gives text; XLSX also gives numbers, dates and booleans."""

DELIMITERS = ",;\t|"
CSV_FIELD_LIMIT = 16 * 1024 * 1024
"""Read cells far longer than a spreadsheet allows, so the batch can reject the row itself."""
SNIFF_BYTES = 64 * 1024
_SCAN_BYTES = 64 * 1024
"""Small reads: larger ones raise glibc's mmap threshold and with it the peak RSS."""


@dataclass(slots=True)
class Row:
    number: int
    """The row's number as the spreadsheet shows it."""
    cells: list[Cell]
    problem: tuple[str, Cell, str] | None = None
    """Set by a reader that could not read the row: (column or field, value, why)."""


@dataclass
class Table:
    """One sheet: its header and its rows, read lazily (read `rows` once)."""

    name: str
    """For messages: the file, and the sheet for a workbook."""
    header: list[str]
    rows: Iterator[Row]
    progress: Callable[[], tuple[int, int | None]]
    """(work done, total work) in the reader's own units (bytes, rows), for a progress bar."""
    delimiter: str = ","
    """The CSV delimiter read, so a CSV written back can use the same."""
    encoding: str = ""
    header_row: int = 1
    """The header's row number as the spreadsheet shows it (rows above it are titles)."""
    sheet: str | None = None
    """A workbook's sheet read."""
    remarks: list[str] = field(default_factory=list)
    """What the reader chose (a header below title rows, a sheet), for the run's summary."""
    formats: dict[int, str] = field(default_factory=dict)
    """A workbook's number formats by column index (dates, money), to write back."""
    widths: dict[int, float] = field(default_factory=dict)
    """A workbook's column widths by column index, to write back."""


HeaderTest = Callable[[list[str]], bool]
"""Whether a row's cells, read as a header, name columns the batch can use."""

HEADER_SCAN = 30
"""Rows looked at for the header (below title and date rows) when none is named."""


TableOpener = Callable[..., contextlib.AbstractContextManager[Table]]


def open_table(
    path: Path,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    is_header: HeaderTest | None = None,
) -> contextlib.AbstractContextManager[Table]:
    """Open a pipeline file by its suffix; InputFileError says what is wrong, in one line.

    The header is row `header_row` when given; else the first row (of the first 30) that
    `is_header` accepts, so title and date rows above it are passed over; else the first
    row that is not blank. Without `sheet`, a workbook's first sheet with such a header is
    read."""
    return READERS[check_readable(path, sheet=sheet)](
        path, sheet, header_row=header_row, is_header=is_header
    )


def choose_header(
    rows: Sequence[tuple[int, Sequence[Cell]]],
    header_row: int | None,
    is_header: HeaderTest | None,
    name: str,
) -> tuple[int, list[str]] | None:
    """(row number, header) among the first rows read (number, cells), or None."""
    if header_row is not None:
        for number, cells in rows:
            if number == header_row:
                if is_blank(cells):
                    raise InputFileError(f"{name}: row {header_row} (--header-row) is blank")
                return number, [_header_cell(c) for c in cells]
        raise InputFileError(f"{name}: there is no row {header_row} (--header-row) to read")
    candidates = [(n, c) for n, c in rows if not is_blank(c)]
    if is_header is not None:
        for number, cells in candidates:
            header = [_header_cell(c) for c in cells]
            if is_header(header):
                return number, header
    if candidates:
        number, cells = candidates[0]
        return number, [_header_cell(c) for c in cells]
    return None


NOTICES = "notices"
"""What `check_readable` says of OCDS notices: a .json or .jsonl file, or a folder of them."""
NOTICE_SUFFIXES = (".json", ".jsonl")


def check_readable(path: Path, *, sheet: str | None = None) -> str:
    """Fail fast, before any output is planned, on a file no reader can take; its suffix
    (or NOTICES for published notices, read by `pipeline.notices`)."""
    if not path.exists():
        raise InputFileError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if path.is_dir() or suffix in NOTICE_SUFFIXES:
        if sheet is not None:
            raise InputFileError(f"{path}: --sheet applies to .xlsx workbooks only")
        return NOTICES
    if suffix == ".xls":
        raise InputFileError(f"{path}: old .xls workbooks cannot be read; save it as .xlsx or .csv")
    if suffix not in READERS:
        raise InputFileError(f"{path}: unknown file type {suffix!r}; use one of {known_suffixes()}")
    if suffix not in WORKBOOK_SUFFIXES and sheet is not None:
        raise InputFileError(f"{path}: --sheet applies to .xlsx workbooks only")
    return suffix


def known_suffixes() -> str:
    return ", ".join(sorted([*READERS, *NOTICE_SUFFIXES]))


def _header_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def is_blank(cells: Sequence[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


# --- CSV ------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """The file's text encoding, in the documented order (see the module docstring)."""
    with path.open("rb") as handle:
        start = handle.read(4)
        marked = (
            "utf-8-sig"
            if start.startswith(codecs.BOM_UTF8)
            else "utf-16"
            if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            else None
        )
        if marked is not None:
            if not _decodes(handle, marked):
                raise InputFileError(
                    f"{path}: the file starts with a {marked.upper().removesuffix('-SIG')} "
                    "byte-order mark but is not that encoding throughout; save it from your "
                    "spreadsheet as 'CSV UTF-8'"
                )
            return marked
        if _decodes(handle, "utf-8"):
            return "utf-8"
        mixed = _first_mixed_line(handle)
        if mixed is not None:
            raise InputFileError(
                f"{path}: line {mixed}: the file mixes UTF-8 and Windows-1252 text, so some "
                "characters would be garbled; save it from your spreadsheet as 'CSV UTF-8'"
            )
        if _decodes(handle, "cp1252"):
            return "cp1252"
    raise InputFileError(
        f"{path}: not text svadvisor can read (neither UTF-8 nor Windows-1252); "
        "save it from your spreadsheet as 'CSV UTF-8'"
    )


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]{1,3}")
MIXED_SCAN_BYTES = 4 * 1024 * 1024
"""How much of a non-UTF-8 file is searched for UTF-8 characters (bounded memory)."""


def _first_mixed_line(handle: io.BufferedReader) -> int | None:
    """If the start of a file that is not UTF-8 still holds UTF-8 multi-byte characters,
    it mixes encodings: the line of its first bad byte. None for plain Windows-1252."""
    handle.seek(0)
    data = handle.read(MIXED_SCAN_BYTES)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if any(_is_utf8(match.group()) for match in _UTF8_MULTIBYTE.finditer(data)):
            return data.count(b"\n", 0, exc.start) + 1
    return None


def _is_utf8(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decodes(handle: io.BufferedReader, encoding: str) -> bool:
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := handle.read(_SCAN_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_delimiter(sample: str) -> str:
    """The delimiter of a CSV sample: Sniffer's guess if the header line has it, else the
    candidate the header line holds most of, else a comma."""
    first_line = sample.splitlines()[0] if sample else ""
    try:
        guess = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        guess = ""
    if guess and guess in first_line:
        return guess
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@contextlib.contextmanager
def read_csv(
    path: Path,
    sheet: str | None = None,
    *,
    header_row: int | None = None,
    is_header: HeaderTest | None = None,
) -> Iterator[Table]:
    size = path.stat().st_size
    if size == 0:
        raise InputFileError(f"{path}: the file is empty; it needs a header row and a row per item")
    encoding = detect_encoding(path)
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        sample = text.read(SNIFF_BYTES)
        if len(sample) == SNIFF_BYTES and "\n" in sample:
            sample = sample[: sample.rindex("\n")]
        delimiter = sniff_delimiter(sample)
        text.seek(0)
        csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
        watch = _LongLines(text)
        records = csv.reader(watch, delimiter=delimiter)
        scan = max(HEADER_SCAN, header_row or 0)
        first: list[tuple[int, list[str]]] = []
        try:
            for number, record in enumerate(records, start=1):
                first.append((number, record))
                if len(first) >= scan:
                    break
        except csv.Error as exc:
            raise InputFileError(f"{path}: row {records.line_num}: not valid CSV ({exc})") from None
        chosen = choose_header(first, header_row, is_header, str(path))
        if chosen is None:
            raise InputFileError(f"{path}: no header row; the file holds only blank lines")
        header_number, header = chosen
        remarks = _header_remarks(first, header_number, header_row)
        rest = [record for number, record in first if number > header_number]
        yield Table(
            name=str(path),
            header=header,
            rows=_csv_rows(path, itertools.chain(rest, records), header_number, watch, header),
            progress=lambda: (binary.tell(), size),
            delimiter=delimiter,
            encoding=encoding,
            header_row=header_number,
            remarks=remarks,
        )


def _header_remarks(
    first: Sequence[tuple[int, Sequence[Cell]]], header_number: int, named: int | None
) -> list[str]:
    above = [n for n, cells in first if n < header_number and not is_blank(cells)]
    if not above:
        return []
    how = "as --header-row says" if named is not None else "below the title rows"
    shown = f"row {above[0]}" if len(above) == 1 else f"rows {above[0]}-{above[-1]}"
    return [
        f"the header is row {header_number} ({how}); {shown} above it "
        "(titles) are not carried into the scored sheet"
    ]


CELL_LIMIT = 32_767
"""The most characters a spreadsheet cell holds (Excel's limit): a row with a longer one is
rejected, not scored (nor written into a sheet that could not hold it)."""


class _LongLines:
    """The CSV text, line by line, noting any line long enough to hold an over-long cell:
    cheaper than measuring every cell of every row."""

    __slots__ = ("long", "text")

    def __init__(self, text: Iterator[str]) -> None:
        self.text = text
        self.long = False

    def __iter__(self) -> Iterator[str]:
        for line in self.text:
            if len(line) > CELL_LIMIT:
                self.long = True
            yield line


def _csv_rows(
    path: Path,
    records: Iterator[list[str]],
    header_number: int,
    watch: _LongLines,
    header: list[str],
) -> Iterator[Row]:
    number = header_number
    try:
        for number, record in enumerate(records, start=header_number + 1):
            if watch.long:
                watch.long = False
                too_long = next((i for i, c in enumerate(record) if len(c) > CELL_LIMIT), None)
                if too_long is not None:
                    cell = record[too_long]
                    yield Row(
                        number,
                        record,  # type: ignore[arg-type]  # list[str]: text cells, never mixed in
                        problem=(
                            header[too_long] if too_long < len(header) else "",
                            cell[:40] + "...",
                            f"the cell holds {len(cell):,} characters; a spreadsheet cell "
                            f"holds at most {CELL_LIMIT:,}",
                        ),
                    )
                    continue
            # a CSV record is a list[str], which Row takes as its cells (no cast: a hot path)
            yield Row(number, record)  # type: ignore[arg-type]
    except csv.Error as exc:
        raise InputFileError(f"{path}: row {number + 1}: not valid CSV ({exc})") from None


# --- XLSX -----------------------------------------------------------------------------
# openpyxl's read-only workbook and sheets are typed Any below: its stubs type a workbook's
# sheets as a union of every kind, which read-only mode narrows only at run time.

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@contextlib.contextmanager
def read_xlsx(
    path: Path,
    sheet: str | None = None,
    *,
    header_row: int | None = None,
    is_header: HeaderTest | None = None,
) -> Iterator[Table]:
    """Read one sheet in openpyxl's read-only mode (rows streamed from the zip): the one
    named, else the first with a recognisable header. The header may sit below title
    rows. The sheet's number formats and column widths are kept, to write back."""
    import warnings

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_workbook_bytes(path)
    # openpyxl warns (on stderr, naming its own source) about what it skips, such as a
    # date cell out of range; the row is rejected with its own reason instead
    warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
    # AttributeError: openpyxl trips over parts it half-understands (an empty chart sheet)
    unreadable: tuple[type[Exception], ...] = (
        InvalidFileException,
        OSError,
        AttributeError,
        *_damage_errors(),
    )
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except unreadable as exc:
        raise InputFileError(f"{path}: not a readable .xlsx workbook ({_why(exc)})") from None
    try:
        worksheet, scanned, chosen, remarks = _pick_sheet_and_header(
            path, workbook, sheet, header_row, is_header
        )
        name = f"{path} [{worksheet.title}]"
        if chosen is None:
            raise InputFileError(f"{name}: the sheet is empty; it needs a header row")
        header_number, header = chosen
        while header and not header[-1].strip():
            header.pop()
        remarks += _header_remarks(
            [(n, [c.value for c in cells]) for n, cells in scanned], header_number, header_row
        )
        formats = _formats(scanned, header_number, len(header))
        rows = _undamaged(
            name,
            worksheet.iter_rows(min_row=header_number + 1, values_only=True),
            header_number + 1,
        )
        done = [header_number]
        yield Table(
            name=name,
            header=header,
            rows=_xlsx_rows(rows, header_number, done),
            progress=lambda: (done[0], worksheet.max_row),
            header_row=header_number,
            sheet=worksheet.title,
            remarks=remarks,
            formats=formats,
            widths=_column_widths(path, worksheet, len(header)),
        )
    finally:
        workbook.close()


def _scan(name: str, worksheet: Any, rows: int) -> list[tuple[int, tuple[Any, ...]]]:
    """The first rows of a sheet as cells (values and number formats)."""
    if worksheet.max_row is None:
        worksheet.reset_dimensions()
    first = worksheet.min_row or 1
    found = []
    for number, cells in enumerate(
        _undamaged(name, worksheet.iter_rows(min_row=first, max_row=first + rows - 1), first),
        start=first,
    ):
        found.append((number, cells))
    return found


def _pick_sheet_and_header(
    path: Path,
    workbook: Any,
    sheet: str | None,
    header_row: int | None,
    is_header: HeaderTest | None,
) -> tuple[Any, list[tuple[int, tuple[Any, ...]]], tuple[int, list[str]] | None, list[str]]:
    """The sheet to read, its first rows, its header (number, names) and remarks."""
    names = workbook.sheetnames
    if not names:
        raise InputFileError(f"{path}: the workbook has no sheets")
    scan = max(HEADER_SCAN, header_row or 0)
    if sheet is not None or len(names) == 1 or is_header is None or header_row is not None:
        worksheet = _pick_sheet(path, workbook, sheet)
        scanned = _scan(f"{path} [{worksheet.title}]", worksheet, scan)
        values = [(n, [c.value for c in cells]) for n, cells in scanned]
        chosen = choose_header(values, header_row, is_header, f"{path} [{worksheet.title}]")
        return worksheet, scanned, chosen, []
    first = None
    for worksheet in workbook.worksheets:
        scanned = _scan(f"{path} [{worksheet.title}]", worksheet, scan)
        values = [(n, [c.value for c in cells]) for n, cells in scanned]
        chosen = choose_header(values, None, is_header, f"{path} [{worksheet.title}]")
        if first is None:
            first = (worksheet, scanned, chosen)
        if chosen is not None and is_header(chosen[1]):
            remark = (
                f"read sheet {worksheet.title!r}, the first with a recognisable header "
                f"(sheets: {', '.join(names)}); name another with --sheet"
            )
            return worksheet, scanned, chosen, [remark]
    assert first is not None
    return (*first, [])


def _formats(
    scanned: list[tuple[int, tuple[Any, ...]]], header_number: int, width: int
) -> dict[int, str]:
    """Each column's number format (a date's, money's), from the first rows below the
    header that have one other than General."""
    formats: dict[int, str] = {}
    for number, cells in scanned:
        if number <= header_number:
            continue
        for index, cell in enumerate(cells[:width]):
            fmt = getattr(cell, "number_format", "General")
            if index not in formats and fmt and fmt != "General" and cell.value is not None:
                formats[index] = fmt
    return formats


_COL = re.compile(rb"<col\b([^>]*)/?>")
_ATTRIBUTE = re.compile(rb'\b(min|max|width)="([\d.]+)"')


def _column_widths(path: Path, worksheet: Any, width: int) -> dict[int, float]:
    """The sheet's column widths, from its XML's <cols> (read-only mode does not load them;
    they come before the data, so the start of the part is enough)."""
    import zipfile

    member = getattr(worksheet, "_worksheet_path", None)
    if not member:
        return {}
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as handle:
            start = handle.read(256 * 1024)
    except (KeyError, OSError, zipfile.BadZipFile):
        return {}
    head = start.split(b"<sheetData", 1)[0]
    widths: dict[int, float] = {}
    for attributes in _COL.findall(head):
        found = {k.decode(): v.decode() for k, v in _ATTRIBUTE.findall(attributes)}
        if {"min", "max", "width"} <= found.keys():
            for column in range(int(found["min"]), min(int(found["max"]), width) + 1):
                widths[column - 1] = float(found["width"])
    return widths


def _damage_errors() -> tuple[type[Exception], ...]:
    """What openpyxl lets out when a workbook's zip or XML is damaged."""
    import xml.etree.ElementTree as ElementTree
    import zipfile
    import zlib

    return (
        ElementTree.ParseError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        OverflowError,
        NotImplementedError,  # zipfile: a compression method it does not have (Deflate64)
        RuntimeError,  # zipfile: a member marked encrypted
    )


def _why(exc: BaseException) -> str:
    """One line on what is wrong with a workbook, from openpyxl's (or its parser's) error."""
    from defusedxml import DefusedXmlException

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return "its XML declares entities, which can be an XML bomb; refused"
        cause = cause.__cause__ or cause.__context__
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _undamaged(
    name: str, rows: Iterator[tuple[Cell, ...]], first: int
) -> Iterator[tuple[Cell, ...]]:
    """The sheet's rows; a workbook damaged part-way (a truncated or corrupt zip member,
    broken XML, a cell openpyxl cannot convert) stops the run with the row it reached.

    Only the reading is guarded: errors in whatever consumes the rows pass through.
    """
    number = first - 1
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except _damage_errors() as exc:
            raise InputFileError(
                f"{name}: row {number + 1}: the workbook is damaged and cannot be read "
                f"({_why(exc)}); open it in Excel and save it again"
            ) from None
        number += 1
        yield values


OLE2_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
"""The container Excel uses for a password-protected workbook (and for old .xls files)."""


def _check_workbook_bytes(path: Path) -> None:
    """Say what a file named .xlsx really is when it is not a workbook (an .xlsx is a zip)."""
    with path.open("rb") as handle:
        start = handle.read(512)
    if start.startswith(b"PK"):
        return
    if start.startswith(OLE2_SIGNATURE):
        raise InputFileError(
            f"{path}: the workbook is password-protected (encrypted) or an old .xls file; "
            "save it from Excel without a password as .xlsx"
        )
    try:
        text = start.decode("utf-8")
    except UnicodeDecodeError:
        text = start.decode("cp1252", errors="replace")
    if text.strip() and any(d in text.splitlines()[0] for d in DELIMITERS):
        raise InputFileError(
            f"{path}: this is CSV text with an .xlsx name; rename it to .csv and run again"
        )


def _pick_sheet(path: Path, workbook: Any, sheet: str | None) -> Any:
    """The named sheet (exact, then ignoring case), else the first sheet."""
    names = workbook.sheetnames
    if not names:
        raise InputFileError(f"{path}: the workbook has no sheets")
    if sheet is None:
        return workbook.worksheets[0]
    found = next((workbook[n] for n in names if n == sheet), None) or next(
        (workbook[n] for n in names if n.casefold() == sheet.casefold()), None
    )
    if found is None:
        raise InputFileError(f"{path}: no sheet named {sheet!r}; its sheets: {', '.join(names)}")
    if not hasattr(found, "iter_rows"):  # a chart sheet holds no cells
        raise InputFileError(
            f"{path}: {found.title!r} is a chart sheet, not a sheet of rows; its sheets: "
            f"{', '.join(names)}"
        )
    return found


def _xlsx_rows(
    rows: Iterator[tuple[Cell, ...]], header_number: int, done: list[int]
) -> Iterator[Row]:
    for number, values in enumerate(rows, start=header_number + 1):
        done[0] = number
        cells = list(values)
        while cells and cells[-1] is None:
            cells.pop()
        yield Row(number, cells)


READERS: dict[str, TableOpener] = {
    ".csv": read_csv,
    ".tsv": read_csv,
    ".txt": read_csv,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
}
"""Readers by lower-case file suffix. Later formats register here."""
