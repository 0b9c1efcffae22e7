"""The answer space of each question type: what the searches try, and why that is all."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tests.tinypack import SOURCE, score, tiny_pack_files, write_pack

from svadvisor.answers.validate import validate_answers
from svadvisor.rulepack.load import load_pack
from svadvisor.rulepack.schema import RulePack
from svadvisor.scoring import engine
from svadvisor.scoring.answerspace import answer_spaces

TODAY = date(2026, 11, 25)


def pack_with_more_types(folder: Path) -> RulePack:
    """The tiny pack plus a date tested by a rule, a date nothing reads, a multiple
    choice, and a number threshold inside q3's "10+" band."""
    files = tiny_pack_files()
    questions = files["questions.yaml"]["questions"]
    questions += [
        {"id": "start", "text": "Start?", "type": "date"},
        {"id": "signed", "text": "Signed?", "type": "date"},
        {
            "id": "q6",
            "text": "Pick any",
            "type": "multi",
            "answers": [
                {"id": "m1", "label": "M1", "scores": [score("b", 2)]},
                {"id": "m2", "label": "M2", "scores": [score("b", 2)]},
                {"id": "m3", "label": "M3"},
            ],
        },
    ]
    files["scoring.yaml"] = {
        "rules": [
            {
                "id": "late_start",
                "when": {"question": "start", "at_least": date(2026, 4, 1)},
                "scores": [score("b", 2)],
            },
            {"id": "big", "when": {"question": "q3", "at_most": 100}, "scores": [score("a", 1)]},
        ]
    }
    files["notes.yaml"] = {
        "notes": [
            {
                "id": "huge",
                "title": "Huge",
                "text": "Only notes read this threshold.",
                "when": {"question": "q3", "at_least": 5000},
                "sources": [SOURCE],
                "checked": "2026-01-01",
                "review_by": "2027-01-01",
                "strength": "consider",
            }
        ]
    }
    return load_pack(write_pack(folder, files))


def test_each_type_is_tried_once_per_class_it_can_score_in(tmp_path: Path) -> None:
    pack = pack_with_more_types(tmp_path / "pack")
    spaces = answer_spaces(pack)
    assert spaces["q1"].values == ("x", "y", "z")
    # bands cut q3 at 10 (min 0) and the rule `q3 <= 100` cuts "10+": one value per stretch
    assert spaces["q3"].values == (5, 55, 200)
    # a date is tried before and on the one date a rule compares it with
    assert spaces["start"].values == (date(2026, 3, 31), date(2026, 4, 1))
    assert spaces["signed"].values == ()
    assert spaces["signed"].note == "no condition tests this date: it cannot change a score"
    # m3 neither scores nor is tested, so only m1 and m2 are combined
    assert spaces["q6"].values == ((), ("m1",), ("m2",), ("m1", "m2"))
    # a note's threshold changes no score: it counts only when lint asks for it
    assert answer_spaces(pack, with_notes=True)["q3"].values == (5, 55, 2550, 5000)


def test_dates_and_multiple_choices_flip_through_their_classes(tmp_path: Path) -> None:
    pack = pack_with_more_types(tmp_path / "pack")
    raw: dict[str, Any] = {"q1": "x", "q2": "r", "q6": ["m3"]}  # a 2, b 2: a wins the tie
    result = engine.assess(pack, validate_answers(pack, raw), on=TODAY)
    flips = {(c.question, str(c.to)) for f in result.what_would_change for c in f.changes}
    assert ("start", "2026-04-01") in flips
    assert ("start", "2026-03-31") not in flips
    # the smallest changes only: m1 or m2 added (m3 kept); not both at once
    assert ("q6", "['m1', 'm3']") in flips and ("q6", "['m2', 'm3']") in flips
    assert ("q6", "['m1', 'm2', 'm3']") not in flips
    assert not [q for q, _ in flips if q == "signed"]
