"""What changed between two rule packs, in words, and which answer sets it moves.

A council that edits its pack (or takes a new version of the built-in one) needs to
see the edit as advice, not as a text diff: which points, thresholds and notes moved,
and which services would now be recommended a different route, and why.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from svadvisor.answers.validate import validate_answers
from svadvisor.errors import AnswersError, InputFileError
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import RulePack
from svadvisor.scoring import engine
from svadvisor.scoring.assessment import Assessment, RouteResult

Key = tuple[str, ...]

_WHOLE_KINDS = ("route", "question", "rule", "note", "threshold", "regime")


def _is_whole(key: Key) -> bool:
    """(kind, id) of a route, question, rule or note, as opposed to one of its details."""
    return len(key) == 2 and key[0] in _WHOLE_KINDS


_SECTIONS = (
    "pack",
    "route",
    "prerequisite",
    "evidence",
    "question",
    "rule",
    "contradiction",
    "note",
    "threshold",
    "regime",
)
"""The order changes are listed in (a question's answers, bands and points go with it)."""


def describe_condition(condition: cond.ConditionNode) -> str:
    """A condition in words: `providers is several and timescale is medium or long`."""
    if isinstance(condition, cond.StartDate):
        after, before = condition.starts_on_or_after, condition.starts_before
        words = [
            f"starts on or after {after}" if after else "",
            f"starts before {before}" if before else "",
        ]
        return " and ".join(w for w in words if w)
    if isinstance(condition, cond.Leaf):
        q = condition.question
        if condition.at_least_threshold is not None:
            return f"{q} reaches threshold {condition.at_least_threshold}"
        if condition.below_threshold is not None:
            return f"{q} is below threshold {condition.below_threshold}"
        if condition.answered is not None:
            return f"{q} is answered" if condition.answered else f"{q} is not answered"
        if condition.equals is not None:
            return f"{q} is {condition.equals}"
        if condition.in_ is not None:
            return f"{q} is {' or '.join(condition.in_)}"
        bounds = []
        if condition.at_least is not None:
            bounds.append(f"{q} >= {_number(condition.at_least)}")
        if condition.at_most is not None:
            bounds.append(f"{q} <= {_number(condition.at_most)}")
        return " and ".join(bounds)
    if isinstance(condition, cond.Not):
        return f"not ({describe_condition(condition.not_)})"
    parts, joiner = (
        (condition.all, " and ") if isinstance(condition, cond.AllOf) else (condition.any, " or ")
    )
    words = [describe_condition(c) for c in parts]
    nested = [
        f"({w})" if isinstance(c, cond.AllOf | cond.AnyOf) else w
        for c, w in zip(parts, words, strict=True)
    ]
    return joiner.join(nested)


def _number(value: float | date) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return f"{value:,g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _points(scores: Iterable[Any]) -> dict[str, int]:
    total: dict[str, int] = {}
    for s in scores:
        total[s.route] = total.get(s.route, 0) + s.points
    return total


def flatten(pack: RulePack) -> dict[Key, str]:
    """Every fact of a pack that changes advice or its wording, keyed so two packs compare."""
    facts: dict[Key, str] = {}
    meta = pack.meta
    for name in ("name", "version", "effective", "scope", "description"):
        facts[("pack", name)] = str(getattr(meta, name))
    if meta.close_call is not None:
        facts[("pack", "close_call margin")] = str(meta.close_call.margin)
        facts[("pack", "close_call text")] = meta.close_call.text
    if meta.confidence is not None:
        facts[("pack", "confidence strong_margin")] = str(meta.confidence.strong_margin)
        facts[("pack", "confidence moderate_margin")] = str(meta.confidence.moderate_margin)
    for route in pack.routes:
        facts[("route", route.id)] = route.label
        facts[("route", route.id, "label")] = route.label
        facts[("route", route.id, "summary")] = route.summary
        for p in route.prerequisites:
            facts[("prerequisite", route.id, p.id)] = describe_condition(p.requires)
        if route.baseline is not None:
            facts[("route", route.id, "baseline")] = f"{route.baseline.points:+d}"
        for e in route.evidence:
            facts[("evidence", route.id, e.id)] = describe_condition(e.when)
    for q in pack.questions:
        facts[("question", q.id)] = q.text
        facts[("question", q.id, "text")] = q.text
        facts[("question", q.id, "type")] = q.type
        if q.ask_when is not None:
            facts[("question", q.id, "ask_when")] = describe_condition(q.ask_when)
        for a in q.answers:
            facts[("answer", q.id, a.id)] = a.label
            for route_id, points in _points(a.scores).items():
                facts[("points", q.id, a.id, route_id)] = str(points)
        for b in q.bands:
            low = "" if b.at_least is None else f"at least {_number(b.at_least)}"
            high = "" if b.below is None else f"below {_number(b.below)}"
            facts[("band", q.id, b.id)] = " and ".join(x for x in (low, high) if x) or "any value"
            for route_id, points in _points(b.scores).items():
                facts[("points", q.id, f"band {b.id}", route_id)] = str(points)
    for rule in pack.rules:
        facts[("rule", rule.id)] = describe_condition(rule.when)
        for route_id, points in _points(rule.scores).items():
            facts[("rule", rule.id, route_id)] = str(points)
    for contradiction in pack.contradictions:
        facts[("contradiction", contradiction.id)] = describe_condition(contradiction.when)
    for note in pack.notes:
        facts[("note", note.id)] = note.title
        facts[("note", note.id, "title")] = note.title
        facts[("note", note.id, "text")] = note.text
        facts[("note", note.id, "when")] = (
            "always" if note.when is None else describe_condition(note.when)
        )
        facts[("note", note.id, "strength")] = note.strength
        facts[("note", note.id, "review_by")] = str(note.review_by)
        facts[("note", note.id, "sources")] = ", ".join(note.sources)
        if note.jurisdictions is not None:
            facts[("note", note.id, "jurisdictions")] = ", ".join(note.jurisdictions)
    for threshold in pack.thresholds:
        facts[("threshold", threshold.id)] = threshold.label
        for value in threshold.values:
            since = value.from_.isoformat() if value.from_ else "the start"
            facts[("threshold", threshold.id, f"value from {since}")] = _number(value.value)
    for regime in pack.regimes:
        facts[("regime", regime.id)] = regime.title
        facts[("regime", regime.id, "applies when")] = describe_condition(regime.applies_when)
        facts[("regime", regime.id, "text")] = regime.text
        facts[("regime", regime.id, "path")] = ", ".join(regime.path)
        for outcome in regime.outcomes:
            facts[("regime", regime.id, f"outcome {outcome.id}")] = describe_condition(outcome.when)
    return facts


def _signed(points: str | None) -> str:
    return "nothing" if points is None else f"{int(points):+d}"


def _sentence(key: Key, old: str | None, new: str | None) -> str:
    """One change in words."""
    kind, *rest = key
    if kind == "points":
        question, answer, route = rest
        return f"{question} = {answer}: {route} {_signed(old)} -> {_signed(new)}"
    if kind == "rule" and len(rest) == 2:
        return f"rule {rest[0]}: {rest[1]} {_signed(old)} -> {_signed(new)}"
    what = {
        ("route", 1): "route {0}",
        ("route", 2): "route {0} {1}",
        ("prerequisite", 2): "route {0} prerequisite {1}",
        ("evidence", 2): "route {0} evidence {1}",
        ("contradiction", 1): "contradiction {0}",
        ("question", 1): "question {0}",
        ("question", 2): "question {0} {1}",
        ("answer", 2): "{0}: answer {1}",
        ("band", 2): "{0}: band {1}",
        ("rule", 1): "rule {0}",
        ("note", 1): "note {0}",
        ("note", 2): "note {0} {1}",
        ("threshold", 1): "threshold {0}",
        ("threshold", 2): "threshold {0} {1}",
        ("regime", 1): "regime {0}",
        ("regime", 2): "regime {0} {1}",
        ("pack", 1): "pack {0}",
    }[(kind, len(rest))].format(*rest)
    if old is None:
        return f"{what} added: {new}"
    if new is None:
        return f"{what} removed (was: {old})"
    return f"{what}: {_short(old)} -> {_short(new)}"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _entity(key: Key) -> Key | None:
    """The whole a detail belongs to (a question's text belongs to the question)."""
    kind = key[0]
    if kind in _WHOLE_KINDS and len(key) > 2:
        return key[:2]
    if kind in ("prerequisite", "evidence"):
        return ("route", key[1])
    if kind in ("answer", "band"):
        return ("question", key[1])
    if kind == "points":
        return ("question", key[1])
    return None


def diff_packs(old: RulePack, new: RulePack) -> list[str]:
    """Each difference in words, in pack order: pack, routes, questions, rules, then
    notes, thresholds and regimes.

    An added or removed question, route, rule or note is one line, not one per detail.
    """
    before, after = flatten(old), flatten(new)
    keys = list(before) + [k for k in after if k not in before]
    whole_changes = {k for k in keys if _is_whole(k) and (k in before) != (k in after)}
    position = {key: i for i, key in enumerate(keys)}
    lines: list[tuple[int, int, int, str]] = []
    for index, key in enumerate(keys):
        was, now = before.get(key), after.get(key)
        if was == now or _entity(key) in whole_changes:
            continue
        if _is_whole(key) and was is not None and now is not None:
            continue  # the whole is in both packs: its details say what changed
        section = _SECTIONS.index(key[0]) if key[0] in _SECTIONS else len(_SECTIONS)
        if key[0] in ("answer", "band", "points"):
            section = _SECTIONS.index("question")
        whole = position.get(_entity(key) or key, index)  # a question's changes stay together
        lines.append((section, whole, index, _sentence(key, was, now)))
    return [text for *_, text in sorted(lines)]


# --- which answer sets change route -------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One answer set to compare: a pipeline row or a test case."""

    label: str
    answers: Mapping[str, Any]


@dataclass
class RowChange:
    row: Row
    old: Assessment
    new: Assessment
    reasons: list[str] = field(default_factory=list)


@dataclass
class RowsCompared:
    changed: list[RowChange]
    compared: int
    skipped: list[str]


def read_rows(path: Path, questions: Collection[str], *, sheet: str | None = None) -> list[Row]:
    """A pipeline sheet (CSV or XLSX, read as `svadvisor batch` reads it: any encoding it
    reads, a header below title rows: the first row naming one of `questions`) whose
    header names question ids; other columns are ignored, and a first column that is not
    a question names the row. Blank cells are "don't know"."""
    from svadvisor.pipeline.readers import is_blank, open_table

    if not path.is_file():
        raise InputFileError(f"{path}: pipeline file not found")
    rows = []

    def names_a_question(cells: list[str]) -> bool:
        return any(cell.strip() in questions for cell in cells)

    with open_table(path, sheet=sheet, is_header=names_a_question) as table:
        header = table.header
        if not any(header):
            raise InputFileError(f"{path}: the sheet has no header row of question ids")
        for row in table.rows:
            if is_blank(row.cells):
                continue
            cells = dict(zip(header, row.cells, strict=False))
            name = str(cells.get(header[0]) or "").strip()
            label = f"row {row.number}" + (f" ({name})" if name else "")
            answers = {k: v for k, v in cells.items() if k and str(v or "").strip()}
            rows.append(Row(label, answers))
    return rows


def _scored(pack: RulePack, answers: Mapping[str, Any], on: date) -> Assessment:
    known = {q.id for q in pack.questions}
    checked = validate_answers(pack, {k: v for k, v in answers.items() if k in known})
    return engine.assess(pack, checked, on=on, sensitivity=False)


def compare_rows(old: RulePack, new: RulePack, rows: Iterable[Row], *, on: date) -> RowsCompared:
    """The rows whose recommended route differs between the packs, each with its reasons."""
    changed: list[RowChange] = []
    skipped: list[str] = []
    compared = 0
    for row in rows:
        try:
            before = _scored(old, row.answers, on)
            after = _scored(new, row.answers, on)
        except AnswersError as exc:
            first = exc.problems[0]
            skipped.append(f"{row.label}: {first.path + ': ' if first.path else ''}{first.message}")
            continue
        compared += 1
        if before.ranking[0].route != after.ranking[0].route:
            changed.append(RowChange(row, before, after, _reasons(before, after)))
    return RowsCompared(changed, compared, skipped)


def _by_source(route: RouteResult) -> dict[str, int]:
    points: dict[str, int] = {}
    for c in route.contributions:
        where = f"rule {c.rule}" if c.rule else f"{c.question} = {c.answer}"
        points[where] = points.get(where, 0) + c.points
    return points


def _reasons(before: Assessment, after: Assessment) -> list[str]:
    """Scores of the two routes involved, then each point and prerequisite that moved."""
    routes = [before.ranking[0].route, after.ranking[0].route]
    old = {r.route: r for r in before.ranking}
    new = {r.route: r for r in after.ranking}
    reasons = [
        "; ".join(
            f"{r} {old[r].score} -> {new[r].score}" if r in old and r in new else r for r in routes
        )
    ]
    for r in routes:
        if r not in old or r not in new:
            continue
        was, now = _by_source(old[r]), _by_source(new[r])
        for where in list(was) + [w for w in now if w not in was]:
            if was.get(where) != now.get(where):
                a, b = was.get(where), now.get(where)
                reasons.append(
                    f"{r}: {where} {_signed(None if a is None else str(a))} "
                    f"-> {_signed(None if b is None else str(b))}"
                )
        if old[r].eligible != new[r].eligible:
            unmet = "; ".join(u.id for u in (new[r].unmet or old[r].unmet))
            state = "now fails" if old[r].eligible else "now meets"
            reasons.append(f"{r}: {state} its prerequisite ({unmet})")
    return reasons
