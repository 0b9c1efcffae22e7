"""What every command shares: the --rules, --cases and memo options, loading the pack, and
error reporting."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from svadvisor.errors import CaseLibraryError, ProblemsError, SvadvisorError

if TYPE_CHECKING:
    from svadvisor.cases.matching import CaseLibrary
    from svadvisor.rulepack.schema import RulePack

RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        metavar="DIR",
        help="Use this rule pack folder instead of the built-in one.",
        show_default=False,
    ),
]

CasesOption = Annotated[
    Path | None,
    typer.Option(
        "--cases",
        metavar="DIR",
        help="Use this folder of case studies instead of the built-in one.",
        show_default=False,
    ),
]


class MemoFormatChoice(StrEnum):
    """The --format choices: the formats `svadvisor.memo.files.memo_format` decides between."""

    md = "md"
    docx = "docx"


MemoFormatOption = Annotated[
    MemoFormatChoice | None,
    typer.Option(
        "--format",
        "--memo-format",
        help="Memo format: md (Markdown) or docx (Word, needs svadvisor[docx]); "
        "default: from the memo file's suffix (Markdown for a --memos folder).",
        show_default=False,
    ),
]
"""The one memo-format option (assess, batch); `memo_format` turns it into the format."""
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace output files that already exist.")
]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USER_ERROR = 2


def fail(message: str, code: int = EXIT_USER_ERROR) -> typer.Exit:
    """Print one clear line to stderr; return the Exit to raise."""
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


def user_errors(func: F) -> F:
    """Turn the library's own errors into located lines on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ProblemsError as exc:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            typer.echo(f"Error: {exc.summary}", err=True)
            raise typer.Exit(EXIT_USER_ERROR) from None
        except SvadvisorError as exc:
            raise fail(str(exc)) from None
        except BrokenPipeError:
            raise  # `svadvisor ... | head`: click ends quietly
        except OSError as exc:  # a file the system will not let us read or write
            where = f"{exc.filename}: " if exc.filename else ""
            raise fail(f"{where}{exc.strerror or exc}") from None

    return wrapper  # type: ignore[return-value]


def rules_dir(ctx: typer.Context, rules: Path | None) -> Path | None:
    """The command's own --rules, else the one given before the command, else built-in."""
    return _given(ctx, "rules", rules)


def cases_dir(ctx: typer.Context, cases: Path | None) -> Path | None:
    """The command's own --cases, else the one given before the command, else built-in."""
    return _given(ctx, "cases", cases)


def _given(ctx: typer.Context, name: str, value: Path | None) -> Path | None:
    if value is not None:
        return value
    root = ctx.find_root()
    return (root.obj or {}).get(name) if root else None


def load(ctx: typer.Context, rules: Path | None) -> RulePack:
    """The pack given with --rules, else the built-in one, through the between-runs cache."""
    from svadvisor.rulepack import cache

    pack = cache.load_pack(rules_dir(ctx, rules))
    if _gc_freeze.pop("armed", False):
        gc.freeze()
    return pack


_gc_freeze = {"armed": False}


def freeze_after_loading() -> None:
    """In a run of the console script, the modules and the pack live until the process
    ends: once the pack is loaded, set everything alive aside from the garbage collector,
    which would otherwise scan it all again each time it runs in full. Once only, and not
    when the app is run again and again in one process (tests, a program embedding it),
    where frozen objects would pile up."""
    _gc_freeze["armed"] = True


def load_library(ctx: typer.Context, cases: Path | None, pack: RulePack) -> CaseLibrary:
    """The case library given with --cases, else the built-in one; every problem is an error."""
    from svadvisor.cases import cache as case_cache

    return case_cache.load_cases(pack, cases_dir(ctx, cases))


def library_for_assessment(
    ctx: typer.Context, cases: Path | None, pack: RulePack
) -> CaseLibrary | None:
    """As `load_library`, but a built-in library that does not fit a council's own pack
    leaves the similar cases out, with a note, instead of stopping the assessment."""
    if cases_dir(ctx, cases) is not None:
        return load_library(ctx, cases, pack)
    try:
        return load_library(ctx, None, pack)
    except CaseLibraryError:
        typer.echo(
            "Note: the built-in case studies do not fit this rule pack, so similar cases are "
            "left out (see `svadvisor rules validate`, or give your own with --cases DIR).",
            err=True,
        )
        return None
