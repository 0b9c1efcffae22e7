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
import yaml
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console
from tests.conftest import EXAMPLES
from tests.interview_pack import EXTRA, interview_pack

from svadvisor import interview as iv
from svadvisor.answers.validate import validate_answers
from svadvisor.cli import prompts
from svadvisor.interview import Interview
from svadvisor.rulepack.schema import DONT_KNOW, RulePack

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
    """The keys that choose `answer_id` in a list."""
    question = pack.question(question_id)
    assert question is not None
    ids = [*question.choice_ids, DONT_KNOW]
    if question.type == "multi":  # a checkbox list: arrows down to it, Space ticks it
        return DOWN * ids.index(answer_id) + " " + ENTER
    return SHORTCUTS[ids.index(answer_id)] + ENTER


def review_pick(interview: Interview, question_id: str) -> str:
    """The keys that choose a question on the review screen: its number, then Enter."""
    ids = [q.id for q in interview.applicable()]
    return str(ids.index(question_id) + 1) + ENTER


SCORE = ENTER
"""Enter alone on the review screen scores the answers."""


def keys_for(
    pack: RulePack,
    answers: dict[str, str],
    *,
    keys: dict[str, str] | None = None,
    interview: Interview | None = None,
    stop_at: str | None = None,
) -> str:
    """Keys answering each question the interview will ask, in turn, from `answers`
    (question id -> answer id, or the text to type; absent = don't know). `keys` gives
    a question's keystrokes instead; `stop_at` ends before that question."""
    shadow = Interview(pack, interview.answers, interview.dont_know) if interview else None
    shadow = shadow or Interview(pack)
    typed = ""
    while (question := shadow.next_question()) is not None and question.id != stop_at:
        raw = answers.get(question.id, "" if question.type in iv.TYPED else DONT_KNOW)
        if question.type in iv.TYPED:
            typed += (keys or {}).get(question.id, raw + ENTER)
            shadow.record(question.id, iv.parse_typed(question, raw, pack.cpv_names))
        else:
            typed += (keys or {}).get(question.id, pick(pack, question.id, raw))
            shadow.record(question.id, iv.from_picked(question, raw))
    return typed


@pytest.fixture
def console() -> Console:
    return Console(file=io.StringIO(), width=80, highlight=False, markup=False)


@pytest.fixture
def full_pack(pack_copy: Path) -> RulePack:
    return interview_pack(pack_copy)


def example(name: str) -> dict[str, str]:
    raw = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    return {qid: str(value) for qid, value in raw.items()}


ALLIANCE = example("plymouth-alliance.yaml")


def test_a_whole_interview_with_help_a_typo_and_a_change(pack: RulePack, console: Console) -> None:
    interview = Interview(pack)
    slip = {**ALLIANCE, "providers": "few", "value": "£1,250,000"}
    value_keys = "?" + "lots" + ENTER + BACKSPACE * 4 + "£1,250,000" + ENTER
    keys = keys_for(pack, slip, keys={"value": value_keys})
    keys += review_pick(Interview(pack, validate_answers(pack, slip)), "providers")
    keys += pick(pack, "providers", "several")
    keys += review_pick(Interview(pack, validate_answers(pack, slip)), "value")
    keys += ENTER  # the value is offered again as typed: Enter keeps it
    with keyboard(keys + SCORE):
        prompts.run_interview(interview, console)
    expected = validate_answers(pack, {**ALLIANCE, "value": 1_250_000})
    assert interview.final_answers() == expected
    assert list(interview.final_answers()) == [q for q in expected]
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Help: What is the estimated whole-life value, including VAT?" in shown
    assert "1.25m and 250k all work." in shown


def test_a_changed_gate_asks_the_question_it_opens_before_the_review(
    pack: RulePack, console: Console
) -> None:
    given = validate_answers(pack, ALLIANCE)
    interview = Interview(pack, given, dont_know=[q.id for q in pack.questions])
    interview.dont_know.discard("asset_type")
    assert interview.next_question() is None
    keys = review_pick(interview, "community_asset") + pick(pack, "community_asset", "organised")
    keys += pick(pack, "asset_type", "energy") + SCORE
    with keyboard(keys):
        prompts.run_interview(interview, console)
    assert interview.final_answers()["asset_type"] == "energy"
    assert interview.final_answers()["community_asset"] == "organised"


def test_dont_know_is_offered_everywhere(pack: RulePack, console: Console) -> None:
    interview = Interview(pack)
    with keyboard(keys_for(pack, {}) + SCORE):
        prompts.run_interview(interview, console)
    assert interview.final_answers() == {}
    assert interview.final_dont_know() == [q.id for q in pack.questions if q.ask_when is None]


def test_every_question_type(full_pack: RulePack, console: Console) -> None:
    builtin = [q.id for q in full_pack.questions][: -len(EXTRA)]
    interview = Interview(full_pack, dont_know=builtin)
    assert [q.id for q in interview.missing()] == EXTRA
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
    assert final == {
        "partners": ("nhs", "vcse"),
        "pilot": "yes",
        "start": date(2027, 4, 1),
        "term": 7.5,
    }


def test_ticking_nothing_means_none_of_these(full_pack: RulePack, console: Console) -> None:
    partners = full_pack.question("partners")
    assert partners is not None
    with keyboard(ENTER):
        assert prompts.ask(partners, Interview(full_pack), console) == ()


@pytest.mark.parametrize(("key", "error"), [(CTRL_C, KeyboardInterrupt), (CTRL_D, EOFError)])
def test_ctrl_c_and_ctrl_d_stop_any_prompt_and_keep_earlier_answers(
    full_pack: RulePack, console: Console, key: str, error: type[BaseException]
) -> None:
    for stop_at in ("specification", "value", "partners"):  # a list, typed, ticks
        ids = [q.id for q in full_pack.questions]
        before = ids[: ids.index(stop_at)]
        interview = Interview(full_pack, dont_know=before[1:])
        keys = keys_for(full_pack, {"complexity": "simple"}, interview=interview, stop_at=stop_at)
        with keyboard(keys + key), pytest.raises(error):
            prompts.run_interview(interview, console)
        assert interview.next_question() == full_pack.question(stop_at)
        assert interview.final_answers() == {"complexity": "simple"}


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
