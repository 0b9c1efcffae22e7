"""The command list: every command is listed from its summary and loaded only when used."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import pytest
from tests.conftest import EXAMPLES
from typer.core import TyperCommand
from typer.testing import CliRunner

from svadvisor.cli.app import COMMANDS, app

COMMAND_MODULES = sorted(f"svadvisor.cli.{spec.module}" for spec in COMMANDS.values())


def loaded_after(*args: str) -> set[str]:
    """The svadvisor command modules a fresh interpreter has imported after running args."""
    script = (
        "import sys\n"
        "from svadvisor.cli.app import app\n"
        "try:\n"
        f"    app({list(args)!r}, prog_name='svadvisor')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n' + __import__('json').dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    modules = set(json.loads(done.stderr.strip().splitlines()[-1]))
    return {name for name in COMMAND_MODULES if name in modules}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_summary_is_the_start_of_its_command_help(name: str) -> None:
    command = app_group().commands[name]
    stand_in = TyperCommand(name, help=COMMANDS[name].summary)
    assert stand_in.get_short_help_str(200) == command.get_short_help_str(200)


def app_group():  # type: ignore[no-untyped-def]
    import typer

    return typer.main.get_command(app)


def test_help_lists_every_command_in_order_without_loading_one(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    listed = result.stdout.split("Commands:\n")[1].splitlines()
    assert [line.split()[0] for line in listed if line.strip()] == list(COMMANDS)
    assert "  assess     Rank the four routes for a service, explain every point, and..." in listed
    assert loaded_after("--help") == set()


def test_a_command_loads_its_own_module_only() -> None:
    answers = str(EXAMPLES / "plymouth-alliance.yaml")
    assert loaded_after("questions", "--json") == {"svadvisor.cli.questions_cmd"}
    assert loaded_after("assess", "--answers", answers, "--json") == {"svadvisor.cli.assess_cmd"}


def test_a_group_of_one_command_stays_a_group(runner: CliRunner) -> None:
    result = runner.invoke(app, ["memo"])
    assert result.exit_code == 2
    assert "Usage: svadvisor memo [OPTIONS] COMMAND [ARGS]..." in result.output
    assert "replay" in result.output


def test_a_mistyped_command_is_suggested(runner: CliRunner) -> None:
    result = runner.invoke(app, ["asess"])
    assert result.exit_code == 2
    assert "No such command 'asess'. Did you mean 'assess', 'cases'?" in result.output


def test_asking_whether_a_command_exists_loads_nothing() -> None:
    commands = app_group().commands
    assert "assess" in commands
    assert "nope" not in commands
    assert commands.built == {}


def test_only_the_console_script_freezes_the_loaded_pack(runner: CliRunner) -> None:
    answers = str(EXAMPLES / "plymouth-alliance.yaml")
    frozen = gc.get_freeze_count()
    for _ in range(3):  # the app run again and again in one process: nothing piles up
        assert runner.invoke(app, ["assess", "--answers", answers, "--json"]).exit_code == 0
    assert gc.get_freeze_count() == frozen
    script = (
        "import gc, sys\n"
        "from svadvisor.cli.app import main\n"
        f"sys.argv = ['svadvisor', 'assess', '--answers', {answers!r}, '--json']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    print(gc.get_freeze_count(), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert int(done.stderr.strip().splitlines()[-1]) > 0
