"""The interview's logic without a terminal: order, skipping, typed values, review lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import EXAMPLES
from tests.interview_pack import interview_pack

from svadvisor import interview as iv
from svadvisor.answers.validate import AnswerProblem, validate_answers
from svadvisor.interview import Interview
from svadvisor.rulepack.schema import DONT_KNOW, Question, RulePack


@pytest.fixture
def full_pack(pack_copy: Path) -> RulePack:
    return interview_pack(pack_copy)


def _question(pack: RulePack, question_id: str) -> Question:
    question = pack.question(question_id)
    assert question is not None
    return question


def _ask_all(interview: Interview, answers: dict[str, object]) -> list[str]:
    """Answer whatever the interview asks from `answers` (missing = don't know)."""
    asked = []
    while (question := interview.next_question()) is not None:
        asked.append(question.id)
        interview.record(question.id, answers.get(question.id))  # type: ignore[arg-type]
    return asked


def ungated(pack: RulePack) -> list[str]:
    return [q.id for q in pack.questions if q.ask_when is None]


def test_questions_come_in_pack_order_and_gated_ones_are_skipped(pack: RulePack) -> None:
    interview = Interview(pack)
    asked = _ask_all(interview, {"community_asset": "none", "service_type": "goods"})
    assert asked == ungated(pack)
    assert interview.next_question() is None
    assert "asset_type" not in interview.final_answers()
    assert "asset_type" not in interview.final_dont_know()


def test_a_gate_that_holds_asks_its_question_right_after(pack: RulePack) -> None:
    asked = _ask_all(Interview(pack), {"community_asset": "organised"})
    assert asked[asked.index("community_asset") + 1] == "asset_type"


def test_psr_questions_only_when_the_service_is_health_care(pack: RulePack) -> None:
    psr = [q.id for q in pack.questions if q.id.startswith("psr_")]
    for service, existing, expected in [
        ("goods", "yes", []),
        ("light_touch", "yes", []),
        ("health_psr", "no", ["psr_existing_provider", "psr_patient_choice"]),
        ("health_psr", "yes", psr),
        ("health_psr", None, ["psr_existing_provider", "psr_patient_choice"]),
    ]:
        answers = {"service_type": service, "psr_existing_provider": existing}
        asked = _ask_all(Interview(pack), answers)
        assert [q for q in asked if q.startswith("psr_")] == expected, (service, existing)


def test_a_cpv_code_opens_the_questions_its_service_type_would(pack: RulePack) -> None:
    interview = Interview(pack)
    asked = _ask_all(interview, {"cpv": ("85100000",)})  # Health services: on the PSR list
    assert "service_type" in interview.final_dont_know()
    assert "psr_existing_provider" in asked
    question, answer = dict(interview.review())["service_type"].split("\n")
    assert question == "What is being bought or commissioned?"
    assert answer.strip() == (
        "Health care services within the Provider Selection Regime (from the CPV codes)"
    )


def test_what_the_cpv_codes_answer_is_not_asked(pack: RulePack) -> None:
    reservable = "79622000"  # Supply services of domestic help personnel: marked R
    asked = _ask_all(Interview(pack), {"service_type": "light_touch", "cpv": (reservable,)})
    assert "mutual_reservable" not in asked
    asked = _ask_all(Interview(pack), {"service_type": "light_touch"})
    assert "mutual_reservable" in asked


def test_a_gate_answered_dont_know_skips_its_question(pack: RulePack) -> None:
    interview = Interview(pack)
    asked = _ask_all(interview, {})
    assert "community_asset" in asked and "asset_type" not in asked
    assert "community_asset" in interview.final_dont_know()


def test_progress_counts_only_questions_that_apply(pack: RulePack) -> None:
    interview = Interview(pack)
    first = _question(pack, "complexity")
    assert interview.progress(first) == (1, len(ungated(pack)))
    interview.record("community_asset", "organised")
    assert interview.progress(first) == (1, len(ungated(pack)) + 1)
    assert interview.progress(_question(pack, "asset_type"))[0] == 10  # shared_governance skipped


def test_changing_a_gate_opens_then_drops_its_question(pack: RulePack) -> None:
    interview = Interview(pack)
    _ask_all(interview, {"community_asset": "none", "complexity": "complex"})
    interview.record("community_asset", "organised")
    assert interview.next_question() == _question(pack, "asset_type")
    interview.record("asset_type", "energy")
    assert interview.final_answers()["asset_type"] == "energy"
    interview.record("community_asset", "none")
    assert interview.next_question() is None
    assert "asset_type" not in interview.final_answers()
    assert list(interview.final_answers()) == ["complexity", "community_asset"]


def test_cpv_codes_are_typed_and_checked(pack: RulePack) -> None:
    codes = _question(pack, "cpv")
    typed = iv.parse_typed(codes, "85100000-0; 79622000", pack.cpv_names)
    assert typed == ("85100000", "79622000")
    assert iv.typed_default(codes, typed) == "85100000; 79622000"
    assert iv.parse_typed(codes, "", pack.cpv_names) is None
    with pytest.raises(AnswerProblem, match="'12345678' is not a code in the CPV 2008"):
        iv.parse_typed(codes, "12345678", pack.cpv_names)
    assert iv.prompt_text(codes).endswith("(codes separated by ;)")


def test_dont_know_and_an_answer_replace_each_other(pack: RulePack) -> None:
    interview = Interview(pack)
    assert not interview.started
    interview.record("market", None)
    assert interview.describe(pack.questions[2]) == "Don't know"
    assert "market" not in [q.id for q in interview.missing()]
    interview.record("market", "thin")
    assert interview.final_answers() == {"market": "thin"}
    assert interview.final_dont_know() == []
    interview.record("market", None)
    assert interview.final_answers() == {} and interview.final_dont_know() == ["market"]


def test_a_partial_answers_file_leaves_only_the_rest_to_ask(pack: RulePack) -> None:
    interview = Interview(pack, {"complexity": "complex"}, dont_know=["timescale"])
    assert interview.next_question() == _question(pack, "market")
    assert [q.id for q in interview.missing()][:2] == ["market", "specification"]


def test_every_example_is_complete_once_its_dont_knows_are_settled(pack: RulePack) -> None:
    for path in EXAMPLES.glob("*.yaml"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        answers = validate_answers(pack, raw)
        unanswered = [q.id for q in pack.questions if q.id not in answers]
        interview = Interview(pack, answers, dont_know=unanswered)
        assert interview.next_question() is None, path.name


def test_pick_lists_always_end_with_dont_know(full_pack: RulePack) -> None:
    for question in full_pack.questions:
        if question.type in iv.TYPED:
            continue
        offered = iv.options(question)
        assert offered[-1] == iv.Option(DONT_KNOW, "Don't know")
        assert [o.value for o in offered[:-1]] == question.choice_ids
    assert [o.label for o in iv.options(_question(full_pack, "pilot"))] == [
        "Yes",
        "No",
        "Don't know",
    ]


def test_picked_values_become_engine_answers(full_pack: RulePack) -> None:
    partners = _question(full_pack, "partners")
    assert iv.from_picked(partners, ["police", "nhs"]) == ("nhs", "police")
    assert iv.from_picked(partners, []) == ()
    assert iv.from_picked(partners, [DONT_KNOW]) is None
    assert iv.from_picked(_question(full_pack, "pilot"), "yes") == "yes"
    assert iv.from_picked(_question(full_pack, "pilot"), DONT_KNOW) is None
    assert iv.multi_problem(["nhs", DONT_KNOW]) == "Don't know cannot be ticked with other answers"
    assert iv.multi_problem([DONT_KNOW]) is None
    assert iv.multi_problem([]) is None
    assert iv.checked_ids(("nhs", "vcse")) == ["nhs", "vcse"]
    assert iv.checked_ids(None) == []


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("£1,250,000", 1_250_000),
        ("1250000", 1_250_000),
        ("1.25m", 1_250_000),
        ("250k", 250_000),
        (" £ 7,700,000 ", 7_700_000),
        ("", None),
        ("don't know", None),
    ],
)
def test_typed_money_as_officers_write_it(pack: RulePack, typed: str, value: object) -> None:
    assert iv.parse_typed(_question(pack, "value"), typed) == value


@pytest.mark.parametrize(
    ("question_id", "typed", "message"),
    [
        (
            "value",
            "lots",
            "'lots' is not a number (write e.g. 1250000, £1,250,000, £1.25m, c. £2m, "
            "£1.2m - £1.5m or £350k pa)",
        ),
        ("value", "-5", "below the minimum of £0: -5"),
        ("term", "30", "above the maximum of 25: 30"),
        ("start", "next April", "'next April' is not a date; write it as YYYY-MM-DD"),
    ],
)
def test_a_bad_typed_value_says_what_would_do(
    full_pack: RulePack, question_id: str, typed: str, message: str
) -> None:
    with pytest.raises(AnswerProblem, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        iv.parse_typed(_question(full_pack, question_id), typed)


def test_dates_and_years_are_typed_too(full_pack: RulePack) -> None:
    assert iv.parse_typed(_question(full_pack, "start"), "2027-04-01") == date(2027, 4, 1)
    assert iv.typed_default(_question(full_pack, "start"), date(2027, 4, 1)) == "2027-04-01"
    assert iv.parse_typed(_question(full_pack, "term"), "7.5") == 7.5
    assert iv.prompt_text(_question(full_pack, "term")).endswith("(in years)")
    assert iv.prompt_text(_question(full_pack, "start")).endswith("(YYYY-MM-DD)")


@given(st.integers(min_value=0, max_value=10**12) | st.floats(0, 10**9).map(lambda f: round(f, 2)))
def test_a_typed_default_reads_back_as_the_same_number(pack: RulePack, number: float) -> None:
    value = _question(pack, "value")
    typed = iv.typed_default(value, number)
    assert typed.startswith("£")
    assert iv.parse_typed(value, typed) == number


def test_help_text_covers_the_question_its_answers_and_how_to_type(full_pack: RulePack) -> None:
    value = iv.help_text(_question(full_pack, "value"))
    assert value[0] == "The total over the whole term, including any extensions, in pounds."
    assert any("£1,250,000" in line for line in value)
    assert any(line == "It must be at least 0." for line in value)
    assert any("Enter alone" in line for line in value)
    partners = iv.help_text(_question(full_pack, "partners"))
    assert (
        "Voluntary and community groups: Charities, community groups and social enterprises."
        in (partners)
    )
    assert iv.help_text(_question(full_pack, "term"))[1] == "It must be at least 1 and at most 25."
    assert not iv.has_help(_question(full_pack, "pilot"))
    assert iv.has_help(_question(full_pack, "timescale"))


def test_review_lists_every_question_that_applies_within_the_width(pack: RulePack) -> None:
    interview = Interview(pack)
    _ask_all(interview, {"specification": "co_design", "value": 7_700_000})
    lines = interview.review(width=40)
    assert [qid for qid, _ in lines] == [q.id for q in interview.applicable()]
    assert all(len(line) <= 40 for _, text in lines for line in text.split("\n"))
    assert "mutual_reservable" not in " ".join(text for _, text in lines)  # words, not ids
    assert dict(lines)["value"] == ("What is the estimated whole-life...\n  £7,700,000")
    assert dict(lines)["complexity"] == "How complex is the system this...\n  Don't know"
    assert dict(lines)["specification"].split("\n")[1].startswith("  Co-design - the")
    assert dict(lines)["specification"].endswith("...")


def test_the_review_screen_takes_a_number_an_id_or_enter() -> None:
    listed = ["complexity", "timescale", "value"]
    assert iv.review_choice("", listed) is None
    assert iv.review_choice("  ", listed) is None
    assert iv.review_choice("1", listed) == "complexity"
    assert iv.review_choice(" 3 ", listed) == "value"
    assert iv.review_choice("timescale", listed) == "timescale"
    for bad in ("0", "4", "-1", "two", "1.5"):
        with pytest.raises(AnswerProblem, match=r"^type a number from 1 to 3, or press Enter"):
            iv.review_choice(bad, listed)
