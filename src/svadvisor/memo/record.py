"""A memo's reproducibility block: the fenced YAML record (svadvisor version, rule
pack, dates, result, answers) that a memo ends with, and finding it in a memo's text.
"""

from __future__ import annotations

from datetime import date

import yaml

from svadvisor.errors import InputFileError
from svadvisor.scoring.assessment import Assessment

REPLAY_MARKER = "# svadvisor-replay 1"
"""First line of a memo's reproducibility block: how `memo replay` finds it."""


def replay_block(assessment: Assessment, *, on: date) -> str:
    """The fenced YAML block `memo replay` reads back: enough to re-run the assessment."""
    from svadvisor import __version__

    record = {
        "svadvisor": __version__,
        "rule_pack": assessment.rule_pack.model_dump(),
        "assessed_on": on.isoformat(),
        "thresholds_on": assessment.procurement_date.isoformat(),
        "result": {
            "recommended": assessment.winner.route,
            "runner_up": assessment.runner_up.route,
            "margin": assessment.margin,
            "scores": {r.route: r.score for r in assessment.ranking},
        },
        "answers": assessment.answers,
    }
    body = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=1000)
    return f"```yaml\n{REPLAY_MARKER}: re-run with `svadvisor memo replay MEMO.md`\n{body}```"


def find_block(text: str, file: str) -> tuple[str, int]:
    """The reproducibility block's YAML and the memo line it starts on."""
    lines = text.splitlines()
    found: list[tuple[str, int]] = []
    for i, line in enumerate(lines[:-1]):
        if line.strip().startswith("```") and lines[i + 1].startswith(REPLAY_MARKER):
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), None)
            if end is None:
                raise InputFileError(f"{file}:{i + 1}: the reproducibility block is not closed")
            found.append(("\n".join(lines[i + 1 : end]) + "\n", i + 2))
    if not found:
        raise InputFileError(
            f"{file}: no reproducibility block (a ```yaml block starting '{REPLAY_MARKER}'); "
            "is this a Markdown memo written by svadvisor?"
        )
    if len(found) > 1:
        raise InputFileError(f"{file}: {len(found)} reproducibility blocks; keep one")
    return found[0]
