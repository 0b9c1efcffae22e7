"""Scoring behaviour of the engine on the real built-in pack and on small crafted packs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from tests.conftest import EXAMPLES, EXPECTED_ROUTE

import svadvisor
from svadvisor.answers.validate import validate_answers
from svadvisor.errors import AnswersError
from svadvisor.rulepack.schema import RulePack
from svadvisor.scoring import engine

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize("name", sorted(EXPECTED_ROUTE))
def test_each_example_ranks_its_real_route_first(name: str, pack: RulePack) -> None:
    raw = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    result = svadvisor.assess(raw, pack, on=TODAY)
    assert result.ranking[0].route == EXPECTED_ROUTE[name]
    assert result.margin > 0


def test_examples_cover_every_route() -> None:
    assert sorted(set(EXPECTED_ROUTE.values())) == [
        "alliance",
        "collaborative",
        "commons",
        "competitive",
    ]
    assert {p.name for p in EXAMPLES.glob("*.yaml")} >= set(EXPECTED_ROUTE)


def test_three_line_api() -> None:
    from svadvisor import assess

    result = assess({"complexity": "complex", "providers": "several", "shared_governance": "yes"})
    assert result.recommended == "alliance"  # as the README shows
    assert result.confidence is not None and result.confidence.level == "strong"


def test_contributions_sum_to_score_and_explain_each_point(pack: RulePack) -> None:
    result = svadvisor.assess({"complexity": "complex", "timescale": "long"}, pack, on=TODAY)
    collaborative = next(r for r in result.ranking if r.route == "collaborative")
    assert [(c.question, c.points, c.group) for c in collaborative.contributions] == [
        ("complexity", 3, "collaborative_pathway"),
        ("timescale", 2, "collaborative_pathway"),
        ("complexity & timescale", 1, "collaborative_pathway"),
    ]
    assert collaborative.score == 6
    # shared pathway points: the alliance and commons routes get the same ones
    for route in ("alliance", "commons"):
        other = next(r for r in result.ranking if r.route == route)
        assert [(c.question, c.points) for c in other.contributions] == [
            ("complexity", 3),
            ("timescale", 2),
            ("complexity & timescale", 1),
        ]
    for route in result.ranking:
        assert route.score == sum(c.points for c in route.contributions)
        for c in route.contributions:
            assert c.reason and c.source.startswith(("https://", "http://"))


def test_dont_know_scores_nothing_and_is_listed(pack: RulePack) -> None:
    result = svadvisor.assess({"complexity": "dont_know", "timescale": None}, pack, on=TODAY)
    # nothing but the competitive route's baseline, the pack's default
    assert {r.route: r.score for r in result.ranking} == {
        "competitive": 1,
        "collaborative": 0,
        "alliance": 0,
        "commons": 0,
    }
    assert [c.rule for c in result.ranking[0].contributions] == ["baseline"]
    assert result.unanswered[:2] == ["complexity", "timescale"]
    # asset_type is only asked when a community association exists: not "unanswered"
    assert "asset_type" not in result.unanswered


def test_unmet_prerequisite_ranks_route_last_whatever_its_points(pack: RulePack) -> None:
    answers = {
        "complexity": "complex",
        "timescale": "long",
        "providers": "one",
        "risk": "cannot",
        "relationships": "strong",
    }
    result = svadvisor.assess(answers, pack, on=TODAY)
    alliance = next(r for r in result.ranking if r.route == "alliance")
    assert not alliance.eligible
    assert [u.id for u in alliance.unmet] == ["several_providers"]
    assert result.ranking.index(alliance) > max(
        result.ranking.index(r) for r in result.ranking if r.eligible
    )


def test_dont_know_never_fails_a_prerequisite_but_is_flagged(pack: RulePack) -> None:
    result = svadvisor.assess({"complexity": "complex"}, pack, on=TODAY)
    commons = next(r for r in result.ranking if r.route == "commons")
    assert commons.eligible
    assert commons.to_settle == ["community_asset"]


def test_skipped_question_is_not_scored(pack: RulePack) -> None:
    answers = {"community_asset": "none", "asset_type": "energy"}
    result = svadvisor.assess(answers, pack, on=TODAY)
    commons = next(r for r in result.ranking if r.route == "commons")
    assert all(c.question != "asset_type" for c in commons.contributions)
    assert "asset_type" in result.not_applicable


def test_with_no_answers_competition_leads_but_nothing_is_recommended(pack: RulePack) -> None:
    result = svadvisor.assess({}, pack, on=TODAY)
    assert [r.route for r in result.ranking] == [
        "competitive",
        "collaborative",
        "alliance",
        "commons",
    ]
    assert result.margin == 1
    assert result.recommended is None and result.tie == []
    assert result.confidence is not None and result.confidence.level == "insufficient"


def test_ties_keep_pack_order_and_are_reported_as_ties(pack: RulePack) -> None:
    result = svadvisor.assess({"complexity": "complex"}, pack, on=TODAY)
    assert [r.route for r in result.ranking][:3] == ["collaborative", "alliance", "commons"]
    assert result.margin == 0
    assert result.tie == ["collaborative", "alliance", "commons"]
    assert result.recommended is None


def test_notes_apply_by_condition_strongest_first(pack: RulePack) -> None:
    answers = {"service_type": "health_psr", "counterparty": "public_body"}
    result = svadvisor.assess(answers, pack, on=TODAY)
    assert [n.id for n in result.notes] == [
        "psr_frameworks",
        "psr_key_criteria",
        "schedule2_exempt",
    ]
    assert [n.strength for n in result.notes] == ["must", "should", "should"]
    assert all(n.sources for n in result.notes)


def test_note_past_review_date_is_shown_and_marked(pack: RulePack) -> None:
    answers = {"service_type": "health_psr"}
    later = svadvisor.assess(answers, pack, on=date(2030, 1, 1))
    assert later.notes[0].id == "psr_frameworks" and later.notes[0].due_for_review
    assert not svadvisor.assess(answers, pack, on=TODAY).notes[0].due_for_review


def test_number_bands_score_the_range(pack: RulePack) -> None:
    small = svadvisor.assess({"value": "£25,000"}, pack, on=TODAY)
    competitive = next(r for r in small.ranking if r.route == "competitive")
    assert [(c.question, c.answer, c.answer_label) for c in competitive.contributions] == [
        ("", "", "before any answer"),
        ("value", "25000", "£25,000 (under £30,000)"),
    ]
    assert small.answers == {"value": 25000}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"complexitty": "complex"}, "unknown question 'complexitty'; did you mean 'complexity'?"),
        (
            {"complexity": "very"},
            "'very' is not an answer to this question; allowed: simple (Simple - the need",
        ),
        ({"value": "lots"}, "'lots' is not a number"),
        ({"value": -5}, "below the minimum of £0: -5"),
        ({"complexity": ["complex"]}, "expected one answer id"),
    ],
)
def test_bad_answers_name_the_question_and_what_is_allowed(
    pack: RulePack, raw: dict[str, object], message: str
) -> None:
    with pytest.raises(AnswersError) as info:
        validate_answers(pack, raw)
    (problem,) = info.value.problems
    assert message in str(problem)


def test_answers_accept_labels_and_yaml_booleans(tmp_path: Path) -> None:
    rules = tmp_path / "pack"
    rules.mkdir()
    (rules / "pack.yaml").write_text("pack: {name: t, version: '1', effective: 2026-01-01}\n")
    (rules / "routes.yaml").write_text(
        "routes:\n"
        "  - {id: a, label: A, summary: s, source: https://example.org/a}\n"
        "  - {id: b, label: B, summary: s, source: https://example.org/b}\n"
    )
    (rules / "questions.yaml").write_text(
        "questions:\n"
        "  - id: mutual\n    text: Is it a mutual?\n    type: yesno\n    answers:\n"
        "      - id: yes\n        label: Yes\n        scores:\n"
        "          - {route: b, points: 2, reason: r, source: https://example.org/r}\n"
        "      - id: no\n        label: No\n"
    )
    pack = svadvisor.load_pack(rules)
    assert pack.questions[0].choice_ids == ["yes", "no"]
    assert (
        engine.assess(pack, validate_answers(pack, {"mutual": True}), on=TODAY).ranking[0].route
        == "b"
    )
    assert validate_answers(pack, {"mutual": "Yes"}) == {"mutual": "yes"}
