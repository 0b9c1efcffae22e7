"""The pipeline's parts: readers, the row -> answers mapping, the batch scorer's agreement
with `engine.assess`, and property tests over generated pipelines."""

from __future__ import annotations

import csv
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import svadvisor
from svadvisor.answers.validate import AnswerProblem, validate_answers
from svadvisor.cases.library import builtin_cases_for
from svadvisor.cli.app import app
from svadvisor.errors import InputFileError
from svadvisor.pipeline.mapping import (
    contract_years,
    parse_duration,
    parse_sheet_date,
    plan_columns,
)
from svadvisor.pipeline.readers import detect_encoding, sniff_delimiter
from svadvisor.pipeline.scoring import TOP_REASONS, BatchScorer
from svadvisor.pipeline.writers import neutralise, write_csv
from svadvisor.rulepack.load import load_pack
from svadvisor.rulepack.schema import Question, RulePack
from svadvisor.scoring import engine

PACK = load_pack()
CPV_PACK = load_pack(Path(__file__).resolve().parents[1] / "fixtures" / "packs" / "cpv")
TODAY = date(2026, 11, 25)


# --- the batch scorer agrees with engine.assess ----------------------------------------


def answer_for(question: Question, pack: RulePack) -> st.SearchStrategy[Any]:
    """Any valid answer, with numbers and dates often right at a band edge or a threshold
    value or start day, where a shared profile could go wrong."""
    if question.type in ("choice", "yesno"):
        return st.sampled_from(question.choice_ids)
    if question.type == "multi":
        return st.lists(st.sampled_from(question.choice_ids), unique=True, min_size=1)
    if question.type == "number":
        low = int(question.min) if question.min is not None else 0
        high = int(question.max) if question.max is not None else 10**9
        edges = [b.at_least for b in question.bands] + [b.below for b in question.bands]
        edges += [v.value for t in pack.thresholds for v in t.values]
        near = [min(high, max(low, int(e) + d)) for e in edges if e is not None for d in (-1, 0, 1)]
        return st.one_of(st.integers(low, high), st.sampled_from(near or [low]))
    if question.type == "cpv":
        listed = sorted(set().union(*pack.cpv_lists.values())) or ["85000000"]
        return st.lists(
            st.sampled_from(sorted(pack.cpv_names)) | st.sampled_from(listed), max_size=2
        )
    days = [v.from_ for t in pack.thresholds for v in t.values if v.from_]
    near_days = [d + timedelta(days=n) for d in days for n in (-1, 0, 1)]
    return (st.dates() | st.sampled_from(near_days or [TODAY])).map(date.isoformat)


def answers_strategy(pack: RulePack) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={q.id: answer_for(q, pack) for q in pack.questions})


def top_reasons(result: svadvisor.scoring.assessment.Assessment) -> list[tuple[str, int, str]]:
    positive = [c for c in result.winner.contributions if c.points > 0]
    ranked = sorted(positive, key=lambda c: -c.points)[:TOP_REASONS]
    return [(c.question, c.points, c.reason) for c in ranked]


CASES = builtin_cases_for(PACK)
SCORER = BatchScorer(PACK, on=TODAY, cases=CASES, cache_limit=64)  # small: eviction runs too


@settings(max_examples=400, deadline=None)
@given(answers_strategy(PACK))
def test_batch_outcome_equals_assess(raw: dict[str, Any]) -> None:
    checked = validate_answers(PACK, raw)
    result = engine.assess(PACK, checked, on=TODAY, cases=CASES)
    outcome = SCORER.outcome(checked)
    assert outcome.winner == result.winner.route
    assert outcome.runner_up == result.runner_up.route
    assert outcome.margin == result.margin
    assert outcome.ranking == tuple((r.route, r.score) for r in result.ranking)
    assert outcome.notes == tuple(n.id for n in result.notes)
    assert outcome.unknown == tuple(result.unanswered)
    assert [(r.question, r.points, r.reason) for r in outcome.reasons] == top_reasons(result)
    labels = {r.id: r.label for r in PACK.routes}
    assert result.confidence is not None
    assert outcome.cells[:4] == (
        labels[result.recommended] if result.recommended else "",
        labels[result.runner_up.route],
        result.margin,
        result.confidence.level,
    )


@settings(max_examples=200, deadline=None)
@given(answers_strategy(CPV_PACK))
def test_batch_outcome_equals_assess_with_multiple_choice(raw: dict[str, Any]) -> None:
    checked = validate_answers(CPV_PACK, raw)
    result = engine.assess(CPV_PACK, checked, on=TODAY)
    outcome = BatchScorer(CPV_PACK, on=TODAY).outcome(checked)
    assert outcome.ranking == tuple((r.route, r.score) for r in result.ranking)
    assert [(r.question, r.points, r.reason) for r in outcome.reasons] == top_reasons(result)


# --- generated pipelines through the real CLI -------------------------------------------


def cell_for(question: Question) -> st.SearchStrategy[str]:
    """What an officer may type: an id or a label, any case, or blank for "don't know"."""
    if question.type == "number" and question.unit == "years":
        return st.one_of(st.just(""), st.integers(0, int(question.max or 100)).map(str))
    if question.type == "number":
        return st.one_of(
            st.just(""),
            st.integers(0, 10**8).map(str),
            st.integers(0, 10**6).map(lambda v: f"£{v:,}"),
        )
    if question.type == "cpv":
        codes = st.sampled_from(sorted(set().union(*PACK.cpv_lists.values())))
        return st.one_of(st.just(""), codes, codes.map(lambda c: f"{c} {PACK.cpv_names[c]}"))
    if question.type == "date":
        days = st.dates(date(2024, 1, 1), date(2030, 12, 31))
        return st.one_of(
            st.just(""), days.map(date.isoformat), days.map(lambda d: d.strftime("%d/%m/%Y"))
        )
    spellings = [a.id for a in question.answers] + [a.label.upper() for a in question.answers]
    return st.one_of(st.just(""), st.just("Don't know"), st.sampled_from(spellings))


def as_answers(row: dict[str, str]) -> dict[str, Any]:
    """The row as an answers file would hold it: ISO dates, bare CPV codes."""
    answers: dict[str, Any] = dict(row)
    for question in PACK.questions:
        cell = row[question.id]
        if question.type == "date" and cell:
            answers[question.id] = parse_sheet_date(cell)
        elif question.type == "cpv" and cell:
            answers[question.id] = cell.split()[0]
    return answers


ROWS = st.lists(
    st.fixed_dictionaries({q.id: cell_for(q) for q in PACK.questions}), min_size=1, max_size=30
)


@settings(max_examples=40, deadline=None)
@given(ROWS)
def test_any_pipeline_of_valid_rows_scores_every_row_in_order(rows: list[dict[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "pipeline.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            ids = [q.id for q in PACK.questions]
            writer.writerow(["Reference", *ids])
            for number, row in enumerate(rows):
                writer.writerow([f"REF-{number}", *(row[i] for i in ids)])
        result = CliRunner().invoke(app, ["batch", str(source)])
        assert result.exit_code == 0, result.output
        with (Path(folder) / "pipeline.scored.csv").open(encoding="utf-8-sig") as handle:
            scored = list(csv.DictReader(handle))
    assert [r["Reference"] for r in scored] == [f"REF-{n}" for n in range(len(rows))]
    for row, out in zip(rows, scored, strict=True):
        expected = svadvisor.assess(as_answers(row), PACK, on=TODAY, cases=CASES)
        labels = {r.route: r.label for r in expected.ranking}
        assert expected.confidence is not None
        assert out["recommended_route"] == (
            labels[expected.recommended] if expected.recommended else ""
        )
        assert out["confidence"] == expected.confidence.level
        assert out["warnings"] == "; ".join(w.text for w in expected.warnings)
        assert out["runner_up"] == expected.runner_up.label
        assert int(out["margin"]) == expected.margin
        for route in expected.ranking:
            assert int(out[f"score_{route.route}"]) == route.score
        assert out["note_ids"] == "; ".join(n.id for n in expected.notes)
        assert out["unknown_questions"] == "; ".join(expected.unanswered)
        nearest = expected.cases[0] if expected.cases else None
        assert out["nearest_case"] == (f"{nearest.name} ({nearest.id})" if nearest else "")


# --- readers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2;3\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ('Ref;"Value, in £";Note\nX;"1,000";"a, b"\n', ";"),
        ("only\nx\n", ","),
    ],
)
def test_sniff_delimiter(sample: str, delimiter: str) -> None:
    assert sniff_delimiter(sample) == delimiter


def test_encoding_order(tmp_path: Path) -> None:
    cases = {
        "bom.csv": ("a,é\n".encode("utf-8-sig"), "utf-8-sig"),
        "utf8.csv": ("a,é\n".encode(), "utf-8"),
        "cp1252.csv": ("a,’£\n".encode("cp1252"), "cp1252"),  # noqa: RUF001
        "utf16.csv": ("a\té\n".encode("utf-16"), "utf-16"),
    }
    for name, (data, expected) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert detect_encoding(tmp_path / name) == expected
    (tmp_path / "binary.csv").write_bytes(b"a,\x81\x8d\x90\n")
    with pytest.raises(InputFileError, match="neither UTF-8 nor Windows-1252"):
        detect_encoding(tmp_path / "binary.csv")


# --- cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        (date(2025, 4, 1), date(2028, 3, 31), 3.0),
        (date(2025, 1, 1), date(2027, 12, 31), 3.0),
        (date(2025, 4, 1), date(2035, 4, 1), 10 + 1 / 31 / 12),
        (date(2025, 3, 1), date(2025, 3, 31), 1 / 12),
    ],
)
def test_contract_years_count_the_end_date_as_the_last_day(
    start: date, end: date, years: float
) -> None:
    assert contract_years(start, end) == pytest.approx(years)


@pytest.mark.parametrize(
    ("cell", "per_year", "years"),
    [
        ("3", 1, 3),
        ("2.5 years", 1, 2.5),
        ("36 months", 1, 3),
        ("3 + 1 + 1", 1, 5),
        ("48", 12, 4),
        (24, 12, 2),
        ("", 1, None),
        ("unknown", 1, None),
    ],
)
def test_parse_duration(cell: Any, per_year: float, years: float | None) -> None:
    assert parse_duration(cell, per_year) == (pytest.approx(years) if years else None)


@pytest.mark.parametrize("cell", ["soon", "3 to 5 years", True])
def test_parse_duration_refuses(cell: Any) -> None:
    with pytest.raises(AnswerProblem):
        parse_duration(cell, 1)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2025-04-01", date(2025, 4, 1)),
        ("01/04/2025", date(2025, 4, 1)),
        ("1.4.2025", date(2025, 4, 1)),
        ("2025-04-01T00:00:00Z", date(2025, 4, 1)),
        ("", None),
    ],
)
def test_parse_sheet_date_is_day_first(cell: str, expected: date | None) -> None:
    assert parse_sheet_date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("-5", "-5"),
        ("+3.5", "+3.5"),
        ("plain", "plain"),
        ("", ""),
        (-5, -5),
    ],
)
def test_neutralise(cell: Any, safe: Any) -> None:
    assert neutralise(cell) == safe


# --- columns --------------------------------------------------------------------------------


def test_two_columns_for_one_question_is_an_error() -> None:
    with pytest.raises(InputFileError, match="columns 'Value' and 'Estimated value' both give"):
        plan_columns(["Value", "Estimated value"], PACK)


def test_duration_in_months_is_recognised_from_the_header() -> None:
    plan = plan_columns(["Title", "Contract length (months)"], PACK)
    assert plan.describe() == {"Contract length (months)": "contract_months"}
    plan = plan_columns(["Duration in years"], PACK)
    assert plan.describe() == {"Duration in years": "contract_years"}


# --- writers ------------------------------------------------------------------------------

CELL_TEXT = st.text(alphabet=st.sampled_from(list('ab ,;"=+-@\t\r\n\x00£é1')), max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(CELL_TEXT, min_size=1, max_size=6), min_size=1, max_size=5),
    st.sampled_from([",", ";", "\t"]),
)
def test_csv_rows_read_back_as_written_and_neutralised(
    rows: list[list[str]], delimiter: str
) -> None:
    """The fast join and the csv module write the same thing; every risky cell is neutralised."""
    tail = ("Alliance contracting", 3, "=tail")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.csv"
        with write_csv(path, ["h"], force=False, delimiter=delimiter) as writer:
            for row in rows:
                writer.write(row, tail)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            back = list(csv.reader(handle, delimiter=delimiter))
    assert back[0] == ["h"]
    expected = [[str(neutralise(c)) for c in (*row, *tail)] for row in rows]
    assert back[1:] == expected
