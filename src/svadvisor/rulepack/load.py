"""A folder of YAML files -> a validated rule pack, or every problem located at once.

The one loader of rule packs (`svadvisor.rulepack.cache` wraps it between runs). It
reads the YAML files; `datafiles` reads the CSV code lists and templates. Checking
happens in two passes: each file against its schema (pydantic; `locate` maps each
error to its file, line and column), then the references between files (`references`:
a score naming a route, a condition naming an answer). Both passes collect problems
instead of stopping at the first, so a council editing its pack fixes everything in
one go.
"""

from __future__ import annotations

import typing
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from svadvisor.errors import Problem, RulePackError
from svadvisor.folders import builtin_pack_dir as builtin_pack_dir  # re-exported
from svadvisor.folders import files_stamp, pack_files, pack_sha256
from svadvisor.rulepack.datafiles import TEMPLATES_DIR as TEMPLATES_DIR  # re-exported
from svadvisor.rulepack.datafiles import load_cpv, read_templates
from svadvisor.rulepack.locate import read_document
from svadvisor.rulepack.references import check_references
from svadvisor.rulepack.schema import (
    AnswerOption,
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
from svadvisor.yamlfile import PathKey, YamlDocument

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
        doc, model = read_document(file, schema, problems, display)
        if doc is None:
            continue
        docs[name] = doc
        if model is not None:
            parsed[name] = model
    templates = read_templates(directory, problems)
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
    cpv_names, cpv_lists = load_cpv(directory, meta, docs["pack.yaml"], problems)
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
