"""The guided interview without a terminal: which question comes next, which are skipped,
what a typed answer means, and what the review screen lists.

`svadvisor assess` (no answers file) drives an `Interview` through the prompts in
`svadvisor.cli.prompts`, which only draw and read keys; everything decided here is
tested without a terminal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from svadvisor.answers.validate import AnswerProblem, describe_answer, parse_answer
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.schema import DONT_KNOW, DONT_KNOW_LABEL, Question, RulePack
from svadvisor.scoring import cpv
from svadvisor.scoring.engine import question_state

UNIT_WORDS = {"GBP": "£", "years": "years"}
"""How a number question's unit is shown next to its prompt."""

TYPED = ("number", "date", "cpv")
"""Question types answered by typing rather than by picking from a list."""


@dataclass(frozen=True)
class Option:
    """One entry of a pick list: an answer id (or `dont_know`), its words and its help."""

    value: str
    label: str
    help: str = ""


def options(question: Question) -> list[Option]:
    """What a choice, multiple-choice or yes/no question offers; "Don't know" always last."""
    return [
        *(Option(a.id, a.label, a.help) for a in question.answers),
        Option(DONT_KNOW, DONT_KNOW_LABEL),
    ]


def prompt_text(question: Question) -> str:
    """The question as asked, with the unit a number is typed in."""
    unit = UNIT_WORDS.get(question.unit or "")
    if question.type == "number" and unit:
        return f"{question.text} (in {unit})"
    if question.type == "date":
        return f"{question.text} (YYYY-MM-DD)"
    if question.type == "cpv":
        return f"{question.text} (codes separated by ;)"
    return question.text


def help_text(question: Question) -> list[str]:
    """What "?" shows: the question's help, each answer's help, and how to type a value."""
    lines = [question.help] if question.help else []
    lines += [f"{a.label}: {a.help}" for a in question.answers if a.help]
    lines += number_help(question)
    if question.type == "date":
        lines.append("Type the date as YYYY-MM-DD, for example 2026-04-01.")
    if question.type == "cpv":
        lines.append("Type one or more CPV codes, e.g. 85311000 or 85311000-2; 85312000.")
    if question.type in TYPED:
        lines.append(f"Press Enter alone (or type {DONT_KNOW_LABEL.lower()}) if you do not know.")
    if question.type == "multi":
        lines.append(
            f"Tick every answer that applies; tick none for none of these, "
            f"or {DONT_KNOW_LABEL} alone."
        )
    return lines


def number_help(question: Question) -> list[str]:
    """How a number question's value may be written, and its limits (empty for other
    types): shared by the terminal's help and the web app's hint."""
    if question.type != "number":
        return []
    unit = "pounds" if question.unit == "GBP" else question.unit or "a number"
    lines = [f"Type the number in {unit}; 1250000, £1,250,000, 1.25m and 250k all work."]
    limits = [
        f"{word} {bound:,g}"
        for word, bound in (("at least", question.min), ("at most", question.max))
        if bound is not None
    ]
    if limits:
        lines.append(f"It must be {' and '.join(limits)}.")
    return lines


def has_help(question: Question) -> bool:
    """Whether "?" has anything to show beyond the question itself."""
    return bool(help_text(question))


def parse_typed(
    question: Question, text: str, cpv_names: Mapping[str, str] | None = None
) -> Answer | None:
    """A typed number, date or CPV list -> its value, or None for "don't know" (blank
    counts). `cpv_names` is the pack's CPV vocabulary, which typed codes must be in.

    Raises `svadvisor.answers.validate.AnswerProblem` with a message to show under the prompt.
    """
    return parse_answer(question, text, cpv_names)


def typed_default(question: Question, value: Answer | None) -> str:
    """An earlier typed answer as the officer would type it again (`£7,700,000`)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return ("£" if question.unit == "GBP" else "") + f"{value:,}"
    if isinstance(value, tuple):
        return "; ".join(value)
    return str(value)


def checked_ids(value: Answer | None) -> list[str]:
    """The answer ids a multiple-choice answer ticks."""
    if isinstance(value, tuple):
        return list(value)
    return [value] if isinstance(value, str) else []


def multi_problem(picked: Iterable[str]) -> str | None:
    """Why a set of ticked boxes is not one answer, or None when it is."""
    picked = list(picked)
    if DONT_KNOW in picked and len(picked) > 1:
        return f"{DONT_KNOW_LABEL} cannot be ticked with other answers"
    return None


def review_choice(text: str, listed: Sequence[str]) -> str | None:
    """What was typed on the review screen: the question with that number (or id) in
    `listed`, or None for Enter alone, which means "score these answers"."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= len(listed):
        return listed[int(text) - 1]
    if text in listed:
        return text
    raise AnswerProblem(
        f"type a number from 1 to {len(listed)}, or press Enter alone to score these answers"
    )


def from_picked(question: Question, picked: str | list[str]) -> Answer | None:
    """A pick-list result (answer id, or ids ticked) -> the engine's value, None = don't know."""
    if isinstance(picked, list):
        if DONT_KNOW in picked:
            return None
        return tuple(a.id for a in question.answers if a.id in picked)
    return None if picked == DONT_KNOW else picked


class Interview:
    """The answers so far, and which question the pack needs next.

    `dont_know` holds the questions the officer answered "Don't know", so they count as
    asked (and are saved as `dont_know`) without scoring.
    """

    def __init__(
        self,
        pack: RulePack,
        answers: Mapping[str, Answer] | None = None,
        dont_know: Iterable[str] = (),
    ) -> None:
        self.pack = pack
        self.answers: dict[str, Answer] = dict(answers or {})
        self.dont_know: set[str] = set(dont_know) - set(self.answers)

    def applicable(self) -> list[Question]:
        """Questions that apply now: no `ask_when`, or one that holds. Unknown (its gate
        answered don't know) does not: such a question is skipped.

        Gates read the answers as the engine does, CPV-derived ones included: a health
        care CPV code opens the PSR questions when the service type was "don't know".
        """
        effective = self.effective()
        return [q for q in self.pack.questions if question_state(q, effective) == "ask"]

    def effective(self) -> dict[str, Answer]:
        """The answers with those the CPV codes imply filled in (the officer's own win)."""
        return cpv.derive(self.pack, self.answers)[0]

    def missing(self) -> list[Question]:
        """Questions that apply now with no answer yet, the officer's or one the CPV codes
        imply (so the interview does not ask what the codes already say)."""
        effective = self.effective()
        return [
            q for q in self.applicable() if q.id not in effective and q.id not in self.dont_know
        ]

    def next_question(self) -> Question | None:
        """The first question, in pack order, that applies and has no answer yet."""
        return next(iter(self.missing()), None)

    def record(self, question_id: str, value: Answer | None) -> None:
        """Settle a question: a value, or None for "don't know"."""
        if value is None:
            self.answers.pop(question_id, None)
            self.dont_know.add(question_id)
        else:
            self.dont_know.discard(question_id)
            self.answers[question_id] = value

    def current(self, question_id: str) -> Answer | None:
        return self.answers.get(question_id)

    def progress(self, question: Question) -> tuple[int, int]:
        """(this question's number, questions that apply now), for "3/14" beside a prompt."""
        applicable = [q.id for q in self.applicable()]
        if question.id not in applicable:
            return len(applicable) + 1, len(applicable) + 1
        return applicable.index(question.id) + 1, len(applicable)

    def describe(self, question: Question) -> str:
        if question.id in self.answers:
            return describe_answer(question, self.answers[question.id])
        derived = self.effective().get(question.id)
        if derived is not None:
            return f"{describe_answer(question, derived)} (from the CPV codes)"
        return DONT_KNOW_LABEL if question.id in self.dont_know else "(not answered)"

    def review(self, width: int = 80) -> list[tuple[str, str]]:
        """(question id, "the question\n  the answer in words") for every question that
        applies: the question's own words, never its id, each line shortened to `width`
        characters so the review list fits the terminal."""
        size = max(width, 20)
        return [
            (
                q.id,
                textwrap.shorten(q.text, size, placeholder="...")
                + "\n  "
                + textwrap.shorten(self.describe(q), size - 2, placeholder="..."),
            )
            for q in self.applicable()
        ]

    def final_answers(self) -> dict[str, Answer]:
        """Answers to questions that apply, in pack order (a changed gate drops the rest)."""
        return {q.id: self.answers[q.id] for q in self.applicable() if q.id in self.answers}

    def final_dont_know(self) -> list[str]:
        return [q.id for q in self.applicable() if q.id in self.dont_know]

    @property
    def started(self) -> bool:
        return bool(self.answers or self.dont_know)
