"""Which threshold values apply: dated data, chosen by the procurement's start day.

The Procurement Act's thresholds change (SI 2025/1200 reset them from 1 Jan 2026), so a
pack keeps every value with the day it applies from, and an assessment uses the values
in force on the planned start date the officer gives, else today.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from svadvisor.answers.values import money
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import RulePack
from svadvisor.scoring.assessment import AppliedThreshold


def procurement_day(
    pack: RulePack, answers: Mapping[str, cond.Answer], today: date
) -> tuple[date, str]:
    """The day thresholds are chosen for, and a phrase saying why that day."""
    question = pack.meta.start_date_question
    planned = answers.get(question) if question else None
    if isinstance(planned, date):
        return planned, f"the planned start date, {planned.isoformat()}"
    return today, f"today, {today.isoformat()} (no planned start date given)"


def context(pack: RulePack, day: date) -> cond.Context:
    return cond.Context(
        on=day,
        thresholds={t.id: (t.in_force(day).value, t.inclusive) for t in pack.thresholds},
    )


def applied(pack: RulePack, day: date, basis: str) -> list[AppliedThreshold]:
    """Every threshold of the pack, with the value in force on `day`."""
    out = []
    for threshold in pack.thresholds:
        value = threshold.in_force(day)
        since = f"in force from {value.from_.isoformat()}" if value.from_ else "the value before"
        later = [v.from_ for v in threshold.values if v.from_ and v.from_ > day]
        if not value.from_ and later:
            since = f"the value before {min(later).isoformat()}"
        out.append(
            AppliedThreshold(
                id=threshold.id,
                label=threshold.label,
                value=value.value,
                in_force_from=value.from_,
                source=value.source,
                basis=f"{since}; chosen for {basis}",
            )
        )
    return out


def named_in(condition: cond.ConditionNode | None) -> Iterator[str]:
    """Threshold ids a condition compares against."""
    if condition is None:
        return
    for _, leaf in cond.leaves(condition):
        if leaf.threshold is not None:
            yield leaf.threshold


def fill(text: str, values: Mapping[str, AppliedThreshold]) -> str:
    """Replace `{threshold:ID}` in a note's text with the value in force."""
    if "{threshold:" not in text:  # most notes name no threshold: skip the formatting
        return text
    for threshold_id, threshold in values.items():
        text = text.replace(f"{{threshold:{threshold_id}}}", money(threshold.value))
    return text


@dataclass(frozen=True)
class Coverage:
    """Whether a contract is covered procurement: True (at or above its threshold), False
    (below it) or None (not known yet), and the threshold test in words."""

    state: bool | None
    above: str
    below: str


def coverage(
    pack: RulePack, answers: Mapping[str, cond.Answer], context: cond.Context
) -> Coverage | None:
    """The contract's standing against the covered-procurement thresholds in force on the
    procurement's start day: the first threshold whose condition holds applies; when the
    kind of contract is unknown, every threshold that may apply is named."""
    config = pack.meta.covered_procurement
    if config is None:
        return None
    states = [(t, t.when.evaluate(answers, context) if t.when else True) for t in config.thresholds]
    sure = [t for t, holds in states if holds is True]
    chosen = sure[:1] or [t for t, holds in states if holds is None]
    if not chosen:
        return Coverage(None, "", "")
    value = answers.get(config.value_question)
    limits = [
        (t, *context.thresholds[t.threshold]) for t in chosen if t.threshold in context.thresholds
    ]
    words = [f"{money(limit)} for {t.label}" for t, limit, _ in limits]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    day = context.on.isoformat()
    above = f"the estimated value is at or above {listed} (the threshold in force on {day})"
    below = f"the estimated value is below {listed} (the threshold in force on {day})"
    state: bool | None = None
    if isinstance(value, int | float) and not isinstance(value, bool) and limits:
        reached = [value >= limit if inclusive else value > limit for _, limit, inclusive in limits]
        state = True if all(reached) else False if not any(reached) else None
    return Coverage(state, above, below)
