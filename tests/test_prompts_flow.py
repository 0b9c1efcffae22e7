"""The interview's prompts driven by keystrokes through a pipe, without a terminal.

As questionary's own tests do: prompt_toolkit's `create_pipe_input` feeds the keys and
`create_app_session` points every prompt at it. The pipe is closed after the keys, so a
flow that wants more keys than the test gives ends in EOFError rather than a hang.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console
from tests.interview_pack import interview_pack

from svadvisor.cli import prompts
from svadvisor.interview import Interview
from svadvisor.model import DONT_KNOW, Question, RulePack

ENTER = "\r"
DOWN = "\x1b[B"
BACKSPACE = "\x7f"
CTRL_C = "\x03"
CTRL_D = "\x04"
SHORTCUTS = "1234567890abcdefghijklmnopqrstuvwxyz"


@contextmanager
def keyboard(keys: str) -> Iterator[None]:
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        with create_app_session(input=pipe, output=DummyOutput()):
            yield


def pick(pack: RulePack, question_id: str, answer_id: str) -> str:
    """The keys that choose `answer_id` in a pick list: its number, then Enter."""
    question = pack.question(question_id)
    assert question is not None
    ids = [*question.choice_ids, DONT_KNOW]
    return SHORTCUTS[ids.index(answer_id)] + ENTER


def review_pick(interview: Interview, question_id: str) -> str:
    """The keys that choose a question on the review screen (1 is "Score these answers")."""
    ids = [q.id for q in interview.applicable()]
    return SHORTCUTS[ids.index(question_id) + 1] + ENTER


SCORE = "1" + ENTER


def ungated(pack: RulePack) -> list[Question]:
    """The questions asked when every answer is "don't know" (gated ones are skipped)."""
    return [q for q in pack.questions if q.ask_when is None]


@pytest.fixture
def console() -> Console:
    return Console(file=io.StringIO(), width=80, highlight=False, markup=False)


@pytest.fixture
def full_pack(pack_copy: Path) -> RulePack:
    return interview_pack(pack_copy)


ALLIANCE = {
    "complexity": "complex",
    "timescale": "long",
    "market": "thin",
    "specification": "co_design",
    "providers": "several",
    "relationships": "strong",
    "risk": "cannot",
    "community_asset": "none",
    "service_type": "light_touch",
    "sme_presence": "some",
    "payment": "contract",
    "counterparty": "independent",
    "outcomes_measurable": "not_reliably",
}


def test_a_whole_interview_with_help_a_typo_and_a_change(pack: RulePack, console: Console) -> None:
    interview = Interview(pack)
    keys = ""
    for question in pack.questions:
        if question.id == "asset_type":
            continue
        if question.id == "value":
            keys += "?" + "lots" + ENTER + BACKSPACE * 4 + "£1,250,000" + ENTER
        elif question.id == "providers":
            keys += pick(pack, "providers", "few")
        else:
            keys += pick(pack, question.id, ALLIANCE[question.id])
    keys += review_pick(interview, "providers") + pick(pack, "providers", "several")
    keys += review_pick(interview, "value") + ENTER  # the value is offered again as typed
    keys += SCORE
    with keyboard(keys):
        prompts.run_interview(interview, console)
    assert interview.final_answers() == {**ALLIANCE, "value": 1_250_000}
    assert list(interview.final_answers()) == [q.id for q in interview.applicable()]
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Help: What is the estimated whole-life value, including VAT?" in shown
    assert "1.25m and 250k all work." in shown


def test_a_changed_gate_asks_the_question_it_opens_before_the_review(
    pack: RulePack, console: Console
) -> None:
    answers = dict(ALLIANCE)
    interview = Interview(pack, answers, dont_know=["value"])
    keys = review_pick(interview, "community_asset") + pick(pack, "community_asset", "organised")
    keys += pick(pack, "asset_type", "energy") + SCORE
    with keyboard(keys):
        prompts.run_interview(interview, console)
    assert interview.final_answers()["asset_type"] == "energy"
    assert interview.final_answers()["community_asset"] == "organised"


def test_dont_know_is_offered_everywhere(pack: RulePack, console: Console) -> None:
    interview = Interview(pack)
    keys = ""
    for question in ungated(pack):
        keys += ENTER if question.type == "number" else pick(pack, question.id, DONT_KNOW)
    with keyboard(keys + SCORE):
        prompts.run_interview(interview, console)
    assert interview.final_answers() == {}
    assert interview.final_dont_know() == [q.id for q in interview.applicable()]
    assert "asset_type" not in interview.final_dont_know()


def test_every_question_type(full_pack: RulePack, console: Console) -> None:
    answered = {q.id: ALLIANCE.get(q.id) for q in full_pack.questions[:14]}
    unanswered = [qid for qid, value in answered.items() if value is None]
    given = {qid: value for qid, value in answered.items() if value is not None}
    interview = Interview(full_pack, given, dont_know=unanswered)
    # multiple choice: tick NHS and Don't know (refused), untick Don't know, confirm
    keys = " " + DOWN * 3 + " " + ENTER + " " + ENTER
    keys += pick(full_pack, "pilot", "yes")
    keys += "2027-13-01" + ENTER + BACKSPACE * 5 + "04-01" + ENTER
    keys += "30" + ENTER + BACKSPACE * 2 + "7.5" + ENTER
    # change the ticks: NHS stays ticked, Voluntary groups added
    keys += review_pick(interview, "partners") + DOWN + " " + ENTER + SCORE
    with keyboard(keys):
        prompts.run_interview(interview, console)
    final = interview.final_answers()
    assert final["partners"] == ("nhs", "vcse")
    assert final["pilot"] == "yes"
    assert final["start"] == date(2027, 4, 1)
    assert final["term"] == 7.5


def test_ticking_nothing_means_none_of_these(full_pack: RulePack, console: Console) -> None:
    partners = full_pack.question("partners")
    assert partners is not None
    with keyboard(ENTER):
        assert prompts.ask(partners, Interview(full_pack), console) == ()


@pytest.mark.parametrize(("key", "error"), [(CTRL_C, KeyboardInterrupt), (CTRL_D, EOFError)])
def test_ctrl_c_and_ctrl_d_stop_any_prompt_and_keep_earlier_answers(
    full_pack: RulePack, console: Console, key: str, error: type[BaseException]
) -> None:
    for stop_at in ("value", "partners"):
        interview = Interview(full_pack)
        keys = ""
        for question in ungated(full_pack):
            if question.id == stop_at:
                break
            keys += ENTER if question.type == "number" else pick(full_pack, question.id, DONT_KNOW)
        with keyboard(keys + key), pytest.raises(error):
            prompts.run_interview(interview, console)
        assert interview.next_question() == full_pack.question(stop_at)


def test_too_few_keys_ends_in_eof_not_a_hang(pack: RulePack, console: Console) -> None:
    with keyboard(pick(pack, "complexity", "simple")), pytest.raises(EOFError):
        prompts.run_interview(Interview(pack), console)


def test_ask_save_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken.yaml").write_text("complexity: simple\n", encoding="utf-8")
    with keyboard("taken.yaml" + ENTER + BACKSPACE * 10 + "mine.yaml" + ENTER):
        assert prompts.ask_save_path() == Path("mine.yaml")
    with keyboard("missing/mine.yaml" + ENTER + BACKSPACE * 17 + ENTER):
        assert prompts.ask_save_path() is None
    with keyboard("half" + CTRL_C):
        assert prompts.ask_save_path() is None
