"""A folder of YAML files -> a validated rule pack, or every problem located at once.

This is the only module that reads a rule pack from disk. Checking happens in two
passes: each file against its schema (pydantic), then the references between files
(a score naming a route, a condition naming an answer). Both passes collect problems
instead of stopping at the first, so a council editing its pack fixes everything in
one go.
"""

from __future__ import annotations

import csv
import itertools
import typing
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from svadvisor.errors import Problem, RulePackError
from svadvisor.folders import builtin_pack_dir as builtin_pack_dir  # re-exported
from svadvisor.folders import files_stamp, pack_files, pack_sha256
from svadvisor.rulepack import conditions as cond
from svadvisor.rulepack.schema import (
    DONT_KNOW,
    AnswerOption,
    Band,
    Contradiction,
    GlossaryEntry,
    Note,
    OcdsMapping,
    PackMeta,
    PackModel,
    Question,
    Regime,
    Route,
    RouteGroup,
    Rule,
    RulePack,
    Score,
    SourceClass,
    Threshold,
)
from svadvisor.suggest import did_you_mean
from svadvisor.yamlfile import PathKey, YamlDocument, YamlProblem, load_yaml_file, read_text

# What each file of a pack may hold: the loader's own view, not needed once a pack is built.


class PackMetaFile(PackModel):
    pack: PackMeta


class RoutesFile(PackModel):
    routes: list[Route] = Field(min_length=2)
    groups: list[RouteGroup] = Field(default_factory=list)


class QuestionsFile(PackModel):
    questions: list[Question] = Field(min_length=1)


class RulesFile(PackModel):
    rules: list[Rule] = Field(default_factory=list)
    contradictions: list[Contradiction] = Field(default_factory=list)


class NotesFile(PackModel):
    notes: list[Note] = Field(default_factory=list)


class ThresholdsFile(PackModel):
    thresholds: list[Threshold] = Field(default_factory=list)


class RegimesFile(PackModel):
    regimes: list[Regime] = Field(default_factory=list)


class OcdsFile(PackModel):
    ocds: OcdsMapping


class SourcesFile(PackModel):
    classes: list[SourceClass] = Field(min_length=1)


class GlossaryFile(PackModel):
    glossary: list[GlossaryEntry] = Field(default_factory=list)


PACK_FILES: dict[str, tuple[type[BaseModel], bool]] = {
    "pack.yaml": (PackMetaFile, True),
    "routes.yaml": (RoutesFile, True),
    "questions.yaml": (QuestionsFile, True),
    "scoring.yaml": (RulesFile, False),
    "notes.yaml": (NotesFile, False),
    "thresholds.yaml": (ThresholdsFile, False),
    "regimes.yaml": (RegimesFile, False),
    "ocds.yaml": (OcdsFile, False),
    "sources.yaml": (SourcesFile, False),
    "glossary.yaml": (GlossaryFile, False),
}
"""Each file of a pack, its schema, and whether the pack needs it."""

TEMPLATES_DIR = "templates"
"""The pack's folder of Jinja2 templates (`memo.md.j2`): wording a council may change."""

ModelT = TypeVar("ModelT", bound=BaseModel)

CORE_FILES = {"pack.yaml", "routes.yaml", "questions.yaml"}
"""Files every other file refers into: if one does not read, references are not checked."""

YESNO_DEFAULTS = (("yes", "Yes"), ("no", "No"))
"""A yesno question's answers when the pack lists none (models are built on use, not import)."""


@lru_cache(maxsize=8)
def _load_cached(directory: str, stamp: str) -> RulePack:
    return _load(Path(directory))


def load_pack(directory: Path | str | None = None) -> RulePack:
    """Load and validate a rule pack folder (the built-in one when None).

    Loading is cached while the folder's files are unchanged, so a long run pays for it
    once.
    """
    path = Path(directory) if directory is not None else builtin_pack_dir()
    if not path.exists():
        raise RulePackError([Problem("rule pack folder not found", str(path))], "no rule pack")
    if not path.is_dir():
        raise RulePackError(
            [Problem("a rule pack is a folder of YAML files, not a file", str(path))],
            "no rule pack",
        )
    return _load_cached(str(path), files_stamp(path, pack_files(path)))


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
        model, found = validate_document(doc, schema)
        problems.extend(found)
        if model is not None:
            parsed[name] = model
    templates = _read_templates(directory, problems)
    failed = {name for name in PACK_FILES if (directory / name).exists() and name not in parsed}
    if problems and not parsed.keys() >= CORE_FILES:
        # without the pack's core, references between files cannot be checked at all
        raise RulePackError(problems, f"rule pack {directory} has {len(problems)} problem(s)")

    meta = typing.cast(PackMetaFile, parsed["pack.yaml"]).pack
    routes_file = typing.cast(RoutesFile, parsed["routes.yaml"])
    routes, groups = routes_file.routes, routes_file.groups
    questions = [
        _with_defaults(q) for q in typing.cast(QuestionsFile, parsed["questions.yaml"]).questions
    ]
    scoring = typing.cast(RulesFile, parsed.get("scoring.yaml", RulesFile()))
    rules, contradictions = scoring.rules, scoring.contradictions
    notes = typing.cast(NotesFile, parsed.get("notes.yaml", NotesFile())).notes
    thresholds = typing.cast(ThresholdsFile, parsed.get("thresholds.yaml", ThresholdsFile()))
    regimes = typing.cast(RegimesFile, parsed.get("regimes.yaml", RegimesFile())).regimes
    ocds_file = typing.cast(OcdsFile | None, parsed.get("ocds.yaml"))
    sources_file = typing.cast(SourcesFile | None, parsed.get("sources.yaml"))
    glossary = _glossary_meanings(
        typing.cast(GlossaryFile, parsed.get("glossary.yaml", GlossaryFile())).glossary,
        meta,
        docs.get("glossary.yaml"),
        problems,
    )
    cpv_names, cpv_lists = _load_cpv(directory, meta, docs["pack.yaml"], problems)
    pack = RulePack(
        meta=meta,
        routes=routes,
        groups=groups,
        questions=questions,
        rules=rules,
        contradictions=contradictions,
        notes=notes,
        thresholds=thresholds.thresholds,
        regimes=regimes,
        ocds=ocds_file.ocds if ocds_file else None,
        source_classes=sources_file.classes if sources_file else [],
        glossary=glossary,
        cpv_names=cpv_names,
        cpv_lists=cpv_lists,
        templates=templates,
        sha256=pack_sha256(directory),
        source=str(directory),
    )
    # check the references of the files that did read, so a council fixes every problem
    # in one pass; a file that did not read stands empty, and names into it are not checked
    problems.extend(check_references(pack, docs, unread=failed))
    if problems:
        raise RulePackError(problems, f"rule pack {directory} has {len(problems)} problem(s)")
    return expand_groups(pack)


def expand_groups(pack: RulePack) -> RulePack:
    """Each score naming a route group becomes one score per member route (marked with
    the group), so the engine, the sensitivity search, lint and diff see plain routes."""
    members = {g.id: g.routes for g in pack.groups}
    if not members:
        return pack

    def spread(scores: list[Score]) -> list[Score]:
        out: list[Score] = []
        for score in scores:
            if score.route in members:
                out += [
                    score.model_copy(update={"route": route, "group": score.route})
                    for route in members[score.route]
                ]
            else:
                out.append(score)
        return out

    questions = [
        q.model_copy(
            update={
                "answers": [a.model_copy(update={"scores": spread(a.scores)}) for a in q.answers],
                "bands": [b.model_copy(update={"scores": spread(b.scores)}) for b in q.bands],
            }
        )
        for q in pack.questions
    ]
    rules = [r.model_copy(update={"scores": spread(r.scores)}) for r in pack.rules]
    expanded = pack.model_copy(update={"questions": questions, "rules": rules})
    expanded.__dict__.pop("_questions_by_id", None)  # the index of the unexpanded questions
    return expanded


def _load_cpv(
    directory: Path, meta: PackMeta, doc: YamlDocument, problems: list[Problem]
) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """Read the CPV vocabulary and lists the pack names; codes are compared on 8 digits.

    The vocabulary has some ten thousand rows and is read on every run, so rows are read
    as plain lists, not dicts.
    """
    if meta.cpv is None:
        return {}, {}
    base: PathKey = ("pack", "cpv")
    names: dict[str, str] = {}
    path = (*base, "vocabulary")
    columns, rows = _csv_table(
        directory, meta.cpv.vocabulary, ("code", "description"), doc, path, problems
    )
    if rows:
        code_at, text_at = columns["code"], columns["description"]
        for row in rows:
            code = normalise_cpv(row[code_at]) if len(row) > text_at else None
            if code is None:
                problems.append(doc.problem(path, f"{meta.cpv.vocabulary}: bad row {row!r}"))
                break
            names[code] = row[text_at]
    lists: dict[str, frozenset[str]] = {}
    for i, cpv_list in enumerate(meta.cpv.lists):
        path = (*base, "lists", i, "file")
        wanted = ("cpv_code", *cpv_list.only_where)
        columns, rows = _csv_table(directory, cpv_list.file, wanted, doc, path, problems)
        if not columns:  # the file is missing or unusable: a problem is already reported
            lists[cpv_list.id] = frozenset()
            continue
        conditions = [(columns[k], v) for k, v in cpv_list.only_where.items()]
        codes = set()
        for row in rows:
            if all(len(row) > at and row[at] == v for at, v in conditions):
                code = normalise_cpv(row[columns["cpv_code"]])
                if code is None:
                    problems.append(
                        doc.problem(
                            path, f"{cpv_list.file}: bad CPV code {row[columns['cpv_code']]!r}"
                        )
                    )
                else:
                    codes.add(code)
        lists[cpv_list.id] = frozenset(codes)
    return names, lists


def _csv_table(
    directory: Path,
    name: str,
    needed: tuple[str, ...],
    doc: YamlDocument,
    path: PathKey,
    problems: list[Problem],
) -> tuple[dict[str, int], list[list[str]]]:
    """A CSV's column positions and rows; a problem (and no rows) if it cannot be used."""
    named = Path(name)
    if named.is_absolute() or any(part == ".." or part.startswith(".") for part in named.parts):
        # the pack's sha256 (and the cache) cover the pack's own folder, and nothing else
        problems.append(
            doc.problem(
                path,
                f"{name}: name a file inside the rule pack folder (not an absolute path, "
                "not .., not a hidden folder), so the pack carries everything it uses",
            )
        )
        return {}, []
    file = directory / named
    if not file.is_file():
        problems.append(doc.problem(path, f"file not found: {file}"))
        return {}, []
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            if not header:
                problems.append(
                    doc.problem(
                        path, f"{file}: is empty; it needs a header row: {', '.join(needed)}"
                    )
                )
                return {}, []
            columns = {column: i for i, column in enumerate(header)}
            missing = [c for c in needed if c not in columns]
            if missing:
                problems.append(
                    doc.problem(path, f"{file}: missing column(s) {', '.join(missing)}")
                )
                return {}, []
            return columns, list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(doc.problem(path, f"{file}: not a readable UTF-8 CSV file ({exc})"))
        return {}, []


def normalise_cpv(code: str) -> str | None:
    """`85000000-9`, `85000000` or `3000000` -> the 8-digit base code; None if not a code."""
    if len(code) == 10 and code[8] == "-" and code[:8].isdigit():  # the usual `85000000-9`
        return code[:8]
    digits = code.strip().split("-")[0].strip()
    if not digits.isdigit() or len(digits) > 8:
        return None
    return digits.zfill(8)


def _read_templates(directory: Path, problems: list[Problem]) -> dict[str, str]:
    """The text of every `templates/**/*.j2`; their syntax is checked where they are used."""
    folder = directory / TEMPLATES_DIR
    found: dict[str, str] = {}
    if not folder.is_dir():
        return found
    for file in sorted(folder.rglob("*.j2")):
        name = file.relative_to(folder).as_posix()
        if any(part.startswith((".", "__")) for part in name.split("/")):
            continue
        try:
            found[name] = read_text(file, str(file))
        except YamlProblem as exc:
            problems.append(exc.problem)
    return found


def _glossary_meanings(
    entries: list[GlossaryEntry],
    meta: PackMeta,
    doc: YamlDocument | None,
    problems: list[Problem],
) -> list[GlossaryEntry]:
    """Entries for a confidence level take their text from pack.yaml's confidence.meaning."""
    meanings = meta.confidence.meaning if meta.confidence else {}
    out = []
    for gi, entry in enumerate(entries):
        if entry.confidence is not None:
            meaning = meanings.get(entry.confidence)
            message = ""
            path: PathKey = ("glossary", gi, "confidence")
            if entry.text is not None:
                message = (
                    "an entry for a confidence level takes its text from pack.yaml "
                    "(confidence.meaning): leave out text"
                )
                path = ("glossary", gi, "text")
            elif meaning is None:
                message = f"pack.yaml gives no confidence.meaning for {entry.confidence!r}"
            if message:
                problems.append(
                    doc.problem(path, message) if doc else Problem(message, "glossary.yaml")
                )
                continue
            entry = entry.model_copy(update={"text": meaning})
        out.append(entry)
    return out


def _with_defaults(question: Question) -> Question:
    if question.type == "yesno" and not question.answers:
        defaults = [AnswerOption(id=answer, label=label) for answer, label in YESNO_DEFAULTS]
        return question.model_copy(update={"answers": defaults})
    return question


# --- schema errors -> located problems -------------------------------------------


def validate_document(
    doc: YamlDocument, schema: type[ModelT]
) -> tuple[ModelT | None, list[Problem]]:
    """Check one YAML document against a schema: the model, or every problem located."""
    try:
        return schema.model_validate(doc.data), []
    except ValidationError as exc:
        return None, list(schema_problems(exc, doc, schema))


def schema_problems(
    exc: ValidationError, doc: YamlDocument, schema: type[BaseModel]
) -> Iterator[Problem]:
    """pydantic's errors as located problems; the case library reads its files the same way."""
    for error in exc.errors():
        path = _data_path(error["loc"], doc.data)
        kind = error["type"]
        if kind == "extra_forbidden":
            allowed = _allowed_keys(schema, path[:-1], doc.data)
            hint = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
            near = did_you_mean(str(path[-1]), allowed)
            yield doc.problem(path, f"unknown key {path[-1]!r}{near}{hint}", at_key=True)
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
        kinds: dict[str, type[BaseModel]] = {
            "question": cond.Leaf,
            "all": cond.AllOf,
            "any": cond.AnyOf,
            "not": cond.Not,
            "starts": cond.StartDate,
        }
        return kinds.get(cond.kind_of(node) or "")
    for arg in typing.get_args(annotation):
        found = _model_for(arg, node)
        if found is not None:
            return found
    return None


# --- references between files ------------------------------------------------------


def check_references(
    pack: RulePack, docs: dict[str, YamlDocument], unread: set[str] | None = None
) -> Iterator[Problem]:
    """Every id a pack mentions must exist, and every id it defines must be unique."""

    def at(file: str, path: PathKey, message: str) -> Problem:
        doc = docs.get(file)
        if doc is None:
            return Problem(message, file, path=".".join(map(str, path)))
        return doc.problem(path, message)

    routes_only = {r.id for r in pack.routes}
    route_ids = routes_only | {g.id for g in pack.groups}
    questions = {q.id: q for q in pack.questions}

    yield from _duplicates("routes.yaml", ("routes",), [r.id for r in pack.routes], at)
    yield from _duplicates("questions.yaml", ("questions",), [q.id for q in pack.questions], at)
    yield from _duplicates("scoring.yaml", ("rules",), [r.id for r in pack.rules], at)
    yield from _duplicates("notes.yaml", ("notes",), [n.id for n in pack.notes], at)
    yield from _check_glossary(pack, at)

    for qi, q in enumerate(pack.questions):
        base: PathKey = ("questions", qi)
        yield from _check_question(q, base, at)
        yield from _duplicates("questions.yaml", (*base, "answers"), q.choice_ids, at)
        yield from _duplicates("questions.yaml", (*base, "bands"), [b.id for b in q.bands], at)
        scored_lists: list[tuple[str, Sequence[AnswerOption | Band]]] = [
            ("answers", q.answers),
            ("bands", q.bands),
        ]
        for key, scored in scored_lists:
            for i, item in enumerate(scored):
                for si, score in enumerate(item.scores):
                    if score.route not in route_ids:
                        yield at(
                            "questions.yaml",
                            (*base, key, i, "scores", si, "route"),
                            _unknown("route", score.route, route_ids),
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

    yield from _duplicates("routes.yaml", ("groups",), [g.id for g in pack.groups], at)
    for gi, group in enumerate(pack.groups):
        if group.id in routes_only:
            yield at("routes.yaml", ("groups", gi, "id"), f"{group.id!r} is already a route's id")
        for mi, member in enumerate(group.routes):
            if member not in routes_only:
                yield at(
                    "routes.yaml",
                    ("groups", gi, "routes", mi),
                    _unknown("route", member, routes_only),
                )
    for ri, r in enumerate(pack.routes):
        yield from _duplicates(
            "routes.yaml", ("routes", ri, "prerequisites"), [p.id for p in r.prerequisites], at
        )
        yield from _duplicates(
            "routes.yaml", ("routes", ri, "evidence"), [e.id for e in r.evidence], at
        )
        for ei, evidence in enumerate(r.evidence):
            yield from _check_condition(
                evidence.when, "routes.yaml", ("routes", ri, "evidence", ei, "when"), questions, at
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

    yield from _duplicates(
        "scoring.yaml", ("contradictions",), [c.id for c in pack.contradictions], at
    )
    for ci, contradiction in enumerate(pack.contradictions):
        yield from _check_condition(
            contradiction.when, "scoring.yaml", ("contradictions", ci, "when"), questions, at
        )

    thresholds: dict[str, Any] = {t.id: t for t in pack.thresholds}
    if "thresholds.yaml" in (unread or set()):
        thresholds = _AnyName()  # did not read: do not call every name in it unknown
    places = _jurisdictions(pack)
    for ni, note in enumerate(pack.notes):
        if note.when is not None:
            yield from _check_condition(
                note.when, "notes.yaml", ("notes", ni, "when"), questions, at, thresholds
            )
        if note.review_by < note.checked:
            yield at("notes.yaml", ("notes", ni, "review_by"), "review_by is before checked")
        yield from _check_places(note.jurisdictions, places, "notes.yaml", ("notes", ni), at)

    yield from _duplicates("thresholds.yaml", ("thresholds",), list(thresholds), at)
    for ti, threshold in enumerate(pack.thresholds):
        base = ("thresholds", ti)
        starts = [v.from_ for v in threshold.values]
        for vi, start in enumerate(starts):
            if start is None and vi > 0:
                yield at(
                    "thresholds.yaml", (*base, "values", vi), "only the first value may omit 'from'"
                )
            earlier_starts = [d for d in starts[:vi] if d is not None]
            if start is not None and earlier_starts and start <= max(earlier_starts):
                yield at(
                    "thresholds.yaml",
                    (*base, "values", vi, "from"),
                    "values must be in date order, each starting after the one before",
                )
        yield from _check_places(threshold.jurisdictions, places, "thresholds.yaml", base, at)

    yield from _duplicates("regimes.yaml", ("regimes",), [r.id for r in pack.regimes], at)
    for gi, regime in enumerate(pack.regimes):
        base = ("regimes", gi)
        yield from _check_condition(
            regime.applies_when, "regimes.yaml", (*base, "applies_when"), questions, at, thresholds
        )
        for pi, question_id in enumerate(regime.path):
            if question_id not in questions:
                yield at(
                    "regimes.yaml",
                    (*base, "path", pi),
                    _unknown("question", question_id, questions),
                )
        yield from _duplicates(
            "regimes.yaml", (*base, "outcomes"), [o.id for o in regime.outcomes], at
        )
        for oi, outcome in enumerate(regime.outcomes):
            yield from _check_condition(
                outcome.when,
                "regimes.yaml",
                (*base, "outcomes", oi, "when"),
                questions,
                at,
                thresholds,
            )

    yield from _check_meta(pack, questions, at)
    yield from _check_covered(pack, questions, thresholds, at)
    yield from _check_ocds(pack, questions, at)


class _AnyName(dict[str, Any]):
    """Stands for a file that did not read: every name is taken to be in it."""

    def __contains__(self, key: object) -> bool:
        return True


def _jurisdictions(pack: RulePack) -> list[str] | None:
    if pack.meta.jurisdiction is None:
        return None
    question = pack.question(pack.meta.jurisdiction.question)
    return question.choice_ids if question else []


def _check_places(
    listed: list[str] | None,
    places: list[str] | None,
    file: str,
    base: PathKey,
    at: Any,
    key: str = "jurisdictions",
) -> Iterator[Problem]:
    if listed is None:
        return
    if places is None:
        yield at(file, (*base, key), "set pack.jurisdiction in pack.yaml first")
        return
    for i, place in enumerate(listed):
        if place not in places:
            yield at(file, (*base, key, i), _unknown("jurisdiction", place, places))


def _check_typed(
    file: str,
    path: PathKey,
    question_id: str | None,
    types: tuple[str, ...],
    questions: dict[str, Question],
    at: Any,
) -> Iterator[Problem]:
    """A question another file names (when it names one) must exist and be of a type."""
    if question_id is None:
        return
    q = questions.get(question_id)
    if q is None:
        yield at(file, path, _unknown("question", question_id, questions))
    elif q.type not in types:
        yield at(file, path, f"{question_id!r} must be a {' or '.join(types)} question")


def _check_meta(pack: RulePack, questions: dict[str, Question], at: Any) -> Iterator[Problem]:
    """pack.yaml names questions (start date, jurisdiction, CPV): they must exist and fit."""
    meta = pack.meta
    wanted = [
        ("start_date_question", meta.start_date_question, ("date",)),
        ("jurisdiction", meta.jurisdiction.question if meta.jurisdiction else None, ("choice",)),
        ("cpv", meta.cpv.question if meta.cpv else None, ("cpv",)),
    ]
    for key, question_id, types in wanted:
        path: PathKey = ("pack", key) if key == "start_date_question" else ("pack", key, "question")
        yield from _check_typed("pack.yaml", path, question_id, types, questions, at)
    places = _jurisdictions(pack)
    if meta.jurisdiction is not None and places:  # a missing question is reported above
        home = meta.jurisdiction.home
        yield from _check_places(home, places, "pack.yaml", ("pack", "jurisdiction"), at, "home")
    if meta.cpv is not None:
        for li, cpv_list in enumerate(meta.cpv.lists):
            derive = cpv_list.derive
            q = questions.get(derive.question)
            path = ("pack", "cpv", "lists", li, "derive")
            if q is None:
                yield at(
                    "pack.yaml",
                    (*path, "question"),
                    _unknown("question", derive.question, questions),
                )
            elif derive.answer not in q.choice_ids:
                yield at(
                    "pack.yaml",
                    (*path, "answer"),
                    _no_answer(q, derive.answer),
                )
    if meta.confidence is not None:
        setting = meta.confidence
        if setting.moderate_margin > setting.strong_margin:
            yield at(
                "pack.yaml",
                ("pack", "confidence", "moderate_margin"),
                "moderate_margin must not be above strong_margin",
            )
        missing = [
            lv for lv in ("strong", "moderate", "weak", "insufficient") if lv not in setting.meaning
        ]
        if missing:
            yield at(
                "pack.yaml",
                ("pack", "confidence", "meaning"),
                f"say what each level means; missing: {', '.join(missing)}",
            )
    for qi, q in enumerate(pack.questions):
        if q.type == "cpv" and meta.cpv is None:
            yield at(
                "questions.yaml",
                ("questions", qi, "type"),
                "a cpv question needs pack.cpv in pack.yaml",
            )


def _check_covered(
    pack: RulePack, questions: dict[str, Question], thresholds: dict[str, Any], at: Any
) -> Iterator[Problem]:
    """pack.yaml's covered-procurement thresholds name a number question and thresholds."""
    meta = pack.meta
    if meta.covered_procurement is not None:
        covered = meta.covered_procurement
        base: PathKey = ("pack", "covered_procurement")
        yield from _check_typed(
            "pack.yaml",
            (*base, "value_question"),
            covered.value_question,
            ("number",),
            questions,
            at,
        )
        for ti, item in enumerate(covered.thresholds):
            if item.threshold not in thresholds:
                yield at(
                    "pack.yaml",
                    (*base, "thresholds", ti, "threshold"),
                    _unknown("threshold", item.threshold, thresholds),
                )
            if item.when is not None:
                yield from _check_condition(
                    item.when, "pack.yaml", (*base, "thresholds", ti, "when"), questions, at
                )


def _check_ocds(pack: RulePack, questions: dict[str, Question], at: Any) -> Iterator[Problem]:
    """Every question and answer the notice mapping names must exist and fit."""
    mapping = pack.ocds
    if mapping is None:
        return
    base: PathKey = ("ocds",)
    typed = [
        ("notice_date", mapping.notice_date, ("date",)),
        ("value", mapping.value.question if mapping.value else None, ("number",)),
        ("cpv", mapping.cpv, ("cpv",)),
    ]
    for key, question_id, types in typed:
        path = (*base, key) if key != "value" else (*base, key, "question")
        yield from _check_typed("ocds.yaml", path, question_id, types, questions, at)
    if mapping.duration is not None:
        q = questions.get(mapping.duration)
        if q is None:
            yield at(
                "ocds.yaml", (*base, "duration"), _unknown("question", mapping.duration, questions)
            )
        elif not (q.type == "number" and q.unit == "years") and not any(
            a.years is not None for a in q.answers
        ):
            yield at(
                "ocds.yaml",
                (*base, "duration"),
                f"{q.id!r} is neither a number question in years nor has answers with 'years'",
            )
    answered: list[tuple[str | PathKey, str, list[tuple[PathKey, str]]]] = []
    for key in ("category", "suitability", "reserved"):
        codes = getattr(mapping, key)
        if codes is not None:
            answered.append(
                (key, codes.question, [((key, "answers", c), a) for c, a in codes.answers.items()])
            )
    if mapping.lots is not None:
        lots = mapping.lots
        answered.append(
            (
                "lots",
                lots.question,
                [(("lots", "two_or_more"), lots.two_or_more), (("lots", "one"), lots.one)],
            )
        )
    if mapping.framework is not None:
        answered.append(
            (
                "framework",
                mapping.framework.question,
                [(("framework", "answer"), mapping.framework.answer)],
            )
        )
    if mapping.nation is not None:
        nation = mapping.nation
        answered.append(
            (
                "nation",
                nation.question,
                [(("nation", "ocid_prefixes", p), a) for p, a in nation.ocid_prefixes.items()],
            )
        )
    for ki, keyword in enumerate(mapping.keywords):
        answered.append(
            (("keywords", ki), keyword.question, [(("keywords", ki, "answer"), keyword.answer)])
        )
    for answered_key, question_id, pairs in answered:
        q = questions.get(question_id)
        if q is None:
            where = answered_key if isinstance(answered_key, tuple) else (answered_key,)
            yield at(
                "ocds.yaml",
                (*base, *where, "question"),
                _unknown("question", question_id, questions),
            )
            continue
        for path, answer in pairs:
            if answer not in q.choice_ids:
                yield at("ocds.yaml", (*base, *path), _no_answer(q, answer))


def _duplicates(file: str, base: PathKey, ids: list[str], at: Any) -> Iterator[Problem]:
    counts = Counter(ids)
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if counts[item] > 1 and item in seen:
            yield at(file, (*base, i, "id"), f"duplicate id {item!r}")
        seen.add(item)


def _check_glossary(pack: RulePack, at: Any) -> Iterator[Problem]:
    """Glossary ids are unique, and no two entries answer to the same word."""
    yield from _duplicates("glossary.yaml", ("glossary",), [e.id for e in pack.glossary], at)
    claimed: dict[str, str] = {}
    for gi, entry in enumerate(pack.glossary):
        for key, name in [("term", entry.term), *(("aliases", a) for a in entry.aliases)]:
            word = name.casefold()
            owner = claimed.setdefault(word, entry.id)
            if owner != entry.id:
                where: PathKey = ("glossary", gi, "term")
                if key == "aliases":
                    where = ("glossary", gi, "aliases", entry.aliases.index(name))
                yield at(
                    "glossary.yaml", where, f"{name!r} already names the glossary entry {owner!r}"
                )


def _no_answer(question: Question, answer: str) -> str:
    near = did_you_mean(answer, question.choice_ids)
    return (
        f"{question.id!r} has no answer {answer!r}{near}; "
        f"its answers: {', '.join(question.choice_ids)}"
    )


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    known = sorted(known)
    return f"unknown {kind} {name!r}{did_you_mean(name, known)}; known: {', '.join(known)}"


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
    for index, overlap in _overlaps([(b.id, b.at_least, b.below) for b in q.bands]):
        yield at(file, (*base, "bands", index), f"band {overlap}")
    spans = [(ai, a.id, a.years) for ai, a in enumerate(q.answers) if a.years is not None]
    if spans and q.type != "choice":
        yield at(file, (*base, "answers", spans[0][0], "years"), "only choice answers have years")
    for ai, _, years in spans:
        if years.at_least is not None and years.below is not None and years.below <= years.at_least:
            yield at(file, (*base, "answers", ai, "years", "below"), "below must exceed at_least")
    for index, overlap in _overlaps([(i, y.at_least, y.below) for _, i, y in spans]):
        yield at(file, (*base, "answers", spans[index][0], "years"), f"answer {overlap}")


def _overlaps(
    ranges: list[tuple[str, float | None, float | None]],
) -> Iterator[tuple[int, str]]:
    """(index, "'b' overlaps 'a'") for each range that starts before the one below it ends."""
    ordered = sorted(
        enumerate(ranges), key=lambda ir: float("-inf") if ir[1][1] is None else ir[1][1]
    )
    for (_, (low_id, _, low_below)), (hi_index, (high_id, high_start, _)) in itertools.pairwise(
        ordered
    ):
        low_end = float("inf") if low_below is None else low_below
        start = float("-inf") if high_start is None else high_start
        if start < low_end:
            yield hi_index, f"{high_id!r} overlaps {low_id!r}"


def _check_condition(
    condition: cond.ConditionNode,
    file: str,
    base: PathKey,
    questions: dict[str, Question],
    at: Any,
    thresholds: dict[str, Any] | None = None,
) -> Iterator[Problem]:
    if thresholds is None:
        for date_path in cond.start_date_tests(condition):
            yield at(
                file, (*base, *date_path), "start date tests are allowed in notes and regimes only"
            )
    for leaf_path, leaf in cond.leaves(condition):
        path = (*base, *leaf_path)
        q = questions.get(leaf.question)
        if q is None:
            yield at(file, (*path, "question"), _unknown("question", leaf.question, questions))
            continue
        if leaf.threshold is not None:
            key = "at_least_threshold" if leaf.at_least_threshold else "below_threshold"
            if thresholds is None:
                yield at(
                    file, (*path, key), "threshold tests are allowed in notes and regimes only"
                )
            elif leaf.threshold not in thresholds:
                yield at(file, (*path, key), _unknown("threshold", leaf.threshold, thresholds))
            if q.type != "number":
                yield at(file, path, f"{q.id!r} is a {q.type} question: thresholds compare numbers")
            continue
        ids = leaf.answer_ids()
        if ids and q.type in ("number", "date"):
            yield at(file, path, f"{q.id!r} is a {q.type} question: use at_least / at_most")
        elif ids:
            for answer in ids:
                if answer not in q.choice_ids:
                    key = "equals" if leaf.equals is not None else "in"
                    yield at(file, (*path, key), _no_answer(q, answer))
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
