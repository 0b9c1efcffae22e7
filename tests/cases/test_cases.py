"""The case library: real, sourced cases whose profiles fit the pack, and how they match."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from tests.conftest import EXAMPLES, rename_word
from tests.scoring.test_properties import answers_strategy

import svadvisor
from svadvisor.answers.validate import validate_answers
from svadvisor.cases.library import builtin_cases_dir, load_cases
from svadvisor.cases.matching import CaseLibrary, CaseStudy, compare, nearest, why
from svadvisor.rulepack.load import load_pack
from svadvisor.rulepack.schema import RulePack
from svadvisor.scoring import cpv, engine
from svadvisor.yamlfile import load_yaml_file

PACK = load_pack()
LIBRARY = load_cases(PACK)
CASE_FILES = sorted(builtin_cases_dir().glob("*.yaml"))
CASE_IDS = [c.id for c in LIBRARY.cases]
TODAY = date(2026, 11, 25)


def test_the_library_holds_at_least_twenty_cases_on_every_route() -> None:
    assert len(LIBRARY.cases) >= 20
    assert len(CASE_FILES) == len(LIBRARY.cases)
    assert {c.route for c in LIBRARY.cases} == {r.id for r in PACK.routes}


@pytest.mark.parametrize("case", LIBRARY.cases, ids=CASE_IDS)
def test_every_case_is_sourced_and_dated(case: CaseStudy) -> None:
    assert case.sources
    assert all(re.match(r"^https?://\S+$", url) for url in case.sources)
    assert date(2026, 11, 25) <= case.checked <= date.today()
    assert case.councils and case.years and case.bought and case.route_reason
    if not case.outcome_verified:
        assert "not verified" in case.outcome


@pytest.mark.parametrize("file", CASE_FILES, ids=[f.stem for f in CASE_FILES])
def test_every_profile_reads_as_an_answers_file(file: Path, tmp_path: Path) -> None:
    """The profile, written out alone, is a valid answers file for the built-in pack."""
    import yaml
    from tests.conftest import read_answers_file

    profile = load_yaml_file(file).data["profile"]
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(profile), encoding="utf-8")
    checked = read_answers_file(answers, PACK)
    assert checked == LIBRARY.get(file.stem).profile  # type: ignore[union-attr]
    assert len(checked) >= 4, "a profile this thin matches too loosely"


def test_no_two_cases_share_a_profile() -> None:
    profiles = [tuple(sorted(c.profile.items())) for c in LIBRARY.cases]
    assert len(set(profiles)) == len(profiles)


@pytest.mark.parametrize(
    ("example", "case_id"),
    [
        ("lancashire-food-framework.yaml", "lancashire-food-framework"),
        (
            "leicestershire-childrens-innovation-partnership.yaml",
            "leicestershire-childrens-innovation-partnership",
        ),
        ("plymouth-alliance.yaml", "plymouth-alliance"),
        ("plymouth-energy-community.yaml", "plymouth-energy-community"),
    ],
)
def test_example_answers_match_their_case(example: str, case_id: str) -> None:
    from tests.conftest import read_answers_file

    case = LIBRARY.get(case_id)
    assert case is not None
    assert read_answers_file(EXAMPLES / example, PACK) == case.profile
    result = svadvisor.assess(case.profile, PACK, on=TODAY)
    assert result.cases[0].id == case_id
    assert result.ranking[0].route == case.route


@pytest.mark.parametrize("case", LIBRARY.cases, ids=CASE_IDS)
def test_a_case_matches_itself_first(case: CaseStudy) -> None:
    for recommended in (case.route, None):
        matches = nearest(PACK, LIBRARY, case.profile, recommended=recommended)
        assert matches[0].case.id == case.id
        assert matches[0].differs == ()
        assert matches[0].score == len(case.profile)
    listed = [c.id for c in svadvisor.assess(case.profile, PACK, on=TODAY).cases]
    assert case.id in listed


def _case(case_id: str, route: str, profile: dict[str, object]) -> CaseStudy:
    return CaseStudy(
        id=case_id,
        name=case_id,
        councils=["Anytown Council"],
        years="2020-",
        bought="x",
        route=route,
        route_reason="x",
        outcome="x",
        outcome_verified=True,
        profile=profile,
        sources=["https://example.org"],
        checked=TODAY,
    )


def test_score_counts_shared_minus_differing_answers() -> None:
    library = CaseLibrary(
        (
            _case("a", "competitive", {"complexity": "simple", "market": "deep"}),
            _case("b", "alliance", {"complexity": "complex", "providers": "several"}),
            _case("c", "alliance", {"complexity": "complex", "market": "deep", "value": 50_000}),
            _case("d", "commons", {"market": "none"}),
        )
    )
    answers = {"complexity": "complex", "market": "deep", "providers": "several", "value": 1e6}
    matches = nearest(PACK, library, answers)
    # c: +3 (value in the same band); b: +2; a: +1 -1 = 0 is not listed; d: -1
    assert [(m.case.id, m.score) for m in matches] == [("c", 3), ("b", 2)]
    assert (
        why(PACK, matches[0]) == "shares 3 answers: complexity=complex, market=deep, value=from_30k"
    )
    only_d = nearest(PACK, library, {"complexity": "simple", "market": "none", "risk": "sized"})
    # a: +1 -1 = 0, so it is left out; d shares market and has nothing that differs
    assert [why(PACK, m) for m in only_d] == ["shares 1 answer: market=none"]
    differing = nearest(PACK, library, {"complexity": "simple", "market": "deep", "value": 40_000})
    assert [why(PACK, m) for m in differing] == [
        "shares 2 answers: complexity=simple, market=deep",
        "shares 2 answers: market=deep, value=from_30k; differs on complexity",
    ]


def test_recommended_route_first_among_the_nearest() -> None:
    library = CaseLibrary(
        (
            _case(
                "near", "competitive", {"complexity": "complex", "market": "thin", "risk": "cannot"}
            ),
            _case("middle", "alliance", {"complexity": "complex", "market": "thin"}),
            _case("far", "alliance", {"complexity": "complex"}),
            _case("farthest", "alliance", {"risk": "cannot"}),
        )
    )
    answers = {"complexity": "complex", "market": "thin", "risk": "cannot"}
    plain = [m.case.id for m in nearest(PACK, library, answers)]
    assert plain == ["near", "middle", "far"]
    grouped = [m.case.id for m in nearest(PACK, library, answers, recommended="alliance")]
    # the three nearest are chosen first; a fourth case on the route does not push one out
    assert grouped == ["middle", "far", "near"]


def test_ties_go_to_more_shared_answers_then_fewer_unasked() -> None:
    library = CaseLibrary(
        (
            _case("wider", "alliance", {"complexity": "complex", "timescale": "long"}),
            _case(
                "mixed",
                "alliance",
                {"complexity": "complex", "market": "thin", "risk": "cannot", "providers": "one"},
            ),
            _case("exact", "alliance", {"complexity": "complex"}),
        )
    )
    answers = {"complexity": "complex", "market": "thin", "risk": "cannot", "providers": "several"}
    # mixed: +3 -1 = 2 beats exact and wider (+1 each); exact asks nothing unanswered
    assert [m.case.id for m in nearest(PACK, library, answers)] == ["mixed", "exact", "wider"]


def test_no_answers_no_cases() -> None:
    assert nearest(PACK, LIBRARY, {}) == []
    assert svadvisor.assess({}, PACK, on=TODAY).cases == []


def test_top_level_assess_takes_a_case_folder(cases_copy: Path) -> None:
    for file in cases_copy.glob("*.yaml"):
        if file.stem != "wards-corner":
            file.unlink()
    result = svadvisor.assess({"community_asset": "organised"}, PACK, on=TODAY, cases=cases_copy)
    assert [c.id for c in result.cases] == ["wards-corner"]
    assert set(result.cases[0].model_dump()) >= {"id", "name", "route", "why", "sources"}


def test_top_level_load_cases(cases_copy: Path) -> None:
    library = svadvisor.load_cases(cases_copy)
    assert library.ids == CASE_IDS


def test_builtin_cases_are_left_out_for_a_pack_they_do_not_fit(pack_copy: Path) -> None:
    rename_word(pack_copy, "several", "four_or_more")
    custom: RulePack = load_pack(pack_copy)
    result = svadvisor.assess({"complexity": "complex"}, custom, on=TODAY)
    assert result.cases == []


@settings(max_examples=200, deadline=None)
@given(answers_strategy(PACK))
def test_listed_cases_are_the_nearest_recommended_route_first(raw: dict[str, Any]) -> None:
    checked = validate_answers(PACK, raw)
    result = engine.assess(PACK, checked, on=TODAY, cases=LIBRARY)
    listed = {c.id: c for c in result.cases}
    assert len(listed) <= 3
    on_route = [c.route == result.ranking[0].route for c in result.cases]
    assert on_route == sorted(on_route, reverse=True)
    effective, _ = cpv.derive(PACK, checked)  # answers implied by CPV codes count too
    scores = {c.id: compare(PACK, c, effective).score for c in LIBRARY.cases}
    assert all(case.score == scores[case_id] > 0 for case_id, case in listed.items())
    unlisted = [score for case_id, score in scores.items() if case_id not in listed]
    floor = min(c.score for c in result.cases) if len(listed) == 3 else 0
    assert all(score <= floor for score in unlisted)
