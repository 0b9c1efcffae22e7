"""The row -> answers mapping: which column answers which question, and what a cell means.

Columns are matched once per run, then every cell is read through a lookup table built
for its column, so a row costs a few dictionary look-ups.

A header matches a question by its id or its text, ignoring case, spacing, punctuation
and anything in brackets. A council's forward plan is understood without a map: an
estimated value feeds `value`, a CPV code feeds `cpv` (when the pack has that question),
and contract start and end dates, or a duration, answer a number question in years (in
the built-in pack, `contract_term`: a contract's length, never the timescale of its goals)
or a choice whose answers carry `years`. `--columns MAP.yaml` names the rest.
Any other column is carried through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from svadvisor.answers.validate import DONT_KNOW_WORDS, AnswerProblem, is_dont_know, parse_answer
from svadvisor.answers.values import Money, ValueProblem, parse_money, parse_uk_date
from svadvisor.answers.values import money as money_words
from svadvisor.errors import AnswersError, InputFileError, Problem
from svadvisor.pipeline.readers import Cell
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.schema import Question, RulePack, YearsSpan
from svadvisor.suggest import did_you_mean
from svadvisor.yamlfile import load_user_file

START_DATE = "contract_start"
END_DATE = "contract_end"
DURATION_YEARS = "contract_years"
DURATION_MONTHS = "contract_months"
CARRY = "carry"
CPV = "cpv"
VALUE = "value"

FIELDS = {
    START_DATE: "the contract's start date",
    END_DATE: "the contract's end date",
    DURATION_YEARS: "the contract's length in years (e.g. 3, 2.5, '3 + 2')",
    DURATION_MONTHS: "the contract's length in months",
    CARRY: "carry the column through untouched",
}
"""What a `--columns` map may name besides a question id."""

_ALIASES: dict[str, set[str]] = {
    VALUE: {
        "estimated value",
        "contract value",
        "estimated contract value",
        "total value",
        "total contract value",
        "estimated total value",
        "total estimated value",
        "whole life value",
        "estimated whole life value",
        "whole life contract value",
    },
    CPV: {"cpv", "cpv code", "cpv codes", "main cpv", "main cpv code", "cpv classification"},
    START_DATE: {
        "start",
        "start date",
        "contract start",
        "contract start date",
        "estimated start date",
        "expected start date",
        "anticipated start date",
        "planned start date",
        "estimated contract start date",
        "commencement date",
    },
    END_DATE: {
        "end",
        "end date",
        "contract end",
        "contract end date",
        "estimated end date",
        "expected end date",
        "anticipated end date",
        "estimated contract end date",
        "expiry date",
        "contract expiry date",
    },
    DURATION_YEARS: {
        "duration",
        "contract duration",
        "contract length",
        "length of contract",
        "duration of contract",
        "contract term",
        "term",
    },
}
"""Forward-plan headers understood out of the box, in `_words` form."""

_UNIT_WORDS = {"in", "years", "year", "yrs", "months", "month", "mths"}
_MONTH_WORDS = {"months", "month", "mths"}
_CACHE_LIMIT = 4096
"""Cells remembered per column; bounded so memory stays flat on a million rows."""

_UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DURATION = re.compile(
    r"^(\d+(?:\.\d+)?(?:\s*\+\s*\d+(?:\.\d+)?)*)\s*"
    r"(years?|yrs?|y|months?|mths?|m|weeks?|wks?|w|days?|d)?$",
    re.IGNORECASE,
)
_PER_YEAR = {"y": 1, "m": 12, "w": 52.1775, "d": 365.25}


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


def _unbracketed(text: str) -> str:
    return _words(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text))


@dataclass(frozen=True)
class ColumnUse:
    """One column svadvisor reads, and what it feeds (a question id or a field)."""

    index: int
    header: str
    target: str


@dataclass
class ColumnPlan:
    """Which columns answer which questions, decided once per sheet."""

    header: list[str]
    used: list[ColumnUse]
    carried: list[int]
    remarks: list[str] = field(default_factory=list)
    """Things worth telling the user (a CPV column with no cpv question to feed, say)."""

    def describe(self) -> dict[str, str]:
        return {use.header: use.target for use in self.used}


def read_column_map(path: Path, pack: RulePack) -> dict[str, str]:
    """A `--columns` YAML file: `columns: {"Their header": question id or field}`."""
    doc = load_user_file(path, "columns map")
    data = doc.data
    if (
        not isinstance(data, dict)
        or set(data) != {"columns"}
        or not isinstance(data["columns"], dict)
    ):
        raise AnswersError(
            [doc.problem((), "a columns map holds one key, columns: {your header: question id}")],
            "the columns map is not in the expected shape",
        )
    allowed = [q.id for q in pack.questions if q.id != CPV] + [CPV, *FIELDS]
    problems: list[Problem] = []
    mapping: dict[str, str] = {}
    for header, target in data["columns"].items():
        name = str(target).strip() if target is not None else CARRY
        if name not in allowed:
            near = did_you_mean(name, allowed, form="lead")
            problems.append(
                doc.problem(
                    ("columns", header),
                    f"{name!r} is neither a question nor a field; {near}"
                    f"allowed: {', '.join(allowed)}",
                )
            )
            continue
        mapping[str(header)] = name
    if problems:
        raise AnswersError(problems, f"{len(problems)} problem(s) in the columns map")
    return mapping


def plan_columns(
    header: list[str], pack: RulePack, column_map: Mapping[str, str] | None = None
) -> ColumnPlan:
    """Match the header to the pack's questions; InputFileError when nothing matches."""
    by_words = {_words(h): target for h, target in (column_map or {}).items()}
    questions = {q.id: q for q in pack.questions}
    exact_ids = {q.id: q.id for q in pack.questions}
    texts = {_words(q.text): q.id for q in pack.questions}
    id_words = {_words(q.id): q.id for q in pack.questions}
    claims: dict[str, ColumnUse] = {}
    explicit: set[str] = set()
    carried: list[int] = []
    remarks: list[str] = []
    pending: list[ColumnUse] = []
    for index, name in enumerate(header):
        full, bare = _words(name), _unbracketed(name)
        if full in by_words or bare in by_words:
            target = by_words.get(full) or by_words[bare]
            if target == CARRY:
                carried.append(index)
                continue
            use = ColumnUse(index, name, _duration_unit(target, full))
            _claim(claims, use)
            explicit.add(use.target if use.target not in _DURATIONS else DURATION_YEARS)
            continue
        matched = _match(name, full, bare, exact_ids, texts, id_words)
        if matched is None:
            carried.append(index)
            continue
        pending.append(ColumnUse(index, name, _duration_unit(matched, full)))
    for use in pending:
        key = use.target if use.target not in _DURATIONS else DURATION_YEARS
        if key in explicit:
            carried.append(use.index)
            continue
        _claim(claims, use)
    used: list[ColumnUse] = []
    for use in claims.values():
        if use.target in (VALUE, CPV) and use.target not in questions:
            remarks.append(
                f"column {use.header!r} would answer {use.target!r}, but the rule pack has "
                "no such question; carried through"
            )
            carried.append(use.index)
        else:
            used.append(use)
    plan = ColumnPlan(header, sorted(used, key=lambda u: u.index), sorted(carried), remarks)
    if column_map:
        known = {_words(h) for h in header} | {_unbracketed(h) for h in header}
        for mapped in column_map:
            if _words(mapped) not in known:
                plan.remarks.append(f"--columns names {mapped!r}, which is not a column here")
    return plan


_DURATIONS = (DURATION_YEARS, DURATION_MONTHS)


def _match(
    name: str,
    full: str,
    bare: str,
    exact_ids: dict[str, str],
    texts: dict[str, str],
    id_words: dict[str, str],
) -> str | None:
    """What a header names.

    A question's exact id, then its text, then a forward plan's usual headers, then the id
    in other spacing (`Community Asset`): so `Start date` beside `End date` is the
    contract's, while `start_date` is the pack's question of that id.
    """
    return (
        exact_ids.get(name.strip().casefold())
        or texts.get(full)
        or texts.get(bare)
        or _alias(full)
        or _alias(bare)
        or id_words.get(full)
        or id_words.get(bare)
    )


def _alias(words: str) -> str | None:
    stripped = " ".join(w for w in words.split() if w not in _UNIT_WORDS)
    for target, names in _ALIASES.items():
        if words in names or (target == DURATION_YEARS and stripped in names):
            return target
    return None


def _duration_unit(target: str, words: str) -> str:
    if target == DURATION_YEARS and _MONTH_WORDS.intersection(words.split()):
        return DURATION_MONTHS
    return target


def _claim(claims: dict[str, ColumnUse], use: ColumnUse) -> None:
    key = use.target if use.target not in _DURATIONS else DURATION_YEARS
    if key in claims:
        first = claims[key]
        raise InputFileError(
            f"columns {first.header!r} and {use.header!r} both give {key}; keep one, or map "
            f"the other to 'carry' with --columns MAP.yaml"
        )
    claims[key] = use


def expected_columns(pack: RulePack) -> str:
    """One line naming what a sheet needs, for the 'no recognisable columns' error."""
    ids = ", ".join(q.id for q in pack.questions)
    return (
        f"expected a header row with one or more of the rule pack's questions ({ids}; "
        "by id or by question text), or a forward plan's estimated value, CPV code, "
        "start date and end date, or duration; name other headers with --columns MAP.yaml"
    )


def is_usable(plan: ColumnPlan, pack: RulePack) -> bool:
    """Whether any column can answer a question (a start date alone cannot)."""
    targets = {u.target for u in plan.used}
    direct = targets & {q.id for q in pack.questions}
    timed = bool(targets & set(_DURATIONS)) or {START_DATE, END_DATE} <= targets
    return bool(direct) or (timed and bool(years_questions(pack)))


def years_questions(pack: RulePack) -> list[Question]:
    """Questions a duration can answer: a number question in years (the length itself), or
    a choice whose answers carry `years`."""
    return [
        q
        for q in pack.questions
        if (q.type == "number" and q.unit == "years") or any(a.years is not None for a in q.answers)
    ]


# --- cells -> answers -------------------------------------------------------------------


@dataclass
class CellProblem:
    """Why one cell of a row could not be read."""

    column: str
    value: Cell
    message: str


CellReader = Callable[[Cell], Any]
_OtherReader = Callable[[Cell], Answer | None]
"""Reads a cell any question type reads (see `_read_other_for`)."""


def parse_sheet_date(cell: Cell) -> date | None:
    """A date as spreadsheets hold it: a date cell, or text read the UK way
    (`svadvisor.answers.values`: 01/04/2026, 1.4.2026, 1 April 2026, 2026-04-01)."""
    if cell is None:  # a blank cell in a workbook: no date given
        return None
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    try:
        return parse_uk_date(cell)
    except ValueProblem as exc:
        raise AnswerProblem(str(exc)) from None


def parse_duration(cell: Cell, per_year: float) -> float | None:
    """A contract length in years: `3`, `2.5 years`, `36 months`, `3 + 1 + 1` (extensions)."""
    if cell is None or isinstance(cell, bool):
        if isinstance(cell, bool):
            raise AnswerProblem(f"expected a length of time, got {str(cell).lower()}")
        return None
    if isinstance(cell, int | float):
        amount, unit_per_year = float(cell), per_year
    else:
        text = str(cell).strip()
        if is_dont_know(text):
            return None
        match = _DURATION.match(text)
        if not match:
            raise AnswerProblem(
                f"{text!r} is not a length of time; write e.g. 3, '3 years', '36 months' or '3 + 2'"
            )
        amount = sum(float(part) for part in match.group(1).split("+"))
        unit = (match.group(2) or "").lower()[:1]
        unit_per_year = _PER_YEAR[unit] if unit else per_year
    if amount < 0:
        raise AnswerProblem(f"{amount:g} is not a length of time")
    return amount / unit_per_year


def _whole(value: float) -> int | float:
    rounded = round(value, 2)
    return int(rounded) if float(rounded).is_integer() else rounded


def contract_years(start: date, end: date) -> float:
    """Calendar length of a contract whose end date is its last day: 1 Apr 2025 to
    31 Mar 2028 is 3 years, not 2.998."""
    last = end.toordinal() + 1
    end_exclusive = date.fromordinal(last)
    months = (end_exclusive.year - start.year) * 12 + end_exclusive.month - start.month
    return (months + (end_exclusive.day - start.day) / 31) / 12


def cell_reader(question: Question, cpv_names: Mapping[str, str] | None = None) -> CellReader:
    """A function reading one cell for a question, with the question's table built once."""
    if question.type in ("choice", "yesno", "multi"):
        return _choice_reader(question)
    if question.type == "date":
        seen: dict[str, date | None] = {}

        def read_date(cell: Cell) -> Answer | None:
            if cell.__class__ is not str:
                return parse_sheet_date(cell)
            hit = seen.get(cell, seen)
            if hit is seen:
                hit = parse_sheet_date(cell)
                if len(seen) >= _CACHE_LIMIT:
                    seen.clear()
                seen[cell] = hit
            # the sentinel `seen` is replaced above (no cast: a hot path)
            return hit  # type: ignore[return-value]

        return read_date

    read_other = _read_other_for(question, cpv_names)
    if question.type == "number" and question.unit == "GBP":
        return _money_reader(question, read_other)
    if question.type == "number":
        low, high = question.min, question.max

        def read_number(cell: Cell) -> Answer | None:
            if cell.__class__ is str:
                value = _plain_whole(cell, low, high)
                if value is not None:
                    return value
            return read_other(cell)  # anything else, and every mistake, as `parse_answer` says

        return read_number

    return read_other


def _plain_whole(text: str, low: float | None, high: float | None) -> int | None:
    """The quick path for the commonest cell: a whole number, perhaps with a £ and commas,
    within the question's limits; None for anything else (read the long way)."""
    digits = text[1:] if text[:1] == "£" else text
    if "," in digits:
        digits = digits.replace(",", "")
    if digits.isdigit() and digits.isascii() and len(digits) < 16:
        value = int(digits)
        if (low is None or value >= low) and (high is None or value <= high):
            return value
    return None


def _money_reader(question: Question, read_other: _OtherReader) -> CellReader:
    """An amount as officers write it (see `svadvisor.answers.values`): a plain figure is the
    answer; a range or an annual figure comes back as `Money`, for the row to resolve."""
    low, high = question.min, question.max

    def read_money(cell: Cell) -> Answer | Money | None:
        if cell.__class__ is str:
            value = _plain_whole(cell, low, high)
            if value is not None:
                return value
            try:
                money = parse_money(cell)
            except ValueProblem as exc:
                raise AnswerProblem(str(exc)) from None
            if money is None:
                return None
            if money.is_range or money.annual:
                for bound in (money.low, money.high):
                    read_other(bound)  # the pack's minimum and maximum, as for any figure
                return money
        return read_other(cell)

    return read_money


def _read_other_for(question: Question, cpv_names: Mapping[str, str] | None) -> _OtherReader:
    """Any other question type, through `answers.parse_answer` (one source of truth)."""

    def read_other(cell: Cell) -> Answer | None:
        if cell is None or (isinstance(cell, str) and is_dont_know(cell)):
            return None
        value = parse_answer(question, cell, cpv_names)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    return read_other


def _choice_reader(question: Question) -> CellReader:
    table: dict[str, str | None] = dict.fromkeys(DONT_KNOW_WORDS)
    for option in question.answers:
        table[option.id] = option.id
        table[_words(option.id)] = option.id
        table[" ".join(option.label.casefold().split())] = option.id
    order = {option.id: i for i, option in enumerate(question.answers)}
    multi = question.type == "multi"
    cache: dict[str, Answer | None] = {}

    def read(cell: Cell) -> Answer | None:
        if cell.__class__ is str:
            hit = cache.get(cell, cache)
            if hit is not cache:
                # not the sentinel `cache` (no cast: a hot path)
                return hit  # type: ignore[return-value]
        elif cell is None:
            return None
        text = str(cell)
        if multi:
            parts = [" ".join(p.casefold().split()) for p in text.split(";") if p.strip()]
            found = [table.get(p) for p in parts]
            if parts and all(found) and not is_dont_know(text):
                # all(found): every part is an answer id
                ids = cast(list[str], found)
                result: Answer | None = tuple(sorted(set(ids), key=order.__getitem__))
            else:
                result = parse_answer(question, text)
        else:
            key = " ".join(text.casefold().split())
            result = table[key] if key in table else parse_answer(question, cell)
        if cell.__class__ is str and len(cache) < _CACHE_LIMIT:
            cache[cell] = result
        return result

    return read


_CPV_CODE = re.compile(r"\b\d{8}(?:-\d)?\b")


def _cpv_codes_only(reader: CellReader) -> CellReader:
    """Hand the CPV question only the codes of cells like `85311000-2 Social work`."""

    def read(cell: Cell) -> Any:
        if isinstance(cell, str):
            codes = _CPV_CODE.findall(cell)
            if codes:
                return reader("; ".join(codes))
        return reader(cell)

    return read


@dataclass
class ReadRow:
    """A row's answers (in pack order), where each came from, and any unreadable cells."""

    answers: dict[str, Answer]
    sources: list[str]
    problems: list[CellProblem]
    notes: list[str] = field(default_factory=list)
    """What the row's values meant (a range scored at its top, an annual figure times the
    term, or left unknown without one), for the sheet's `value_note` column."""
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Questions answered with a range: (low, high); the answer holds the high end."""


Profiler = Callable[[str], Callable[[Answer], Hashable]]
"""For a question id, how its answer enters a row's profile key (default: as it is)."""


def _as_is(qid: str) -> Callable[[Answer], Hashable]:
    return _identity


def _identity(value: Answer) -> Hashable:
    return value


def _read_columns(
    columns: list[Any], cells: list[Cell], found: dict[str, Answer], problems: list[CellProblem]
) -> None:
    """Read each (index, header, question id, reader, ...) column of a row into `found`."""
    for index, header, qid, reader, *_ in columns:
        try:
            value = reader(cells[index])
        except AnswerProblem as exc:
            problems.append(CellProblem(header, cells[index], str(exc)))
            continue
        if value is not None:
            found[qid] = value


def _picker(indices: list[int]) -> Callable[[list[Cell]], tuple[Cell, ...]]:
    """The cells at `indices`, as a tuple (operator.itemgetter, made uniform for 0 or 1)."""
    if len(indices) > 1:
        return itemgetter(*indices)
    if indices:
        only = indices[0]
        return lambda cells: (cells[only],)
    return lambda cells: ()


class RowReader:
    """Turns one row's cells into validated answers, with every lookup built up front.

    Columns whose answer depends only on the cell's text (choices) are read together and
    remembered by their raw cells; numbers and dates are read every row. `profile` gives a
    row's key without building its answers, so a batch can skip rows it has seen before.
    """

    def __init__(self, plan: ColumnPlan, pack: RulePack, profiler: Profiler = _as_is) -> None:
        questions = {q.id: q for q in pack.questions}
        self.width = len(plan.header)
        self._order = [q.id for q in pack.questions]
        self._keyed: list[tuple[int, str, str, CellReader]] = []
        self._varying: list[tuple[int, str, str, CellReader, Callable[[Answer], Hashable]]] = []
        self._fields: dict[str, tuple[int, str, float]] = {}
        for use in plan.used:
            question = questions.get(use.target)
            if question is None:
                per_year = 12.0 if use.target == DURATION_MONTHS else 1.0
                self._fields[use.target] = (use.index, use.header, per_year)
                continue
            reader = cell_reader(question, pack.cpv_names)
            if use.target == CPV:
                reader = _cpv_codes_only(reader)
            if question.type in ("number", "date"):
                part = profiler(question.id)
                self._varying.append((use.index, use.header, question.id, reader, part))
            else:
                self._keyed.append((use.index, use.header, question.id, reader))
        self._raw = _picker([index for index, *_ in self._keyed])
        self._keyed_cache: dict[
            tuple[Cell, ...], tuple[dict[str, Answer], list[CellProblem], dict[Hashable, Any]]
        ] = {}
        self._timed: list[tuple[str, list[tuple[str, YearsSpan]] | None]] = [
            (
                q.id,
                None
                if q.type == "number"
                else [(a.id, a.years) for a in q.answers if a.years is not None],
            )
            for q in years_questions(pack)
        ]
        self._duration = self._fields.get(DURATION_YEARS) or self._fields.get(DURATION_MONTHS)
        self._dates = (
            (self._fields[START_DATE], self._fields[END_DATE])
            if START_DATE in self._fields and END_DATE in self._fields
            else None
        )
        if not (self._duration or self._dates):
            self._timed = []

    def read(self, cells: list[Cell]) -> ReadRow:
        """The row's answers in pack order; `cells` must be as wide as the header."""
        keyed, problems, _ = self._read_keyed(cells)
        found = dict(keyed)
        origins: dict[str, str] = {}
        notes: list[str] = []
        ranges: dict[str, tuple[float, float]] = {}
        problems = problems + self._read_varying(cells, found, origins, notes=notes, ranges=ranges)
        if len(found) > 1:
            found = {qid: found[qid] for qid in self._order if qid in found}
        sources = [f"{qid} ({origins[qid]})" if qid in origins else qid for qid in found]
        return ReadRow(found, sources, problems, notes, ranges)

    def profile(self, cells: list[Cell]) -> tuple[dict[Hashable, Any], Hashable, list[CellProblem]]:
        """`(memo, key, problems)`, cheaply: rows that read the same share `memo[key]`.

        `memo` belongs to the row's choice cells (the caller keeps what it likes in it);
        `key` tells apart rows whose numbers, dates or derived answers differ.
        """
        raw = self._raw(cells)
        hit = self._keyed_cache.get(raw)
        keyed, problems, memo = hit if hit is not None else self._read_keyed(cells, raw)
        if self._timed:
            found: dict[str, Answer] = {}
            origins: dict[str, str] = {}
            notes: list[str] = []
            more = self._read_varying(cells, found, origins, keyed, notes=notes)
            parts = [
                part(found[qid]) if qid in found else None for _, _, qid, _, part in self._varying
            ]
            derived = tuple((qid, found[qid], origin) for qid, origin in origins.items())
            key = (tuple(parts), derived, tuple(notes))
            return memo, key, problems + more if more else problems
        if not self._varying:
            return memo, None, problems
        parts = []
        for index, header, _, reader, part in self._varying:
            try:
                value = reader(cells[index])
            except AnswerProblem as exc:
                problems = [*problems, CellProblem(header, cells[index], str(exc))]
                continue
            parts.append(None if value is None else part(value))
        return memo, tuple(parts), problems

    def _read_keyed(
        self, cells: list[Cell], raw: tuple[Cell, ...] | None = None
    ) -> tuple[dict[str, Answer], list[CellProblem], dict[Hashable, Any]]:
        if raw is None:
            raw = self._raw(cells)
        hit = self._keyed_cache.get(raw)
        if hit is not None:
            return hit
        found: dict[str, Answer] = {}
        problems: list[CellProblem] = []
        _read_columns(self._keyed, cells, found, problems)
        if len(self._keyed_cache) >= _CACHE_LIMIT:
            self._keyed_cache.clear()
        entry: tuple[dict[str, Answer], list[CellProblem], dict[Hashable, Any]] = (
            found,
            problems,
            {},
        )
        self._keyed_cache[raw] = entry
        return entry

    def _read_varying(
        self,
        cells: list[Cell],
        found: dict[str, Answer],
        origins: dict[str, str],
        keyed: Mapping[str, Answer] | None = None,
        *,
        notes: list[str] | None = None,
        ranges: dict[str, tuple[float, float]] | None = None,
    ) -> list[CellProblem]:
        """Numbers, dates and the contract's length from dates or a duration, into `found`;
        then amounts written as a range or a yearly figure, resolved."""
        problems: list[CellProblem] = []
        _read_columns(self._varying, cells, found, problems)
        if self._timed:
            self._derive_timescale(
                cells, keyed if keyed is not None else found, found, origins, problems
            )
        for qid, value in list(found.items()):
            if isinstance(value, Money):
                self._resolve_money(qid, value, found, origins, notes, ranges)
        return problems

    def _resolve_money(
        self,
        qid: str,
        money: Money,
        found: dict[str, Answer],
        origins: dict[str, str],
        notes: list[str] | None,
        ranges: dict[str, tuple[float, float]] | None,
    ) -> None:
        """A range is scored at its top (the batch then checks its bottom); a yearly figure
        times the contract's length in years, else left unknown, saying why."""
        low, high = money.low, money.high
        said = f"{qid} {money.text!r}"
        if money.annual:
            years = next(
                (found[q] for q, spans in self._timed if spans is None and q in found), None
            )
            if not isinstance(years, int | float) or years <= 0:
                del found[qid]
                if notes is not None:
                    notes.append(
                        f"{said} is a yearly figure and the contract's length is not known: "
                        "the whole-life value is left unknown (add a duration or end date)"
                    )
                return
            low, high = _whole(low * years), _whole(high * years)
            origins[qid] = f"yearly figure times {years:g} years"
            if notes is not None:
                shown = (
                    money_words(high)
                    if low == high
                    else f"{money_words(low)} to {money_words(high)}"
                )
                notes.append(f"{said} is a yearly figure: times {years:g} years, {shown}")
        found[qid] = high
        if low != high:
            origins[qid] = (origins[qid] + "; " if qid in origins else "") + "top of a range"
            if ranges is not None:
                ranges[qid] = (low, high)
            if notes is not None:
                notes.append(f"{said} is a range: scored at its top, {money_words(high)}")

    def _derive_timescale(
        self,
        cells: list[Cell],
        answered: Mapping[str, Answer],
        found: dict[str, Answer],
        origins: dict[str, str],
        problems: list[CellProblem],
    ) -> None:
        years: float | None = None
        origin = ""
        header, cell = "", None
        try:
            if self._duration is not None:
                index, header, per_year = self._duration
                cell = cells[index]
                years, origin = parse_duration(cell, per_year), "from duration"
            if years is None and self._dates is not None:
                (start_index, header, _), (end_index, end_header, _) = self._dates
                cell = cells[start_index]
                start = parse_sheet_date(cell)
                header, cell = end_header, cells[end_index]
                end = parse_sheet_date(cell)
                if start is not None and end is not None:
                    if end < start:
                        raise AnswerProblem(f"the end date {end} is before the start date {start}")
                    years, origin = contract_years(start, end), "from start and end dates"
        except AnswerProblem as exc:
            problems.append(CellProblem(header, cell, str(exc)))
            return
        if years is None:
            return
        for qid, spans in self._timed:
            if qid in answered:
                continue
            if spans is None:  # a number question in years: the length itself
                found[qid] = round(years, 2)
                origins[qid] = origin
                continue
            for answer_id, span in spans:
                if span.contains(years):
                    found[qid] = answer_id
                    origins[qid] = origin
                    break
