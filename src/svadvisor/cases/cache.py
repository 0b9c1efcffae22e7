"""Case libraries kept between runs, through the rule pack's cache
(`svadvisor.rulepack.cache`): an entry is keyed by the case files' stamps and the pack's
hash, and read back through the same models and answer checks as a fresh load."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from svadvisor.folders import builtin_cases_dir, case_files, files_stamp
from svadvisor.rulepack.cache import through_cache

if TYPE_CHECKING:
    from svadvisor.cases.matching import CaseLibrary
    from svadvisor.rulepack.schema import RulePack


def load_cases(pack: RulePack, directory: Path | None) -> CaseLibrary:
    """As `svadvisor.cases.library.load_cases`, from the cache when nothing changed."""
    path = directory if directory is not None else builtin_cases_dir()
    return through_cache(
        "cases",
        path,
        lambda: files_stamp(path, case_files(path)) + "\n" + pack.sha256,
        load=lambda: _load_cases(pack, path),
        dump=lambda library: _library_json(pack, library),
        read=lambda data: _read_library(pack, data),
    )


def _load_cases(pack: RulePack, path: Path) -> CaseLibrary:
    from svadvisor.cases.library import load_cases

    return load_cases(pack, path)


def _library_json(pack: RulePack, library: CaseLibrary) -> str:
    import json

    return json.dumps({"source": library.source, "cases": [c.to_data(pack) for c in library.cases]})


def _read_library(pack: RulePack, data: str | bytes) -> CaseLibrary:
    """The cases, each profile read back as an answers file is (the entry is JSON)."""
    from pydantic_core import from_json

    from svadvisor.answers.validate import validate_answers
    from svadvisor.cases.matching import CaseLibrary, CaseStudy
    from svadvisor.errors import AnswersError

    stored = from_json(data)
    cases = []
    for item in stored["cases"]:
        case = CaseStudy.model_validate(item)
        try:
            profile = validate_answers(pack, case.profile)
        except AnswersError as exc:
            raise ValueError("stale entry") from exc
        cases.append(case.model_copy(update={"profile": profile}))
    if not isinstance(stored["source"], str):
        raise TypeError("source")
    return CaseLibrary(tuple(cases), stored["source"])
