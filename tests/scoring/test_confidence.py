"""How sure the advice is: ties, the four confidence levels, contradictions, and what
inferred answers may mean. Every case runs the built-in pack, through the library and the
real CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from svadvisor.answers.validate import validate_answers
from svadvisor.cli.app import app
from svadvisor.rulepack.schema import RulePack
from svadvisor.scoring import engine
from svadvisor.scoring.assessment import Assessment

TODAY = date(2026, 11, 25)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# a need the council can specify, let as works, in a short cycle: 7 points ahead, but the
# market is not known, and "little or none" would fail competition's prerequisite
SPECIFIED_WORKS = {"timescale": "short", "specification": "fixed", "service_type": "works"}
# Plymouth's answers before anyone asked whether the providers share governance
PLYMOUTH_WITHOUT_GOVERNANCE = {
    "complexity": "complex",
    "timescale": "long",
    "market": "thin",
    "specification": "co_design",
    "providers": "several",
    "relationships": "strong",
    "risk": "cannot",
    "community_asset": "none",
    "outcomes_measurable": "not_reliably",
    "sme_presence": "some",
}


def assess(pack: RulePack, raw: dict[str, Any], **kwargs: Any) -> Assessment:
    return engine.assess(pack, validate_answers(pack, raw), on=TODAY, **kwargs)


def level(result: Assessment) -> str:
    assert result.confidence is not None
    return result.confidence.level


# --- ties ----------------------------------------------------------------------------------


def test_an_exact_tie_names_both_routes_and_recommends_neither(pack: RulePack) -> None:
    result = assess(pack, {"complexity": "complex", "timescale": "long"})
    assert result.tie == ["collaborative", "alliance", "commons"]
    assert result.recommended is None
    assert level(result) == "insufficient"
    assert result.confidence is not None
    assert result.confidence.why[0] == (
        "Collaborative commissioning, Alliance contracting and Public commons partnership "
        "tie at 6 points: the answers do not choose between them."
    )
    # what would break the tie: each tied route's defining evidence
    assert {"specification", "shared_governance", "community_asset"} <= set(
        result.confidence.settle
    )


def test_a_tie_in_the_terminal_json_and_memo(runner: CliRunner, tmp_path: Path) -> None:
    answers = tmp_path / "tie.yaml"
    answers.write_text("complexity: complex\ntimescale: long\n", encoding="utf-8")
    shown = runner.invoke(app, ["assess", "--answers", str(answers)])
    assert shown.exit_code == 0, shown.output
    first = shown.stdout.splitlines()[0]
    assert first == (
        "Recommended route: none yet - Collaborative commissioning, Alliance contracting "
        "and Public commons partnership tie"
    )
    assert "<- tied" in shown.stdout and "<- recommended" not in shown.stdout
    data = json.loads(runner.invoke(app, ["assess", "--answers", str(answers), "--json"]).stdout)
    assert data["recommended"] is None
    assert data["tie"] == ["collaborative", "alliance", "commons"]
    assert data["confidence"]["level"] == "insufficient"
    memo = tmp_path / "tie.md"
    made = runner.invoke(app, ["assess", "--answers", str(answers), "--memo", str(memo)])
    assert made.exit_code == 0, made.output
    text = memo.read_text(encoding="utf-8")
    assert (
        "**No recommendation yet: Collaborative commissioning, Alliance contracting and "
        "Public commons partnership tie at 6 points.** Neither is recommended" in text
    )
    assert "**Confidence: insufficient.**" in text
    assert "**Recommended route:" not in text


# --- the four levels ------------------------------------------------------------------------


def test_strong_a_clear_margin_evidence_and_no_unknown_can_change_it(pack: RulePack) -> None:
    result = assess(
        pack,
        {"specification": "fixed", "market": "deep", "complexity": "simple", "risk": "sized"},
    )
    assert (result.recommended, level(result), result.margin) == ("competitive", "strong", 14)
    assert result.confidence is not None
    assert result.confidence.why[:3] == [
        "Competitive procurement leads Collaborative commissioning by 14 points.",
        "Defining evidence for Competitive procurement: the need can be specified up front, a "
        "simple, well-understood need, a deep market of capable suppliers and risks that can "
        "be sized up front.",
        "No answer to an unanswered question could change the winner.",
    ]
    assert result.confidence.settle == []


def test_moderate_when_a_dont_know_could_change_the_winner(pack: RulePack) -> None:
    result = assess(pack, SPECIFIED_WORKS)
    assert (result.recommended, level(result), result.margin) == ("competitive", "moderate", 7)
    assert result.confidence is not None
    assert (
        "A don't-know answer could change the winner: if 'How many capable suppliers are there "
        "for this work?' were answered 'Little or none - the market must be grown', the "
        "leading routes would tie." in result.confidence.why
    )
    assert result.confidence.settle == ["market"]
    # answering it settles the doubt: the flip is gone and the advice is strong
    settled = assess(pack, {**SPECIFIED_WORKS, "market": "deep"})
    assert (settled.recommended, level(settled)) == ("competitive", "strong")


def test_moderate_when_the_margin_is_below_the_strong_margin(pack: RulePack) -> None:
    result = assess(pack, {**PLYMOUTH_WITHOUT_GOVERNANCE, "shared_governance": "yes"})
    assert (result.recommended, level(result), result.margin) == ("alliance", "moderate", 4)
    assert result.confidence is not None
    assert (
        "The margin is below 6 points, so a changed answer or weight could change the winner."
        in result.confidence.why
    )


def test_weak_when_the_top_two_are_close(pack: RulePack) -> None:
    result = assess(pack, PLYMOUTH_WITHOUT_GOVERNANCE)
    assert (result.recommended, level(result), result.margin) == ("collaborative", "weak", 1)
    assert result.confidence is not None
    assert result.confidence.meaning.startswith("The answers lean towards this route")


def test_insufficient_when_the_winner_has_none_of_its_defining_evidence(pack: RulePack) -> None:
    result = assess(pack, {"value": 118_000_000, "cpv": "85300000"})  # a notice's facts
    assert result.ranking[0].route == "competitive"  # the default leads ...
    assert result.recommended is None  # ... but is not recommended without evidence
    assert result.tie == []
    assert level(result) == "insufficient"
    assert result.confidence is not None
    assert "None of Competitive procurement's defining evidence is in the answers." in (
        result.confidence.why
    )
    assert result.confidence.settle[:3] == ["complexity", "market", "specification"]


def test_confidence_does_not_depend_on_the_sensitivity_search(pack: RulePack) -> None:
    for raw in (SPECIFIED_WORKS, PLYMOUTH_WITHOUT_GOVERNANCE, {"complexity": "complex"}, {}):
        full, quick = assess(pack, raw), assess(pack, raw, sensitivity=False)
        assert (full.recommended, full.tie, full.confidence) == (
            quick.recommended,
            quick.tie,
            quick.confidence,
        )


def test_terminal_states_the_confidence_with_its_reasons(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["assess", "--answers", str(EXAMPLES / "lancashire-food-framework.yaml")]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Recommended route: Competitive procurement (strong confidence)\n")
    assert "\nConfidence: strong\n" in out
    assert "  - No answer to an unanswered question could change the winner." in out


# --- contradictions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "warning", "questions"),
    [
        (
            {"service_type": "goods", "specification": "co_design"},
            "goods_with_shared_delivery",
            ["service_type", "specification"],
        ),
        (
            {"service_type": "goods", "providers": "several", "shared_governance": "yes"},
            "goods_with_shared_delivery",
            ["service_type", "providers", "shared_governance"],
        ),
        (
            {"community_asset": "none", "asset_type": "energy"},
            "asset_without_association",
            ["asset_type", "community_asset"],
        ),
        (
            {"providers": "one", "shared_governance": "yes"},
            "one_provider_shared_governance",
            ["providers", "shared_governance"],
        ),
        (
            {"complexity": "simple", "risk": "cannot"},
            "simple_yet_unpredictable",
            ["complexity", "risk"],
        ),
        (
            {"market": "deep", "innovation": "yes"},
            "deep_market_yet_innovation",
            ["market", "innovation"],
        ),
    ],
)
def test_each_contradiction_is_flagged_not_silently_scored(
    pack: RulePack, raw: dict[str, Any], warning: str, questions: list[str]
) -> None:
    result = assess(pack, raw)
    assert [(w.id, w.questions) for w in result.warnings] == [(warning, questions)]


def test_consistent_answers_give_no_warning(pack: RulePack) -> None:
    for example in EXAMPLES.glob("*.yaml"):
        from tests.conftest import read_answers_file

        result = engine.assess(pack, read_answers_file(example, pack), on=TODAY)
        assert result.warnings == [], example.name


def test_warnings_in_json_terminal_memo_and_sheet(runner: CliRunner, tmp_path: Path) -> None:
    answers = tmp_path / "odd.yaml"
    answers.write_text("service_type: goods\nspecification: co_design\n", encoding="utf-8")
    data = json.loads(runner.invoke(app, ["assess", "--answers", str(answers), "--json"]).stdout)
    assert data["warnings"] == [
        {
            "id": "goods_with_shared_delivery",
            "questions": ["service_type", "specification"],
            "text": "Goods are bought as products, yet the answers say the service must be "
            "co-designed or delivered by several interdependent providers sharing governance. "
            "Check what is being bought: if it is a service, say so.",
        }
    ]
    shown = runner.invoke(app, ["assess", "--answers", str(answers)]).stdout
    assert shown.startswith("Answers that contradict each other\n  ! Goods are bought")
    memo = tmp_path / "odd.md"
    runner.invoke(app, ["assess", "--answers", str(answers), "--memo", str(memo)])
    assert "## Answers that contradict each other" in memo.read_text(encoding="utf-8")
    sheet = tmp_path / "odd.csv"
    sheet.write_text("Ref,service_type,specification\nX-1,goods,co_design\n", encoding="utf-8")
    assert runner.invoke(app, ["batch", str(sheet)]).exit_code == 0
    scored = (tmp_path / "odd.scored.csv").read_text(encoding="utf-8-sig")
    assert "Goods are bought as products" in scored


# --- inferred answers mean what the question means -------------------------------------------


def test_a_contract_length_is_not_the_timescale_of_the_goals(
    runner: CliRunner, tmp_path: Path
) -> None:
    sheet = tmp_path / "plan.csv"
    sheet.write_text(
        "Ref,Start date,End date,complexity\nL-1,01/04/2025,31/03/2035,simple\n", encoding="utf-8"
    )
    assert runner.invoke(app, ["batch", str(sheet)]).exit_code == 0
    import csv

    with (tmp_path / "plan.scored.csv").open(encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["answers_from_sheet"] == "complexity; contract_term (from start and end dates)"
    assert "timescale" in row["unknown_questions"].split("; ")
    assert row["recommended_route"] == "Competitive procurement"
    assert "contract_term" not in " ".join(row[f"reason_{i}"] for i in (1, 2, 3))


def test_light_touch_status_scores_no_route(pack: RulePack) -> None:
    plain = assess(pack, {"complexity": "simple"})
    light = assess(pack, {"complexity": "simple", "cpv": "85300000"})  # social work: light touch
    assert [(r.route, r.score) for r in light.ranking] == [
        (r.route, r.score) for r in plain.ranking
    ]
    assert "light_touch_rules" in [n.id for n in light.notes]
    assert all(c.question != "service_type" for r in light.ranking for c in r.contributions)


def test_the_scorer_sits_below_the_sensitivity_search() -> None:
    """The engine uses both; the sensitivity search uses the scorer; the scorer neither."""
    import ast

    source = Path(__file__).resolve().parents[2] / "src" / "svadvisor" / "scoring"

    def imported(module: str) -> set[str]:
        tree = ast.parse((source / f"{module}.py").read_text(encoding="utf-8"))
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        return found

    scorer, sensitivity = imported("scorer"), imported("sensitivity")
    assert not any(
        m.startswith(("svadvisor.scoring.engine", "svadvisor.scoring.sensitivity")) for m in scorer
    )
    assert not any(m.startswith("svadvisor.scoring.engine") for m in sensitivity)
    assert "svadvisor.scoring.scorer" in sensitivity
