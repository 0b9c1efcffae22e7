"""End to end: the real `svadvisor` console script in a pseudo-terminal (pexpect), answered
key by key as an officer would, with a change on the review screen, Ctrl-C and Ctrl-D.

Robust in CI: pexpect makes its own pty (no terminal needed on stdin), the terminal is a
fixed 80x24 xterm with NO_COLOR, every key waits for its prompt's text, and timeouts are
generous. PROMPT_TOOLKIT_NO_CPR tells prompt_toolkit not to wait for a cursor-position
report that pexpect (unlike a real terminal) never sends.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pexpect
from tests.conftest import EXAMPLES
from tests.test_assess_answers_options import svadvisor_script
from typer.testing import CliRunner

from svadvisor.answersfile import read_answers_file_settled
from svadvisor.cli.app import app
from svadvisor.model import DONT_KNOW, RulePack

ENTER = "\r"
BACKSPACE = "\x7f"
SHORTCUTS = "1234567890abcdefghijklmnopqrstuvwxyz"
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """`svadvisor ARGS` running in an 80x24 pseudo-terminal."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env.update(NO_COLOR="1", TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
        self.log = io.StringIO()
        self.child = pexpect.spawn(
            svadvisor_script(),
            args,
            cwd=str(cwd),
            env=env,
            dimensions=(24, 80),
            encoding="utf-8",
            timeout=60,
        )
        self.child.logfile_read = self.log

    def wait(self, text: str) -> None:
        self.child.expect_exact(text)

    def answer(self, pack: RulePack, question_id: str, answer: str) -> None:
        """Wait for the question, then pick `answer` by its number, or type it."""
        question = pack.question(question_id)
        assert question is not None
        self.wait(question.text[:20])
        if question.type in ("number", "date"):
            self.child.send(answer + ENTER)
        else:
            ids = [*question.choice_ids, DONT_KNOW]
            self.child.send(SHORTCUTS[ids.index(answer)] + ENTER)

    def review(self, listed: list[str] | None = None, change: str | None = None) -> None:
        """On the review screen (entry 1 scores, then the `listed` questions): change
        `change`, or score when None."""
        self.wait("Review your answers")
        keys = "1" if change is None else SHORTCUTS[(listed or []).index(change) + 1]
        self.child.send(keys + ENTER)

    def finish(self) -> tuple[int, str]:
        """Wait for the program to end; its exit status and everything it showed."""
        self.child.expect(pexpect.EOF)
        self.child.close()
        status = self.child.exitstatus
        assert status is not None, f"ended by signal {self.child.signalstatus}"
        return status, self.log.getvalue()


def ungated(pack: RulePack) -> list[str]:
    """The questions that apply when no gate is open: what the review screen lists."""
    return [q.id for q in pack.questions if q.ask_when is None]


def plain(text: str) -> str:
    return ESCAPES.sub("", text).replace("\r\n", "\n")


def printed_result(transcript: str) -> str:
    """The assessment as printed at the end of a session, without terminal codes."""
    text = plain(transcript)
    return text[text.rindex("Recommended route") :]


def batch_output(answers: Path) -> str:
    """What `assess --answers FILE` prints for the same answers, at the same width."""
    result = CliRunner().invoke(
        app, ["assess", "--answers", str(answers)], env={"COLUMNS": "80", "NO_COLOR": "1"}
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def example_answers(pack: RulePack, name: str) -> tuple[dict, list[str]]:
    return read_answers_file_settled(EXAMPLES / name, pack)


def test_alliance_answered_by_keys_changed_on_review_and_saved(
    pack: RulePack, tmp_path: Path
) -> None:
    answers, _ = example_answers(pack, "plymouth-alliance.yaml")
    term = Terminal(["assess", "--save-answers", "answers.yaml"], tmp_path)
    for question in pack.questions:
        if question.id == "asset_type":
            continue
        if question.id == "value":
            term.answer(pack, "value", "")  # Enter alone: don't know
        elif question.id == "providers":
            term.answer(pack, "providers", "one")  # a slip, put right on the review screen
        else:
            term.answer(pack, question.id, str(answers[question.id]))
    term.review(ungated(pack), change="providers")
    term.answer(pack, "providers", "several")
    term.review()
    status, transcript = term.finish()

    assert status == 0, plain(transcript)
    saved = tmp_path / "answers.yaml"
    assert read_answers_file_settled(saved, pack) == (answers, ["value"])
    assert "Answers saved to answers.yaml" in plain(transcript)
    shown = printed_result(transcript)
    assert re.search(r"1\. Alliance contracting +19 points +<- recommended", shown)
    assert shown == batch_output(EXAMPLES / "plymouth-alliance.yaml")
    assert shown == batch_output(saved)
    assert "Traceback" not in transcript


def test_commons_with_help_a_typo_and_a_gate_opened_on_review(
    pack: RulePack, tmp_path: Path
) -> None:
    answers, _ = example_answers(pack, "plymouth-energy-community.yaml")
    term = Terminal(["assess", "--save-answers", "energy.yaml"], tmp_path)
    for question in pack.questions:
        qid = question.id
        if qid == "asset_type":
            continue
        if qid == "timescale":
            term.wait(question.text[:20])
            term.child.send("?")
            term.wait("Plymouth co-designed its alliance")
        if qid == "community_asset":
            term.answer(pack, qid, "none")
        elif qid == "value":
            term.answer(pack, qid, "lots")
            term.wait("'lots' is not a number")
            term.child.send(BACKSPACE * 4 + "£1,250,000" + ENTER)
        else:
            term.answer(pack, qid, str(answers.get(qid, DONT_KNOW)))
    term.review(ungated(pack), change="community_asset")
    term.answer(pack, "community_asset", "organised")
    term.answer(pack, "asset_type", "energy")  # the gate now holds: asked before the review
    term.review()
    status, transcript = term.finish()

    assert status == 0, plain(transcript)
    saved = tmp_path / "energy.yaml"
    got, dont_know = read_answers_file_settled(saved, pack)
    assert got == {**answers, "value": 1_250_000}
    assert dont_know == ["service_type", "sme_presence"]
    assert "Help: Over what timescale" in plain(transcript)
    shown = printed_result(transcript)
    assert re.search(r"1\. Public commons partnership +\d+ points +<- recommended", shown)
    assert shown == batch_output(saved)


def test_ctrl_c_keeps_the_answers_so_far_and_ask_missing_goes_on(
    pack: RulePack, tmp_path: Path
) -> None:
    term = Terminal(["assess", "--save-answers", "partial.yaml"], tmp_path)
    for qid, answer in [("complexity", "complex"), ("timescale", "long"), ("market", DONT_KNOW)]:
        term.answer(pack, qid, answer)
    term.wait(pack.questions[3].text[:20])
    term.child.sendcontrol("c")
    status, transcript = term.finish()
    shown = plain(transcript)
    assert status == 130
    assert "Traceback" not in shown
    assert "Interrupted: no assessment made." in shown
    assert "To go on later: svadvisor assess --answers partial.yaml --ask-missing" in shown
    partial = tmp_path / "partial.yaml"
    assert read_answers_file_settled(partial, pack) == (
        {"complexity": "complex", "timescale": "long"},
        ["market"],
    )
    assert "# Not finished:" in partial.read_text(encoding="utf-8")

    resumed = Terminal(["assess", "--answers", "partial.yaml", "--ask-missing"], tmp_path)
    resumed.wait("(4/14)")
    for question in pack.questions[3:]:
        if question.id in ungated(pack):
            resumed.answer(pack, question.id, "" if question.type == "number" else DONT_KNOW)
    resumed.review()
    status, transcript = resumed.finish()
    assert status == 0, plain(transcript)
    assert "(1/14)" not in transcript and "(3/14)" not in transcript
    assert printed_result(transcript) == batch_output(partial)


def test_ctrl_d_offers_to_save_what_was_answered(pack: RulePack, tmp_path: Path) -> None:
    term = Terminal(["assess"], tmp_path)
    term.answer(pack, "complexity", "simple")
    term.wait(pack.questions[1].text[:20])
    term.child.sendcontrol("d")
    term.wait("Save the answers given so far?")
    term.child.send("kept.yaml" + ENTER)
    status, transcript = term.finish()
    assert status == 130
    assert "Traceback" not in transcript
    assert read_answers_file_settled(tmp_path / "kept.yaml", pack) == ({"complexity": "simple"}, [])


def test_stopping_before_any_answer_just_exits(tmp_path: Path) -> None:
    term = Terminal(["assess"], tmp_path)
    term.wait("(1/14)")
    term.child.sendcontrol("c")
    status, transcript = term.finish()
    assert status == 130
    assert plain(transcript).strip().endswith("Interrupted: no assessment made.")
    assert list(tmp_path.iterdir()) == []
