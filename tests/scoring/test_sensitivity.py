"""What would change the advice: a tiny pack whose answers are worked out by hand, and
properties over the built-in pack (every reported flip flips; nothing left out does)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import EXAMPLES
from tests.scoring.test_properties import answers_strategy
from tests.tinypack import tiny_pack_files, write_pack, write_tiny_pack
from typer.testing import CliRunner

from svadvisor.answers.validate import validate_answers
from svadvisor.cli.app import app
from svadvisor.rulepack.load import load_pack
from svadvisor.rulepack.schema import DONT_KNOW, RulePack
from svadvisor.scoring import engine
from svadvisor.scoring.assessment import Assessment, Flip

TODAY = date(2026, 11, 25)


@pytest.fixture
def tiny(tmp_path: Path) -> RulePack:
    return load_pack(write_tiny_pack(tmp_path / "tiny"))


def assess(pack: RulePack, raw: dict[str, Any]) -> Assessment:
    return engine.assess(pack, validate_answers(pack, raw), on=TODAY)


def changes(flips: list[Flip]) -> set[tuple[tuple[tuple[str, Any], ...], str]]:
    return {(tuple((c.question, c.to) for c in f.changes), f.winner) for f in flips}


def test_single_changes_that_flip_are_exactly_the_hand_computed_ones(tiny: RulePack) -> None:
    # a = 2 (x), b = 2 (r): a tie, which a wins by coming first in routes.yaml
    result = assess(tiny, {"q1": "x", "q2": "r"})
    assert result.ranking[0].route == "a" and result.margin == 0
    assert changes(result.what_would_change) == {
        ((("q1", "y"),), "b"),  # a 0, b 3
        ((("q1", "z"),), "b"),  # a 0, b 2
        ((("q1", DONT_KNOW),), "b"),
        ((("q3", 10),), "b"),  # a 2, b 3: one value stands for the whole band "10+"
    }
    first = result.what_would_change[0].model_dump()
    assert first == {
        "changes": [{"question": "q1", "from": "x", "to": "y", "from_label": "X", "to_label": "Y"}],
        "winner": "b",
        "winner_label": "Route B",
    }


def test_pairs_are_listed_only_when_no_single_change_flips(tiny: RulePack) -> None:
    # a = 3 (x, p), b = 0: no one change gets b past a; these pairs do
    result = assess(tiny, {"q1": "x", "q2": "p"})
    assert changes(result.what_would_change) == {
        ((("q1", "y"), ("q2", "r")), "b"),
        ((("q1", "y"), ("q2", DONT_KNOW)), "b"),
        ((("q1", "y"), ("q3", 10)), "b"),
        ((("q1", "z"), ("q2", "r")), "b"),
        ((("q1", DONT_KNOW), ("q2", "r")), "b"),
        ((("q2", "r"), ("q3", 10)), "b"),
    }


def test_dont_know_marks_what_matters_and_what_is_robust(tiny: RulePack) -> None:
    # a = 1 (p), b = 1 (y): q3 "10+" would give b the lead; nothing q4 says changes a's win
    result = assess(tiny, {"q1": "y", "q2": "p"})
    impact = {d.question: d for d in result.dont_know}
    assert set(impact) == {"q3", "q4"}
    assert impact["q4"].robust and impact["q4"].flips == []
    assert not impact["q3"].robust
    assert changes(impact["q3"].flips) == {((("q3", 10),), "b")}
    assert impact["q3"].flips[0].changes[0].to_label == "10 (10+)"
    assert result.settle_first == "q3"


def test_weight_robustness_by_route_and_by_question(tiny: RulePack) -> None:
    # a = 2 (p, low), b = 1 (y)
    result = assess(tiny, {"q1": "y", "q2": "p", "q3": 5})
    weights = result.weight_robustness
    assert weights is not None and weights.by_route is not None
    # a's points cut by half draws level (a keeps ties); more than that and b wins
    assert (weights.by_route.target, weights.by_route.direction) == ("a", "down")
    assert weights.by_route.percent == 50.0
    assert weights.by_route.winner == "b"
    # removing q2's or q3's point only draws level, so the cheapest is doubling q1's
    assert weights.by_question is not None
    assert (weights.by_question.target, weights.by_question.direction) == ("q1", "up")
    assert weights.by_question.percent == 100.0


def test_no_uniform_weight_move_can_overturn_a_winner_with_all_the_points(tiny: RulePack) -> None:
    weights = assess(tiny, {"q1": "x", "q2": "p"}).weight_robustness
    assert weights is not None
    assert weights.by_route is None and weights.by_question is None


@pytest.mark.parametrize(
    ("raw", "margin", "close"),
    [
        ({"q1": "x", "q2": "r", "q4": "yes"}, 1, True),  # a 3, b 2
        ({"q1": "x", "q2": "r", "q4": "yes", "q3": 5}, 2, False),  # a 4, b 2: at the threshold
        ({"q1": "x", "q2": "r"}, 0, True),  # a tie is the closest call
    ],
)
def test_close_call_below_the_packs_threshold_only(
    tiny: RulePack, raw: dict[str, Any], margin: int, close: bool
) -> None:
    result = assess(tiny, raw)
    assert result.margin == margin
    assert (result.close_call is not None) is close
    if close:
        assert result.close_call is not None
        assert result.close_call.threshold == 2
        assert result.close_call.text == "Engage the market first."


def test_no_close_call_when_the_runner_up_fails_its_prerequisite(tiny: RulePack) -> None:
    result = assess(tiny, {"q1": "y", "q2": "r", "q4": "no"})  # b 3 but not eligible
    assert [r.route for r in result.ranking] == ["a", "b"] and result.margin < 2
    assert result.close_call is None


def test_no_close_call_when_the_pack_sets_none(pack: RulePack) -> None:
    bare = pack.model_copy(update={"meta": pack.meta.model_copy(update={"close_call": None})})
    result = engine.assess(bare, {"complexity": "complex"}, on=TODAY)
    assert result.close_call is None


def test_questions_no_score_reads_are_never_searched(tmp_path: Path) -> None:
    files = tiny_pack_files()
    files["questions.yaml"]["questions"].append(
        {
            "id": "memo",
            "text": "For the memo only",
            "type": "choice",
            "answers": [{"id": "m", "label": "M"}, {"id": "n", "label": "N"}],
        }
    )
    pack = load_pack(write_pack(tmp_path / "tiny", files))
    result = assess(pack, {"q1": "x", "q2": "r"})
    assert "memo" not in {c.question for f in result.what_would_change for c in f.changes}
    impact = {d.question: d for d in result.dont_know}
    assert impact["memo"].robust


def test_sensitivity_can_be_turned_off_for_batch_runs(pack: RulePack) -> None:
    result = engine.assess(pack, {"complexity": "complex"}, on=TODAY, sensitivity=False)
    assert result.what_would_change == [] and result.weight_robustness is None


# --- properties over the built-in pack --------------------------------------------------

PACK = load_pack()
SCORER = engine.Scorer(PACK)


def applied(result: Assessment, moves: list[tuple[str, Any]]) -> dict[str, Any]:
    raw = dict(result.answers)
    for question, value in moves:
        raw.pop(question, None)
        if value != DONT_KNOW:
            raw[question] = value
    return validate_answers(PACK, raw)


def winner(answers: dict[str, Any]) -> str:
    return SCORER.ranking(answers)[0][0]


def some_answer(draw: st.DrawFn, question_id: str) -> Any:
    question = PACK.question(question_id)
    assert question is not None
    if question.type == "number":
        low = int(question.min) if question.min is not None else -(10**9)
        high = int(question.max) if question.max is not None else 10**9
        return draw(st.one_of(st.just(DONT_KNOW), st.integers(low, high)))
    if question.type == "date":
        return draw(st.one_of(st.just(DONT_KNOW), st.dates().map(date.isoformat)))
    if question.type == "multi":
        return draw(st.lists(st.sampled_from(question.choice_ids), unique=True))
    if question.type == "cpv":
        listed = sorted(set().union(*PACK.cpv_lists.values()))
        codes = st.lists(
            st.sampled_from(listed) | st.sampled_from(sorted(PACK.cpv_names)), max_size=2
        )
        return draw(st.one_of(st.just(DONT_KNOW), codes))
    return draw(st.sampled_from([*question.choice_ids, DONT_KNOW]))


@st.composite
def moves(draw: st.DrawFn, count: int) -> list[tuple[str, Any]]:
    ids = draw(
        st.lists(
            st.sampled_from([q.id for q in PACK.questions]),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    return [(q, some_answer(draw, q)) for q in ids]


def reported(result: Assessment, moved: list[tuple[str, Any]]) -> bool:
    """Whether a flip on the same questions is listed that scores exactly as `moved` does."""
    target = SCORER.ranking(applied(result, moved))
    questions = [q for q, _ in moved]
    return any(
        [c.question for c in flip.changes] == questions
        and SCORER.ranking(applied(result, [(c.question, c.to) for c in flip.changes])) == target
        for flip in result.what_would_change
    )


@settings(max_examples=120, deadline=None)
@given(answers_strategy(PACK), moves(1), moves(2))
def test_every_reported_flip_flips_and_no_change_left_out_does(
    raw: dict[str, Any], single: list[tuple[str, Any]], pair: list[tuple[str, Any]]
) -> None:
    result = engine.assess(PACK, validate_answers(PACK, raw), on=TODAY)
    now = result.ranking[0].route
    for flip in result.what_would_change:
        after = winner(applied(result, [(c.question, c.to) for c in flip.changes]))
        assert after == flip.winner != now
    sizes = {len(f.changes) for f in result.what_would_change}
    assert sizes <= {1} or sizes == {2}
    if winner(applied(result, single)) != now:
        assert reported(result, single), single
    if sizes == {2} or not result.what_would_change:
        pair.sort(key=lambda move: [q.id for q in PACK.questions].index(move[0]))
        if winner(applied(result, pair)) != now:
            assert reported(result, pair), pair


@settings(max_examples=60, deadline=None)
@given(answers_strategy(PACK))
def test_no_single_change_flips_when_only_pairs_are_listed(raw: dict[str, Any]) -> None:
    result = engine.assess(PACK, validate_answers(PACK, raw), on=TODAY)
    if any(len(f.changes) == 1 for f in result.what_would_change):
        return
    now = result.ranking[0].route
    for question in PACK.questions:
        choices = question.choice_ids or []
        for value in [*choices, DONT_KNOW]:
            assert winner(applied(result, [(question.id, value)])) == now


# --- the CLI --------------------------------------------------------------------------


def test_assess_json_lists_what_would_change(runner: CliRunner, tmp_path: Path) -> None:
    folder = write_tiny_pack(tmp_path / "tiny")
    answers = tmp_path / "answers.yaml"
    answers.write_text("q1: x\nq2: r\n", encoding="utf-8")
    result = runner.invoke(
        app, ["--rules", str(folder), "assess", "--answers", str(answers), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["what_would_change"][0] == {
        "changes": [{"question": "q1", "from": "x", "to": "y", "from_label": "X", "to_label": "Y"}],
        "winner": "b",
        "winner_label": "Route B",
    }
    assert [d["question"] for d in data["dont_know"]] == ["q3", "q4"]
    assert data["settle_first"] == "q3"
    assert data["close_call"] == {
        "margin": 0,
        "threshold": 2,
        "text": "Engage the market first.",
        "source": None,
    }
    assert set(data["weight_robustness"]) == {"by_route", "by_question"}


def test_assess_terminal_says_how_sure_it_is(runner: CliRunner, tmp_path: Path) -> None:
    folder = write_tiny_pack(tmp_path / "tiny")
    answers = tmp_path / "answers.yaml"
    answers.write_text("q1: x\nq2: r\n", encoding="utf-8")
    result = runner.invoke(app, ["--rules", str(folder), "assess", "--answers", str(answers)])
    assert result.exit_code == 0, result.output
    out = "\n".join(line.rstrip() for line in result.stdout.splitlines())
    assert (
        "Close call: the top two are less than 2 points apart.\n  Engage the market first.\n" in out
    )
    assert "What would change it (changing one answer):\n" in out
    assert "  - Q1? X -> Y, Z or don't know  => Route B\n" in out
    assert "  - Q3? don't know -> 10 (10+)  => Route B\n" in out
    assert (
        "Weights: any cut in Route A's points, or any cut in the points from the answer to "
        '"Q1?" (q1), would make Route B win.' in " ".join(out.split())
    )
    assert "  - Q3? (q3)\n    matters: 10 (10+)  => Route B\n" in out
    assert "  - Q4? (q4)\n    robust: no answer to it would change the winner\n" in out
    assert "  Settle first: Q3? (q3)\n" in out
    assert "  - Q4? (q4) - a prerequisite of Route B\n" in out


# --- the memo -------------------------------------------------------------------------


def test_memo_says_how_sure_with_pairs_when_no_single_change_flips(pack: RulePack) -> None:
    from tests.conftest import read_answers_file

    from svadvisor import memo

    answers = read_answers_file(
        EXAMPLES / "leicestershire-childrens-innovation-partnership.yaml", pack
    )
    answers["innovation"] = "yes"  # an innovation partnership: no single change moves it
    result = engine.assess(pack, answers, on=TODAY)
    text = memo.render_memo(pack, result, on=TODAY)
    section = text.split("## How sure is this recommendation?\n")[1].split("\n## ")[0]
    assert "No change to a single answer would change the recommendation; these pairs" in section
    assert (
        "| Can the service be specified up front, or must it be designed with others? from "
        "'Co-design - the answer must be found with providers and communities' to 'Fixed - we "
        "know precisely what we want' and Does a community association want to own or steward "
        "a shared asset involved in this work? from 'No - no community association or no "
        "shared asset' to 'Yes - an organised, resourced association' | Public commons "
        "partnership |" in section
    )
    assert (
        "Weights: a 1800% rise in the points from the answer to 'How many providers must work "
        "together, depending on each other, to deliver the outcomes?' would make Competitive"
        in section
    )
    assert "Close call" not in section

    quick = engine.assess(pack, answers, on=TODAY, sensitivity=False)
    assert "## How sure" not in memo.render_memo(pack, quick, on=TODAY)
