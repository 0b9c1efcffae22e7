"""What a procurement's CPV codes imply, from the official lists the rule pack ships.

Codes are matched exactly on their 8-digit base, never by prefix: the schedules list
codes one by one and deliberately leave out some children of codes they list.
"""

from __future__ import annotations

from collections.abc import Mapping

from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.schema import RulePack
from svadvisor.scoring.assessment import Derived


def derive(
    pack: RulePack, answers: Mapping[str, Answer]
) -> tuple[dict[str, Answer], list[Derived]]:
    """Answers with CPV-implied ones filled in (the officer's own answer wins), and why."""
    config = pack.meta.cpv
    effective = dict(answers)
    codes = answers.get(config.question) if config else None
    if config is None or not isinstance(codes, tuple) or not codes:
        return effective, []
    derived: list[Derived] = []
    settled: set[str] = set()
    for cpv_list in config.lists:
        target = cpv_list.derive
        matches = [c for c in codes if c in pack.cpv_lists.get(cpv_list.id, ())]
        if not matches or target.question in settled:
            continue
        settled.add(target.question)
        question = pack.question(target.question)
        option = question.answer(target.answer) if question else None
        named = ", ".join(f"{c} ({pack.cpv_names.get(c, 'not in CPV 2008')})" for c in matches)
        officer = answers.get(target.question)
        used = officer is None
        if used:
            effective[target.question] = target.answer
        derived.append(
            Derived(
                question=target.question,
                answer=target.answer,
                answer_label=option.label if option else target.answer,
                basis=f"CPV {named} is on the list: {cpv_list.title}",
                source=cpv_list.source,
                used=used,
                officer_answer=None if officer is None else str(officer),
            )
        )
    return effective, derived
