"""A copy of the built-in pack with one question of every other type, for interview tests."""

from __future__ import annotations

from pathlib import Path

from svadvisor.rulepack.load import load_pack
from svadvisor.rulepack.schema import RulePack

EXTRA_QUESTIONS = """
  - id: partners
    text: Which partners are already involved?
    help: Tick every kind of partner already at the table.
    type: multi
    answers:
      - id: nhs
        label: NHS bodies
      - id: vcse
        label: Voluntary and community groups
        help: Charities, community groups and social enterprises.
      - id: police
        label: Police
  - id: pilot
    text: Has a pilot already run?
    type: yesno
  - id: start
    text: When must the service start?
    type: date
  - id: term
    text: How long is the contract term?
    type: number
    unit: years
    min: 1
    max: 25
"""
"""Appended to questions.yaml: multiple choice, yes/no, date, and a number in years."""

EXTRA = ["partners", "pilot", "start", "term"]


def interview_pack(pack_copy: Path) -> RulePack:
    questions = pack_copy / "questions.yaml"
    questions.write_text(
        questions.read_text(encoding="utf-8").rstrip("\n") + "\n" + EXTRA_QUESTIONS,
        encoding="utf-8",
    )
    return load_pack(pack_copy)
