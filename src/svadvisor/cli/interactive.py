"""The interactive side of `svadvisor assess`: the guided interview, Ctrl-C, and saving answers.

Light to import: the interview, questionary and rich are loaded only when one is needed.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from svadvisor.answers.files import read_answers_file_settled, write_answers_file
from svadvisor.atomic import refuse_overwrite
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.schema import RulePack

if TYPE_CHECKING:
    from svadvisor.interview import Interview

EXIT_INTERRUPTED = 130
"""128 + SIGINT, as shells report a program stopped by Ctrl-C."""

Settled = tuple[dict[str, Answer], list[str]]
"""The answers, and the questions answered "don't know"."""


def _header(pack: RulePack, path: Path, *, complete: bool) -> str:
    lines = [
        f"Answers to the questions of the rule pack {pack.meta.name} {pack.meta.version},",
        f"saved by svadvisor on {date.today().isoformat()}.",
        f"Score them again with: svadvisor assess --answers {path}",
    ]
    if not complete:
        lines[-1] = f"Not finished: svadvisor assess --answers {path} --ask-missing asks the rest."
    return "\n".join(lines)


def save_answers(
    path: Path,
    pack: RulePack,
    settled: Settled,
    *,
    force: bool,
    complete: bool = True,
) -> None:
    """Write answers that `--answers` reads back, atomically; say so on stderr."""
    answers, dont_know = settled
    header = _header(pack, path, complete=complete)
    write_answers_file(path, pack, answers, force=force, header=header, dont_know=dont_know)
    typer.echo(f"Answers saved to {path}", err=True)


def _interrupted(interview: Interview, save_to: Path | None, force: bool) -> typer.Exit:
    """Ctrl-C or Ctrl-D: no traceback; keep what was answered if the officer wants it."""
    typer.echo("\nInterrupted: no assessment made.", err=True)
    if interview.started:
        settled = (interview.final_answers(), interview.final_dont_know())
        if save_to is None:
            from svadvisor.cli.prompts import ask_save_path

            save_to, force = ask_save_path(), False
        if save_to is not None:
            save_answers(save_to, interview.pack, settled, force=force, complete=False)
            typer.echo(
                f"To go on later: svadvisor assess --answers {save_to} --ask-missing", err=True
            )
    return typer.Exit(EXIT_INTERRUPTED)


def interview_answers(
    pack: RulePack, answers_file: Path | None, *, save_to: Path | None, force: bool
) -> Settled:
    """Ask the officer what the answers file (if any) leaves out, then let them review.

    Without a terminal on stdin this fails at once with a one-line error: never a hang.
    """
    from svadvisor.cli.common import fail
    from svadvisor.interview import Interview

    settled: Settled = ({}, [])
    if answers_file is not None:
        settled = read_answers_file_settled(answers_file, pack)
        missing = [q.id for q in Interview(pack, *settled).missing()]
        if not missing:
            return settled
    if not sys.stdin.isatty():
        if answers_file is None:
            raise fail(
                "no terminal to ask the questions in: pass --answers FILE "
                "(a YAML file of question: answer; see svadvisor questions)"
            )
        raise fail(
            f"{answers_file} leaves {', '.join(missing)} unanswered and there is no terminal "
            "to ask them in: answer them in the file (dont_know is an answer), or leave out "
            "--ask-missing"
        )

    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.output import create_output
    from rich.console import Console

    from svadvisor.cli.prompts import run_interview

    interview = Interview(pack, *settled)
    # Prompts go to the terminal even when stdout is redirected (`--json > result.json`).
    console = Console(highlight=False, markup=False, emoji=False, stderr=not sys.stdout.isatty())
    with create_app_session(output=create_output(always_prefer_tty=True)):
        try:
            run_interview(interview, console)
        except (KeyboardInterrupt, EOFError):
            raise _interrupted(interview, save_to, force) from None
    return interview.final_answers(), interview.final_dont_know()


def gather_answers(
    pack: RulePack,
    answers_file: Path | None,
    ask_missing: bool,
    *,
    save_to: Path | None,
    force: bool,
) -> dict[str, Answer]:
    """`assess`'s answers: read from the file, or asked (all, or what the file leaves out
    with `ask_missing`); written to `save_to` when given, checked before any question."""
    if save_to is not None:
        refuse_overwrite(save_to, force=force)
    if answers_file is not None and not ask_missing:
        settled = read_answers_file_settled(answers_file, pack)
    else:
        settled = interview_answers(pack, answers_file, save_to=save_to, force=force)
    if save_to is not None:
        save_answers(save_to, pack, settled, force=force)
    return settled[0]
