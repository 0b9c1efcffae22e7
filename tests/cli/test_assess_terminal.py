"""End to end: the real `svadvisor` console script in a pseudo-terminal (pexpect), answered
key by key as an officer would, with a change on the review screen, Ctrl-C and Ctrl-D.

Robust in CI: pexpect makes its own pty (no terminal needed on stdin), the terminal is a
fixed 80x24 xterm with NO_COLOR, keys are sent only once their prompt is drawn, and
timeouts are generous. PROMPT_TOOLKIT_NO_CPR tells prompt_toolkit not to wait for a
cursor-position report that pexpect (unlike a real terminal) never sends.

The tests read which question is on screen and answer it, so they follow the rule pack
as it grows; each checks which questions were asked.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import pexpect
from tests.cli.test_assess_answers_options import svadvisor_script
from tests.conftest import EXAMPLES
from typer.testing import CliRunner

from svadvisor.answers.files import read_answers_file_settled
from svadvisor.cli.app import app
from svadvisor.interview import TYPED
from svadvisor.rulepack.schema import DONT_KNOW, Question, RulePack

ENTER = "\r"
DOWN = "\x1b[B"
BACKSPACE = "\x7f"
SHORTCUTS = "1234567890abcdefghijklmnopqrstuvwxyz"
"""The keys questionary gives a pick list's entries, in order."""
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
STYLE = r"(?:\x1b\[[0-9;]*m)*"
REVIEW = re.escape("Type an answer's number to change it, or press Enter to score:")
PROMPT_DONE = "\x1b[?2004l"
"""prompt_toolkit turns bracketed paste off as each prompt ends, after drawing its answer."""

Step = tuple[str, str | None]
"""Keys to send, then text to wait for (None: the prompt ends)."""


def question_pattern(question: Question) -> str:
    """A question as first drawn: its counter, then the start of its text."""
    return r"\(\d+/\d+\)" + STYLE + " " + re.escape(question.text[:40])


def pick(question: Question, answer_id: str) -> str:
    """The keys that choose `answer_id`: in a pick list its number, then Enter; in a
    checkbox list, arrows down to it, Space to tick it, then Enter."""
    position = [*question.choice_ids, DONT_KNOW].index(answer_id)
    if question.type == "multi":
        return DOWN * position + " " + ENTER
    return SHORTCUTS[position] + ENTER


def keys_from(answers: dict[str, str]) -> Callable[[Question], list[Step]]:
    """Answer each question from `answers` (absent = don't know; typed ones typed)."""

    def answer(question: Question) -> list[Step]:
        if question.type in TYPED:
            return [(answers.get(question.id, "") + ENTER, None)]
        return [(pick(question, answers.get(question.id, DONT_KNOW)), None)]

    return answer


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
        self.child.delaybeforesend = None  # every send already waits for its prompt

    def wait(self, text: str) -> None:
        self.child.expect_exact(text)

    def run(self, steps: list[Step]) -> None:
        for keys, then in steps:
            self.child.send(keys)
            if then is None:
                self.wait(PROMPT_DONE)
            else:
                self.wait(then)

    def interview(self, pack: RulePack, answer: Callable[[Question], list[Step]]) -> list[str]:
        """Answer each question as it is drawn, until the review screen; the ids asked."""
        patterns = [question_pattern(q) for q in pack.questions] + [REVIEW]
        asked = []
        while (index := self.child.expect(patterns)) < len(pack.questions):
            question = pack.questions[index]
            asked.append(question.id)
            self.run(answer(question))
        return asked

    def review(self, listed: list[str] | None = None, change: str | None = None) -> None:
        """On the review screen, numbered as `listed`: change `change`, or score (None)."""
        keys = "" if change is None else str((listed or []).index(change) + 1)
        self.run([(keys + ENTER, None)])

    def finish(self) -> tuple[int, str]:
        """Wait for the program to end; its exit status and everything it showed."""
        self.child.expect(pexpect.EOF)
        self.child.close()
        status = self.child.exitstatus
        assert status is not None, f"ended by signal {self.child.signalstatus}"
        return status, self.log.getvalue()


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


def raw_answers(name: str) -> dict[str, str]:
    import yaml

    raw = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    return {qid: str(value) for qid, value in raw.items()}


def in_pack_order(pack: RulePack, ids: list[str]) -> list[str]:
    return [q.id for q in pack.questions if q.id in ids]


def test_alliance_answered_by_keys_changed_on_review_and_saved(
    pack: RulePack, tmp_path: Path
) -> None:
    example = EXAMPLES / "plymouth-alliance.yaml"
    term = Terminal(["assess", "--save-answers", "answers.yaml"], tmp_path)
    asked = term.interview(pack, keys_from({**raw_answers(example.name), "providers": "one"}))
    term.review(asked, change="providers")  # a slip, put right on the review screen
    # several providers open the question one provider skipped: do they share governance?
    reopened = keys_from({"providers": "several", "shared_governance": "yes"})
    assert term.interview(pack, reopened) == ["providers", "shared_governance"]
    term.review()
    status, transcript = term.finish()

    assert status == 0, plain(transcript)
    assert "asset_type" not in asked and "psr_existing_provider" not in asked
    assert "mutual_reservable" in asked  # light touch: the reservation question applies
    assert asked == in_pack_order(pack, asked)
    saved = tmp_path / "answers.yaml"
    answers, dont_know = read_answers_file_settled(saved, pack)
    assert answers == read_answers_file_settled(example, pack)[0]
    assert dont_know == [q for q in asked if q not in answers]
    assert "Answers saved to answers.yaml" in plain(transcript)
    shown = printed_result(transcript)
    assert re.search(r"1\. Alliance contracting +\d+ points +<- recommended", shown)
    assert shown == batch_output(example)
    assert shown == batch_output(saved)
    assert "Traceback" not in transcript


def test_commons_with_help_a_typo_and_a_gate_opened_on_review(
    pack: RulePack, tmp_path: Path
) -> None:
    example = EXAMPLES / "plymouth-energy-community.yaml"
    answers = {**raw_answers(example.name), "community_asset": "none"}
    plain_keys = keys_from(answers)
    helped: list[str] = []

    def answer(question: Question) -> list[Step]:
        if question.id == "timescale" and not helped:
            helped.append(question.id)
            return [("?", None)]  # the help replaces the prompt, which is drawn again
        if question.id == "value":
            return [
                ("lots" + ENTER, "'lots' is not a number"),
                (BACKSPACE * 4 + "£1,250,000" + ENTER, None),
            ]
        return plain_keys(question)

    term = Terminal(["assess", "--save-answers", "energy.yaml"], tmp_path)
    asked = term.interview(pack, answer)
    assert asked.count("timescale") == 2 and "asset_type" not in asked
    asked.remove("timescale")
    term.review(asked, change="community_asset")
    opened = term.interview(
        pack, keys_from({"community_asset": "organised", "asset_type": "energy"})
    )
    assert opened == ["community_asset", "asset_type"]  # asked before the review comes back
    term.review()
    status, transcript = term.finish()

    assert status == 0, plain(transcript)
    saved = tmp_path / "energy.yaml"
    got, dont_know = read_answers_file_settled(saved, pack)
    assert got == {**read_answers_file_settled(example, pack)[0], "value": 1_250_000}
    assert "service_type" in dont_know and "sme_presence" in dont_know
    shown = plain(transcript)
    assert "Help: Over what timescale must the service achieve its goals?" in shown
    assert "Plymouth co-designed its alliance" in shown
    result = printed_result(transcript)
    assert re.search(r"1\. Public commons partnership +\d+ points +<- recommended", result)
    assert result == batch_output(saved)


def test_ctrl_c_keeps_the_answers_so_far_and_ask_missing_goes_on(
    pack: RulePack, tmp_path: Path
) -> None:
    first_three = {"complexity": "complex", "timescale": "long", "market": DONT_KNOW}

    def answer(question: Question) -> list[Step]:
        if question.id not in first_three:
            return [("\x03", "Interrupted: no assessment made.")]  # Ctrl-C
        return keys_from(first_three)(question)

    term = Terminal(["assess", "--save-answers", "partial.yaml"], tmp_path)
    term.run([])
    patterns = [question_pattern(q) for q in pack.questions[:4]]
    for expected in range(4):
        assert term.child.expect(patterns) == expected
        term.run(answer(pack.questions[expected]))
    status, transcript = term.finish()
    shown = plain(transcript)
    assert status == 130
    assert "Traceback" not in shown
    assert "To go on later: svadvisor assess --answers partial.yaml --ask-missing" in shown
    partial = tmp_path / "partial.yaml"
    assert read_answers_file_settled(partial, pack) == (
        {"complexity": "complex", "timescale": "long"},
        ["market"],
    )
    assert "# Not finished:" in partial.read_text(encoding="utf-8")

    resumed = Terminal(["assess", "--answers", "partial.yaml", "--ask-missing"], tmp_path)
    asked = resumed.interview(pack, keys_from({}))
    resumed.review()
    status, transcript = resumed.finish()
    assert status == 0, plain(transcript)
    assert asked[0] == pack.questions[3].id and not set(asked) & set(first_three)
    assert "(4/" in plain(transcript) and "(1/" not in plain(transcript)
    assert printed_result(transcript) == batch_output(partial)


def test_ctrl_d_offers_to_save_what_was_answered(pack: RulePack, tmp_path: Path) -> None:
    term = Terminal(["assess"], tmp_path)
    complexity, timescale = pack.questions[:2]
    term.child.expect(question_pattern(complexity))
    term.run([(pick(complexity, "simple"), None)])
    term.child.expect(question_pattern(timescale))
    term.run([("\x04", "Save the answers given so far?"), ("kept.yaml" + ENTER, None)])
    status, transcript = term.finish()
    assert status == 130
    assert "Traceback" not in transcript
    assert "Answers saved to kept.yaml" in plain(transcript)
    assert read_answers_file_settled(tmp_path / "kept.yaml", pack) == ({"complexity": "simple"}, [])


def test_stopping_before_any_answer_just_exits(pack: RulePack, tmp_path: Path) -> None:
    term = Terminal(["assess"], tmp_path)
    term.child.expect(question_pattern(pack.questions[0]))
    term.child.sendcontrol("c")
    status, transcript = term.finish()
    assert status == 130
    assert plain(transcript).strip().endswith("Interrupted: no assessment made.")
    assert list(tmp_path.iterdir()) == []
