"""Measure a rule pack against real decisions: `svadvisor rules evaluate [DIR]`.

A folder of labelled cases (`cases/*.yaml`, one real UK decision or published notice
each, see the built-in pack's `evaluation/CODING.md`) and the targets it must reach
(`targets.yaml`). Each case's answers were written from its published facts before the
pack was run on it; the `test` split is never tuned to. The report gives top-route
accuracy per split, precision and recall per route, a confusion matrix, every miss with
its margin and the points that decided it, and the plain market purchases among the
notices that went elsewhere with a confidence above weak.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from svadvisor.answers.validate import validate_answers
from svadvisor.errors import AnswersError, Problem, ProblemsError
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.locate import read_document, validate_document
from svadvisor.rulepack.schema import Id, RulePack, Text, Url
from svadvisor.scoring import engine
from svadvisor.scoring.assessment import Assessment
from svadvisor.suggest import did_you_mean
from svadvisor.yamlfile import YamlDocument, YamlProblem, load_yaml_file

EVALUATION_FOLDER = "evaluation"
"""Where a pack keeps its labelled cases (DIR/evaluation/ by default)."""

SPLITS = ("dev", "test")
TIE = "tie"
"""The column of the confusion matrix for an exact tie at the top (counted as a miss)."""
ABOVE_WEAK = ("strong", "moderate")


class EvaluationError(ProblemsError):
    """Case or target files that cannot be read or do not fit the pack."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoticeRef(_Strict):
    """Where a notice case comes from, so it can be traced back to the published release."""

    file: Text
    ocid: Text
    title: Text
    release_id: str | None = None


class EvaluationCase(_Strict):
    """One labelled case: a real decision (or notice), the route taken, and the answers
    coded from its published facts."""

    id: Text
    kind: Literal["decision", "notice"]
    name: Text
    route: Id
    confidence: Literal["high", "medium"]
    runner_up: Id | None = None
    split: Literal["dev", "test"]
    checked: date
    sources: list[Url] = Field(min_length=1)
    facts: list[Text] = Field(min_length=1)
    notice: NoticeRef | None = None
    answers: dict[str, Any]


class Targets(_Strict):
    """`targets.yaml`: the figures a pack must reach on its cases."""

    accuracy: float = Field(ge=0, le=1)
    """Top-route accuracy each split must reach (dev and test alike)."""
    recall: float = Field(ge=0, le=1)
    """Every route's recall over all cases."""
    notices_above_weak: int = Field(ge=0)
    """How many plain market purchases (notice cases) may go to another route with a
    confidence above weak."""


class TargetsFile(_Strict):
    targets: Targets


@dataclass(frozen=True)
class Loaded:
    case: EvaluationCase
    file: str
    answers: dict[str, Answer]


@dataclass(frozen=True)
class Decider:
    """A contribution that separated the winner from the documented route."""

    question: str
    reason: str
    points: int
    route: str


@dataclass(frozen=True)
class CaseOutcome:
    case: EvaluationCase
    file: str
    top: str
    """The top route, or `tie`."""
    hit: bool
    margin: int
    confidence: str
    recommended: str | None
    deciders: list[Decider]


@dataclass
class Figures:
    """The figures for one set of cases (a split, or all)."""

    cases: int = 0
    hits: int = 0
    strict_hits: int = 0

    @property
    def accuracy(self) -> float:
        return self.hits / self.cases if self.cases else 0.0


@dataclass
class Report:
    pack: str
    folder: str
    targets: Targets | None
    outcomes: list[CaseOutcome]
    routes: list[str]
    splits: dict[str, Figures] = field(default_factory=dict)
    precision: dict[str, float | None] = field(default_factory=dict)
    recall: dict[str, float | None] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    notices_above_weak: list[CaseOutcome] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def misses(self) -> list[CaseOutcome]:
        return [o for o in self.outcomes if not o.hit]

    def as_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "folder": self.folder,
            "targets": self.targets.model_dump() if self.targets else None,
            "splits": {
                name: {
                    "cases": f.cases,
                    "hits": f.hits,
                    "strict_hits": f.strict_hits,
                    "accuracy": round(f.accuracy, 4),
                }
                for name, f in self.splits.items()
            },
            "precision": _rounded(self.precision),
            "recall": _rounded(self.recall),
            "confusion": self.confusion,
            "misses": [_outcome_json(o) for o in self.misses],
            "notices_above_weak": [_outcome_json(o) for o in self.notices_above_weak],
            "cases": [_outcome_json(o) for o in self.outcomes],
            "failures": self.failures,
            "passed": not self.failures,
        }


def _rounded(values: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if v is None else round(v, 4) for k, v in values.items()}


def _outcome_json(o: CaseOutcome) -> dict[str, Any]:
    return {
        "id": o.case.id,
        "name": o.case.name,
        "kind": o.case.kind,
        "split": o.case.split,
        "route": o.case.route,
        "runner_up": o.case.runner_up,
        "top": o.top,
        "hit": o.hit,
        "margin": o.margin,
        "confidence": o.confidence,
        "recommended": o.recommended,
        "deciders": [d.__dict__ for d in o.deciders],
        "file": o.file,
    }


def evaluation_files(folder: Path) -> list[Path]:
    cases = folder / "cases"
    where = cases if cases.is_dir() else folder
    return sorted(p for p in where.glob("*.yaml") if p.is_file())


def load_targets(folder: Path) -> Targets | None:
    path = folder / "targets.yaml"
    if not path.is_file():
        return None
    try:
        doc = load_yaml_file(path)
    except YamlProblem as exc:
        raise EvaluationError([exc.problem], "the targets file does not read") from None
    parsed, problems = validate_document(doc, TargetsFile)
    if parsed is None:
        raise EvaluationError(problems, "the targets file does not fit")
    return parsed.targets


def load_evaluation_cases(pack: RulePack, folder: Path) -> list[Loaded]:
    """Every case in the folder, checked against the pack; every problem located."""
    if not folder.is_dir():
        raise EvaluationError(
            [Problem("no such folder of evaluation cases", str(folder))], "no evaluation folder"
        )
    routes = [r.id for r in pack.routes]
    problems: list[Problem] = []
    loaded: list[Loaded] = []
    seen: dict[str, str] = {}
    for path in evaluation_files(folder):
        doc, case = read_document(path, EvaluationCase, problems)
        if doc is None or case is None:
            continue
        problems += list(_case_problems(case, doc, path, routes, seen))
        try:
            answers = validate_answers(pack, case.answers, doc=_answers_doc(doc))
        except AnswersError as exc:
            problems += [_under_answers(p) for p in exc.problems]
            continue
        loaded.append(Loaded(case, doc.file, answers))
    if problems:
        raise EvaluationError(problems, f"{len(problems)} problem(s) in the evaluation cases")
    if not loaded:
        raise EvaluationError(
            [Problem("no case files (cases/*.yaml) to evaluate", str(folder))], "no cases"
        )
    return loaded


def _case_problems(
    case: EvaluationCase, doc: YamlDocument, path: Path, routes: list[str], seen: dict[str, str]
) -> list[Problem]:
    found = []
    for key in ("route", "runner_up"):
        route = getattr(case, key)
        if route is not None and route not in routes:
            found.append(
                doc.problem(
                    (key,),
                    f"unknown route {route!r}{did_you_mean(route, routes)}; "
                    f"known: {', '.join(routes)}",
                )
            )
    if case.confidence == "medium" and case.runner_up is None:
        found.append(doc.problem(("confidence",), "a medium case names its acceptable runner_up"))
    if case.confidence == "high" and case.runner_up is not None:
        found.append(doc.problem(("runner_up",), "only a medium case has an acceptable runner_up"))
    if case.id != path.stem:
        found.append(doc.problem(("id",), f"the id must be the file's name, {path.stem!r}"))
    if case.id in seen:
        found.append(doc.problem(("id",), f"duplicate id {case.id!r} (also in {seen[case.id]})"))
    seen[case.id] = str(path)
    return found


def _answers_doc(doc: YamlDocument) -> YamlDocument:
    return YamlDocument(
        doc.file,
        doc.data.get("answers") if isinstance(doc.data, dict) else None,
        {k[1:]: v for k, v in doc.marks.items() if k[:1] == ("answers",)},
        {k[1:]: v for k, v in doc.key_marks.items() if k[:1] == ("answers",)},
    )


def _under_answers(problem: Problem) -> Problem:
    inner = problem.path or ""
    return Problem(
        problem.message,
        problem.file,
        problem.line,
        problem.column,
        f"answers.{inner}" if inner else "answers",
    )


def evaluate(pack: RulePack, folder: Path, *, on: date, only: str | None = None) -> Report:
    """Run the pack on every case in the folder and work out the figures; `only` (a split)
    keeps the figures to that split's cases, so weights are tuned without seeing `test`.
    Targets are then checked on that split alone."""
    targets = load_targets(folder)
    loaded = load_evaluation_cases(pack, folder)
    if only is not None:
        loaded = [item for item in loaded if item.case.split == only]
    routes = [r.id for r in pack.routes]
    outcomes = [_run(pack, item, on=on) for item in loaded]
    report = Report(
        pack=f"{pack.meta.name} {pack.meta.version} (sha256 {pack.sha256})",
        folder=str(folder),
        targets=targets,
        outcomes=outcomes,
        routes=routes,
    )
    for split in SPLITS if only is None else (only,):
        figures = Figures()
        for o in outcomes:
            if o.case.split == split:
                figures.cases += 1
                figures.hits += o.hit
                figures.strict_hits += o.top == o.case.route
        report.splits[split] = figures
    everything = Figures(
        cases=len(outcomes),
        hits=sum(o.hit for o in outcomes),
        strict_hits=sum(o.top == o.case.route for o in outcomes),
    )
    if only is None:
        report.splits["all"] = everything
    report.confusion = {route: {column: 0 for column in [*routes, TIE]} for route in routes}
    for o in outcomes:
        report.confusion[o.case.route][o.top] += 1
    # a medium case whose top route is its acceptable runner-up counts for that route
    credited = Counter(o.case.route for o in outcomes if o.hit)
    predicted = Counter(o.top for o in outcomes)
    documented = Counter(o.case.route for o in outcomes)
    for route in routes:
        correct_as_top = sum(1 for o in outcomes if o.hit and o.top == route)
        report.precision[route] = correct_as_top / predicted[route] if predicted[route] else None
        report.recall[route] = credited[route] / documented[route] if documented[route] else None
    report.notices_above_weak = [
        o
        for o in outcomes
        if o.case.kind == "notice" and o.top != o.case.route and o.confidence in ABOVE_WEAK
    ]
    report.failures = _failures(report)
    return report


def _failures(report: Report) -> list[str]:
    targets = report.targets
    if targets is None:
        return []
    failures = []
    for split in SPLITS:
        if split not in report.splits:
            continue
        figures = report.splits[split]
        if figures.cases and figures.accuracy < targets.accuracy:
            failures.append(
                f"{split} accuracy {figures.accuracy:.1%} is below the target "
                f"{targets.accuracy:.0%}"
            )
    for route, recall in report.recall.items():
        if recall is not None and recall < targets.recall:
            failures.append(f"{route} recall {recall:.1%} is below the target {targets.recall:.0%}")
    if len(report.notices_above_weak) > targets.notices_above_weak:
        failures.append(
            f"{len(report.notices_above_weak)} plain market purchase(s) sent to another route "
            f"with a confidence above weak (target: at most {targets.notices_above_weak})"
        )
    return failures


def _run(pack: RulePack, item: Loaded, *, on: date) -> CaseOutcome:
    result = engine.assess(pack, item.answers, on=on, sensitivity=False)
    case = item.case
    top = TIE if result.tie else result.ranking[0].route
    hit = top == case.route or (case.confidence == "medium" and top == case.runner_up)
    return CaseOutcome(
        case=case,
        file=item.file,
        top=top,
        hit=hit,
        margin=result.margin,
        confidence=result.confidence.level if result.confidence else "",
        recommended=result.recommended,
        deciders=[] if hit else deciders(result, case.route),
    )


def deciders(result: Assessment, documented: str, most: int = 4) -> list[Decider]:
    """The points that most separated the winner from the documented route: the winner's
    largest gains the documented route did not share, and the documented route's losses."""
    by_route = {r.route: r for r in result.ranking}
    winner = result.ranking[0]
    other = by_route[documented]

    def key(c: Any) -> tuple[str, str]:
        return (c.rule or c.question, c.reason)

    theirs = {key(c): c.points for c in other.contributions}
    ours = {key(c): c.points for c in winner.contributions}
    found = [
        Decider(c.rule or c.question, c.reason, c.points, winner.route)
        for c in winner.contributions
        if c.points > theirs.get(key(c), 0)
    ]
    found += [
        Decider(c.rule or c.question, c.reason, c.points, documented)
        for c in other.contributions
        if c.points < ours.get(key(c), 0) or (c.points < 0 and key(c) not in ours)
    ]
    found.sort(key=lambda d: -abs(d.points))
    return found[:most]
