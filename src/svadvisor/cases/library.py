"""A folder of case study YAML files -> a case library, or every problem located at once.

Each file is checked against the case schema (as pack.py checks a pack's files), then
against the rule pack the library is used with: the route must be one of its routes and
the profile must read as an answers file would, so matching compares like with like.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from svadvisor.answers.validate import validate_answers
from svadvisor.cases.matching import CaseLibrary, CaseStudy
from svadvisor.errors import AnswersError, CaseLibraryError, Problem
from svadvisor.folders import builtin_cases_dir, case_files, files_stamp
from svadvisor.rulepack.locate import schema_problems
from svadvisor.rulepack.schema import RulePack
from svadvisor.yamlfile import YamlDocument, YamlProblem, load_yaml_file


def load_cases(pack: RulePack, directory: Path | str | None = None) -> CaseLibrary:
    """Load every case in a folder (the built-in one when None), checked against `pack`."""
    path = Path(directory) if directory is not None else builtin_cases_dir()
    if not path.is_dir():
        what = "is a file, not a folder of case studies" if path.exists() else "folder not found"
        raise CaseLibraryError([Problem(what, str(path))], "no case library")
    files = case_files(path)
    if not files:
        raise CaseLibraryError(
            [Problem("holds no case studies (one .yaml file per case)", str(path))],
            "no case library",
        )
    problems: list[Problem] = []
    cases: list[CaseStudy] = []
    first_file: dict[str, str] = {}
    for file in files:
        doc, case, unreadable = _read_case_file(str(file), files_stamp(path, [file]))
        problems.extend(unreadable)
        if doc is None or case is None:
            continue
        found = list(_check_case(case, doc, file, pack))
        if case.id in first_file:
            found.append(
                doc.problem(("id",), f"duplicate id {case.id!r} (also in {first_file[case.id]})")
            )
        first_file.setdefault(case.id, file.name)
        try:
            profile = validate_answers(pack, case.profile, doc=doc.part(("profile",)))
        except AnswersError as exc:
            found.extend(_in_profile(p) for p in exc.problems)
        else:
            if not profile:
                found.append(doc.problem(("profile",), "the profile answers no question"))
            case = case.model_copy(update={"profile": profile})
        problems.extend(found)
        if not found:
            cases.append(case)
    if problems:
        raise CaseLibraryError(problems, f"case library {path} has {len(problems)} problem(s)")
    return CaseLibrary(tuple(cases), str(path))


@lru_cache(maxsize=256)
def _read_case_file(
    file: str, stamp: str
) -> tuple[YamlDocument | None, CaseStudy | None, tuple[Problem, ...]]:
    """One file read and checked against the schema; cached while the file is unchanged.

    Reading YAML with marks is the slow part, and `svadvisor.assess` loads the library on
    every call.
    """
    try:
        doc = load_yaml_file(Path(file))
    except YamlProblem as exc:
        return None, None, (exc.problem,)
    try:
        return doc, CaseStudy.model_validate(doc.data), ()
    except ValidationError as exc:
        return doc, None, tuple(schema_problems(exc, doc, CaseStudy))


def _check_case(
    case: CaseStudy, doc: YamlDocument, file: Path, pack: RulePack
) -> Iterator[Problem]:
    if case.id != file.stem:
        yield doc.problem(
            ("id",),
            f"the id must match the file name: rename the file to {case.id}.yaml, "
            f"or the id to {file.stem}",
        )
    routes = [r.id for r in pack.routes]
    if case.route not in routes:
        yield doc.problem(
            ("route",), f"unknown route {case.route!r}; known: {', '.join(sorted(routes))}"
        )
    if not case.outcome_verified and "not verified" not in case.outcome.lower():
        yield doc.problem(
            ("outcome",),
            "outcome_verified is false, so the outcome must say what is 'not verified'",
        )


def _in_profile(problem: Problem) -> Problem:
    """An answers problem, its field path put back under `profile`."""
    path = f"profile.{problem.path}" if problem.path else "profile"
    return Problem(problem.message, problem.file, problem.line, problem.column, path)


def builtin_cases_for(pack: RulePack) -> CaseLibrary | None:
    """The built-in library, or None when it does not fit a council's own pack."""
    try:
        return load_cases(pack)
    except CaseLibraryError:
        return None
