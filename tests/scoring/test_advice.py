"""The advice itself: sourced notes, dated thresholds, the regime check and CPV codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import svadvisor
from svadvisor.answers.validate import validate_answers
from svadvisor.cli.app import app
from svadvisor.errors import AnswersError
from svadvisor.rulepack.schema import RulePack

TODAY = date(2026, 11, 25)


def notes_for(pack: RulePack, answers: dict[str, Any], on: date = TODAY) -> set[str]:
    return {n.id for n in svadvisor.assess(answers, pack, on=on).notes}


# --- every fact is sourced and dated ---------------------------------------------------


def test_every_note_is_sourced_and_dated(pack: RulePack) -> None:
    assert len(pack.notes) >= 25
    for note in pack.notes:
        assert note.sources, note.id
        assert all(s.startswith(("https://", "http://")) for s in note.sources), note.id
        assert note.checked <= note.review_by, note.id


def test_every_threshold_is_sourced_dated_and_ordered(pack: RulePack) -> None:
    for threshold in pack.thresholds:
        starts = [v.from_ for v in threshold.values]
        assert all(s is not None for s in starts[1:]), threshold.id
        dated = [s for s in starts if s is not None]
        assert dated == sorted(set(dated)), threshold.id
        assert all(v.source.startswith(("https://", "http://")) for v in threshold.values)


def test_every_route_guide_line_is_sourced(pack: RulePack) -> None:
    for route in pack.routes:
        assert route.guide is not None, route.id
        for section in ("what", "fits_when", "not_when", "vehicles", "steps", "pitfalls"):
            for item in getattr(route.guide, section):
                assert item.source.startswith(("https://", "http://"))


# --- which notes apply: a table covering every note ------------------------------------

NOTE_CASES: list[tuple[dict[str, Any], set[str], set[str]]] = [
    (
        {"service_type": "health_psr", "counterparty": "public_body"},
        {"psr_frameworks", "psr_key_criteria", "schedule2_exempt"},
        {"pa23_objectives", "npps", "lots_s18"},
    ),
    (
        {
            "service_type": "services",
            "market": "deep",
            "sme_presence": "strong",
            "value": 1_000_000,
        },
        {
            "pa23_objectives",
            "npps",
            "lots_s18",
            "above_threshold",
            "social_value_act",
            "ppn002_social_value_model",
            "embed_social_value",
            "proportionate_assessment",
            "right_to_challenge",
        },
        {"below_threshold", "psr_frameworks", "kpis", "pipeline_notice"},
    ),
    (
        {"service_type": "goods", "value": 100_000, "sme_presence": "some", "market": "deep"},
        {"below_threshold", "below_threshold_reservation", "social_value_act_goods_works"},
        {"above_threshold", "social_value_act"},
    ),
    (
        {"service_type": "goods", "value": 20_000},
        {"below_threshold"},  # Part 6 (s85, s86, s88) applies at any value below threshold
        {"above_threshold"},
    ),
    (
        {
            "service_type": "works",
            "value": 8_000_000,
            "providers": "several",
            "programme": "repeated",
        },
        {"works_threshold", "kpis", "pipeline_notice", "alliance_forms", "frameworks"},
        {"social_value_act"},
    ),
    (
        {"service_type": "light_touch", "value": 700_000, "mutual_reservable": "yes"},
        {
            "light_touch_rules",
            "light_touch_above_threshold",
            "reserved_mutuals",
            "social_value_act",
        },
        {"kpis", "above_threshold"},
    ),
    (
        {"service_type": "light_touch", "value": 500_000, "mutual_reservable": "no"},
        {"light_touch_rules", "social_value_act"},
        {"light_touch_above_threshold", "reserved_mutuals"},
    ),
    (
        {
            "service_type": "services",
            "specification": "co_design",
            "market": "none",
            "complexity": "complex",
            "timescale": "long",
            "risk": "cannot",
            "payment": "contract",
        },
        {
            "procedures",
            "direct_award",
            "market_engagement",
            "innovation_partnership",
            "relational_terms",
            "collaborative_pathway",
            "reserved_supported_employment",
        },
        {"lots_s18", "embed_social_value"},
    ),
    (
        {"programme": "repeated", "timescale": "long", "market": "thin"},
        {"frameworks", "open_frameworks", "dynamic_markets"},
        set(),
    ),
    (
        {"payment": "grant", "community_asset": "organised", "asset_type": "land_buildings"},
        {
            "grant_or_contract",
            "subsidy_control",
            "asset_transfer",
            "right_to_bid",
            "commons_initiative",
        },
        {"reserved_supported_employment"},
    ),
    (
        {"lots": "no", "reserved_for": "public_service_mutual", "service_type": "light_touch"},
        {"lots_reasons", "reserved_mutuals"},
        set(),
    ),
    (
        {"service_type": "goods", "value": 90_000, "suitable_for": ["vcse"], "lots": "yes"},
        {"below_threshold_reservation"},
        {"lots_reasons"},
    ),
    (
        {"service_type": "goods", "market": "deep", "value": 180_000},
        {"existing_framework", "below_threshold"},
        {"pa23_objectives"},
    ),
    (
        {"community_asset": "emerging", "asset_type": "energy"},
        {"asset_transfer", "commons_initiative"},
        {"right_to_bid"},
    ),
]


@pytest.mark.parametrize(("answers", "expected", "not_expected"), NOTE_CASES)
def test_notes_apply_exactly_when_their_condition_holds(
    pack: RulePack, answers: dict[str, Any], expected: set[str], not_expected: set[str]
) -> None:
    found = notes_for(pack, answers)
    assert expected <= found, expected - found
    assert not (not_expected & found), not_expected & found


def test_the_note_table_covers_every_note(pack: RulePack) -> None:
    covered = set().union(*(expected for _, expected, _ in NOTE_CASES))
    assert {n.id for n in pack.notes} - covered == set()


def test_no_note_holds_on_no_answers_except_unconditional_ones(pack: RulePack) -> None:
    unconditional = {n.id for n in pack.notes if n.when is None}
    assert notes_for(pack, {}) == unconditional


# --- thresholds are chosen by date ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "value", "expected"),
    [
        ("2025-12-31", 210_000, False),  # below £214,904, the value before 1 Jan 2026
        ("2026-01-01", 210_000, True),  # at or above £207,720 from 1 Jan 2026
        ("2026-01-01", 207_720, True),  # exactly at the threshold counts
        ("2026-01-01", 207_719, False),
        ("2025-12-31", 214_904, True),
    ],
)
def test_thresholds_follow_the_planned_start_date(
    pack: RulePack, start: str, value: int, expected: bool
) -> None:
    answers = {"service_type": "services", "value": value, "start_date": start}
    assert ("above_threshold" in notes_for(pack, answers)) is expected


def test_note_says_which_threshold_value_and_why(pack: RulePack) -> None:
    result = svadvisor.assess(
        {"service_type": "services", "value": 300_000, "start_date": "2025-06-01"}, pack, on=TODAY
    )
    note = next(n for n in result.notes if n.id == "above_threshold")
    assert "£214,904" in note.text
    (used,) = note.thresholds
    assert used.value == 214_904
    assert used.basis == (
        "the value before 2026-01-01; chosen for the planned start date, 2025-06-01"
    )
    assert result.procurement_date == date(2025, 6, 1)


def test_today_is_used_when_no_start_date_is_given(pack: RulePack) -> None:
    result = svadvisor.assess({"service_type": "services", "value": 300_000}, pack, on=TODAY)
    note = next(n for n in result.notes if n.id == "above_threshold")
    assert "£207,720" in note.text
    assert note.thresholds[0].basis == (
        "in force from 2026-01-01; chosen for today, 2026-11-25 (no planned start date given)"
    )


def test_below_threshold_reservation_starts_on_4_february_2026(pack: RulePack) -> None:
    base = {"service_type": "goods", "value": 50_000, "sme_presence": "strong"}
    before = notes_for(pack, {**base, "start_date": "2026-02-03"})
    after = notes_for(pack, {**base, "start_date": "2026-02-04"})
    assert "below_threshold_reservation" not in before
    assert "below_threshold_reservation" in after


# --- the regime check -------------------------------------------------------------------

PSR = {"service_type": "health_psr"}


@pytest.mark.parametrize(
    ("answers", "outcome", "settle_next"),
    [
        ({"psr_existing_provider": "yes", "psr_only_capable": "yes"}, "direct_award_a", None),
        (
            {"psr_existing_provider": "yes", "psr_only_capable": "no", "psr_patient_choice": "yes"},
            "direct_award_b",
            None,
        ),
        ({"psr_existing_provider": "no", "psr_patient_choice": "no"}, "new_service", None),
        (
            {
                "psr_existing_provider": "yes",
                "psr_only_capable": "no",
                "psr_patient_choice": "no",
                "psr_incumbent_satisfactory": "no",
            },
            "incumbent_not_performing",
            None,
        ),
        (
            {
                "psr_existing_provider": "yes",
                "psr_only_capable": "no",
                "psr_patient_choice": "no",
                "psr_incumbent_satisfactory": "yes",
                "psr_considerable_change": "no",
            },
            "direct_award_c",
            None,
        ),
        (
            {
                "psr_existing_provider": "yes",
                "psr_only_capable": "no",
                "psr_patient_choice": "no",
                "psr_incumbent_satisfactory": "yes",
                "psr_considerable_change": "yes",
            },
            "considerable_change",
            None,
        ),
        ({"psr_existing_provider": "yes"}, None, "psr_only_capable"),
        ({}, None, "psr_existing_provider"),
    ],
)
def test_psr_decision_path(
    pack: RulePack, answers: dict[str, Any], outcome: str | None, settle_next: str | None
) -> None:
    result = svadvisor.assess({**PSR, **answers}, pack, on=TODAY)
    (regime,) = result.regimes
    assert regime.id == "psr"
    assert (regime.outcome.id if regime.outcome else None) == outcome
    assert regime.settle_next == settle_next
    assert [step.question for step in regime.path] == list(answers)
    # the four routes are still ranked for how the relationship is built
    assert len(result.ranking) == 4


def test_psr_is_not_claimed_for_goods_or_for_wales(pack: RulePack) -> None:
    assert svadvisor.assess({"service_type": "goods"}, pack, on=TODAY).regimes == []
    wales = svadvisor.assess({**PSR, "buyer_nation": "wales"}, pack, on=TODAY)
    assert [r.id for r in wales.regimes] == ["wales"]


def test_scotland_says_the_act_does_not_apply_and_lists_notes_not_holding(pack: RulePack) -> None:
    answers = {"buyer_nation": "scotland", "service_type": "services", "value": 1_000_000}
    result = svadvisor.assess(answers, pack, on=TODAY)
    assert [r.id for r in result.regimes] == ["scotland"]
    assert "does not apply" in result.regimes[0].text
    not_holding = {n.id for n in result.notes_not_holding}
    assert {"pa23_objectives", "above_threshold", "social_value_act", "npps"} <= not_holding
    assert not_holding.isdisjoint(n.id for n in result.notes)
    england = svadvisor.assess({**answers, "buyer_nation": "england"}, pack, on=TODAY)
    assert england.regimes == []
    # only the below-threshold rules do not hold: £1m is above the services threshold
    assert [(n.id, n.why) for n in england.notes_not_holding] == [
        (
            "below_threshold",
            "the rules below the threshold, and the estimated value is at or above £207,720 "
            "for goods and services (the threshold in force on 2026-11-25)",
        )
    ]


def test_wales_keeps_act_notes_but_not_english_only_ones(pack: RulePack) -> None:
    answers = {"buyer_nation": "wales", "service_type": "services", "value": 1_000_000}
    result = svadvisor.assess(answers, pack, on=TODAY)
    assert "pa23_objectives" in {n.id for n in result.notes}
    assert {"npps", "social_value_act"} <= {n.id for n in result.notes_not_holding}


# --- CPV codes --------------------------------------------------------------------------


def test_light_touch_code_derives_service_type_and_reservable(pack: RulePack) -> None:
    result = svadvisor.assess({"cpv": "85311000-2"}, pack, on=TODAY)
    derived = {(d.question, d.answer, d.used) for d in result.derived}
    assert derived == {("service_type", "light_touch", True), ("mutual_reservable", "yes", True)}
    assert "reserved_mutuals" in {n.id for n in result.notes}
    basis = next(d.basis for d in result.derived if d.question == "service_type")
    assert "85311000 (Social work services with accommodation)" in basis


def test_health_code_derives_psr_and_starts_the_regime_check(pack: RulePack) -> None:
    result = svadvisor.assess({"cpv": ["85121000"]}, pack, on=TODAY)
    assert ("service_type", "health_psr") in {(d.question, d.answer) for d in result.derived}
    assert [r.id for r in result.regimes] == ["psr"]


def test_the_officers_answer_wins_with_a_note(pack: RulePack) -> None:
    result = svadvisor.assess({"cpv": "85311000", "service_type": "services"}, pack, on=TODAY)
    item = next(d for d in result.derived if d.question == "service_type")
    assert not item.used and item.officer_answer == "services"
    note = next(n for n in result.notes if n.id == "cpv_differs_service_type")
    assert "Your answer 'Services (not light touch)' is used" in note.text
    assert "light_touch_rules" not in {n.id for n in result.notes}


def test_codes_are_matched_exactly_not_by_prefix(pack: RulePack) -> None:
    # 85112000 (hospital support services) is a child of a listed PSR code but not listed
    result = svadvisor.assess({"cpv": "85112000"}, pack, on=TODAY)
    assert ("service_type", "health_psr") not in {(d.question, d.answer) for d in result.derived}


def test_codes_are_normalised(pack: RulePack) -> None:
    checked = validate_answers(pack, {"cpv": "3000000; 85311000-2, 85311000"})
    assert checked["cpv"] == ("03000000", "85311000")


@pytest.mark.parametrize(
    ("raw", "message"),
    [("99999999", "not a code in the CPV 2008 vocabulary"), ("abc", "is not a CPV code")],
)
def test_bad_codes_are_refused(pack: RulePack, raw: str, message: str) -> None:
    with pytest.raises(AnswersError) as info:
        validate_answers(pack, {"cpv": raw})
    assert message in str(info.value)


# --- the CLI ----------------------------------------------------------------------------


def test_assess_prints_the_regime_check_first(runner: CliRunner, tmp_path: Path) -> None:
    answers = tmp_path / "psr.yaml"
    answers.write_text(
        "cpv: 85121000\npsr_existing_provider: 'yes'\npsr_only_capable: 'yes'\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["assess", "--answers", str(answers)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Regime check: The Provider Selection Regime governs")
    assert "Outcome: Direct Award A (mandatory)" in result.stdout
    assert result.stdout.index("Regime check") < result.stdout.index("Recommended route")


def test_routes_guide(runner: CliRunner) -> None:
    listed = runner.invoke(app, ["routes"])
    assert listed.exit_code == 0
    assert "Public commons partnership (commons)" in listed.stdout
    guide = runner.invoke(app, ["routes", "alliance"])
    assert guide.exit_code == 0
    for heading in ("What it is", "When it fits", "When it does not", "Legal vehicles"):
        assert heading in guide.stdout
    assert "FAC-1" in guide.stdout
    assert "Case studies (svadvisor cases show ID)" in guide.stdout
    assert "Plymouth Alliance for complex needs" in guide.stdout
    unknown = runner.invoke(app, ["routes", "nope"])
    assert unknown.exit_code == 2
    assert (
        "no route 'nope'; routes: competitive, collaborative, alliance, commons" in unknown.stderr
    )
