"""`svadvisor cases`, `cases show`, `notes`, and similar cases in `assess` (the real CLI)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EXAMPLES, rename_word
from typer.testing import CliRunner

from svadvisor.cli.app import app

ALLIANCE = str(EXAMPLES / "plymouth-alliance.yaml")
CASE_FIELDS = {"id", "name", "route", "why", "sources"}
NOTE_FIELDS = {"id", "title", "text", "sources", "strength", "checked", "review_by"}


def test_assess_json_lists_three_similar_cases(runner: CliRunner) -> None:
    result = runner.invoke(app, ["assess", "--answers", ALLIANCE, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    cases = data["cases"]
    assert len(cases) == 3
    assert all(set(c) >= CASE_FIELDS for c in cases)
    assert cases[0]["id"] == "plymouth-alliance"
    assert cases[0]["why"].startswith("shares 14 answers: complexity=complex, timescale=long")
    routes = [c["route"] for c in cases]
    recommended = data["ranking"][0]["route"]
    assert routes == sorted(routes, key=lambda r: r != recommended)
    assert all(s.startswith(("https://", "http://")) for c in cases for s in c["sources"])


def test_assess_shows_similar_cases_with_links(runner: CliRunner) -> None:
    result = runner.invoke(app, ["assess", "--answers", ALLIANCE])
    assert result.exit_code == 0, result.output
    section = result.stdout.split("Similar cases")[1]
    assert "Plymouth Alliance for complex needs (Plymouth City Council" in section
    flat = " ".join(section.split())
    assert (
        "shares 14 of your answers: Complex - outcomes cannot be reliably predicted; Long - 7 "
        "years or more, or long-term goals; Thin - only a few suppliers;" in flat
    )
    assert "complexity=complex" not in section
    assert (
        "shares 10 of your answers: Complex - outcomes cannot be reliably predicted;" in flat
        and ". Differs on: How many providers must work together, depending on each other, "
        "to deliver the outcomes? How much trust and joint working already exists between "
        "the council and the likely providers?"
        in flat
    )
    assert "source: https://councils.coop/case-study/plymouth-alliance-for-complex-needs" in section
    assert "svadvisor cases show ID" in section


def test_cases_lists_every_case_by_route(runner: CliRunner) -> None:
    result = runner.invoke(app, ["cases"])
    assert result.exit_code == 0, result.output
    assert "Alliance contracting (alliance): 5 cases" in result.stdout
    assert "  plymouth-alliance\n" in result.stdout
    assert "Show one case with its sources: svadvisor cases show ID" in result.stdout


def test_cases_route_filter(runner: CliRunner) -> None:
    every = json.loads(runner.invoke(app, ["cases", "--json"]).stdout)
    result = runner.invoke(app, ["cases", "--route", "commons", "--json"])
    assert result.exit_code == 0, result.output
    commons = json.loads(result.stdout)
    assert [c["id"] for c in commons] == [c["id"] for c in every if c["route"] == "commons"]
    assert {c["id"] for c in commons} >= {"plymouth-energy-community", "wards-corner"}
    text = runner.invoke(app, ["cases", "--route", "commons"]).stdout
    assert "Public commons partnership (commons)" in text
    assert "Alliance contracting" not in text


def test_cases_unknown_route_lists_routes(runner: CliRunner) -> None:
    result = runner.invoke(app, ["cases", "--route", "aliance"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: unknown route 'aliance'; routes: competitive, collaborative, alliance, commons\n"
    )


def test_cases_json_objects_share_the_assess_field_names(runner: CliRunner) -> None:
    cases = json.loads(runner.invoke(app, ["cases", "--json"]).stdout)
    assert len(cases) >= 20
    for case in cases:
        assert set(case) >= CASE_FIELDS - {"why"} | {"councils", "years", "checked", "profile"}
        assert set(case) >= {"bought", "route_reason", "outcome", "outcome_verified"}
    pec = next(c for c in cases if c["id"] == "plymouth-energy-community")
    assert pec["profile"]["asset_type"] == "energy"
    assert pec["checked"] == "2026-11-30"


def test_cases_show_prints_one_case_with_its_sources(runner: CliRunner) -> None:
    result = runner.invoke(app, ["cases", "show", "kirklees-better-outcomes-partnership"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Kirklees Better Outcomes Partnership (kirklees-better-outcomes")
    assert "Route: Collaborative commissioning (collaborative)" in out
    assert "What happened (not verified):" in out
    assert "  providers: Several interdependent providers (four or more)" in out
    assert "Sources (checked 2026-11-25):" in out
    assert "  https://bettersocietycapital.com/impact-report-2020/" in out


def test_cases_show_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["cases", "show", "plymouth-alliance", "--json"])
    assert result.exit_code == 0, result.output
    case = json.loads(result.stdout)
    assert case["route"] == "alliance"
    assert case["profile"]["providers"] == "several"


def test_cases_show_unknown_id_lists_known_ids(runner: CliRunner) -> None:
    result = runner.invoke(app, ["cases", "show", "wards"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no case 'wards'; did you mean 'wards-corner'? known: ")
    assert "plymouth-alliance, plymouth-energy-community" in result.stderr
    assert "Traceback" not in result.output


def test_notes_json_has_the_assess_note_fields(runner: CliRunner) -> None:
    result = runner.invoke(app, ["notes", "--json"])
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)
    assert notes and all(set(n) >= NOTE_FIELDS for n in notes)
    assessed = json.loads(runner.invoke(app, ["assess", "--answers", ALLIANCE, "--json"]).stdout)
    by_id = {n["id"]: n for n in notes}
    for note in assessed["notes"]:
        # the same note, but an assessment may add the condition it still depends on
        assert by_id[note["id"]] == {**note, "applies_if": None}


def test_notes_text(runner: CliRunner) -> None:
    result = runner.invoke(app, ["notes"])
    assert result.exit_code == 0, result.output
    assert "[MUST] Consider lots, or give reasons (lots_s18)" in result.stdout
    assert "  source: https://" in result.stdout
    assert "  checked 2026-" in result.stdout


def test_rules_validate_checks_the_case_library(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("OK: 23 case studies in ")


def test_cases_option_before_the_command(runner: CliRunner, cases_copy: Path) -> None:
    for file in cases_copy.glob("*.yaml"):
        if not file.stem.startswith("plymouth"):
            file.unlink()
    for args in (
        ["--cases", str(cases_copy), "cases", "--json"],
        ["cases", "--cases", str(cases_copy), "--json"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert [c["id"] for c in json.loads(result.stdout)] == [
            "plymouth-alliance",
            "plymouth-energy-community",
        ]
    result = runner.invoke(
        app, ["--cases", str(cases_copy), "assess", "--answers", ALLIANCE, "--json"]
    )
    # Plymouth Energy Community differs from the alliance on more answers than it shares
    assert [c["id"] for c in json.loads(result.stdout)["cases"]] == ["plymouth-alliance"]


def test_council_pack_the_builtin_cases_do_not_fit(runner: CliRunner, pack_copy: Path) -> None:
    """The assessment still runs, says why the cases are missing, and validate names them."""
    rename_word(pack_copy, "few", "two_or_three")
    result = runner.invoke(app, ["--rules", str(pack_copy), "assess", "--answers", ALLIANCE])
    assert result.exit_code == 0, result.output
    assert "Note: the built-in case studies do not fit this rule pack" in result.stderr
    assert "Similar cases" not in result.stdout
    validate = runner.invoke(app, ["rules", "validate", str(pack_copy)])
    assert validate.exit_code == 2
    assert "plymouth-energy-community.yaml:" in validate.stderr
    assert "profile.providers: 'few' is not an answer to this question" in validate.stderr
