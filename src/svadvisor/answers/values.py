"""Money and dates as officers write them: the one parser that answers files, the
interview and pipeline sheets share, so "c. £2m" or "1 April 2026" means the same
everywhere.

- Don't know: blank, "TBC", "to be confirmed", "unknown", "n/a", "don't know".
- Money: `1250000`, `£1,250,000`, `1.25m`, `£1.2 m`, `£2 million`, `250k`, `£1bn`; an
  approximation is its value (`c. £2m`, `approx £350k`, `about 2 million`); a range stays
  a range (`£1.2m - £1.5m`, `£1.2m to £1.5m`); an annual figure says so (`£350k pa`,
  `per annum`, `a year`) and becomes a whole-life value only with the contract's length.
- Dates are read the UK way: `2026-04-01`, `01/04/2026`, `1.4.2026`, `1 April 2026`,
  `1 Apr 2026`. A date that is not a real UK day/month/year (`12/31/2026`), or whose year
  has two digits (`01/04/26`), is refused with the reason, never guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

DONT_KNOW_WORDS = frozenset(
    {
        "dont_know",
        "dont know",
        "don't know",
        "do not know",
        "unknown",
        "not known",
        "dk",
        "tbc",
        "tba",
        "tbd",
        "to be confirmed",
        "to be decided",
        "n/a",
        "na",
        "n.a.",
        "not applicable",
        "",
    }
)
"""Spellings of "don't know", compared lower-cased with spaces trimmed; blank counts too."""


class ValueProblem(ValueError):
    """A value that cannot be read; the message says what would be."""


def is_dont_know(value: object) -> bool:
    return value is None or (
        isinstance(value, str) and " ".join(value.strip().lower().split()) in DONT_KNOW_WORDS
    )


# --- money ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    """An amount as written: `low` and `high` are equal unless it is a range; `annual`
    when it is a yearly figure, not a whole-life value."""

    low: float
    high: float
    annual: bool = False
    text: str = ""

    @property
    def is_range(self) -> bool:
        return self.low != self.high


_APPROX = re.compile(
    r"^(?:c\.?|ca\.?|circa|approx\.?|approximately|about|around|roughly|est\.?|estimated|"
    r"estimate|~)\s*",
    re.IGNORECASE,
)
_ANNUAL = re.compile(
    r"\s*(?:p\.?\s?a\.?|per\s+annum|per\s+year|a\s+year|each\s+year|every\s+year|annually|"
    r"yearly|/\s*(?:yr|year|annum))\s*$",
    re.IGNORECASE,
)
_VAT = re.compile(
    r"\s*\(?\b(?:inc|incl|including|inclusive\s+of|ex|excl|excluding)\.?\s+vat\)?\s*$", re.I
)
_AMOUNT = re.compile(
    r"^(?:£|gbp\s*)?\s*(-?\d+(?:\.\d+)?)\s*(k|m|mn|bn|thousand|million|billion|mil)?"
    r"(?:\s*(?:pounds|gbp))?$",
    re.IGNORECASE,
)
_RANGE = re.compile(r"^(.+?)\s*(?:-|\u2013|\u2014|\bto\b)\s*(.+)$", re.IGNORECASE)
_SCALE = {
    "": 1,
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "mil": 1_000_000,
    "million": 1_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
MONEY_HINT = "write e.g. 1250000, £1,250,000, £1.25m, c. £2m, £1.2m - £1.5m or £350k pa"


def parse_money(value: object) -> Money | None:
    """An amount of money as written, or None for don't know; ValueProblem otherwise."""
    if isinstance(value, bool):
        raise ValueProblem(f"expected an amount, got {str(value).lower()}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueProblem(f"{value} is not a number you can use (write e.g. 1250000)")
        return Money(float(value), float(value), text=str(value))
    if not isinstance(value, str):
        raise ValueProblem(f"expected an amount, got {value!r}")
    if is_dont_know(value):
        return None
    text = " ".join(value.strip().split())
    body = _VAT.sub("", text)
    annual = bool(_ANNUAL.search(body))
    body = _ANNUAL.sub("", body)
    body = _APPROX.sub("", body).replace(",", "").replace("_", "")
    ranged = _RANGE.match(body) if not body.startswith("-") else None
    if ranged and _AMOUNT.match(ranged.group(2).strip()):
        first, second = _amount(ranged.group(1), value), _amount(ranged.group(2), value)
        low, high = first[0], second[0]
        if not first[1] and second[1]:  # "£1.2 - 1.5m": the second's scale for both
            low *= second[1]
        elif first[1] or not second[1]:
            low *= first[1] or 1
        high *= second[1] or first[1] or 1
        if low > high:
            raise ValueProblem(f"{_short(value)} is a range whose first figure is the larger")
        return Money(_whole(low), _whole(high), annual, text)
    amount, scale = _amount(body, value)
    number = _whole(amount * (scale or 1))
    return Money(number, number, annual, text)


def _amount(text: str, original: str) -> tuple[float, int]:
    """(number, scale or 0 when none was written)."""
    match = _AMOUNT.match(_APPROX.sub("", text.strip()))
    if not match:
        raise ValueProblem(f"{_short(original)} is not an amount ({MONEY_HINT})")
    number = float(match.group(1))
    word = (match.group(2) or "").lower()
    if not math.isfinite(number) or not math.isfinite(number * _SCALE[word]):
        raise ValueProblem(f"{_short(original)} is too large a number")
    return number, _SCALE[word] if word else 0


def _whole(number: float) -> float:
    if not math.isfinite(number):
        raise ValueProblem("too large a number")
    return float(round(number, 2))


def _short(text: object) -> str:
    shown = str(text)
    return repr(shown) if len(shown) <= 40 else f"{shown[:20]!r}...({len(shown):,} characters)"


# --- dates ------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WORDY_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$", re.IGNORECASE)
DATE_HINT = "write it as YYYY-MM-DD, DD/MM/YYYY or e.g. 1 April 2026"


def parse_uk_date(value: object) -> date | None:
    """A date read the UK way (day before month), or None for don't know."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueProblem(f"{value!r} is not a date; {DATE_HINT}")
    if is_dont_know(value):
        return None
    text = " ".join(value.strip().split())
    numeric = _NUMERIC_DATE.match(text)
    if numeric:
        first, second, third = numeric.groups()
        if len(first) == 4:  # year first: 2026-04-01 or 2026/04/01
            return _day(int(first), int(second), int(third), text)
        if len(third) != 4:
            raise ValueProblem(
                f"{text!r} has a two-digit year, which could be read more than one way; "
                f"write the year in full ({DATE_HINT})"
            )
        day, month = int(first), int(second)
        if month > 12 and day <= 12:
            raise ValueProblem(
                f"{text!r} is not a UK date (day/month/year): there is no month {month}; "
                f"if it is month/day/year, {DATE_HINT}"
            )
        return _day(int(third), month, day, text)
    wordy = _WORDY_DATE.match(text)
    if wordy:
        day_text, month_text, year_text = wordy.groups()
        month_number = _MONTHS.get(month_text.lower())
        if month_number is None:
            raise ValueProblem(f"{text!r} is not a date: unknown month {month_text!r}")
        return _day(int(year_text), month_number, int(day_text), text)
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueProblem(f"{text!r} is not a date; {DATE_HINT}") from None


def _day(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueProblem(f"{text!r} is not a real date ({exc})") from None


def money(value: float) -> str:
    """A sum as officers write it: £663,540, or £1,234.50 with pence."""
    return f"£{value:,.0f}" if float(value).is_integer() else f"£{value:,.2f}"
