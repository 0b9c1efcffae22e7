"""`svadvisor batch` end to end on real files: the real CLI, fixtures under tests/fixtures."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, EXPECTED_ROUTE
from typer.testing import CliRunner, Result

import svadvisor
from svadvisor.cli.app import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BATCH = FIXTURES / "batch"
CPV_PACK = FIXTURES / "packs" / "cpv"
ADDED = [
    "problem",
    "recommended_route",
    "runner_up",
    "margin",
    "confidence",
    "confidence_why",
    "settle_first",
    "regime",
    "score_competitive",
    "score_collaborative",
    "score_alliance",
    "score_commons",
    "prerequisites_not_met",
    "reason_1",
    "reason_2",
    "reason_3",
    "notes",
    "note_ids",
    "warnings",
    "nearest_case",
    "value_note",
    "answers_from_sheet",
    "unknown_questions",
    "rule_pack",
    "rule_pack_version",
    "rule_pack_sha256",
]


def copy(name: str, folder: Path) -> Path:
    target = folder / name
    shutil.copy(BATCH / name, target)
    return target


def batch(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(app, ["batch", *map(str, args)])


def read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def read_input(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def no_temporary_files(folder: Path) -> bool:
    return not list(folder.glob(".*.tmp"))


# --- a real forward plan ------------------------------------------------------------


def test_forward_plan_from_contracts_finder_scores_every_row(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = copy("forward-plan-contracts-finder.csv", tmp_path)
    result = batch(runner, source)
    assert result.exit_code == 0, result.output
    rows = read_csv(tmp_path / "forward-plan-contracts-finder.scored.csv")
    original = read_input(source)
    assert len(rows) == len(original) - 1 == 22
    assert list(rows[0])[: len(original[0])] == original[0]
    assert list(rows[0])[len(original[0]) :] == ADDED
    for row, cells in zip(rows, original[1:], strict=True):
        assert [row[h] for h in original[0]] == cells  # every input cell carried untouched
        assert row["rule_pack"] == "svadvisor built-in rule pack"
        assert "complexity" in row["unknown_questions"].split("; ")
    by_ref = {row["Reference"]: row for row in rows}
    luton = by_ref["LUTON001-DN753239-61686771"]  # 01/04/2025 to 01/04/2035, £118m
    assert luton["answers_from_sheet"].startswith(
        "cpv; value; contract_term (from start and end dates)"
    )
    # a ten-year contract is not a long-term goal, and light touch status is a legal fact:
    # nothing here is evidence for any route, so nothing is recommended yet
    assert "timescale" in luton["unknown_questions"].split("; ")
    assert luton["recommended_route"] == ""
    assert luton["confidence"] == "insufficient"
    assert "How complex is the system this service works in?" in luton["settle_first"]
    assert "light_touch_rules" in luton["note_ids"].split("; ")
    assert "value" not in luton["unknown_questions"].split("; ")
    dining = by_ref["2eea2605-c254-404f-a208-e20c84e54763"]  # one month, no value
    assert dining["answers_from_sheet"] == "cpv; contract_term (from start and end dates)"
    assert "value" in dining["unknown_questions"].split("; ")
    assert read_csv(tmp_path / "forward-plan-contracts-finder.rejects.csv") == []
    assert no_temporary_files(tmp_path)


def test_forward_plan_json_summary(runner: CliRunner, tmp_path: Path) -> None:
    result = batch(runner, copy("forward-plan-contracts-finder.csv", tmp_path), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows_read"] == summary["rows_scored"] == 22
    assert summary["rows_rejected"] == 0
    assert sum(summary["wins"].values()) == 22
    assert set(summary["wins"]) == {"competitive", "collaborative", "alliance", "commons"}
    assert summary["columns"] == {
        "Estimated value (£)": "value",
        "Start date": "contract_start",
        "End date": "contract_end",
        "CPV code": "cpv",
    }
    assert summary["carried"] == ["Reference", "Title", "Department"]
    assert summary["remarks"] == []
    assert set(summary["rule_pack"]) == {"name", "version", "sha256"}


def test_cpv_codes_answer_the_cpv_question_and_what_it_implies(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = batch(runner, copy("forward-plan-contracts-finder.csv", tmp_path))
    assert result.exit_code == 0, result.output
    rows = {
        r["Reference"]: r for r in read_csv(tmp_path / "forward-plan-contracts-finder.scored.csv")
    }
    social = rows["LUTON001-DN753239-61686771"]  # 85300000 Social work and related services
    assert social["answers_from_sheet"] == (
        "cpv; value; contract_term (from start and end dates); service_type (from CPV); "
        "mutual_reservable (from CPV)"
    )
    assert "service_type" not in social["unknown_questions"].split("; ")
    assert "light_touch_rules" in social["note_ids"].split("; ")
    works = rows["2eea2605-c254-404f-a208-e20c84e54763"]  # 45000000 Construction work
    assert works["answers_from_sheet"] == "cpv; contract_term (from start and end dates)"
    assert "service_type" in works["unknown_questions"].split("; ")
    assert social["nearest_case"]


def test_cpv_column_in_another_pack_feeds_its_cpv_question(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = copy("forward-plan-contracts-finder.csv", tmp_path)
    result = batch(runner, "--rules", CPV_PACK, source, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["columns"]["CPV code"] == "cpv"
    assert "built-in case studies do not fit this rule pack" in result.stderr
    rows = {
        r["Reference"]: r for r in read_csv(tmp_path / "forward-plan-contracts-finder.scored.csv")
    }
    social = rows["LUTON001-DN753239-61686771"]
    assert social["answers_from_sheet"] == "timescale (from start and end dates); cpv"
    assert social["score_collaborative"] == "5"  # long (+2) and CPV division 85 (+3)
    assert "(cpv: health and social work (85), +3)" in social["reason_1"]
    solar = rows["HARROW001-DN756419-06767060"]  # 09332000, a leading zero kept
    assert solar["score_collaborative"] == "0" and solar["score_competitive"] == "2"
    assert social["rule_pack"] == "batch test pack"
    assert "nearest_case" not in social  # no case library fits this pack


def test_cpv_column_is_carried_when_the_pack_has_no_cpv_question(
    runner: CliRunner, tmp_path: Path
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(CPV_PACK, pack)
    questions = pack / "questions.yaml"
    questions.write_text(questions.read_text("utf-8").replace("id: cpv", "id: division"), "utf-8")
    result = batch(
        runner, "--rules", pack, copy("forward-plan-contracts-finder.csv", tmp_path), "--json"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert "CPV code" in summary["carried"]
    assert summary["remarks"] == [
        "column 'Estimated value (£)' would answer 'value', but the rule pack has no such "
        "question; carried through",
        "column 'CPV code' would answer 'cpv', but the rule pack has no such question; "
        "carried through",
    ]


# --- files as Excel writes them -------------------------------------------------------


def test_excel_csv_in_windows_1252_with_semicolons_and_question_text_headers(
    runner: CliRunner, tmp_path: Path, pack: svadvisor.RulePack
) -> None:
    source = copy("excel-cp1252-semicolons.csv", tmp_path)
    result = batch(runner, source, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["columns"] == {
        "How complex is the system this service works in?": "complexity",
        "Over what timescale must the service achieve its goals?": "timescale",
        "How many providers must work together, depending on each other, "
        "to deliver the outcomes?": "providers",
        "What is the estimated whole-life value, including VAT?": "value",
    }
    output = tmp_path / "excel-cp1252-semicolons.scored.csv"
    rows = read_csv(output, delimiter=";")  # written back with the input's delimiter
    original = read_input(source, encoding="cp1252", delimiter=";")
    assert [r["Notes"] for r in rows] == [c[-1] for c in original[1:]]
    assert rows[0]["Notes"] == "Officer’s résumé of needs, £ per meal"  # noqa: RUF001
    assert rows[2]["Notes"] == "Semicolon; inside quotes"
    expected = svadvisor.assess(
        {"complexity": "complex", "timescale": "long", "providers": "several", "value": 7_700_000},
        pack,
    )
    assert expected.recommended is None  # collaborative and alliance tie: no evidence yet
    assert rows[1]["recommended_route"] == ""
    assert rows[1]["confidence"] == "insufficient"
    assert rows[1]["margin"] == str(expected.margin)
    assert rows[2]["answers_from_sheet"] == "complexity; timescale; providers; value"
    assert rows[3]["answers_from_sheet"] == ""  # "Don't know" and blanks


def test_excel_csv_utf8_with_bom_and_headers_in_odd_case(runner: CliRunner, tmp_path: Path) -> None:
    source = copy("excel-utf8-bom.csv", tmp_path)
    result = batch(runner, source, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["columns"] == {
        " Complexity ": "complexity",
        "TIMESCALE": "timescale",
        "Community Asset": "community_asset",
        "asset type": "asset_type",
        "value": "value",
    }
    rows = read_csv(tmp_path / "excel-utf8-bom.scored.csv")
    assert [r["Owner"] for r in rows] == ["Zoë", "Łukasz"]
    assert next(iter(rows[0])) == "Ref"  # the byte-order mark is not part of the first header
    assert rows[0]["recommended_route"] == "Public commons partnership"


def test_xlsx_reads_the_first_sheet_or_the_one_named(runner: CliRunner, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    source = copy("two-sheets.xlsx", tmp_path)
    result = batch(runner, source)
    assert result.exit_code == 0, result.output
    workbook = load_workbook(tmp_path / "two-sheets.scored.xlsx", read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Reference", "Title", "Department", "Estimated value (£)")
    assert len(rows) == 7
    luton = rows[1]
    assert luton[3] == 118_000_000 and isinstance(luton[3], int)  # numbers stay numbers
    assert luton[4].year == 2025 and luton[5].year == 2035  # dates stay dates
    header = list(rows[0])
    assert isinstance(luton[header.index("margin")], int)
    assert isinstance(luton[header.index("score_competitive")], int)
    workbook.close()

    result = batch(
        runner,
        source,
        "--sheet",
        "answered",
        "--output",
        tmp_path / "a.csv",
        "--rejects",
        tmp_path / "a.rejects.csv",
    )
    assert result.exit_code == 0, result.output
    answered = read_csv(tmp_path / "a.csv")
    assert [r["Reference"] for r in answered] == ["A-1", "A-2"]
    assert answered[0]["recommended_route"] == ""  # several providers, complex: no evidence
    assert answered[0]["confidence"] == "insufficient"
    assert answered[1]["recommended_route"] == "Competitive procurement"
    assert answered[1]["answers_from_sheet"] == "complexity; timescale; providers; value"


def test_xlsx_unknown_sheet_lists_the_sheets(runner: CliRunner, tmp_path: Path) -> None:
    result = batch(runner, copy("two-sheets.xlsx", tmp_path), "--sheet", "Pipeline")
    assert result.exit_code == 2
    assert "no sheet named 'Pipeline'; its sheets: Forward plan, Answered" in result.stderr


# --- rejects ----------------------------------------------------------------------------


def test_bad_rows_go_to_rejects_and_the_rest_are_scored(runner: CliRunner, tmp_path: Path) -> None:
    source = copy("bad-rows.csv", tmp_path)
    result = batch(runner, source)
    assert result.exit_code == 1
    rejects_file = tmp_path / "bad-rows.rejects.csv"
    assert result.stderr.strip().splitlines()[-1] == (
        "3 of 10 rows could not be scored: they are kept in the scored sheet, flagged in its "
        f"'problem' column; see {rejects_file}"
    )
    rejects = read_csv(rejects_file)
    assert [(r["row"], r["reference"], r["column"], r["value"]) for r in rejects] == [
        ("3", "R-02", "complexity", "very"),
        ("6", "R-05", "Estimated value", "about a million"),
        ("9", "R-08", "End date", "31/02/2026"),
    ]
    # every row comes back, in its place; the three flagged in `problem`
    rows = read_csv(tmp_path / "bad-rows.scored.csv")
    assert [r["Reference"] for r in rows] == [f"R-{n:02d}" for n in range(1, 11)]
    flagged = {r["Reference"]: r["problem"] for r in rows if r["problem"]}
    assert set(flagged) == {"R-02", "R-05", "R-08"}
    assert flagged["R-02"].startswith("not scored: column 'complexity': 'very' is not an answer")
    assert all(not r["recommended_route"] and not r["confidence"] for r in rows if r["problem"])
    assert "not an answer to this question" in rejects[0]["problem"]
    assert "allowed: simple" in rejects[0]["problem"]
    assert "is not an amount" in rejects[1]["problem"]
    assert "is not a real date" in rejects[2]["problem"]
    scored = read_csv(tmp_path / "bad-rows.scored.csv")
    assert [r["Reference"] for r in scored if r["recommended_route"] or r["confidence"]] == [
        "R-01",
        "R-03",
        "R-04",
        "R-06",
        "R-07",
        "R-09",
        "R-10",
    ]


def test_a_row_wider_than_the_header_is_rejected_not_cut(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "wide.csv"
    source.write_text("Ref,complexity\nW-1,simple\nW-2,complex,oops\nW-3,simple,,\n", "utf-8")
    result = batch(runner, source)
    assert result.exit_code == 1
    rejects = read_csv(tmp_path / "wide.rejects.csv")
    assert [(r["row"], r["value"]) for r in rejects] == [("3", "oops")]
    assert "3 cells but the header has 2 columns" in rejects[0]["problem"]
    scored = read_csv(tmp_path / "wide.scored.csv")
    assert [r["Ref"] for r in scored] == ["W-1", "W-2", "W-3"]  # kept, flagged, not cut short
    assert "3 cells but the header has 2 columns" in scored[1]["problem"]


# --- a council's own headers --------------------------------------------------------------


def test_columns_map_names_a_councils_own_headers(runner: CliRunner, tmp_path: Path) -> None:
    source = copy("council-headers.csv", tmp_path)
    result = batch(runner, source, "--columns", BATCH / "council-columns.yaml", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["columns"] == {
        "Est. Value": "value",
        "Go-live": "contract_start",
        "Expires": "contract_end",
        "How joined-up?": "providers",
    }
    assert summary["carried"] == ["Ref", "Service", "Lead officer"]
    rows = read_csv(tmp_path / "council-headers.scored.csv")
    assert rows[0]["answers_from_sheet"] == (
        "providers; value; contract_term (from start and end dates)"
    )
    assert rows[0]["Lead officer"] == "A. Officer"


def test_columns_map_mistakes_are_located(runner: CliRunner, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  Est. Value: valeu\n  Go-live: start_date\n", "utf-8")
    result = batch(runner, copy("council-headers.csv", tmp_path), "--columns", mapping)
    assert result.exit_code == 2
    assert f"{mapping}:2:15: columns.Est. Value: 'valeu' is neither a question nor a field; " in (
        result.stderr
    )
    assert "did you mean 'value'?" in result.stderr
    assert not (tmp_path / "council-headers.scored.csv").exists()


# --- spreadsheet safety -----------------------------------------------------------------------


def test_formula_cells_are_neutralised_in_csv_and_rejects(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = batch(runner, copy("injection.csv", tmp_path))
    assert result.exit_code == 1  # the "=1+1" answer is not an answer
    rows = read_csv(tmp_path / "injection.scored.csv")
    assert [r["Title"] for r in rows] == [
        '\'=HYPERLINK("http://example.com","click")',
        "'@SUM(A1:A2)",
        "'+cmd|' /C calc'!A0",
        "'\tTabbed title",
        "'\rReturn title",
        "Plain title",  # kept, flagged: its answer is not an answer
    ]
    assert [r["Note"] for r in rows] == ["-5", "+3.5", "ok", "'-2+3", "'\nNewline note", ""]
    assert all(r["margin"].lstrip("-").isdigit() for r in rows if not r["problem"])
    rejects = read_csv(tmp_path / "injection.rejects.csv")
    assert [(r["row"], r["column"], r["value"]) for r in rejects] == [("7", "complexity", "'=1+1")]


def test_formula_cells_are_text_not_formulas_in_xlsx(runner: CliRunner, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    result = batch(runner, copy("injection.csv", tmp_path), "--output", tmp_path / "out.xlsx")
    assert result.exit_code == 1
    sheet = load_workbook(tmp_path / "out.xlsx").active
    titles = [sheet.cell(row=r, column=2) for r in range(2, 7)]
    assert all(cell.data_type == "s" for cell in titles)
    assert titles[0].value == '\'=HYPERLINK("http://example.com","click")'
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("margin") + 1).data_type == "n"


# --- never overwrite without --force ------------------------------------------------------


def test_refuses_to_overwrite_before_doing_any_work(runner: CliRunner, tmp_path: Path) -> None:
    source = copy("bad-rows.csv", tmp_path)
    existing = tmp_path / "bad-rows.scored.csv"
    existing.write_text("keep me", "utf-8")
    result = batch(runner, source)
    assert result.exit_code == 2
    assert f"Error: {existing}: already exists; pass --force to replace it" in result.stderr
    assert existing.read_text("utf-8") == "keep me"
    assert not (tmp_path / "bad-rows.rejects.csv").exists()

    (tmp_path / "other.rejects.csv").write_text("keep me too", "utf-8")
    result = batch(
        runner, source, "--output", tmp_path / "o.csv", "--rejects", tmp_path / "other.rejects.csv"
    )
    assert result.exit_code == 2
    assert "other.rejects.csv: already exists; pass --force" in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_force_replaces_both_files(runner: CliRunner, tmp_path: Path) -> None:
    source = copy("bad-rows.csv", tmp_path)
    (tmp_path / "bad-rows.scored.csv").write_text("old", "utf-8")
    (tmp_path / "bad-rows.rejects.csv").write_text("old", "utf-8")
    result = batch(runner, source, "--force")
    assert result.exit_code == 1
    assert len(read_csv(tmp_path / "bad-rows.scored.csv")) == 10
    assert len(read_csv(tmp_path / "bad-rows.rejects.csv")) == 3
    assert no_temporary_files(tmp_path)


def test_output_may_not_replace_the_input(runner: CliRunner, tmp_path: Path) -> None:
    source = copy("bad-rows.csv", tmp_path)
    result = batch(runner, source, "--output", source, "--force")
    assert result.exit_code == 2
    assert "the output would replace the input" in result.stderr
    assert source.read_bytes() == (BATCH / "bad-rows.csv").read_bytes()


# --- unusable input: exit 2 with one clear line ---------------------------------------------


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = batch(runner, tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.csv'}: file not found\n"


def test_empty_file(runner: CliRunner, tmp_path: Path) -> None:
    result = batch(runner, copy("empty.csv", tmp_path))
    assert result.exit_code == 2
    assert "empty.csv: the file is empty; it needs a header row" in result.stderr
    assert not (tmp_path / "empty.scored.csv").exists()


def test_no_recognisable_columns_says_which_were_expected(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = batch(runner, copy("no-known-columns.csv", tmp_path))
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line
    assert "no-known-columns.csv: no column answers a question; expected a header row" in line
    assert "(complexity, timescale, market, specification, innovation," in line
    assert "estimated value, CPV code, start date and end date, or duration" in line
    assert not (tmp_path / "no-known-columns.scored.csv").exists()


def test_header_only_file_gives_an_empty_scored_sheet(runner: CliRunner, tmp_path: Path) -> None:
    result = batch(runner, copy("header-only.csv", tmp_path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows_read"] == 0
    output = read_input(tmp_path / "header-only.scored.csv")
    assert output == [["Reference", "Title", "complexity", "value", *ADDED]]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("old.xls", "old .xls workbooks cannot be read; save it as .xlsx or .csv"),
        ("notes.pdf", "unknown file type '.pdf'"),
    ],
)
def test_unreadable_file_types(runner: CliRunner, tmp_path: Path, name: str, message: str) -> None:
    source = tmp_path / name
    source.write_bytes(b"\x00\x01")
    result = batch(runner, source)
    assert result.exit_code == 2
    assert message in result.stderr


def test_not_really_a_workbook(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "fake.xlsx"
    source.write_text("Reference,complexity\n", "utf-8")
    result = batch(runner, source)
    assert result.exit_code == 2
    assert "fake.xlsx: this is CSV text with an .xlsx name; rename it to .csv" in result.stderr


def test_unwritable_output_type_fails_before_work(runner: CliRunner, tmp_path: Path) -> None:
    result = batch(runner, copy("bad-rows.csv", tmp_path), "--output", tmp_path / "o.ods")
    assert result.exit_code == 2
    assert "cannot write '.ods' files; use .csv, .tsv, .xlsx" in result.stderr
    assert no_temporary_files(tmp_path)


# --- summary and re-scoring ---------------------------------------------------------------


def test_terminal_summary_counts_rows_and_route_wins(runner: CliRunner, tmp_path: Path) -> None:
    result = batch(runner, copy("bad-rows.csv", tmp_path))
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert lines[0] == f"Scored {tmp_path / 'bad-rows.csv'}"
    assert {"read 10", "scored 7", "not scored (kept, flagged in 'problem') 3"} <= set(lines)
    wins = [line for line in lines if line.startswith(("recommended: ", "no recommendation"))]
    assert [w.rsplit(" ", 1)[0] for w in wins] == [
        "recommended: Competitive procurement",
        "recommended: Collaborative commissioning",
        "recommended: Alliance contracting",
        "recommended: Public commons partnership",
        "no recommendation yet (tie or insufficient evidence)",
    ]
    assert sum(int(w.rsplit(" ", 1)[1]) for w in wins) == 7
    levels = [line for line in lines if line.startswith("confidence ")]
    assert sum(int(w.rsplit(" ", 1)[1]) for w in levels) == 7
    assert "Columns read: 'complexity' -> complexity; 'providers' -> providers;" in result.stdout


def test_the_example_pipeline_ranks_each_real_case_as_it_went(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "pipeline.csv"
    shutil.copy(EXAMPLES / "pipeline.csv", source)
    result = batch(runner, source)
    assert result.exit_code == 0, result.output
    rows = {r["Reference"]: r for r in read_csv(tmp_path / "pipeline.scored.csv")}
    labels = {
        "competitive": "Competitive procurement",
        "collaborative": "Collaborative commissioning",
        "alliance": "Alliance contracting",
        "commons": "Public commons partnership",
    }
    cases = [
        "lancashire-food-framework.yaml",
        "leicestershire-childrens-innovation-partnership.yaml",
        "plymouth-alliance.yaml",
        "plymouth-energy-community.yaml",
    ]
    for number, name in enumerate(cases, start=1):
        assert rows[f"CASE-{number}"]["recommended_route"] == labels[EXPECTED_ROUTE[name]]
        assert rows[f"CASE-{number}"]["confidence"] in ("strong", "moderate")
    # the notices give only a value, dates and a CPV code: no recommendation yet
    for reference in ("LUTON001-DN753239-61686771", "BOURN001-DN760314-57092371"):
        assert rows[reference]["recommended_route"] == ""
        assert rows[reference]["confidence"] == "insufficient"
        assert rows[reference]["settle_first"]


def test_rescoring_a_scored_sheet_replaces_its_columns(runner: CliRunner, tmp_path: Path) -> None:
    source = copy("bad-rows.csv", tmp_path)
    batch(runner, source)
    scored = tmp_path / "bad-rows.scored.csv"
    result = batch(runner, scored, "--json")
    assert result.exit_code == 1, result.output  # the three flagged rows are flagged again
    assert "earlier svadvisor run were replaced" in " ".join(json.loads(result.stdout)["remarks"])
    again = read_input(tmp_path / "bad-rows.scored.scored.csv")
    assert again == read_input(scored)


def test_the_baseline_reason_says_it_stands_before_any_answer(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "bare.csv"
    source.write_text("Reference,Title,lots\nB-1,Street cleaning,no\n", encoding="utf-8")
    result = batch(runner, source)
    assert result.exit_code == 0, result.output
    (row,) = read_csv(tmp_path / "bare.scored.csv")
    assert row["reason_1"].endswith("(before any answer, +1)")
    assert "(, " not in row["reason_1"]
