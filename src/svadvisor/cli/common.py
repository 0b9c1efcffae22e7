"""What every command shares: the --rules option, loading the pack, and error reporting."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from svadvisor.errors import ProblemsError, SvadvisorError

RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        metavar="DIR",
        help="Use this rule pack folder instead of the built-in one.",
        show_default=False,
    ),
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

    return wrapper  # type: ignore[return-value]


def rules_dir(ctx: typer.Context, rules: Path | None) -> Path | None:
    """The command's own --rules, else the one given before the command, else built-in."""
    if rules is not None:
        return rules
    root = ctx.find_root()
    return (root.obj or {}).get("rules") if root else None


def load(ctx: typer.Context, rules: Path | None):
    from svadvisor.pack import load_pack

    return load_pack(rules_dir(ctx, rules))


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
