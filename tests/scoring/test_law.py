"""Right in law: duties of covered procurement apply only at or above the threshold in
force on the procurement's start date, the Part 6 rules below it, and a note whose value
is unknown says what it depends on. Every such duty is swept on both sides of its
threshold, before and after the thresholds changed on 1 January 2026. And every source the
built-in pack cites is in a class it accepts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import svadvisor
from svadvisor.cli.app import app
from svadvisor.rulepack.load import builtin_pack_dir
from svadvisor.rulepack.schema import RulePack

TODAY = date(2026, 11, 30)

# The threshold in force for each kind of contract, before and from 1 January 2026
# (SI 2025/163 regulation 3(2); SI 2025/1200 regulation 2).
THRESHOLDS = {
    "services": {date(2025, 12, 31): 214_904, date(2026, 1, 1): 207_720},
    "goods": {date(2025, 12, 31): 214_904, date(2026, 1, 1): 207_720},
    "works": {date(2025, 12, 31): 5_372_609, date(2026, 1, 1): 5_193_000},
    "light_touch": {date(2025, 12, 31): 663_540, date(2026, 1, 1): 663_540},
}

# For each duty of covered procurement, answers that make its own condition hold and the
# kind of contract it is swept for.
COVERED_DUTIES: list[tuple[str, str, dict[str, Any]]] = [
    ("pa23_objectives", "services", {}),
    ("procedures", "services", {"specification": "outcomes"}),
    ("direct_award", "goods", {"market": "none"}),
    ("frameworks", "services", {"programme": "repeated"}),
    ("open_frameworks", "services", {"programme": "repeated", "timescale": "long"}),
    ("dynamic_markets", "goods", {"programme": "repeated", "market": "deep"}),
    ("lots_s18", "goods", {"market": "deep", "sme_presence": "strong"}),
    ("lots_reasons", "works", {"lots": "no"}),
    ("reserved_mutuals", "light_touch", {"reserved_for": "public_service_mutual"}),
    ("market_engagement", "services", {"specification": "co_design"}),
    ("innovation_partnership", "services", {"specification": "co_design", "market": "none"}),
    ("relational_terms", "services", {"timescale": "long", "complexity": "complex"}),
]


def shown(pack: RulePack, answers: dict[str, Any]) -> dict[str, Any]:
    result = svadvisor.assess(answers, pack, on=TODAY)
    return {n.id: n for n in result.notes}


def not_holding(pack: RulePack, answers: dict[str, Any]) -> dict[str, str]:
    return {n.id: n.why for n in svadvisor.assess(answers, pack, on=TODAY).notes_not_holding}


@pytest.mark.parametrize(
    ("note", "kind", "extra"), COVERED_DUTIES, ids=[d[0] for d in COVERED_DUTIES]
)
@pytest.mark.parametrize("start", [date(2025, 12, 31), date(2026, 1, 1)], ids=["2025", "2026"])
def test_a_covered_duty_on_both_sides_of_its_threshold(
    pack: RulePack, note: str, kind: str, extra: dict[str, Any], start: date
) -> None:
    limit = THRESHOLDS[kind][start]
    base = {**extra, "service_type": kind, "start_date": start.isoformat()}
    at = shown(pack, {**base, "value": limit})
    assert note in at and at[note].applies_if is None  # a duty, stated plainly
    below = {**base, "value": limit - 1}
    assert note not in shown(pack, below)
    assert note in not_holding(pack, below)
    assert "below_threshold" in shown(pack, below)  # Part 6 instead
    assert "below_threshold" not in shown(pack, {**base, "value": limit})
    unknown = shown(pack, base)[note]
    words = {"works": "works", "light_touch": "light touch services"}.get(
        kind, "goods and services"
    )
    assert unknown.applies_if == (
        f"the estimated value is at or above £{limit:,} for {words} "
        f"(the threshold in force on {start.isoformat()})"
    )


def test_kpis_follow_the_works_threshold_not_only_five_million(pack: RulePack) -> None:
    works = {"service_type": "works", "start_date": "2026-01-01"}
    assert "kpis" not in shown(pack, {**works, "value": 5_100_000})  # below £5,193,000
    assert "kpis" in shown(pack, {**works, "value": 5_193_000})
    before = {"service_type": "works", "start_date": "2025-12-31"}
    assert "kpis" not in shown(pack, {**before, "value": 5_300_000})  # below £5,372,609
    assert "kpis" in shown(pack, {**before, "value": 5_372_609})
    assert "kpis" in shown(pack, {"service_type": "services", "value": 5_000_001})


def test_a_printer_below_threshold_gets_part_6_not_the_covered_duties(pack: RulePack) -> None:
    printer = {"service_type": "goods", "market": "deep", "value": 180_000, "lots": "no"}
    notes = shown(pack, printer)
    assert {"below_threshold", "existing_framework"} <= set(notes)
    assert not {"pa23_objectives", "lots_reasons", "lots_s18"} & set(notes)
    why = not_holding(pack, printer)
    assert why["lots_reasons"] == (
        "a duty of covered procurement, and the estimated value is below £207,720 for goods "
        "and services (the threshold in force on 2026-11-30)"
    )


def test_with_the_kind_unknown_every_threshold_that_may_apply_is_named(pack: RulePack) -> None:
    note = shown(pack, {"value": 300_000, "programme": "repeated"})["frameworks"]
    assert note.applies_if == (
        "the estimated value is at or above £5,193,000 for works, £663,540 for light touch "
        "services or £207,720 for goods and services (the threshold in force on 2026-11-30)"
    )


def test_the_terminal_and_the_memo_say_a_duty_is_conditional(
    runner: CliRunner, tmp_path: Path
) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("service_type: services\nlots: 'no'\n", encoding="utf-8")
    out = runner.invoke(app, ["assess", "--answers", str(answers)]).stdout
    assert "[MUST, CONDITIONAL] Not using lots? Give the reasons" in out
    memo = tmp_path / "a.md"
    runner.invoke(app, ["assess", "--answers", str(answers), "--memo", str(memo)])
    text = memo.read_text(encoding="utf-8")
    assert "(MUST, conditional)" in text
    assert "**Applies only if the estimated value is at or above £207,720 for goods" in text


# --- statements corrected against the legislation --------------------------------------


@pytest.mark.parametrize(
    ("note", "says", "never"),
    [
        ("frameworks", "s47(2)-(3)", "lasts at most 4 years (light touch"),
        ("frameworks", "just one supplier is party", None),
        ("direct_award", "only if such regulations", "to protect life, or when"),
        ("asset_transfer", "£2,000,000 or less", "less than £2m"),
        ("lots_reasons", "reasonably be supplied under more than one contract", None),
        ("ppn002_social_value_model", "BY-NC-ND 4.0", "allows linking"),
    ],
)
def test_corrected_statements(pack: RulePack, note: str, says: str, never: str | None) -> None:
    (found,) = [n for n in pack.notes if n.id == note]
    text = " ".join(found.text.split())
    assert says in text
    assert never is None or never not in text
    assert found.checked >= date(2026, 11, 30)


def test_psr_most_suitable_provider_needs_an_identifiable_provider(pack: RulePack) -> None:
    (psr,) = [r for r in pack.regimes if r.id == "psr"]
    for outcome in psr.outcomes:
        if "Most Suitable Provider process (if identifiable)" in outcome.title:
            text = " ".join(outcome.text.split())
            assert "likely to be able to identify the most suitable provider" in text
            assert "must use the Competitive Process (regulation 6(7) and (8))" in text


def test_thresholds_cite_the_statutory_instruments(pack: RulePack) -> None:
    for threshold in pack.thresholds:
        for value in threshold.values:
            assert value.source.startswith("https://www.legislation.gov.uk/"), threshold.id


# --- sources ----------------------------------------------------------------------------------


def test_lint_finds_no_weak_source_in_the_built_in_pack_and_cases(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "lint"])
    assert result.exit_code == 0, result.output
    assert "not in a class the pack accepts" not in result.stdout
    strict = runner.invoke(app, ["rules", "validate", "--strict"])
    assert strict.exit_code == 0, strict.output


def test_a_weak_source_is_a_lint_warning_and_fails_strict_validation(
    runner: CliRunner, pack_copy: Path
) -> None:
    notes = pack_copy / "notes.yaml"
    text = notes.read_text(encoding="utf-8")
    weak = "https://thealternative.org.uk/dailyalternative/2023/9/10/abundance"
    notes.write_text(
        text.replace(
            "      - https://www.legislation.gov.uk/ukpga/2023/54/section/12?view=plain\n",
            f"      - {weak}\n",
            1,
        ),
        encoding="utf-8",
    )
    line = next(
        number
        for number, text in enumerate(notes.read_text(encoding="utf-8").splitlines(), 1)
        if weak in text
    )
    lint = runner.invoke(app, ["rules", "lint", str(pack_copy)])
    assert lint.exit_code == 1
    assert (
        f"{notes}:{line}:9: notes[2].sources[0]: warning: source 'thealternative.org.uk' is not "
        "in a class the pack accepts (sources.yaml): cite the primary or official source "
        "instead, or drop the claim" in lint.stdout
    )
    plain = runner.invoke(app, ["rules", "validate", str(pack_copy)])
    assert plain.exit_code == 0, plain.output  # still a readable pack
    strict = runner.invoke(app, ["rules", "validate", str(pack_copy), "--strict"])
    assert strict.exit_code == 2
    assert "source 'thealternative.org.uk' is not in a class" in strict.stderr
    assert "Traceback" not in strict.output


def test_a_pack_without_sources_yaml_is_not_checked(runner: CliRunner, pack_copy: Path) -> None:
    (pack_copy / "sources.yaml").unlink()
    assert runner.invoke(app, ["rules", "validate", str(pack_copy), "--strict"]).exit_code == 0


def test_the_source_classes_are_documented() -> None:
    text = (builtin_pack_dir() / "SOURCES.md").read_text(encoding="utf-8")
    for heading in ("How sources are chosen", "The classes"):
        assert heading in text
