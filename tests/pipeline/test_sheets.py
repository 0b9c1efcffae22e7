"""Sheets fit to hand on: every row comes back, headers are found where officers put
them, values are read as officers write them, and a workbook comes back looking like the
officer's own. Real files, the real CLI."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from svadvisor.answers.values import ValueProblem, parse_money, parse_uk_date
from svadvisor.cli.app import app

PLAN = """Forward Plan 2027-28,,,,,
Prepared 1 March 2027,,,,,
Reference,Title,Estimated value (£),complexity,Start date,End date
A-1,School meals,c. £2m,simple,01/04/2027,31/03/2030
A-2,Day services,£350k pa,complex,1 April 2027,31 March 2032
A-3,Handyperson service,£350k pa,simple,,
,,,,,
Adult social care,,,,,
A-4,Supported living,£150k - £250k,complex,01/04/2027,31/03/2030
A-5,Street lighting,£195k - £215k,simple,01/04/2027,31/03/2028
A-6,Bad value,about a lot,simple,01/04/2027,31/03/2028
A-7,US date,£20k,simple,12/31/2027,31/03/2028
TOTAL,,,,,
"""


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def batch(runner: CliRunner, *args: object) -> object:
    return runner.invoke(app, ["batch", *map(str, args)])


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    source = tmp_path / "plan.csv"
    source.write_text(PLAN, encoding="utf-8")
    return source


def test_every_input_row_comes_back_in_its_place(
    runner: CliRunner, plan: Path, tmp_path: Path
) -> None:
    result = batch(runner, plan)
    assert result.exit_code == 1, result.output  # two rows cannot be scored
    rows = read_csv(tmp_path / "plan.scored.csv")
    assert [r["Reference"] or r["Title"] for r in rows] == [
        "A-1",
        "A-2",
        "A-3",
        "",
        "Adult social care",
        "A-4",
        "A-5",
        "A-6",
        "A-7",
        "TOTAL",
    ]
    problem = [r["problem"] for r in rows]
    assert problem[3] == "not scored: a blank row"
    assert problem[4] == "not scored: a sub-heading" and rows[4]["Reference"] == "Adult social care"
    assert problem[7].startswith("not scored: column 'Estimated value (£)': 'about a lot' is not")
    assert problem[8].startswith(
        "not scored: column 'Start date': '12/31/2027' is not a UK date (day/month/year): "
        "there is no month 31"
    )
    assert problem[9] == "not scored: a total row"
    assert all(not problem[i] for i in (0, 1, 2, 5, 6))
    # the rejects file names each row by its reference and title
    rejects = read_csv(tmp_path / "plan.rejects.csv")
    assert [(r["row"], r["reference"], r["title"], r["column"]) for r in rejects] == [
        ("11", "A-6", "Bad value", "Estimated value (£)"),
        ("12", "A-7", "US date", "Start date"),
    ]
    assert "the header is row 3 (below the title rows); rows 1-2 above it" in result.stdout


def test_values_as_officers_write_them(runner: CliRunner, plan: Path, tmp_path: Path) -> None:
    batch(runner, plan)
    rows = {r["Reference"]: r for r in read_csv(tmp_path / "plan.scored.csv")}
    assert "value" in rows["A-1"]["answers_from_sheet"].split("; ")  # "c. £2m"
    # a yearly figure times the term (5 years: 1 April 2027 to 31 March 2032)
    assert rows["A-2"]["value_note"] == (
        "value '£350k pa' is a yearly figure: times 5 years, £1,750,000"
    )
    assert "value (yearly figure times 5 years)" in rows["A-2"]["answers_from_sheet"]
    # without a term the whole-life value is unknown, and the row says why
    assert rows["A-3"]["value_note"].startswith(
        "value '£350k pa' is a yearly figure and the contract's length is not known"
    )
    assert "value" in rows["A-3"]["unknown_questions"].split("; ")
    # a range whose bottom and top give the same advice
    assert rows["A-4"]["value_note"] == (
        "value '£150k - £250k' is a range: scored at its top, £250,000; the advice is the "
        "same across the range"
    )


def test_a_range_across_a_threshold_says_the_advice_changes(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "lights.csv"
    source.write_text(
        "Ref,Estimated value,service_type,market,start_date\n"
        "L-1,£195k - £215k,goods,deep,2027-04-01\n",
        encoding="utf-8",
    )
    assert batch(runner, source).exit_code == 0
    (row,) = read_csv(tmp_path / "lights.scored.csv")
    assert row["value_note"].startswith(
        "value '£195k - £215k' is a range: scored at its top, £215,000; the advice changes "
        "across the range: at its bottom, £195,000"
    )
    assert row["regime"] == "Procurement Act 2023"  # scored at the top: above £207,720


def test_header_row_can_be_named(runner: CliRunner, plan: Path, tmp_path: Path) -> None:
    result = batch(runner, plan, "--header-row", "3", "--json")
    assert result.exit_code == 1
    assert read_csv(tmp_path / "plan.scored.csv")[0]["Reference"] == "A-1"
    bad = batch(runner, plan, "--header-row", "99", "--force")
    assert bad.exit_code == 2
    assert "there is no row 99 (--header-row) to read" in bad.stderr


def test_uk_dates_are_read_the_same_way_everywhere(runner: CliRunner, tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("start_date: 1 April 2026\nvalue: c. £2m\n", encoding="utf-8")
    data = runner.invoke(app, ["assess", "--answers", str(answers), "--json"])
    assert data.exit_code == 0, data.output
    assert '"start_date": "2026-04-01"' in data.stdout and '"value": 2000000' in data.stdout
    answers.write_text("start_date: 01/04/26\n", encoding="utf-8")
    bad = runner.invoke(app, ["assess", "--answers", str(answers)])
    assert bad.exit_code == 2
    assert "start_date: '01/04/26' has a two-digit year" in bad.stderr
    answers.write_text("value: £350k pa\ncontract_term: 4\n", encoding="utf-8")
    yearly = runner.invoke(app, ["assess", "--answers", str(answers), "--json"])
    assert '"value": 1400000' in yearly.stdout


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 10**9),
    st.sampled_from(["{}", "£{:,}", "c. £{:,}", "approx £{:,}", "about {:,}", "£{:,} inc VAT"]),
)
def test_any_plain_amount_reads_back_as_itself(amount: int, shape: str) -> None:
    money = parse_money(shape.format(amount))
    assert money is not None and (money.low, money.high, money.annual) == (amount, amount, False)


@settings(max_examples=200, deadline=None)
@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)))
def test_any_date_reads_back_in_every_uk_form(day: date) -> None:
    for text in (
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        f"{day.day}.{day.month}.{day.year}",
        f"{day.day} {day.strftime('%B')} {day.year}",
        f"{day.day} {day.strftime('%b')} {day.year}",
    ):
        assert parse_uk_date(text) == day


@pytest.mark.parametrize(
    "text", ["TBC", "tbc", "unknown", "n/a", "N/A", "", "  ", "To be confirmed"]
)
def test_dont_know_words(text: str) -> None:
    assert parse_money(text) is None and parse_uk_date(text) is None


@pytest.mark.parametrize(
    ("text", "low", "high", "annual"),
    [
        ("£2 million", 2e6, 2e6, False),
        ("1.2 million", 1.2e6, 1.2e6, False),
        ("£1.2 m", 1.2e6, 1.2e6, False),
        ("£1.2m - £1.5m", 1.2e6, 1.5e6, False),
        ("£1.2m to £1.5m", 1.2e6, 1.5e6, False),
        ("£350k pa", 350e3, 350e3, True),
        ("£40,000 per annum", 40e3, 40e3, True),
        ("£40k a year", 40e3, 40e3, True),
    ],
)
def test_amounts_in_words_ranges_and_yearly_figures(
    text: str, low: float, high: float, annual: bool
) -> None:
    money = parse_money(text)
    assert money is not None and (money.low, money.high, money.annual) == (low, high, annual)


def test_a_range_the_wrong_way_round_is_refused() -> None:
    with pytest.raises(ValueProblem, match="first figure is the larger"):
        parse_money("£1.5m - £1.2m")


# --- workbooks -------------------------------------------------------------------------


def make_workbook(path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Read me"
    notes.append(["This workbook holds the forward plan on the next sheet."])
    sheet = workbook.create_sheet("Forward plan 2027")
    sheet.append(["Forward Plan 2027-28"])
    sheet.append([])
    sheet.append(
        ["Reference", "Title", "Estimated value (£)", "Start date", "complexity", "service_type"]
    )
    sheet.append(["F-1", "Meals", 2_000_000, datetime(2027, 4, 1), "simple", "goods"])
    sheet.append(
        ["F-2", "+cmd|' /C calc'!A0", 150_000, datetime(2027, 6, 1), "complex", "services"]
    )
    sheet.append(["Total", None, 2_150_000, None, None])
    for row in (4, 5):
        sheet.cell(row=row, column=4).number_format = "dd/mm/yyyy"
        sheet.cell(row=row, column=3).number_format = '"£"#,##0'
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["D"].width = 14
    workbook.save(path)


def test_a_workbook_comes_back_looking_like_the_officers_own(
    runner: CliRunner, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    source = tmp_path / "plan.xlsx"
    make_workbook(source)
    result = batch(runner, source)
    assert result.exit_code == 0, result.output
    assert "read sheet 'Forward plan 2027', the first with a recognisable header" in result.stdout
    workbook = load_workbook(tmp_path / "plan.scored.xlsx")
    assert workbook.sheetnames == ["Forward plan 2027"]
    sheet = workbook["Forward plan 2027"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == [
        "Reference",
        "Title",
        "Estimated value (£)",
        "Start date",
        "complexity",
        "service_type",
    ]
    assert header[6] == "problem" and "regime" in header and "confidence" in header
    # dates stay dates, with the input's formats; widths kept
    assert sheet["D2"].value == datetime(2027, 4, 1) and sheet["D2"].number_format == "dd/mm/yyyy"
    assert sheet["C2"].number_format == '"£"#,##0'
    assert sheet.column_dimensions["B"].width == 40
    assert sheet.column_dimensions["D"].width == 14
    # the header: bold, frozen, filterable; svadvisor's columns under another colour
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(header)).column_letter}4"
    own, added = sheet["A1"].fill.fgColor.rgb, sheet["G1"].fill.fgColor.rgb
    assert own != added
    # formulas neutralised; the total row kept and marked
    assert sheet["B3"].value == "'+cmd|' /C calc'!A0"
    assert sheet["G4"].value.startswith("not scored: a total row")
    # notes and regimes in words, ids beside them for scripts
    notes = header.index("notes") + 1
    assert "The Act's objectives include public benefit and SME access (MUST)" in (
        sheet.cell(row=2, column=notes).value
    )
    assert "pa23_objectives" in sheet.cell(row=2, column=header.index("note_ids") + 1).value
    regime = header.index("regime") + 1
    assert sheet.cell(row=2, column=regime).value.startswith("Procurement Act 2023")


def test_a_named_sheet_is_read(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "plan.xlsx"
    make_workbook(source)
    result = batch(runner, source, "--sheet", "Read me")
    assert result.exit_code == 2
    assert "no column answers a question" in result.stderr


# --- files others can open ----------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_outputs_are_created_with_the_usual_permissions(plan: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("svadvisor")
    memo = tmp_path / "memo.md"
    answers = tmp_path / "answers.yaml"
    answers.write_text("complexity: simple\n", encoding="utf-8")
    for args in (
        ["batch", str(plan), "--output", str(tmp_path / "s.xlsx")],
        ["assess", "--answers", str(answers), "--memo", str(memo)],
    ):
        subprocess.run(
            ["sh", "-c", 'umask 022 && exec "$0" "$@"', str(script), *args],
            check=False,
            capture_output=True,
        )
    for made in (tmp_path / "s.xlsx", tmp_path / "plan.rejects.csv", memo):
        assert stat.S_IMODE(made.stat().st_mode) == 0o644, made
    subprocess.run(
        ["sh", "-c", 'umask 077 && exec "$0" "$@"', str(script), "batch", str(plan), "--force"],
        check=False,
        capture_output=True,
    )
    assert stat.S_IMODE((tmp_path / "plan.scored.csv").stat().st_mode) == 0o600
    assert os.access(tmp_path / "plan.scored.csv", os.R_OK)


# --- Windows habits ---------------------------------------------------------------------------


def test_windows_files_crlf_bom_and_cp1252(runner: CliRunner, tmp_path: Path) -> None:
    """What a Windows user hands over: CRLF line ends, a UTF-8 byte-order mark, or text
    saved by Excel in Windows-1252 (£ as byte 0xA3), and answers files alike."""
    lines = [
        "Reference,Title,Estimated value (£),complexity",
        "W-1,Café meals,£1.2m,simple",
        "W-2,Résumé service,c. £40k,complex",
    ]
    text = "\r\n".join(lines) + "\r\n"
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "cp1252.csv").write_bytes(text.encode("cp1252"))
    for name in ("bom", "cp1252"):
        result = batch(runner, tmp_path / f"{name}.csv")
        assert result.exit_code == 0, result.output
        rows = read_csv(tmp_path / f"{name}.scored.csv")
        assert [r["Title"] for r in rows] == ["Café meals", "Résumé service"]
        assert "value" in rows[0]["answers_from_sheet"].split("; ")
        raw = (tmp_path / f"{name}.scored.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    answers = tmp_path / "answers.yaml"
    answers.write_bytes(b"\xef\xbb\xbfcomplexity: simple\r\nvalue: \xc2\xa31,200,000\r\n")
    result = runner.invoke(app, ["assess", "--answers", str(answers), "--json"])
    assert result.exit_code == 0, result.output
    assert '"value": 1200000' in result.stdout


def test_a_byte_order_mark_that_lies_is_one_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "plan.csv"
    source.write_bytes(b"\xef\xbb\xbfTitle,complexity\nCaf\xe9 services,simple\n")
    result = runner.invoke(app, ["batch", str(source)])
    assert result.exit_code == 2
    assert "byte-order mark but is not that encoding throughout" in result.stderr
    assert "Traceback" not in result.output


def test_a_blank_date_cell_in_a_workbook_is_no_date(runner: CliRunner, tmp_path: Path) -> None:
    from openpyxl import Workbook

    source = tmp_path / "plan.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Title", "complexity", "Start date", "End date", "market"])
    sheet.append(["Grounds", "simple", None, None, "deep"])
    book.save(source)
    output = tmp_path / "plan.scored.csv"
    result = runner.invoke(app, ["batch", str(source), "--output", str(output)])
    assert result.exit_code == 0, result.output
    (row,) = read_csv(output)
    assert row["problem"] == "" and row["confidence"]


def test_a_chart_sheet_is_refused_by_name(runner: CliRunner, tmp_path: Path) -> None:
    from openpyxl import Workbook

    source = tmp_path / "plan.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Title", "complexity"])
    sheet.append(["Grounds", "simple"])
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=2))
    book.create_chartsheet("Chart1").add_chart(chart)
    book.save(source)
    result = runner.invoke(app, ["batch", str(source), "--sheet", "Chart1"])
    assert result.exit_code == 2
    assert "'Chart1' is a chart sheet, not a sheet of rows" in result.stderr
