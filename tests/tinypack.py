"""A tiny rule pack whose every score can be worked out by hand, for exact tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SOURCE = "https://example.org/tiny"


class _NoAliases(yaml.SafeDumper):
    """Rule packs refuse YAML aliases, so a value used twice is written out twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def score(route: str, points: int) -> dict[str, Any]:
    return {"route": route, "points": points, "reason": f"{route} {points:+d}", "source": SOURCE}


def tiny_pack_files(close_margin: int = 2) -> dict[str, Any]:
    """Routes a then b (b needs q4 not to be "no"); four questions whose points are:

    q1: x a+2, y b+1, z -    q2: p a+1, r b+2    q3 (number, min 0): below 10 a+1, 10+ b+1
    q4: yes a+1, no -
    """
    files: dict[str, Any] = {
        "pack.yaml": {
            "pack": {
                "name": "tiny",
                "version": "1",
                "effective": "2026-01-01",
                "close_call": {"margin": close_margin, "text": "Engage the market first."},
            }
        },
        "routes.yaml": {
            "routes": [
                {"id": "a", "label": "Route A", "summary": "A", "source": SOURCE},
                {
                    "id": "b",
                    "label": "Route B",
                    "summary": "B",
                    "source": SOURCE,
                    "prerequisites": [
                        {
                            "id": "not_no",
                            "requires": {"not": {"question": "q4", "equals": "no"}},
                            "unmet": "q4 says no",
                            "source": SOURCE,
                        }
                    ],
                },
            ]
        },
        "questions.yaml": {
            "questions": [
                {
                    "id": "q1",
                    "text": "Q1?",
                    "type": "choice",
                    "answers": [
                        {"id": "x", "label": "X", "scores": [score("a", 2)]},
                        {"id": "y", "label": "Y", "scores": [score("b", 1)]},
                        {"id": "z", "label": "Z"},
                    ],
                },
                {
                    "id": "q2",
                    "text": "Q2?",
                    "type": "choice",
                    "answers": [
                        {"id": "p", "label": "P", "scores": [score("a", 1)]},
                        {"id": "r", "label": "R", "scores": [score("b", 2)]},
                    ],
                },
                {
                    "id": "q3",
                    "text": "Q3?",
                    "type": "number",
                    "min": 0,
                    "bands": [
                        {"id": "low", "label": "under 10", "below": 10, "scores": [score("a", 1)]},
                        {"id": "high", "label": "10+", "at_least": 10, "scores": [score("b", 1)]},
                    ],
                },
                {
                    "id": "q4",
                    "text": "Q4?",
                    "type": "yesno",
                    "answers": [
                        {"id": "yes", "label": "Yes", "scores": [score("a", 1)]},
                        {"id": "no", "label": "No"},
                    ],
                },
            ]
        },
    }
    return files


def write_pack(folder: Path, files: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        text = yaml.dump(data, Dumper=_NoAliases, sort_keys=False)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def write_tiny_pack(folder: Path, close_margin: int = 2) -> Path:
    return write_pack(folder, tiny_pack_files(close_margin))
