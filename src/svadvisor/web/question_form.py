"""One question as a web form: what its page shows (radios, checkboxes, a text or date
input, always with "I don't know"), and what a POSTed form means.

What an answer means is decided by `svadvisor.interview` (`from_picked`, `parse_typed`),
as for the terminal; this module only maps form fields to those calls and phrases the
problems the GOV.UK way ("Select ...", "Enter ..."), each with the id of the field it is
about, so the error summary can link to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from svadvisor import interview as iv
from svadvisor.answers.validate import AnswerProblem
from svadvisor.interview import Interview
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.schema import DONT_KNOW, Question

ANSWER = "answer"
"""The field every question posts its answer in (repeated for checkboxes)."""
DATE_PARTS = ("day", "month", "year")
"""A date question posts `answer-day`, `answer-month` and `answer-year`."""
NONE_OF_THESE = "none-of-these"
"""The checkbox that answers a multiple-choice question with none of its answers (a
hyphen, so it can never be a pack's answer id)."""
DONT_KNOW_TEXT = "I don't know"
NONE_TEXT = "None of these"

Kind = Literal["radios", "checkboxes", "text", "date"]


class FormProblem(ValueError):
    """An answer the form cannot take: the message to show, and the field it is about."""

    def __init__(self, message: str, field_id: str = ANSWER, parts: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.field_id = field_id
        self.parts = parts
        """The date parts to mark in error."""


@dataclass(frozen=True)
class Submitted:
    """What a question's form posted: the `answer` values, and a date's three parts."""

    answers: tuple[str, ...] = ()
    day: str = ""
    month: str = ""
    year: str = ""

    @property
    def dont_know(self) -> bool:
        return DONT_KNOW in self.answers

    @property
    def parts(self) -> dict[str, str]:
        """A date's parts, by name."""
        return {"day": self.day, "month": self.month, "year": self.year}

    @property
    def typed(self) -> str:
        """The text typed in a number or CPV field (the don't-know box posts `answer` too)."""
        return next((value for value in self.answers if value != DONT_KNOW), "")


@dataclass(frozen=True)
class Item:
    """One radio or checkbox: its value, words, hint, id and whether it is selected."""

    value: str
    label: str
    hint: str
    id: str
    checked: bool


@dataclass(frozen=True)
class QuestionForm:
    """Everything a question page's form shows."""

    question: Question
    kind: Kind
    hint: list[str]
    items: list[Item]
    """The question's own answers (radios or checkboxes)."""
    exclusive: list[Item]
    """After the "or" divider: "None of these" (multiple choice) and "I don't know"."""
    text: str = ""
    parts: dict[str, str] = field(default_factory=dict)
    """A date's day, month and year as shown in its three inputs."""
    prefix: str = ""
    suffix: str = ""
    label: str = ""
    """The typed field's own label (the question itself is the page's legend)."""
    error: str = ""
    error_id: str = ""
    error_parts: tuple[str, ...] = ()
    """The date parts to mark in error."""


def kind_of(question: Question) -> Kind:
    if question.type == "multi":
        return "checkboxes"
    if question.type == "date":
        return "date"
    if question.type in iv.TYPED:
        return "text"
    return "radios"


def hint_lines(question: Question) -> list[str]:
    """The hint under the question: the pack's help, then how to give a value. Each
    answer's own help is shown beside that answer instead."""
    lines = [question.help] if question.help else []
    lines += iv.number_help(question)
    if question.type == "multi":
        lines.append("Select all that apply.")
    if question.type == "date":
        lines.append(f"For example, 27 3 {date.today().year + 1}")
    return lines


def _item_id(index: int) -> str:
    """GOV.UK's ids: the first input is `answer` (the error summary links to it)."""
    return ANSWER if index == 0 else f"{ANSWER}-{index + 1}"


def _typed_label(question: Question) -> tuple[str, str, str]:
    """(label, prefix, suffix) of a typed field."""
    if question.type == "cpv":
        return "CPV codes", "", ""
    if question.type == "number" and question.unit == "GBP":
        return "Amount in pounds", "£", ""
    if question.type == "number" and question.unit == "years":
        return "Number of years", "", "years"
    return "Number", "", ""


def _date_parts(value: Answer | None) -> dict[str, str]:
    if isinstance(value, date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    return dict.fromkeys(DATE_PARTS, "")


def question_form(
    question: Question,
    interview: Interview,
    submitted: Submitted | None = None,
    problem: FormProblem | None = None,
) -> QuestionForm:
    """The form for `question`: filled with its answer so far, or with what was posted
    when `problem` says why that could not be taken."""
    kind = kind_of(question)
    current = interview.current(question.id)
    unknown = question.id in interview.dont_know
    if submitted is not None:
        picked = set(submitted.answers)
    elif unknown:
        picked = {DONT_KNOW}
    elif current == ():
        picked = {NONE_OF_THESE}
    else:
        picked = set(iv.checked_ids(current))
    own = [o for o in iv.options(question) if o.value != DONT_KNOW]
    items = [
        Item(o.value, o.label, o.help, _item_id(i), o.value in picked) for i, o in enumerate(own)
    ]
    if kind in ("radios", "checkboxes"):
        extra = [(NONE_OF_THESE, NONE_TEXT)] if kind == "checkboxes" else []
        extra.append((DONT_KNOW, DONT_KNOW_TEXT))
        exclusive = [
            Item(value, label, "", _item_id(len(items) + i), value in picked)
            for i, (value, label) in enumerate(extra)
        ]
    else:
        exclusive = [
            Item(DONT_KNOW, DONT_KNOW_TEXT, "", f"{ANSWER}-dont-know", DONT_KNOW in picked)
        ]
    label, prefix, suffix = _typed_label(question)
    if submitted is not None:
        text = submitted.typed
        parts = submitted.parts
    else:
        # as the officer would type it again, less the £ the field shows before it
        text = iv.typed_default(question, current).removeprefix(prefix) if kind == "text" else ""
        parts = _date_parts(current)
    return QuestionForm(
        question=question,
        kind=kind,
        hint=hint_lines(question),
        items=items,
        exclusive=exclusive,
        text=text,
        parts=parts,
        prefix=prefix,
        suffix=suffix,
        label=label,
        error=str(problem) if problem else "",
        error_id=problem.field_id if problem else "",
        error_parts=problem.parts if problem else (),
    )


def read_answer(question: Question, submitted: Submitted, interview: Interview) -> Answer | None:
    """The answer a form gives `question` (None: don't know); FormProblem when none."""
    kind = kind_of(question)
    if kind == "radios":
        return _picked_one(question, submitted)
    if kind == "checkboxes":
        return _picked_many(question, submitted)
    if kind == "date":
        return _dated(question, submitted, interview)
    return _typed(question, submitted, interview)


def _picked_one(question: Question, submitted: Submitted) -> Answer | None:
    allowed = {o.value for o in iv.options(question)}
    chosen = [value for value in submitted.answers if value in allowed]
    if len(chosen) != 1:
        raise FormProblem(f"Select an answer, or select {DONT_KNOW_TEXT}")
    return iv.from_picked(question, chosen[0])


def _picked_many(question: Question, submitted: Submitted) -> Answer | None:
    allowed = {o.value for o in iv.options(question)} | {NONE_OF_THESE}
    picked = [value for value in submitted.answers if value in allowed]
    if not picked:
        raise FormProblem(
            f"Select all the answers that apply, or select {NONE_TEXT} or {DONT_KNOW_TEXT}"
        )
    alone = [value for value in (NONE_OF_THESE, DONT_KNOW) if value in picked]
    if alone and len(picked) > 1:
        raise FormProblem(
            f"Select {NONE_TEXT} or {DONT_KNOW_TEXT} on its own, not with other answers"
        )
    if picked == [NONE_OF_THESE]:
        return ()
    return iv.from_picked(question, picked)


def _what_to_enter(question: Question) -> str:
    if question.type == "cpv":
        return "one or more CPV codes"
    if question.unit == "GBP":
        return "the amount"
    if question.unit == "years":
        return "the number of years"
    return "a number"


def _sentence(message: str) -> str:
    """A parser's message as a sentence on the page: capital first, no "type" wording."""
    return message[:1].upper() + message[1:]


def _unknown(
    submitted: Submitted, filled: bool, what: str, problem: Callable[[str], FormProblem]
) -> bool:
    """Whether a typed question is answered "I don't know"; a problem when the form
    gives a value and "I don't know" both, or neither."""
    if submitted.dont_know and filled:
        raise problem(f"Enter {what} or select {DONT_KNOW_TEXT}, not both")
    if not submitted.dont_know and not filled:
        raise problem(f"Enter {what}, or select {DONT_KNOW_TEXT}")
    return submitted.dont_know


def _typed(question: Question, submitted: Submitted, interview: Interview) -> Answer | None:
    text = submitted.typed.strip()
    if _unknown(submitted, bool(text), _what_to_enter(question), FormProblem):
        return None
    try:
        return iv.parse_typed(question, text, interview.pack.cpv_names)  # None: "don't know"
    except AnswerProblem as exc:
        raise FormProblem(_sentence(str(exc))) from None


def _date_problem(message: str, parts: tuple[str, ...] = DATE_PARTS) -> FormProblem:
    """A date's problem, linked to the first part it is about."""
    return FormProblem(message, f"{ANSWER}-{parts[0]}", parts)


def _dated(question: Question, submitted: Submitted, interview: Interview) -> Answer | None:
    given = {name: value.strip() for name, value in submitted.parts.items() if value.strip()}
    if _unknown(submitted, bool(given), "the date", _date_problem):
        return None
    missing = tuple(name for name in DATE_PARTS if name not in given)
    if missing:
        raise _date_problem(f"The date must include a {' and a '.join(missing)}", missing)
    wrong = tuple(
        name
        for name in DATE_PARTS
        if not (given[name].isascii() and given[name].isdigit())
        or len(given[name]) > (4 if name == "year" else 2)
    )
    if wrong:
        raise _date_problem("The date must be a real date", wrong)
    if len(given["year"]) != 4:
        raise _date_problem("The year must include 4 numbers", ("year",))
    text = f"{given['year']}-{int(given['month']):02d}-{int(given['day']):02d}"
    try:
        return iv.parse_typed(question, text, interview.pack.cpv_names)
    except AnswerProblem:
        raise _date_problem("The date must be a real date") from None
