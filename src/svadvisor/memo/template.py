"""The memo's Jinja2 template: loaded from the rule pack (over the built-in templates),
compiled in Jinja2's sandbox with the memo's filters, and any template error located at
its file and line.

A council can reword its memo without Python, and a template can never reach Python
internals: the sandbox sees only the plain data `context.memo_context` builds.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svadvisor.answers.values import money
from svadvisor.errors import Problem, RulePackError
from svadvisor.rulepack.load import TEMPLATES_DIR, builtin_pack_dir
from svadvisor.rulepack.schema import RulePack

if TYPE_CHECKING:
    from jinja2 import Template


MEMO_TEMPLATE = "memo.md.j2"
"""The template, in the pack's templates/ folder, that lays out a memo."""


def template_sources(pack: RulePack) -> dict[str, tuple[str, str]]:
    """name -> (text, file shown in errors): the pack's templates over the built-in ones.

    A council pack copied before templates existed still gets the built-in memo.
    """
    sources: dict[str, tuple[str, str]] = {}
    builtin = builtin_pack_dir() / TEMPLATES_DIR
    if builtin.is_dir():
        for file in sorted(builtin.rglob("*.j2")):
            sources[file.relative_to(builtin).as_posix()] = (
                file.read_text(encoding="utf-8"),
                str(file),
            )
    folder = Path(pack.source) / TEMPLATES_DIR
    for name, text in pack.templates.items():
        sources[name] = (text, str(folder / name))
    return sources


def _template_problem(exc: Exception, files: Iterable[str], default_file: str) -> Problem:
    """Point at the template file and line an error came from (Jinja2 keeps them in the trace)."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):
        return Problem(
            f"template syntax error: {exc.message}", exc.filename or default_file, exc.lineno
        )
    known = set(files)
    if isinstance(exc, TemplateNotFound):  # an include, import or extends of a missing file
        message = f"template error: no template {exc.name!r} in the pack's {TEMPLATES_DIR}/"
    elif str(exc):
        message = f"template error: {exc}"
    else:
        message = f"template error: {type(exc).__name__}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in known:
            return Problem(message, frame.filename, frame.lineno)
    return Problem(message, default_file)


def template_error(exc: Exception, sources: Mapping[str, tuple[str, str]]) -> RulePackError:
    files = [display for _, display in sources.values()]
    default = sources.get(MEMO_TEMPLATE, ("", MEMO_TEMPLATE))[1]
    problem = _template_problem(exc, files, default)
    return RulePackError([problem], f"the memo template {problem.file} cannot be used")


def table_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: no line breaks, pipes escaped."""
    text = " ".join(str(value).split())
    return text.replace("|", "\\|")


def signed(value: int) -> str:
    return f"{value:+d}"


def points(value: int) -> str:
    return f"{value} point" if abs(value) == 1 else f"{value} points"


def link(url: str) -> str:
    """A short Markdown link, `[site](url)`: Word and a browser show the site's name only."""
    from urllib.parse import urlsplit

    text = str(url).strip()
    site = urlsplit(text).netloc.removeprefix("www.")
    if not site:
        return f"<{text}>"
    return f"[{site}]({text})"


def compile_template(pack: RulePack, name: str = MEMO_TEMPLATE) -> Template:
    """The pack's template, compiled in Jinja2's sandbox with strict undefined names."""
    from jinja2 import FunctionLoader, StrictUndefined, TemplateNotFound
    from jinja2.sandbox import SandboxedEnvironment

    sources = template_sources(pack)

    def load(template: str) -> tuple[str, str, Any] | None:
        if template not in sources:
            return None
        text, display = sources[template]
        return text, display, lambda: True

    env = SandboxedEnvironment(
        loader=FunctionLoader(load),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = table_cell
    env.filters["signed"] = signed
    env.filters["money"] = money
    env.filters["points"] = points
    env.filters["link"] = link
    try:
        return env.get_template(name)
    except TemplateNotFound:
        folder = Path(pack.source) / TEMPLATES_DIR
        raise RulePackError(
            [Problem(f"template {name!r} not found", str(folder / name))],
            "no memo template",
        ) from None
    except Exception as exc:  # a council's template is input: any failure is located
        raise template_error(exc, sources) from None


def check_templates(pack: RulePack) -> None:
    """Compile every template the pack holds, so `rules validate` finds syntax errors."""
    for name in sorted(pack.templates):
        compile_template(pack, name)
