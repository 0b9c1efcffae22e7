"""svadvisor: which commissioning route fits a council service, explained point by point.

from svadvisor import assess
result = assess({"complexity": "complex", "timescale": "long"})
result.ranking[0].route
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svadvisor.errors import (
    AnswersError,
    CaseLibraryError,
    InputFileError,
    Problem,
    RulePackError,
    SvadvisorError,
)

if TYPE_CHECKING:
    from svadvisor.cases.matching import CaseLibrary
    from svadvisor.rulepack.schema import RulePack
    from svadvisor.scoring.assessment import Assessment


def __getattr__(name: str) -> str:
    """`__version__` is looked up on first use (importlib.metadata is slow to import) and
    kept: reading the installed metadata takes about a millisecond each time, and a web
    page names the version several times."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("svadvisor")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            found = "0.0.0"
        globals()["__version__"] = found
        return found
    raise AttributeError(name)


__all__ = [
    "AnswersError",
    "CaseLibraryError",
    "InputFileError",
    "Problem",
    "RulePackError",
    "SvadvisorError",
    "__version__",
    "assess",
    "load_cases",
    "load_pack",
]


def load_pack(directory: str | Path | None = None) -> RulePack:
    """The built-in pack, or a council's own folder; RulePackError lists every problem."""
    from svadvisor.rulepack.load import load_pack as _load

    return _load(directory)


def load_cases(directory: str | Path | None = None, pack: RulePack | None = None) -> CaseLibrary:
    """The built-in case studies, or a council's own folder, checked against a pack.

    CaseLibraryError lists every problem, located in its file.
    """
    from svadvisor.cases.library import load_cases as _load

    return _load(pack if pack is not None else load_pack(), directory)


def assess(
    answers: dict[str, Any],
    pack: RulePack | str | Path | None = None,
    *,
    on: date | None = None,
    cases: CaseLibrary | str | Path | None = None,
) -> Assessment:
    """Score raw answers (question id -> answer id, number, list or date) against a pack.

    `pack` is a loaded pack, a folder, or None for the built-in pack; `on` defaults to today.
    `cases` is a loaded case library, a folder, or None for the built-in case studies (left
    out when they do not fit a council's own pack).
    """
    from svadvisor.answers.validate import validate_answers
    from svadvisor.cases.library import builtin_cases_for, load_cases
    from svadvisor.cases.matching import CaseLibrary as _CaseLibrary
    from svadvisor.rulepack.schema import RulePack as _RulePack
    from svadvisor.scoring import engine

    loaded = pack if isinstance(pack, _RulePack) else load_pack(pack)
    checked = validate_answers(loaded, answers)
    if isinstance(cases, _CaseLibrary):
        library: _CaseLibrary | None = cases
    else:
        library = builtin_cases_for(loaded) if cases is None else load_cases(loaded, cases)
    return engine.assess(loaded, checked, on=on or date.today(), cases=library)
