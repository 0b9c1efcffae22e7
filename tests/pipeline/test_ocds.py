"""Scoring published notices (OCDS) as a pipeline: real Contracts Finder, Public Contracts
Scotland and Sell2Wales files, and a Procurement Act 2023 fixture shaped by the UK
extension (see tests/fixtures/ocds/README.md)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from svadvisor.cli.app import app
from svadvisor.pipeline import ocds

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ocds"
CF = FIXTURES / "cf_release_package_2025-01-23.json"
PCS = FIXTURES / "pcs_releases_a.jsonl"
S2W = FIXTURES / "s2w_releases_a.jsonl"
UK = FIXTURES / "pa23-uk-extension-fixture.json"


def run_batch(
    runner: CliRunner, source: Path, tmp_path: Path, *extra: str
) -> tuple[Any, list[dict[str, str]], list[dict[str, str]]]:
    output, rejects = tmp_path / "scored.csv", tmp_path / "rejects.csv"
    result = runner.invoke(
        app,
        ["batch", str(source), "--output", str(output), "--rejects", str(rejects), *extra],
    )
    scored = list(csv.DictReader(output.open(encoding="utf-8-sig"))) if output.exists() else []
    rejected = list(csv.DictReader(rejects.open(encoding="utf-8-sig"))) if rejects.exists() else []
    return result, scored, rejected


def by_ocid(rows: list[dict[str, str]], ocid: str) -> dict[str, str]:
    return next(r for r in rows if r["ocid"] == ocid)


# --- the real files --------------------------------------------------------------------


def test_contracts_finder_package_one_row_per_process(runner: CliRunner, tmp_path: Path) -> None:
    result, scored, rejected = run_batch(runner, CF, tmp_path, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["rows_read"], summary["rows_scored"], summary["rows_rejected"]) == (94, 94, 0)
    assert len(scored) == 94 and rejected == []
    assert len({r["ocid"] for r in scored}) == 94
    first = scored[0]
    assert first["ocid"] == "ocds-b5fd17-e3b5f385-5989-4cf1-8849-01c247fc9c30"
    assert first["title"] == "Parking Pilot - CEO"
    assert first["buyer"] == "London Borough of Merton"
    assert first["published"] == "2025-01-23"
    assert first["notice_link"].startswith("https://www.contractsfinder.service.gov.uk/Notice/")
    assert first["value"] == "372032.0"
    # a notice says what is bought, not how complex the system is: nothing is recommended
    # until an officer answers what the notice cannot tell
    assert first["recommended_route"] == ""
    assert first["confidence"] == "insufficient"
    assert first["settle_first"]


def test_a_tender_and_its_amendment_are_merged_latest_first() -> None:
    releases = [r for _, r in ocds.iter_releases(CF)]
    tags_by_ocid: dict[str, set[str]] = {}
    for release in releases:
        tags_by_ocid.setdefault(release["ocid"], set()).update(release["tag"])
    ocid = next(o for o, tags in tags_by_ocid.items() if {"tender", "tenderAmendment"} <= tags)
    same = [r for r in releases if r["ocid"] == ocid]
    assert len(same) == 2
    (process,) = [p for p in ocds.processes([CF]) if p.ocid == ocid]
    assert process.releases == 2
    latest = max(same, key=lambda r: r["date"])
    assert process.facts is not None
    assert process.facts.title == latest["tender"]["title"]
    assert process.facts.date == latest["date"]
    assert set(process.facts.tags) == {t for r in same for t in r["tag"]}


def test_a_planning_notice_is_a_pipeline_row(runner: CliRunner, tmp_path: Path) -> None:
    _, scored, _ = run_batch(runner, CF, tmp_path)
    planning = [r for r in scored if r["stage"] == "planning"]
    assert len(planning) == 3
    row = by_ocid(planning, "ocds-b5fd17-b981550e-c529-4a76-9c0a-ed2452eac405")
    assert row["title"] == "Analytical Testing Support RFI"
    assert row["notice_link"] == (
        "https://www.contractsfinder.service.gov.uk/Notice/9c97a11f-314c-443d-af4f-07b613e452c8"
    )
    assert row["confidence"]


def test_a_notice_calling_itself_an_alliance_is_read_as_one(
    runner: CliRunner, tmp_path: Path
) -> None:
    _, scored, _ = run_batch(runner, CF, tmp_path)
    (row,) = [r for r in scored if r["notice_text_matches"]]
    assert row["title"] == "Pan London Sexual Violence Support Service"
    assert row["notice_text_matches"] == (
        "shared_governance = yes: the description says 'Alliance'"
    )
    assert row["shared_governance"] == "yes"
    assert row["recommended_route"] == "Alliance contracting"
    assert "shared_governance" in row["answers_from_sheet"]


def test_a_purchasing_consortium_called_an_alliance_is_not_an_alliance(
    runner: CliRunner, tmp_path: Path
) -> None:
    _, scored, _ = run_batch(runner, S2W, tmp_path)
    consortium = [r for r in scored if "Procurement Alliance" in (r["title"] or "")]
    wpa = [r for r in scored if r["buyer"] and "Welsh Procurement Alliance" in r["buyer"]]
    assert wpa  # the LHC Procurement Group buys for the Welsh Procurement Alliance
    for row in consortium + wpa:
        assert row["notice_text_matches"] == ""
        assert row["shared_governance"] == ""
    assert all(r["recommended_route"] != "Alliance contracting" for r in scored)


def test_public_contracts_scotland_lines_and_the_missing_release_id(
    runner: CliRunner, tmp_path: Path
) -> None:
    result, scored, _ = run_batch(runner, PCS, tmp_path)
    assert result.exit_code == 0, result.output
    assert len(scored) == 45
    assert {r["buyer_nation"] for r in scored} == {"scotland"}
    assert all("pa23_objectives" not in r["note_ids"] for r in scored)  # the Act does not apply
    euro = [r for r in scored if r["currency"] == "EUR"]
    assert len(euro) == 1
    assert euro[0]["value"] == ""
    assert "value in EUR not converted: left unknown" in euro[0]["notice_flags"]


def test_validate_rejects_releases_that_fail_the_schema(runner: CliRunner, tmp_path: Path) -> None:
    result, scored, rejected = run_batch(runner, PCS, tmp_path, "--validate", "--force")
    assert result.exit_code == 1
    assert len(rejected) == 45
    assert len(scored) == 45 and all(r["problem"].startswith("not scored: ") for r in scored)
    first = rejected[0]
    assert first["row"] == "1"
    assert first["reference"] == "ocds-r6ebe6-0000581860"
    assert first["column"] == "id"
    assert first["value"].startswith("ocds-r6ebe6-0000581860 (")
    assert first["problem"] == "fails the OCDS 1.1.5 release schema: 'id' is a required property"
    assert "45 of 45 rows could not be scored" in result.stderr


@pytest.mark.parametrize(("source", "count"), [(CF, 94), (S2W, 46), (UK, 2)])
def test_valid_files_pass_validation(
    runner: CliRunner, tmp_path: Path, source: Path, count: int
) -> None:
    result, scored, rejected = run_batch(runner, source, tmp_path, "--validate")
    assert result.exit_code == 0, result.output
    assert (len(scored), len(rejected)) == (count, 0)


def test_sell2wales_placeholder_value_is_flagged_not_scored(
    runner: CliRunner, tmp_path: Path
) -> None:
    result, scored, _ = run_batch(runner, S2W, tmp_path)
    assert result.exit_code == 0, result.output
    assert len(scored) == 46
    row = by_ocid(scored, "ocds-kuma6s-148440")
    assert row["notice_value"] == "0.01"
    assert row["value"] == ""
    assert row["notice_flags"] == "value 0.01 looks like a placeholder: left unknown"
    assert row["buyer_nation"] == "wales"
    assert "value" in row["unknown_questions"]


# --- the Procurement Act 2023 fixture (UK extension) -----------------------------------


def test_uk_extension_notice_type_reserved_participation_and_cpv(
    runner: CliRunner, tmp_path: Path
) -> None:
    result, scored, _ = run_batch(runner, UK, tmp_path)
    assert result.exit_code == 0, result.output
    tender = by_ocid(scored, "ocds-h6vhtk-0000a1")
    assert tender["notice_type"] == "UK4"
    assert tender["reserved_for"] == "public_service_mutual"
    assert tender["lots"] == "yes"
    assert tender["suitable_for"] == "sme; vcse"
    # a light touch, reservable CPV code: derived, and the mutuals note applies
    assert "service_type (from CPV)" in tender["answers_from_sheet"]
    assert "reserved_mutuals" in tender["note_ids"].split("; ")
    assert "light_touch_rules" in tender["note_ids"].split("; ")
    planned = by_ocid(scored, "ocds-h6vhtk-0000b2")
    assert (planned["notice_type"], planned["stage"]) == ("UK3", "planning")
    # a health care CPV code in PSR scope: the PSR notes, not the Act's
    assert "psr_frameworks" in planned["note_ids"].split("; ")
    assert "pa23_objectives" not in planned["note_ids"]


def test_the_notice_date_picks_the_thresholds(runner: CliRunner, tmp_path: Path) -> None:
    _, scored, _ = run_batch(runner, UK, tmp_path)
    assert by_ocid(scored, "ocds-h6vhtk-0000a1")["start_date"] == "2026-03-02"


# --- shapes and folders ------------------------------------------------------------------


def test_a_record_package_and_a_folder(runner: CliRunner, tmp_path: Path) -> None:
    package = json.loads(UK.read_text(encoding="utf-8"))
    records = {
        "uri": package["uri"],
        "version": "1.1",
        "publishedDate": package["publishedDate"],
        "publisher": package["publisher"],
        "records": [
            {"ocid": r["ocid"], "releases": [r], "compiledRelease": r} for r in package["releases"]
        ],
    }
    folder = tmp_path / "notices"
    folder.mkdir()
    (folder / "records.json").write_text(json.dumps(records), encoding="utf-8")
    shutil.copy(S2W, folder / "wales.jsonl")
    (folder / "readme.txt").write_text("not a notice file", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result, scored, _ = run_batch(runner, folder, out)
    assert result.exit_code == 0, result.output
    assert len(scored) == 2 + 46
    assert [r["ocid"] for r in scored[:2]] == ["ocds-h6vhtk-0000a1", "ocds-h6vhtk-0000b2"]


def test_unknown_report(runner: CliRunner, tmp_path: Path) -> None:
    result, _, _ = run_batch(runner, CF, tmp_path, "--unknown-report")
    assert result.exit_code == 0, result.output
    assert "Questions left unknown, of 94 rows scored (add these for sharper advice):" in (
        result.stdout
    )
    assert "     94 (100%)  complexity: How complex is the system this service works in?" in (
        result.stdout
    )
    json_result, _, _ = run_batch(runner, CF, tmp_path, "--json", "--force")
    unknown = json.loads(json_result.stdout)["unknown_questions"]
    assert unknown["complexity"] == 94
    assert unknown["value"] < 94


# --- bad data -----------------------------------------------------------------------------


def test_a_release_missing_its_ocid_is_rejected_and_the_rest_scored(
    runner: CliRunner, tmp_path: Path
) -> None:
    lines = S2W.read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[1])
    del broken["ocid"]
    source = tmp_path / "notices.jsonl"
    source.write_text("\n".join([lines[0], json.dumps(broken), *lines[2:]]) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    result, scored, rejected = run_batch(runner, source, out)
    assert result.exit_code == 1
    assert len(scored) == 46  # the release that cannot be used is kept, flagged
    assert sum(bool(r["problem"]) for r in scored) == 1
    assert rejected == [
        {
            "row": "2",
            "reference": "",
            "title": "",
            "column": "ocid",
            "value": f"a release with no ocid ({source}:2)",
            "problem": "missing 'ocid', which every OCDS release must have",
        }
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.json", '{"releases": [', "not valid JSON"),
        ("list.json", "[1, 2]", "not an OCDS package (expected a JSON object"),
        ("other.json", '{"foo": 1}', "not an OCDS package: it has no 'releases' or 'records'"),
        ("lines.jsonl", '{"ocid": "a"}\nnot json\n', "lines.jsonl:2: not JSON"),
    ],
)
def test_files_that_are_not_ocds_give_one_located_line(
    runner: CliRunner, tmp_path: Path, name: str, content: str, message: str
) -> None:
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    result, _, _ = run_batch(runner, source, tmp_path)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "scored.csv").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_validate_is_for_notices_only(runner: CliRunner, tmp_path: Path) -> None:
    sheet = tmp_path / "plan.csv"
    sheet.write_text("title,complexity\nA,complex\n", encoding="utf-8")
    result, _, _ = run_batch(runner, sheet, tmp_path, "--validate")
    assert result.exit_code == 2
    assert "--validate checks OCDS notices, not spreadsheets" in result.stderr
