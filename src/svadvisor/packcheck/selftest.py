"""A rule pack's own test cases: real cases whose answers must give the route they took.

Like OpenFisca's YAML tests, each case is data kept beside the rules (`tests/*.yaml` in
the pack folder): a name, the public source of the case, answers, and what must come
out (winner, optionally runner-up, notes that must or must not apply). A council that
edits its weights runs `svadvisor rules test` to see which known cases it moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from svadvisor.answers.validate import validate_answers
from svadvisor.errors import AnswersError, Problem, ProblemsError
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.locate import read_document, validate_document
from svadvisor.rulepack.schema import Id, RulePack, Text, Url
from svadvisor.scoring import engine
from svadvisor.scoring.assessment import Assessment
from svadvisor.suggest import did_you_mean
from svadvisor.yamlfile import PathKey, YamlDocument, format_path

TESTS_FOLDER = "tests"


class PackTestError(ProblemsError):
    """Test case files that cannot be read or do not fit the pack."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Strict):
    winner: Id
    runner_up: Id | None = None
    notes_apply: list[Id] = []
    notes_absent: list[Id] = []


class PackCase(_Strict):
    """One real case: `name` and `sources` say which, `reading` how the answers read it."""

    name: Text
    sources: list[Url] = Field(min_length=1)
    reading: str = ""
    answers: dict[str, Any]
    expect: Expect


class CaseFile(_Strict):
    """The file's shape; each case is checked on its own, so one bad case hides no other."""

    tests: list[dict[str, Any]] = Field(min_length=1)


@dataclass(frozen=True)
class LoadedCase:
    case: PackCase
    file: str
    line: int | None
    answers: dict[str, Answer]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Mismatch:
    what: str
    expected: str
    got: str


@dataclass(frozen=True)
class CaseResult:
    loaded: LoadedCase
    result: Assessment
    mismatches: list[Mismatch]

    @property
    def passed(self) -> bool:
        return not self.mismatches


def case_files(directory: Path) -> list[Path]:
    folder = directory / TESTS_FOLDER
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def load_pack_tests(pack: RulePack, directory: Path) -> list[LoadedCase]:
    """Every case in the pack's `tests/` folder, checked against the pack; every problem
    located (FILE:LINE:COL: tests[i].field: message) at once."""
    problems: list[Problem] = []
    loaded: list[LoadedCase] = []
    for path in case_files(directory):
        doc, parsed = read_document(path, CaseFile, problems)
        if doc is None or parsed is None:
            continue
        for i in range(len(parsed.tests)):
            base: PathKey = ("tests", i)
            case, found = validate_document(_within(doc, base), PackCase)
            problems += [_prefixed(p, base) for p in found]
            if case is None:
                continue
            problems += _reference_problems(pack, case, doc, base)
            try:
                answers = validate_answers(pack, case.answers, doc=_within(doc, (*base, "answers")))
            except AnswersError as exc:
                problems += [_prefixed(p, (*base, "answers")) for p in exc.problems]
                continue
            loaded.append(LoadedCase(case, doc.file, doc.locate(base)[0], answers))
    if problems:
        raise PackTestError(problems, f"{len(problems)} problem(s) in the pack's test cases")
    return loaded


def _within(doc: YamlDocument, prefix: PathKey) -> YamlDocument:
    """The part of a document under `prefix`, keeping each value's line and column."""
    cut = len(prefix)
    data = doc.data
    for part in prefix:
        data = data[part]
    return YamlDocument(
        doc.file,
        data,
        {k[cut:]: v for k, v in doc.marks.items() if k[:cut] == prefix},
        {k[cut:]: v for k, v in doc.key_marks.items() if k[:cut] == prefix},
    )


def _prefixed(problem: Problem, prefix: PathKey) -> Problem:
    inner = problem.path or ""
    path = format_path(prefix) + (inner if inner.startswith("[") else f".{inner}" if inner else "")
    return Problem(problem.message, problem.file, problem.line, problem.column, path)


def _reference_problems(
    pack: RulePack, case: PackCase, doc: YamlDocument, base: PathKey
) -> Iterable[Problem]:
    routes = [r.id for r in pack.routes]
    notes = [n.id for n in pack.notes]
    expect = case.expect
    for key, route in (("winner", expect.winner), ("runner_up", expect.runner_up)):
        if route is not None and route not in routes:
            yield doc.problem(
                (*base, "expect", key),
                f"unknown route {route!r}{did_you_mean(route, routes)}; known: {', '.join(routes)}",
            )
    for key in ("notes_apply", "notes_absent"):
        for j, note in enumerate(getattr(expect, key)):
            if note not in notes:
                yield doc.problem(
                    (*base, "expect", key, j),
                    f"unknown note {note!r}{did_you_mean(note, notes)}; "
                    f"known: {', '.join(notes) or 'none'}",
                )


def run_case(pack: RulePack, loaded: LoadedCase, *, on: date) -> CaseResult:
    result = engine.assess(pack, loaded.answers, on=on, sensitivity=False)
    expect = loaded.case.expect
    labels = {r.route: f"{r.route} ({r.score} points)" for r in result.ranking}
    mismatches: list[Mismatch] = []
    if result.ranking[0].route != expect.winner:
        mismatches.append(
            Mismatch(
                "winner", labels.get(expect.winner, expect.winner), labels[result.ranking[0].route]
            )
        )
    if expect.runner_up is not None and result.ranking[1].route != expect.runner_up:
        mismatches.append(
            Mismatch(
                "runner-up",
                labels.get(expect.runner_up, expect.runner_up),
                labels[result.ranking[1].route],
            )
        )
    applied = {n.id for n in result.notes}
    for note in expect.notes_apply:
        if note not in applied:
            mismatches.append(Mismatch("note", f"{note} applies", f"{note} does not apply"))
    for note in expect.notes_absent:
        if note in applied:
            mismatches.append(Mismatch("note", f"{note} does not apply", f"{note} applies"))
    return CaseResult(loaded, result, mismatches)


def run_cases(pack: RulePack, directory: Path, *, on: date) -> list[CaseResult]:
    return [run_case(pack, c, on=on) for c in load_pack_tests(pack, directory)]
