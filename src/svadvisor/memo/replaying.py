"""Replaying a memo: reading its reproducibility block back (from the Markdown, or a
Word memo's document properties), re-running the recorded answers with a rule pack, and
saying what differs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from svadvisor.answers.validate import validate_answers
from svadvisor.errors import InputFileError, ProblemsError
from svadvisor.memo.record import REPLAY_MARKER, find_block
from svadvisor.memo.word import read_docx_record
from svadvisor.rulepack.schema import RulePack
from svadvisor.scoring import engine
from svadvisor.scoring.assessment import Assessment, RulePackInfo
from svadvisor.yamlfile import YamlDocument, YamlProblem, parse_yaml, read_text


class RecordedResult(BaseModel):
    recommended: str
    runner_up: str
    margin: int
    scores: dict[str, int]


class MemoRecord(BaseModel):
    """What a memo's reproducibility block recorded."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)

    file: str = ""
    svadvisor: str = ""
    rule_pack: RulePackInfo
    assessed_on: date
    """The day of the assessment: what `on` was, and so the day replay assesses for."""
    thresholds_on: date
    """The day threshold values were chosen for (a planned start date, else assessed_on)."""
    result: RecordedResult
    answers: dict[str, Any] | None = None
    answers_doc: YamlDocument | None = Field(default=None, exclude=True)
    """The recorded answers, with their lines in the memo file (for located errors)."""


def _shifted(doc: YamlDocument, lines: int, root: tuple[str, ...] = ()) -> YamlDocument:
    """The part of `doc` under `root`, with line numbers moved to where the block sits."""
    depth = len(root)

    def move(table: dict[Any, tuple[int, int]]) -> dict[Any, tuple[int, int]]:
        return {
            path[depth:]: (line + lines, column)
            for path, (line, column) in table.items()
            if path[:depth] == root
        }

    data = doc.data
    for part in root:
        data = data.get(part) if isinstance(data, dict) else None
    return YamlDocument(doc.file, data, move(doc.marks), move(doc.key_marks))


def is_docx(path: Path) -> bool:
    """A Word memo: by its suffix, or by starting as a zip file does."""
    if path.suffix.lower() == ".docx":
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def read_memo_record(path: Path) -> MemoRecord:
    """Read a memo's reproducibility block (from the Markdown, or from a Word memo's
    document properties); a damaged block is a located error."""
    if is_docx(path):
        block, first_line, display = read_docx_record(path), 1, f"{path} (replay record)"
        if not block.endswith("\n"):
            block += "\n"
    else:
        try:
            text = read_text(path, str(path))
        except YamlProblem as exc:
            raise InputFileError(str(exc.problem)) from None
        block, first_line = find_block(text, str(path))
        display = str(path)
    if not block.startswith(REPLAY_MARKER):
        raise InputFileError(f"{display}: the replay record does not start '{REPLAY_MARKER}'")
    try:
        doc = _shifted(parse_yaml(block, display), first_line - 1)
    except YamlProblem as exc:
        problem = exc.problem
        if problem.line is not None:
            problem = replace(problem, line=problem.line + first_line - 1)
        raise InputFileError(str(problem)) from None
    try:
        record = MemoRecord.model_validate(doc.data)
    except ValidationError as exc:
        problems = [
            doc.problem(tuple(error["loc"]), error["msg"][:1].lower() + error["msg"][1:])
            for error in exc.errors()
        ]
        raise ProblemsError(problems, f"{path}: the reproducibility block is damaged") from None
    return record.model_copy(
        update={"file": str(path), "answers_doc": _shifted(doc, 0, ("answers",))}
    )


@dataclass(frozen=True)
class Replay:
    """A memo's recorded result beside what the rule pack says now."""

    record: MemoRecord
    current: Assessment
    result_changes: list[str]
    """Winner, runner-up or a score that differs from the memo."""
    pack_changes: list[str]
    """The rule pack's name, version or sha256, where it differs from the memo's."""

    @property
    def same(self) -> bool:
        """The same winner, runner-up and every score (a changed pack alone is not a change)."""
        return not self.result_changes

    @property
    def recommendation_same(self) -> bool:
        return self.current.winner.route == self.record.result.recommended

    def to_json(self) -> dict[str, Any]:
        current = self.current
        return {
            "memo": self.record.file,
            "same": self.same,
            "recommendation_same": self.recommendation_same,
            "pack_same": not self.pack_changes,
            "changes": [*self.result_changes, *self.pack_changes],
            "recorded": self.record.model_dump(mode="json", exclude={"file", "answers"}),
            "current": {
                "rule_pack": current.rule_pack.model_dump(),
                "result": {
                    "recommended": current.winner.route,
                    "runner_up": current.runner_up.route,
                    "margin": current.margin,
                    "scores": {r.route: r.score for r in current.ranking},
                },
            },
        }


def _shown(score: int | None) -> str:
    return "absent" if score is None else str(score)


def replay(record: MemoRecord, pack: RulePack) -> Replay:
    """Re-run the recorded answers with `pack` on the recorded day; list what differs."""
    answers = validate_answers(pack, record.answers or {}, doc=record.answers_doc)
    current = engine.assess(pack, answers, on=record.assessed_on)
    was = record.result
    changes: list[str] = []
    if current.winner.route != was.recommended:
        changes.append(f"recommended: {was.recommended} -> {current.winner.route}")
    if current.runner_up.route != was.runner_up:
        changes.append(f"runner-up: {was.runner_up} -> {current.runner_up.route}")
    now = {r.route: r.score for r in current.ranking}
    for route in [*was.scores, *(r for r in now if r not in was.scores)]:
        before, after = was.scores.get(route), now.get(route)
        if before != after:
            changes.append(f"score {route}: {_shown(before)} -> {_shown(after)}")
    pack_changes = [
        f"rule pack {key}: {getattr(record.rule_pack, key)} -> {getattr(current.rule_pack, key)}"
        for key in ("name", "version", "sha256")
        if getattr(record.rule_pack, key) != getattr(current.rule_pack, key)
    ]
    return Replay(record, current, changes, pack_changes)
