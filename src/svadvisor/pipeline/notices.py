"""Published notices (OCDS) as a pipeline table: one row per procurement process.

The facts come from `svadvisor.pipeline.ocds`; which answers they give is the rule pack's
`ocds.yaml`. Each row carries the notice's own columns (ocid, title, buyer, published
date, value, link) and one column per question the notice answers, named by the
question's id so the batch reads it like any sheet. A process whose releases lack what
OCDS requires becomes a rejected row naming the ocid and the field.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from svadvisor.errors import InputFileError
from svadvisor.pipeline import ocds
from svadvisor.pipeline.readers import Cell, Row, Table
from svadvisor.rulepack.schema import OcdsMapping, RulePack

NOTICE_COLUMNS = [
    "ocid",
    "title",
    "buyer",
    "published",
    "notice_value",
    "currency",
    "notice_link",
    "notice_type",
    "stage",
    "procurement_method",
    "releases",
    "notice_flags",
    "notice_text_matches",
]
"""What every notice row carries, before the answer columns."""

DURATION_COLUMN = "Contract duration (years)"
"""Named so the batch reads it as a contract length (the pack's `duration` question)."""

DAYS_PER_YEAR = 365.25


def answer_columns(mapping: OcdsMapping) -> list[str]:
    """The answer columns a notice row has, in a stable order, from the pack's mapping."""
    columns = [
        mapping.notice_date,
        mapping.value.question if mapping.value else None,
        DURATION_COLUMN if mapping.duration else None,
        mapping.cpv,
        mapping.category.question if mapping.category else None,
        mapping.lots.question if mapping.lots else None,
        mapping.suitability.question if mapping.suitability else None,
        mapping.reserved.question if mapping.reserved else None,
        mapping.framework.question if mapping.framework else None,
        mapping.nation.question if mapping.nation else None,
        *(k.question for k in mapping.keywords),
    ]
    return list(dict.fromkeys(c for c in columns if c))


@dataclass(frozen=True)
class KeywordRule:
    """One `ocds.yaml` keyword entry compiled: whole-word patterns for its words and
    for the phrases that do not count."""

    question: str
    answer: str
    words: re.Pattern[str]
    unless: re.Pattern[str] | None


def _phrases(words: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(r"\s+".join(re.escape(part) for part in word.split()) for word in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def keyword_rules(mapping: OcdsMapping) -> list[KeywordRule]:
    return [
        KeywordRule(
            k.question, k.answer, _phrases(k.words), _phrases(k.unless) if k.unless else None
        )
        for k in mapping.keywords
    ]


def text_matches(facts: ocds.Facts, rules: list[KeywordRule]) -> list[tuple[KeywordRule, str, str]]:
    """(rule, the field, the words matched) for each rule the notice's own text meets: its
    title, description and procurement method details, first match per rule."""
    fields = (
        ("title", facts.title),
        ("description", facts.description),
        ("procurement method", facts.method_details),
    )
    found = []
    for rule in rules:
        for name, text in fields:
            if not text:
                continue
            if rule.unless is not None:
                text = rule.unless.sub(" ", text)
            match = rule.words.search(text)
            if match:
                found.append((rule, name, match.group(0)))
                break
    return found


def notice_cells(
    facts: ocds.Facts, mapping: OcdsMapping, rules: list[KeywordRule] | None = None
) -> tuple[dict[str, Cell], list[str]]:
    """The answer cells one process gives, and flags for what was left unknown and why."""
    cells: dict[str, Cell] = {}
    flags: list[str] = []
    if mapping.notice_date and facts.date:
        cells[mapping.notice_date] = facts.date[:10]
    if mapping.value and facts.amount is not None:
        wanted = mapping.value
        if facts.currency and facts.currency.upper() != wanted.currency.upper():
            flags.append(f"value in {facts.currency} not converted: left unknown")
        elif facts.amount < wanted.placeholder_below:
            flags.append(f"value {facts.amount:g} looks like a placeholder: left unknown")
        else:
            cells[wanted.question] = facts.amount
    if mapping.duration and facts.duration_days is not None and facts.duration_days > 0:
        cells[DURATION_COLUMN] = round(facts.duration_days / DAYS_PER_YEAR, 2)
    if mapping.cpv and facts.cpv:
        cells[mapping.cpv] = "; ".join(facts.cpv)
    if mapping.category and facts.category in mapping.category.answers:
        cells[mapping.category.question] = mapping.category.answers[facts.category]
    if mapping.lots and facts.lots:
        lots = mapping.lots
        cells[lots.question] = lots.two_or_more if facts.lots >= 2 else lots.one
    if mapping.suitability:
        picked = [
            mapping.suitability.answers[s]
            for s in facts.suitability
            if s in mapping.suitability.answers
        ]
        if picked:
            cells[mapping.suitability.question] = "; ".join(picked)
    if mapping.reserved:
        known = [
            mapping.reserved.answers[c] for c in facts.reserved if c in mapping.reserved.answers
        ]
        unknown = [c for c in facts.reserved if c not in mapping.reserved.answers]
        if known:
            cells[mapping.reserved.question] = known[0]
        if unknown:
            flags.append(f"reserved participation code(s) not mapped: {', '.join(unknown)}")
    if mapping.framework and facts.framework:
        cells[mapping.framework.question] = mapping.framework.answer
    if mapping.nation:
        for prefix, nation in mapping.nation.ocid_prefixes.items():
            if facts.ocid.startswith(prefix):
                cells[mapping.nation.question] = nation
                break
    for rule, _, _ in text_matches(facts, rules if rules is not None else keyword_rules(mapping)):
        cells.setdefault(rule.question, rule.answer)
    return cells, flags


def matches_text(facts: ocds.Facts, rules: list[KeywordRule]) -> str | None:
    """The `notice_text_matches` cell: each answer read from the notice's words, quoted."""
    found = [
        f"{rule.question} = {rule.answer}: the {field} says '{words}'"
        for rule, field, words in text_matches(facts, rules)
    ]
    return "; ".join(found) or None


@contextlib.contextmanager
def read_notices(path: Path, pack: RulePack, *, validate: bool = False) -> Iterator[Table]:
    """A file or folder of OCDS notices as a table (processes streamed, in file order)."""
    if pack.ocds is None:
        raise InputFileError(
            f"{path}: this rule pack has no ocds.yaml, so it cannot read published notices"
        )
    files = ocds.notice_files(path)
    check = ocds.schema_checker() if validate else None
    mapping = pack.ocds
    answers = answer_columns(mapping)
    header = [*NOTICE_COLUMNS, *answers]
    done = [0]
    yield Table(
        name=str(path),
        header=header,
        rows=_rows(ocds.processes(files, check=check), mapping, answers, done),
        progress=lambda: (done[0], None),
    )


def _rows(
    found: Iterator[ocds.Process], mapping: OcdsMapping, answers: list[str], done: list[int]
) -> Iterator[Row]:
    rules = keyword_rules(mapping)
    for count, process in enumerate(found, start=1):
        done[0] = count
        number = process.number
        if process.facts is None:
            problem = process.problem
            assert problem is not None
            where = f"{process.ocid or 'a release with no ocid'} ({process.position})"
            yield Row(
                number,
                [process.ocid or None, *[None] * (len(NOTICE_COLUMNS) + len(answers) - 1)],
                problem=(problem.field, where, str(problem)),
            )
            continue
        facts = process.facts
        cells, flags = notice_cells(facts, mapping, rules)
        own: list[Cell] = [
            facts.ocid,
            facts.title,
            facts.buyer,
            (facts.published or "")[:10] or None,
            facts.amount,
            facts.currency,
            facts.link,
            facts.notice_type,
            ", ".join(facts.tags) or None,
            facts.method_details or facts.method,
            process.releases,
            "; ".join(flags) or None,
            matches_text(facts, rules),
        ]
        yield Row(number, [*own, *(cells.get(column) for column in answers)])
