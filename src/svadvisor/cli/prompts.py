"""The interview's prompts: questionary widgets drawn over `svadvisor.interview`.

Nothing is decided here (which question, what applies, what a typed value means): this
layer draws a question and reads keys. Imported only on the interactive path, so
`svadvisor --help` and batch runs never load questionary or prompt_toolkit.

Keys everywhere: Ctrl-C or Ctrl-D stops the interview (KeyboardInterrupt / EOFError reach
the caller; `.unsafe_ask()` never swallows them), and "?" shows the question's help.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import questionary
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.keys import Keys
from questionary import Choice
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from svadvisor import interview as iv
from svadvisor.answers.validate import AnswerProblem
from svadvisor.atomic import refuse_overwrite
from svadvisor.errors import InputFileError
from svadvisor.interview import Interview
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.schema import DONT_KNOW, Question

MAX_SHORTCUTS = 36
"""questionary numbers at most this many list entries (1-9, 0, a-z)."""


HELP = object()
"""What a prompt returns when "?" was pressed."""


def _keys(question: questionary.Question, *, help_key: bool) -> questionary.Question:
    """Add Ctrl-D (stop, like Ctrl-C) and, where there is help, "?" to a prompt."""
    bindings = KeyBindings()

    @bindings.add(Keys.ControlD, eager=True)
    def _stop(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError, style="class:aborting")

    if help_key:

        @bindings.add("?", eager=True)
        def _help(event: KeyPressEvent) -> None:
            event.app.erase_when_done = True  # the help replaces the half-asked prompt
            event.app.exit(result=HELP)

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), bindings])
    return question


def _validator(
    parse: Callable[[str], object], problem: type[Exception] = AnswerProblem
) -> Callable[[str], bool | str]:
    """A questionary validator from a parser: its error message shows under the prompt."""

    def check(text: str) -> bool | str:
        try:
            parse(text)
        except problem as exc:
            return str(exc)
        return True

    return check


def _hint(text: str, help_key: bool) -> str:
    return f"({text}; ? help)" if help_key else f"({text})"


def _columns() -> int:
    return shutil.get_terminal_size().columns


def _message(qmark: str, text: str, *, indent: str = " ") -> str:
    """The question wrapped at word breaks to the terminal, and a fresh indented line
    after it for the hint (and then the answer), so an 80-column screen reads cleanly.

    questionary puts one space after the message (and a text prompt one more before its
    hint), so `indent` makes both start two columns in.
    """
    lead = " " * (len(qmark) + 1)
    wrapped = textwrap.fill(text, width=max(_columns() - 1, 40), initial_indent=lead)
    return wrapped[len(lead) :] + "\n" + indent


def _pick_list(question: Question, interview: Interview, qmark: str) -> questionary.Question:
    helps = iv.has_help(question)
    current = interview.current(question.id)
    choices = [
        Choice(o.label, value=o.value, description=o.help or None) for o in iv.options(question)
    ]
    if question.type == "multi":
        ticked = iv.checked_ids(current)
        if question.id in interview.dont_know:
            ticked = [DONT_KNOW]
        for choice in choices:
            choice.checked = choice.value in ticked
        return questionary.checkbox(
            _message(qmark, question.text),
            choices=choices,
            qmark=qmark,
            validate=lambda picked: iv.multi_problem(picked) or True,
            instruction=_hint("Space ticks, Enter confirms", helps),
            use_jk_keys=False,
        )
    default = DONT_KNOW if question.id in interview.dont_know else current
    return questionary.select(
        _message(qmark, question.text),
        choices=choices,
        default=default if isinstance(default, str) else None,
        qmark=qmark,
        use_shortcuts=len(choices) <= MAX_SHORTCUTS,
        use_jk_keys=False,
        instruction=_hint("pick by number or arrows, then Enter", helps),
    )


def _typed(question: Question, interview: Interview, qmark: str) -> questionary.Question:
    return questionary.text(
        _message(qmark, iv.prompt_text(question), indent=""),
        default=iv.typed_default(question, interview.current(question.id)),
        qmark=qmark,
        validate=_validator(lambda text: iv.parse_typed(question, text, interview.pack.cpv_names)),
        instruction=_hint("Enter alone: don't know", True),
    )


def show_help(console: Console, question: Question) -> None:
    console.print(Text(f"Help: {question.text}", style="bold"))
    for line in iv.help_text(question):
        console.print(Padding(Text(line), (0, 0, 0, 2)))


def ask(question: Question, interview: Interview, console: Console) -> Answer | None:
    """Ask one question until it is answered; None means "don't know"."""
    number, total = interview.progress(question)
    qmark = f"({number}/{total})"
    while True:
        if question.type in iv.TYPED:
            prompt = _keys(_typed(question, interview, qmark), help_key=True)
        else:
            prompt = _keys(_pick_list(question, interview, qmark), help_key=iv.has_help(question))
        picked: Any = prompt.unsafe_ask()
        if picked is HELP:
            show_help(console, question)
            continue
        if question.type in iv.TYPED:
            return iv.parse_typed(question, picked, interview.pack.cpv_names)
        return iv.from_picked(question, picked)


def review(interview: Interview, console: Console) -> str | None:
    """The review screen: every answer, numbered as the questions were; returns the
    question whose number is typed, or None (Enter alone) to score.

    A printed list rather than a pick list: it stays readable however many questions
    apply, in any terminal height, and remains in the scrollback.
    """
    entries = interview.review(_columns() - 7)
    listed = [qid for qid, _ in entries]
    console.print(Text("Review your answers", style="bold"))
    for number, (_, entry) in enumerate(entries, start=1):
        question, _, answer = entry.partition("\n")
        console.print(Text(f"{number:>4}. {question}"), soft_wrap=True)
        console.print(Text(f"      {answer.strip()}", style="bold"), soft_wrap=True)

    typed = _keys(
        questionary.text(
            "Type an answer's number to change it, or press Enter to score:",
            qmark="*",
            validate=_validator(lambda text: iv.review_choice(text, listed)),
        ),
        help_key=False,
    ).unsafe_ask()
    return iv.review_choice(typed, listed)


def run_interview(interview: Interview, console: Console) -> None:
    """Ask every question that applies and is unanswered, then review until told to score.

    A changed answer can open questions (an `ask_when` that now holds): they are asked
    before the review comes back.
    """
    while True:
        while (question := interview.next_question()) is not None:
            interview.record(question.id, ask(question, interview, console))
        change = review(interview, console)
        if change is None:
            return
        question = interview.pack.question(change)
        if question is not None:
            interview.record(change, ask(question, interview, console))


def ask_save_path() -> Path | None:
    """After Ctrl-C: where to keep the answers so far (None: do not keep them)."""

    def writable(text: str) -> None:
        if text.strip():
            refuse_overwrite(Path(text.strip()), force=False)

    try:
        name = _keys(
            questionary.text(
                _message("*", "Save the answers given so far? File name", indent=""),
                validate=_validator(writable, InputFileError),
                qmark="*",
                instruction="(Enter alone: do not save)",
            ),
            help_key=False,
        ).unsafe_ask()
    except (KeyboardInterrupt, EOFError):
        return None
    return Path(name.strip()) if name and name.strip() else None
