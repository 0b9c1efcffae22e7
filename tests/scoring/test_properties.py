"""Property tests: any valid answers score, explain themselves exactly, and deterministically."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from svadvisor.answers.validate import validate_answers
from svadvisor.rulepack.load import load_pack
from svadvisor.rulepack.schema import Question, RulePack
from svadvisor.scoring import engine

PACK = load_pack()
TODAY = date(2026, 11, 25)


def answer_for(question: Question) -> st.SearchStrategy[Any]:
    dont_know = st.sampled_from([None, "dont_know"])
    if question.type in ("choice", "yesno"):
        return st.one_of(dont_know, st.sampled_from(question.choice_ids))
    if question.type == "multi":
        return st.lists(st.sampled_from(question.choice_ids), unique=True)
    if question.type == "number":
        low = question.min if question.min is not None else -1e9
        high = question.max if question.max is not None else 1e10
        return st.one_of(dont_know, st.integers(int(low), int(high)))
    if question.type == "cpv":
        codes = sorted(PACK.cpv_names)
        listed = sorted(set().union(*PACK.cpv_lists.values()))
        return st.lists(st.sampled_from(codes) | st.sampled_from(listed), max_size=3)
    return st.one_of(dont_know, st.dates().map(date.isoformat))


def answers_strategy(pack: RulePack) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={q.id: answer_for(q) for q in pack.questions})


@settings(max_examples=300, deadline=None)
@given(answers_strategy(PACK))
def test_any_valid_answers_score_and_sum_exactly(raw: dict[str, Any]) -> None:
    checked = validate_answers(PACK, raw)
    result = engine.assess(PACK, checked, on=TODAY)
    assert sorted(r.route for r in result.ranking) == sorted(r.id for r in PACK.routes)
    for route in result.ranking:
        assert route.score == sum(c.points for c in route.contributions)
    assert result.margin == result.ranking[0].score - result.ranking[1].score
    eligible = [r.eligible for r in result.ranking]
    assert eligible == sorted(eligible, reverse=True)
    assert set(result.unanswered).isdisjoint(checked)


@settings(max_examples=100, deadline=None)
@given(answers_strategy(PACK))
def test_same_answers_same_output_byte_for_byte(raw: dict[str, Any]) -> None:
    checked = validate_answers(PACK, raw)
    first = engine.assess(PACK, checked, on=TODAY).model_dump_json()
    second = engine.assess(PACK, dict(reversed(list(checked.items()))), on=TODAY).model_dump_json()
    assert first == second


@settings(max_examples=300, deadline=None)
@given(answers_strategy(PACK))
def test_fast_scorer_agrees_with_the_explained_assessment(raw: dict[str, Any]) -> None:
    checked = validate_answers(PACK, raw)
    result = engine.assess(PACK, checked, on=TODAY)
    fast = engine.Scorer(PACK).ranking(checked)
    assert fast == [(r.route, r.score) for r in result.ranking]
