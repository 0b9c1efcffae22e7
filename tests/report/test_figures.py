"""The report's figures, each checked against the scored sheet batch wrote."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import EXAMPLES
from typer.testing import CliRunner

from svadvisor.answers.values import parse_money
from svadvisor.cli.app import app
from svadvisor.errors import InputFileError
from svadvisor.report.figures import NO_RECOMMENDATION, financial_quarter, read_figures
from svadvisor.rulepack.schema import RulePack

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "batch"


def scored(runner: CliRunner, source: Path, tmp_path: Path, suffix: str = ".csv") -> Path:
    """Run the real batch command; the scored sheet it writes."""
    output = tmp_path / f"{source.stem}.scored{suffix}"
    result = runner.invoke(
        app,
        ["batch", str(source), "--output", str(output), "--rejects", str(output) + ".rejects.csv"],
    )
    assert result.exit_code in (0, 1), result.output
    return output


def test_the_example_pipeline_figures_match_its_sheet(
    runner: CliRunner, pack: RulePack, tmp_path: Path
) -> None:
    sheet = scored(runner, EXAMPLES / "pipeline.csv", tmp_path)
    figures = read_figures(sheet, pack)
    with sheet.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert figures.rows_read == len(rows)
    assert figures.rows_scored == sum(1 for r in rows if r["confidence"])
    by_label = {figure.label: figure for figure in figures.routes}
    for label, figure in by_label.items():
        mine = [
            r
            for r in rows
            if r["confidence"]
            and (
                r["recommended_route"] == label
                if label != NO_RECOMMENDATION
                else r["confidence"] == "insufficient"
            )
        ]
        assert figure.rows == len(mine), label
        amounts = [parse_money(r["Estimated value (£)"]) for r in mine]
        assert figure.value == sum(m.high for m in amounts if m is not None), label
        assert figure.rows_without_value == sum(1 for m in amounts if m is None), label
    for level, count in figures.confidence.items():
        assert count == sum(1 for r in rows if r["confidence"] == level)
    assert figures.rule_pack_sha256 == rows[0]["rule_pack_sha256"]
    assert len(figures.source_sha256) == 64
    settle = {q: n for q, n in figures.settle_first}
    for question, count in settle.items():
        assert count == sum(1 for r in rows if question in r["settle_first"].split("; "))
    assert (
        sum(sum(c.values()) for c in figures.quarters.values()) + (figures.rows_without_start)
        == figures.rows_scored
    )
    assert sum(rows for _, rows, _ in figures.regime_rows()) == figures.rows_scored
    assert sum(rows for _, rows, _ in figures.band_rows()) == figures.rows_scored


def test_a_workbook_gives_the_same_figures_as_a_csv(
    runner: CliRunner, pack: RulePack, tmp_path: Path
) -> None:
    from_csv = read_figures(scored(runner, EXAMPLES / "pipeline.csv", tmp_path), pack)
    from_xlsx = read_figures(scored(runner, EXAMPLES / "pipeline.csv", tmp_path, ".xlsx"), pack)
    assert from_xlsx.routes == from_csv.routes
    assert from_xlsx.confidence == from_csv.confidence
    assert from_xlsx.quarters == from_csv.quarters
    assert from_xlsx.notes_by_value == from_csv.notes_by_value


def test_rows_that_are_not_services_or_not_scored_are_counted_apart(
    runner: CliRunner, pack: RulePack, tmp_path: Path
) -> None:
    sheet = scored(runner, FIXTURES / "bad-rows.csv", tmp_path)
    figures = read_figures(sheet, pack)
    with sheet.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    flagged = [r for r in rows if r["problem"] and not r["confidence"]]
    assert flagged, "the fixture has rows batch could not score"
    assert figures.rows_flagged + figures.rows_not_services == len(flagged)
    assert figures.rows_scored == len(rows) - len(flagged)
    assert sum(route.rows for route in figures.routes) == figures.rows_scored


def test_a_sheet_batch_did_not_write_is_refused_by_name(pack: RulePack) -> None:
    with pytest.raises(InputFileError) as caught:
        read_figures(EXAMPLES / "pipeline.csv", pack)
    message = str(caught.value)
    assert "not a sheet that svadvisor batch wrote" in message
    assert "recommended_route" in message
    assert "run `svadvisor batch` on the pipeline first" in message


def test_a_scored_sheet_with_no_rows_gives_empty_figures(
    runner: CliRunner, pack: RulePack, tmp_path: Path
) -> None:
    sheet = scored(runner, EXAMPLES / "pipeline.csv", tmp_path)
    header_only = tmp_path / "empty.scored.csv"
    header_only.write_text(
        sheet.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8"
    )
    figures = read_figures(header_only, pack)
    assert (figures.rows_read, figures.rows_scored, figures.value_known) == (0, 0, 0)
    assert figures.share_of_value("Alliance contracting") is None


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2026, 4, 1), "2026-27 Q1 (Apr-Jun)"),
        (date(2026, 6, 30), "2026-27 Q1 (Apr-Jun)"),
        (date(2026, 7, 1), "2026-27 Q2 (Jul-Sep)"),
        (date(2026, 12, 31), "2026-27 Q3 (Oct-Dec)"),
        (date(2027, 1, 1), "2026-27 Q4 (Jan-Mar)"),
        (date(2027, 3, 31), "2026-27 Q4 (Jan-Mar)"),
        (date(1999, 4, 1), "1999-00 Q1 (Apr-Jun)"),
    ],
)
def test_quarters_are_the_financial_year(day: date, quarter: str) -> None:
    assert financial_quarter(day) == quarter


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 1)))
def test_a_quarter_holds_three_months_in_order(day: date) -> None:
    label = financial_quarter(day)
    assert label.split(" (")[1].rstrip(")").split("-")[0] in {"Apr", "Jul", "Oct", "Jan"}
    later = day + timedelta(days=100)
    assert financial_quarter(later) > label, "labels sort in time order"


def test_close_calls_are_the_rows_within_the_packs_margin(
    runner: CliRunner, pack: RulePack, tmp_path: Path
) -> None:
    sheet = scored(runner, EXAMPLES / "pipeline.csv", tmp_path)
    figures = read_figures(sheet, pack)
    with sheet.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["confidence"]]
    assert pack.meta.close_call is not None
    close = [r for r in rows if int(r["margin"]) < pack.meta.close_call.margin]
    assert close, "the example pipeline has close calls"
    assert figures.close_call_rows == len(close)
    assert {row.number for row in figures.close_calls} <= set(range(2, len(rows) + 2))
    assert all(
        row.margin is not None and row.margin < pack.meta.close_call.margin
        for row in figures.close_calls
    )
