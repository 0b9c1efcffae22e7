"""`assess` without a terminal: --save-answers, --ask-missing, --force, the no-TTY error,
and questionary staying unloaded off the interactive path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.conftest import EXAMPLES, read_answers_file
from typer.testing import CliRunner

from svadvisor.answers.files import read_answers_file_settled
from svadvisor.cli.app import app
from svadvisor.rulepack.schema import RulePack

ALLIANCE = EXAMPLES / "plymouth-alliance.yaml"
NO_TERMINAL = (
    "Error: no terminal to ask the questions in: pass --answers FILE "
    "(a YAML file of question: answer; see svadvisor questions)\n"
)


def svadvisor_script() -> str:
    """The installed console script of the venv running the tests."""
    script = Path(sys.executable).parent / "svadvisor"
    assert script.exists(), f"no console script at {script}: pip install -e '.[test]'"
    return str(script)


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_saved_answers_read_back_to_the_same_assessment(
    runner: CliRunner, tmp_path: Path, pack: RulePack, name: str
) -> None:
    saved = tmp_path / "saved.yaml"
    first = runner.invoke(
        app, ["assess", "--answers", str(EXAMPLES / name), "--save-answers", str(saved)]
    )
    assert first.exit_code == 0, first.output
    assert first.stderr == f"Answers saved to {saved}\n"
    again = runner.invoke(app, ["assess", "--answers", str(saved)])
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout
    assert read_answers_file(saved, pack) == read_answers_file(EXAMPLES / name, pack)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("# Answers to the questions of the rule pack svadvisor built-in")
    assert f"# Score them again with: svadvisor assess --answers {saved}\n" in text


def test_dont_know_answers_are_kept_in_the_saved_file(
    runner: CliRunner, tmp_path: Path, pack: RulePack
) -> None:
    source = tmp_path / "partial.yaml"
    source.write_text("complexity: complex\nmarket: dont_know\nvalue: £1,250,000\n", "utf-8")
    saved = tmp_path / "saved.yaml"
    result = runner.invoke(app, ["assess", "--answers", str(source), "--save-answers", str(saved)])
    assert result.exit_code == 0, result.output
    body = [line for line in saved.read_text("utf-8").splitlines() if not line.startswith("#")]
    assert body == ["complexity: complex", "market: dont_know", "value: 1250000"]
    assert read_answers_file_settled(saved, pack) == (
        {"complexity": "complex", "value": 1_250_000},
        ["market"],
    )


def test_save_answers_refuses_to_overwrite_without_force(runner: CliRunner, tmp_path: Path) -> None:
    saved = tmp_path / "saved.yaml"
    saved.write_text("# mine\n", encoding="utf-8")
    result = runner.invoke(
        app, ["assess", "--answers", str(ALLIANCE), "--save-answers", str(saved)]
    )
    assert result.exit_code == 2
    assert result.stderr == f"Error: {saved}: already exists; pass --force to replace it\n"
    assert result.stdout == ""
    assert saved.read_text(encoding="utf-8") == "# mine\n"
    forced = runner.invoke(
        app, ["assess", "--answers", str(ALLIANCE), "--save-answers", str(saved), "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert "providers: several" in saved.read_text(encoding="utf-8")


def test_save_answers_into_a_missing_folder_fails_before_any_question(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "nowhere" / "saved.yaml"
    result = runner.invoke(app, ["assess", "--save-answers", str(target)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {target}: the folder {target.parent} does not exist\n"


def test_an_existing_memo_is_refused_before_any_question(runner: CliRunner, tmp_path: Path) -> None:
    memo = tmp_path / "memo.md"
    memo.write_text("# mine\n", encoding="utf-8")
    result = runner.invoke(app, ["assess", "--memo", str(memo)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {memo}: already exists; pass --force to replace it\n"
    assert memo.read_text(encoding="utf-8") == "# mine\n"


def test_without_a_terminal_or_answers_it_says_pass_answers(runner: CliRunner) -> None:
    result = runner.invoke(app, ["assess"])
    assert result.exit_code == 2
    assert result.stderr == NO_TERMINAL
    assert result.stdout == ""


def test_the_real_script_in_a_pipe_fails_at_once_never_hangs() -> None:
    done = subprocess.run(
        [svadvisor_script(), "assess"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == NO_TERMINAL
    assert "Traceback" not in done.stdout + done.stderr


def test_ask_missing_with_nothing_missing_needs_no_terminal(
    runner: CliRunner, tmp_path: Path, pack: RulePack
) -> None:
    complete = tmp_path / "complete.yaml"
    example = (EXAMPLES / "plymouth-energy-community.yaml").read_text(encoding="utf-8")
    given = yaml.safe_load(example)
    rest = "".join(f"{q.id}: dont_know\n" for q in pack.questions if q.id not in given)
    complete.write_text(example + rest, "utf-8")
    asked = runner.invoke(app, ["assess", "--answers", str(complete), "--ask-missing"])
    plain = runner.invoke(app, ["assess", "--answers", str(complete)])
    assert asked.exit_code == 0, asked.output
    assert asked.stdout == plain.stdout
    assert "1. Public commons partnership" in asked.stdout


ALL_BUT_VALUE = "all but value"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (
            ALL_BUT_VALUE,
            "Error: {file} leaves value unanswered and there is no terminal to ask them in: "
            "answer them in the file (dont_know is an answer), or leave out --ask-missing\n",
        ),
        ("complexity: very\n", "{file}:1:13: complexity: 'very' is not an answer"),
    ],
)
def test_ask_missing_without_a_terminal_is_an_error_before_any_question(
    runner: CliRunner, tmp_path: Path, pack: RulePack, content: str, error: str
) -> None:
    if content == ALL_BUT_VALUE:
        content = "".join(f"{q.id}: dont_know\n" for q in pack.questions if q.id != "value")
    partial = tmp_path / "partial.yaml"
    partial.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["assess", "--answers", str(partial), "--ask-missing"])
    assert result.exit_code == 2
    assert result.stderr.startswith(error.format(file=partial))
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args", [["--help"], ["assess", "--help"], ["assess", "--answers", str(ALLIANCE)]]
)
def test_questionary_is_loaded_only_by_the_interview(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from svadvisor.cli.app import app\n"
        f"result = CliRunner().invoke(app, {args!r})\n"
        "assert result.exit_code == 0, result.output\n"
        "loaded = sorted(m for m in ('questionary', 'prompt_toolkit') if m in sys.modules)\n"
        "print(loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"
