"""What an officer's answers mean: raw values (from YAML, a spreadsheet cell or a prompt)
checked against the rule pack's questions and turned into the values the engine reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from svadvisor.answers.values import DONT_KNOW_WORDS as DONT_KNOW_WORDS
from svadvisor.answers.values import Money, ValueProblem, parse_money, parse_uk_date
from svadvisor.answers.values import is_dont_know as is_dont_know
from svadvisor.errors import AnswersError, Problem
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.schema import DONT_KNOW, Question, RulePack
from svadvisor.suggest import did_you_mean
from svadvisor.yamlfile import YamlDocument


class AnswerProblem(ValueError):
    """One answer that does not fit its question; the message lists what would."""


class AnnualFigure(AnswerProblem):
    """An amount written as a yearly figure: a whole-life value needs the contract's length."""

    def __init__(self, money: Money) -> None:
        super().__init__(
            f"{money.text!r} is a yearly figure; give the whole-life value, or the contract's "
            "length (contract_term) so svadvisor can work it out"
        )
        self.money = money


def parse_number(value: Any) -> float | int:
    """A number as officers write it (`1250000`, `£1,250,000`, `1.25m`, `c. £2m`,
    `£2 million`: see `svadvisor.answers.values`); a range or a yearly figure is refused here, for
    one whole-life estimate is needed (a pipeline sheet resolves them itself)."""
    if isinstance(value, bool):
        raise AnswerProblem(f"expected a number, got {str(value).lower()}")
    if isinstance(value, int):
        return value
    try:
        money = parse_money(value)
    except ValueProblem as exc:
        raise AnswerProblem(str(exc).replace("an amount", "a number")) from None
    if money is None:
        raise AnswerProblem(f"{value!r} is not a number (write e.g. 1250000)")
    if money.annual:
        raise AnnualFigure(money)
    if money.is_range:
        raise AnswerProblem(
            f"{money.text!r} is a range; give one estimated whole-life value (for thresholds, "
            "the top of the range)"
        )
    number = money.high
    if not math.isfinite(number):
        raise AnswerProblem(f"{_shorten(str(value))} is too large a number")
    return int(number) if float(number).is_integer() else number


def _shorten(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:20]!r}...({len(text):,} characters)"


def parse_date(value: Any) -> date:
    """A date read the UK way, as everywhere in svadvisor (see `svadvisor.answers.values`)."""
    try:
        day = parse_uk_date(value)
    except ValueProblem as exc:
        raise AnswerProblem(str(exc)) from None
    if day is None:
        raise AnswerProblem(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-04-01")
    return day


def _choice_id(question: Question, value: Any) -> str:
    if isinstance(value, bool) and question.type == "yesno":
        value = "yes" if value else "no"
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise AnswerProblem(f"expected one answer id, got {value!r}; {_allowed(question)}")
    text = str(value).strip()
    lowered = text.lower()
    for option in question.answers:
        if lowered in (option.id, option.label.lower()):
            return option.id
    near = did_you_mean(lowered, question.choice_ids)
    raise AnswerProblem(f"{text!r} is not an answer to this question{near}; {_allowed(question)}")


def _allowed(question: Question) -> str:
    options = ", ".join(f"{o.id} ({o.label})" for o in question.answers)
    return f"allowed: {options}, or {DONT_KNOW}"


def parse_cpv(value: Any, names: Mapping[str, str]) -> tuple[str, ...]:
    """CPV codes as written in notices (`85000000-9`, `85000000`, `3000000`, a `;` list)
    -> their 8-digit base codes, each checked against the CPV 2008 vocabulary."""
    items = value if isinstance(value, list) else re.split(r"[;,\s]+", str(value))
    codes: list[str] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        digits = text.split("-")[0].strip()
        if not digits.isdigit() or len(digits) > 8:
            raise AnswerProblem(
                f"{text!r} is not a CPV code (8 digits, e.g. 85311000 or 85311000-2)"
            )
        code = digits.zfill(8)
        if names and code not in names:
            raise AnswerProblem(f"{text!r} is not a code in the CPV 2008 vocabulary")
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def parse_answer(
    question: Question, value: Any, cpv_names: Mapping[str, str] | None = None
) -> Answer | None:
    """One raw value -> the engine's value for it, or None for "don't know"."""
    if question.type == "cpv":
        if is_dont_know(value) or value == []:
            return None
        return parse_cpv(value, cpv_names or {}) or None
    if question.type == "multi":
        if isinstance(value, str):
            if is_dont_know(value):
                return None
            value = [part for part in value.split(";") if part.strip()]
        if value is None:
            return None
        if not isinstance(value, list):
            raise AnswerProblem(
                f"expected a list of answer ids, got {value!r}; {_allowed(question)}"
            )
        picked = {_choice_id(question, item) for item in value}
        return tuple(o.id for o in question.answers if o.id in picked)
    if is_dont_know(value):
        return None
    if question.type in ("choice", "yesno"):
        return _choice_id(question, value)
    if question.type == "date":
        return parse_date(value)
    number = parse_number(value)
    unit = "£" if question.unit == "GBP" else ""
    if question.min is not None and number < question.min:
        raise AnswerProblem(f"below the minimum of {unit}{question.min:,g}: {number:,}")
    if question.max is not None and number > question.max:
        raise AnswerProblem(f"above the maximum of {unit}{question.max:,g}: {number:,}")
    return number


def validate_answers(
    pack: RulePack, raw: Any, *, doc: YamlDocument | None = None, file: str | None = None
) -> dict[str, Answer]:
    """Check every answer against the pack; report every problem at once."""
    display = doc.file if doc else file
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise AnswersError(
            [
                Problem(
                    "answers must be a mapping of question id to answer (question: answer)", display
                )
            ],
            "answers are not a mapping",
        )
    known = {q.id: q for q in pack.questions}
    problems: list[Problem] = []
    answers: dict[str, Answer] = {}
    yearly: list[tuple[Question, AnnualFigure, Problem]] = []
    for key, value in raw.items():
        question = known.get(str(key))
        line, column = doc.locate((key,), at_key=question is None) if doc else (None, None)
        if question is None:
            near = did_you_mean(str(key), known, form="lead")
            problems.append(
                Problem(
                    f"unknown question {key!r}; {near}questions: {', '.join(known)}",
                    display,
                    line,
                    column,
                    str(key),
                )
            )
            continue
        try:
            parsed = parse_answer(question, value, pack.cpv_names)
        except AnnualFigure as exc:
            yearly.append((question, exc, Problem(str(exc), display, line, column, question.id)))
            continue
        except AnswerProblem as exc:
            problems.append(Problem(str(exc), display, line, column, question.id))
            continue
        if parsed is not None:
            answers[question.id] = parsed
    term = next(
        (answers[q.id] for q in pack.questions if q.unit == "years" and q.id in answers), None
    )
    for question, figure, problem in yearly:
        if isinstance(term, int | float) and term > 0:  # a yearly figure times the term
            total = round(figure.money.high * term, 2)
            answers[question.id] = int(total) if float(total).is_integer() else total
        else:
            problems.append(problem)
    if problems:
        raise AnswersError(problems, f"{len(problems)} answer(s) do not fit the rule pack")
    return {q.id: answers[q.id] for q in pack.questions if q.id in answers}


def dump_answers(pack: RulePack, answers: Mapping[str, Answer]) -> dict[str, Any]:
    """Answers as plain YAML/JSON data, in question order, that `validate_answers` reads back."""
    out: dict[str, Any] = {}
    for q in pack.questions:
        if q.id not in answers:
            continue
        value = answers[q.id]
        if isinstance(value, tuple):
            out[q.id] = list(value)
        elif isinstance(value, date):
            out[q.id] = value.isoformat()
        else:
            out[q.id] = value
    return out


def describe_answer(question: Question, value: Answer) -> str:
    """The answer in words, as an officer would read it back."""
    if isinstance(value, tuple):
        if question.type == "cpv":
            return "; ".join(value)
        labels = [o.label for o in question.answers if o.id in value]
        return "; ".join(labels) if labels else "none of these"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        shown = f"£{value:,.0f}" if question.unit == "GBP" else f"{value:,g}"
        if question.unit == "years":
            shown += " year" if value == 1 else " years"
        return shown
    option = question.answer(value)
    return option.label if option else value
