"""A folder of YAML files -> a validated rule pack, or every problem located at once.

This is the only module that reads a rule pack from disk. Checking happens in two
passes: each file against its schema (pydantic), then the references between files
(a score naming a route, a condition naming an answer). Both passes collect problems
instead of stopping at the first, so a council editing its pack fixes everything in
one go.
"""

from __future__ import annotations

import hashlib
import itertools
import typing
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from svadvisor import conditions as cond
from svadvisor.errors import Problem, RulePackError
from svadvisor.model import (
    DONT_KNOW,
    AnswerOption,
    NotesFile,
    PackMetaFile,
    Question,
    QuestionsFile,
    RoutesFile,
    RulePack,
    RulesFile,
)
from svadvisor.yamlfile import PathKey, YamlDocument, YamlProblem, load_yaml_file

PACK_FILES: dict[str, tuple[type[BaseModel], bool]] = {
    "pack.yaml": (PackMetaFile, True),
    "routes.yaml": (RoutesFile, True),
    "questions.yaml": (QuestionsFile, True),
    "scoring.yaml": (RulesFile, False),
    "notes.yaml": (NotesFile, False),
}
"""Each file of a pack, its schema, and whether the pack needs it."""

YESNO_DEFAULTS = (AnswerOption(id="yes", label="Yes"), AnswerOption(id="no", label="No"))


def builtin_pack_dir() -> Path:
    """The pack shipped in the wheel, or `rules/` beside `src/` in a source checkout."""
    shipped = Path(str(resources.files("svadvisor") / "rules"))
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[2] / "rules"


@lru_cache(maxsize=8)
def _load_cached(directory: str, stamp: tuple[tuple[str, float, int], ...]) -> RulePack:
    return _load(Path(directory))


def load_pack(directory: Path | str | None = None) -> RulePack:
    """Load and validate a rule pack folder (the built-in one when None).

    Loading is cached per folder and file timestamps, so a long run pays for it once.
    """
    path = Path(directory) if directory is not None else builtin_pack_dir()
    if not path.exists():
        raise RulePackError([Problem("rule pack folder not found", str(path))], "no rule pack")
    if not path.is_dir():
        raise RulePackError(
            [Problem("a rule pack is a folder of YAML files, not a file", str(path))],
            "no rule pack",
        )
    stamp = tuple((p.name, p.stat().st_mtime, p.stat().st_size) for p in sorted(_pack_files(path)))
    return _load_cached(str(path), stamp)


def _pack_files(directory: Path) -> Iterator[Path]:
    for p in directory.rglob("*"):
        rel = p.relative_to(directory)
        if p.is_file() and not any(part.startswith((".", "__")) for part in rel.parts):
            yield p


def pack_sha256(directory: Path) -> str:
    """sha256 over every file of the pack, in sorted path order, names included."""
    digest = hashlib.sha256()
    for p in sorted(_pack_files(directory), key=lambda p: p.relative_to(directory).as_posix()):
        data = p.read_bytes()
        rel = p.relative_to(directory).as_posix().encode()
        digest.update(rel + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()


def _load(directory: Path) -> RulePack:
    problems: list[Problem] = []
    docs: dict[str, YamlDocument] = {}
    parsed: dict[str, BaseModel] = {}
    for name, (schema, required) in PACK_FILES.items():
        file = directory / name
        display = str(file)
        if not file.exists():
            if required:
                problems.append(Problem(f"missing: a rule pack needs {name}", display))
            continue
        try:
            doc = load_yaml_file(file, display)
        except YamlProblem as exc:
            problems.append(exc.problem)
            continue
        docs[name] = doc
        try:
            parsed[name] = schema.model_validate(doc.data)
        except ValidationError as exc:
            problems.extend(_schema_problems(exc, doc, schema))
    if problems:
        raise RulePackError(problems, f"rule pack {directory} has {len(problems)} problem(s)")

    meta = typing.cast(PackMetaFile, parsed["pack.yaml"]).pack
    routes = typing.cast(RoutesFile, parsed["routes.yaml"]).routes
    questions = [
        _with_defaults(q) for q in typing.cast(QuestionsFile, parsed["questions.yaml"]).questions
    ]
    rules = typing.cast(RulesFile, parsed.get("scoring.yaml", RulesFile())).rules
    notes = typing.cast(NotesFile, parsed.get("notes.yaml", NotesFile())).notes
    pack = RulePack(
        meta=meta,
        routes=routes,
        questions=questions,
        rules=rules,
        notes=notes,
        sha256=pack_sha256(directory),
        source=str(directory),
    )
    problems = list(check_references(pack, docs))
    if problems:
        raise RulePackError(problems, f"rule pack {directory} has {len(problems)} problem(s)")
    return pack


def _with_defaults(question: Question) -> Question:
    if question.type == "yesno" and not question.answers:
        return question.model_copy(update={"answers": list(YESNO_DEFAULTS)})
    return question


# --- schema errors -> located problems -------------------------------------------


def _schema_problems(
    exc: ValidationError, doc: YamlDocument, schema: type[BaseModel]
) -> Iterator[Problem]:
    for error in exc.errors():
        path = _data_path(error["loc"], doc.data)
        kind = error["type"]
        if kind == "extra_forbidden":
            allowed = _allowed_keys(schema, path[:-1], doc.data)
            hint = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
            yield doc.problem(path, f"unknown key {path[-1]!r}{hint}", at_key=True)
        elif kind == "missing":
            yield doc.problem(path, "missing required field")
        else:
            value = _value_at(doc.data, path)
            shown = f" (got {value!r})" if isinstance(value, str | int | float) else ""
            yield doc.problem(path, _plain(error["msg"]) + shown)


def _plain(message: str) -> str:
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _data_path(loc: Iterable[int | str], data: Any) -> PathKey:
    """Map pydantic's `loc` onto the data, dropping union tags that are not real keys."""
    loc = list(loc)
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
        elif last and isinstance(part, str) and not part.startswith(("function-", "union")):
            path.append(part)
    return tuple(path)


def _value_at(data: Any, path: PathKey) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _allowed_keys(schema: type[BaseModel], path: PathKey, data: Any) -> list[str]:
    """The keys a mapping at `path` may hold, found by walking the schema beside the data."""
    annotation: Any = schema
    node = data
    for part in path:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        model = _model_for(annotation, node)
        field = None
        if model is not None:
            field = model.model_fields.get(part) or next(
                (f for f in model.model_fields.values() if f.alias == part), None
            )
        if field is None:
            return []
        annotation = field.annotation
        node = node.get(part) if isinstance(node, dict) else None
    model = _model_for(annotation, node)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_for(annotation: Any, node: Any) -> type[BaseModel] | None:
    """The model class that validates `node`, unwrapping list[...], X | None and conditions."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if annotation == cond.Condition:
        kinds = {"question": cond.Leaf, "all": cond.AllOf, "any": cond.AnyOf, "not": cond.Not}
        return kinds.get(cond.kind_of(node) or "")
    for arg in typing.get_args(annotation):
        found = _model_for(arg, node)
        if found is not None:
            return found
    return None


# --- references between files ------------------------------------------------------


def check_references(pack: RulePack, docs: dict[str, YamlDocument]) -> Iterator[Problem]:
    """Every id a pack mentions must exist, and every id it defines must be unique."""

    def at(file: str, path: PathKey, message: str) -> Problem:
        doc = docs.get(file)
        if doc is None:
            return Problem(message, file, path=".".join(map(str, path)))
        return doc.problem(path, message)

    route_ids = {r.id for r in pack.routes}
    questions = {q.id: q for q in pack.questions}

    yield from _duplicates("routes.yaml", ("routes",), [r.id for r in pack.routes], at)
    yield from _duplicates("questions.yaml", ("questions",), [q.id for q in pack.questions], at)
    yield from _duplicates("scoring.yaml", ("rules",), [r.id for r in pack.rules], at)
    yield from _duplicates("notes.yaml", ("notes",), [n.id for n in pack.notes], at)

    for qi, q in enumerate(pack.questions):
        base: PathKey = ("questions", qi)
        yield from _check_question(q, base, at)
        yield from _duplicates("questions.yaml", (*base, "answers"), q.choice_ids, at)
        yield from _duplicates("questions.yaml", (*base, "bands"), [b.id for b in q.bands], at)
        for ai, a in enumerate(q.answers):
            for si, s in enumerate(a.scores):
                if s.route not in route_ids:
                    yield at(
                        "questions.yaml",
                        (*base, "answers", ai, "scores", si, "route"),
                        _unknown("route", s.route, route_ids),
                    )
        for bi, b in enumerate(q.bands):
            for si, s in enumerate(b.scores):
                if s.route not in route_ids:
                    yield at(
                        "questions.yaml",
                        (*base, "bands", bi, "scores", si, "route"),
                        _unknown("route", s.route, route_ids),
                    )
        if q.ask_when is not None:
            earlier = {p.id: p for p in pack.questions[:qi]}
            for leaf_path, leaf in cond.leaves(q.ask_when):
                if leaf.question in questions and leaf.question not in earlier:
                    yield at(
                        "questions.yaml",
                        (*base, "ask_when", *leaf_path, "question"),
                        f"ask_when may only depend on questions asked earlier; "
                        f"{leaf.question!r} comes later",
                    )
            yield from _check_condition(
                q.ask_when, "questions.yaml", (*base, "ask_when"), questions, at
            )

    for ri, r in enumerate(pack.routes):
        yield from _duplicates(
            "routes.yaml", ("routes", ri, "prerequisites"), [p.id for p in r.prerequisites], at
        )
        for pi, p in enumerate(r.prerequisites):
            yield from _check_condition(
                p.requires,
                "routes.yaml",
                ("routes", ri, "prerequisites", pi, "requires"),
                questions,
                at,
            )

    for ri, rule in enumerate(pack.rules):
        yield from _check_condition(rule.when, "scoring.yaml", ("rules", ri, "when"), questions, at)
        for si, s in enumerate(rule.scores):
            if s.route not in route_ids:
                yield at(
                    "scoring.yaml",
                    ("rules", ri, "scores", si, "route"),
                    _unknown("route", s.route, route_ids),
                )

    for ni, note in enumerate(pack.notes):
        yield from _check_condition(note.when, "notes.yaml", ("notes", ni, "when"), questions, at)
        if note.review_by is not None and note.review_by < note.checked:
            yield at(
                "notes.yaml", ("notes", ni, "review_by"), "review_by is before the checked date"
            )


def _duplicates(file: str, base: PathKey, ids: list[str], at: Any) -> Iterator[Problem]:
    counts = Counter(ids)
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if counts[item] > 1 and item in seen:
            yield at(file, (*base, i, "id"), f"duplicate id {item!r}")
        seen.add(item)


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    return f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}"


def _check_question(q: Question, base: PathKey, at: Any) -> Iterator[Problem]:
    file = "questions.yaml"
    if q.type in ("choice", "multi") and len(q.answers) < 2:
        yield at(file, (*base, "answers"), f"a {q.type} question needs at least 2 answers")
    if q.type == "yesno":
        for ai, a in enumerate(q.answers):
            if a.id not in ("yes", "no"):
                yield at(
                    file,
                    (*base, "answers", ai, "id"),
                    "a yesno question's answers are 'yes' and 'no'",
                )
    if q.type in ("number", "date") and q.answers:
        yield at(file, (*base, "answers"), f"a {q.type} question has no fixed answers (use bands)")
    if q.type != "number":
        for key in ("bands", "unit", "min", "max"):
            if getattr(q, key):
                yield at(file, (*base, key), f"only number questions have {key}")
    for ai, a in enumerate(q.answers):
        if a.id == DONT_KNOW:
            yield at(
                file, (*base, "answers", ai, "id"), f"{DONT_KNOW!r} is built in; do not list it"
            )
    if q.min is not None and q.max is not None and q.min > q.max:
        yield at(file, (*base, "max"), "max is less than min")
    ordered = sorted(
        enumerate(q.bands),
        key=lambda ib: float("-inf") if ib[1].at_least is None else ib[1].at_least,
    )
    for (_, low), (hi_index, high) in itertools.pairwise(ordered):
        low_end = float("inf") if low.below is None else low.below
        high_start = float("-inf") if high.at_least is None else high.at_least
        if high_start < low_end:
            yield at(file, (*base, "bands", hi_index), f"band {high.id!r} overlaps band {low.id!r}")


def _check_condition(
    condition: cond.ConditionNode,
    file: str,
    base: PathKey,
    questions: dict[str, Question],
    at: Any,
) -> Iterator[Problem]:
    for leaf_path, leaf in cond.leaves(condition):
        path = (*base, *leaf_path)
        q = questions.get(leaf.question)
        if q is None:
            yield at(file, (*path, "question"), _unknown("question", leaf.question, questions))
            continue
        ids = leaf.answer_ids()
        if ids and q.type in ("number", "date"):
            yield at(file, path, f"{q.id!r} is a {q.type} question: use at_least / at_most")
        elif ids:
            for answer in ids:
                if answer not in q.choice_ids:
                    key = "equals" if leaf.equals is not None else "in"
                    known = ", ".join(q.choice_ids)
                    yield at(
                        file,
                        (*path, key),
                        f"{q.id!r} has no answer {answer!r}; its answers: {known}",
                    )
        bounds = [b for b in (leaf.at_least, leaf.at_most) if b is not None]
        if bounds and q.type not in ("number", "date"):
            yield at(file, path, f"{q.id!r} is a {q.type} question: use equals / in")
        for b in bounds:
            if q.type == "date" and not isinstance(b, date):
                yield at(
                    file, path, f"{q.id!r} is a date question: compare with a date (YYYY-MM-DD)"
                )
            if q.type == "number" and isinstance(b, date):
                yield at(file, path, f"{q.id!r} is a number question: compare with a number")
