"""MkDocs hook: the reference pages generated from the code, at every build.

- `reference/cli.md` from the typer/click command tree (`svadvisor.cli.app`), every
  command and subcommand, loaded for real (the app loads commands lazily);
- `reference/rule-pack.md` from the pydantic models the rule pack's YAML files are read
  with (`svadvisor.rulepack.schema` and the file models in `svadvisor.rulepack.load`);
- `reference/assessment-json.md` from `svadvisor.scoring.assessment.Assessment`, the
  model `assess --json` prints.

The pages are never written into `docs/`: they exist only in the built site, so they
cannot drift from the code. `tests/docs/test_docs_site.py` imports this module too.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import textwrap
import types
import typing
from datetime import date
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

GENERATED_NOTE = (
    '!!! note "Generated page"\n'
    "    This page is generated from {what} every time the site is built "
    "(`docs/hooks/reference.py`), so it always matches the code. Do not edit it by hand.\n"
)


# --- the command line ------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _help_paragraphs(text: str) -> str:
    """A click help text as Markdown paragraphs (`\\f` ends what click shows)."""
    text = inspect.cleandoc(text or "").split("\f")[0]
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n") if p.strip())


def _anchor(path: list[str]) -> str:
    return "-".join(path)


def iter_commands(command: Any, ctx: Any, path: list[str]):
    """Every command under `command`, depth first, as (path, command, context)."""
    import typer

    yield path, command, ctx
    commands = getattr(command, "commands", None)
    if commands is None:
        return
    for name in list(commands):
        sub = commands[name]  # a lazily loaded command is built here, with its real params
        yield from iter_commands(sub, typer.Context(sub, info_name=name, parent=ctx), [*path, name])


def command_tree() -> list[tuple[list[str], Any, Any]]:
    import typer

    from svadvisor.cli.app import app

    root = typer.main.get_command(app)
    return list(iter_commands(root, typer.Context(root, info_name="svadvisor"), ["svadvisor"]))


def cli_markdown() -> str:
    tree = command_tree()
    out = [
        "# Command-line reference",
        "",
        GENERATED_NOTE.format(what="the commands' own help (`svadvisor COMMAND --help`)"),
        "Global options (`--rules DIR`, `--cases DIR`) go before the command, "
        "`svadvisor --rules DIR assess ...`; commands that use a pack or case library also "
        "take them after their name.",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    for path, command, _ctx in tree[1:]:
        summary = _help_paragraphs(command.help or "").split("\n\n")[0]
        out.append(f"| [`{' '.join(path)}`](#{_anchor(path)}) | {_cell(summary)} |")
    out.append("")
    for path, command, ctx in tree:
        level = "#" * min(len(path) + 1, 4)
        out += [f"{level} `{' '.join(path)}` {{ #{_anchor(path)} }}", ""]
        out += [_help_paragraphs(command.help or ""), ""]
        usage = " ".join(command.collect_usage_pieces(ctx))
        # typer marks a required argument {NAME} and an optional one [[NAME]]: plain usage
        usage = re.sub(r"\{(\w+)\}", r"\1", usage).replace("[[", "[").replace("]]", "]")
        out += ["```text", f"{' '.join(path)} {usage}".rstrip(), "```", ""]
        rows = {"argument": [], "option": []}
        for param in command.params:
            record = param.get_help_record(ctx)
            if record is None:
                continue
            name, help_text = record
            rows.setdefault(param.param_type_name, []).append(
                f"| `{_cell(name)}` | {_cell(help_text)} |"
            )
        for kind, heading in (("argument", "Arguments"), ("option", "Options")):
            if rows.get(kind):
                out += [f"**{heading}**", "", "| | |", "|---|---|", *rows[kind], ""]
        sub = getattr(command, "commands", None)
        if sub:
            names = ", ".join(f"[`{n}`](#{_anchor([*path, n])})" for n in sub)
            out += [f"**Commands:** {names}", ""]
    return "\n".join(out).rstrip() + "\n"


# --- pydantic models -------------------------------------------------------------------


def attribute_docstrings(cls: type) -> dict[str, str]:
    """The string literal under each field of a class (PEP 257 attribute docstrings)."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass in (object, BaseModel) or not issubclass(klass, BaseModel):
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        body = ast.parse(source).body[0]
        if not isinstance(body, ast.ClassDef):
            continue
        stmts = body.body
        for stmt, after in itertools.pairwise(stmts):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                found[stmt.target.id] = inspect.cleandoc(after.value.value)
    return found


class TypeNamer:
    """Names annotations in words, and collects the models they refer to."""

    def __init__(self, named: dict[Any, str], anchors: dict[type, str]) -> None:
        self.named = named  # annotated aliases (Id, Text, Url, Condition) -> words
        self.anchors = anchors  # model -> anchor on the page
        self.seen: list[type[BaseModel]] = []

    def __call__(self, hint: Any) -> str:
        for alias, words in self.named.items():
            if hint is alias or _same(hint, alias):
                return words
        origin = get_origin(hint)
        if origin is typing.Annotated:
            return self(get_args(hint)[0])
        if origin in (Union, types.UnionType):
            parts = [a for a in get_args(hint) if a is not type(None)]
            return " or ".join(self(a) for a in parts)
        if origin is Literal:
            return "one of " + ", ".join(f"`{v}`" for v in get_args(hint))
        if origin in (list, tuple, frozenset, set):
            args = [a for a in get_args(hint) if a is not Ellipsis]
            return f"list of {self(args[0])}" if args else "list"
        if origin is dict:
            key, value = get_args(hint) or (str, Any)
            return f"mapping of {self(key)} to {self(value)}"
        if isinstance(hint, type) and issubclass(hint, BaseModel):
            if hint not in self.seen:
                self.seen.append(hint)
            anchor = self.anchors.get(hint, hint.__name__.lower())
            return f"[{hint.__name__}](#{anchor})"
        if isinstance(hint, str):  # a forward reference inside the condition models
            return "[condition](#conditions)"
        return {
            str: "text",
            int: "whole number",
            float: "number",
            bool: "`true` or `false`",
            date: "date (`YYYY-MM-DD`)",
            Any: "any",
        }.get(hint, getattr(hint, "__name__", str(hint)))


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False


def _constraints(info: FieldInfo) -> str:
    words = []
    for item in info.metadata:
        if hasattr(item, "strip_whitespace"):  # a text's own constraints: named by its type
            continue
        for attr, say in (
            ("min_length", "at least {} item(s)"),
            ("ge", "at least {}"),
            ("gt", "more than {}"),
            ("le", "at most {}"),
        ):
            value = getattr(item, attr, None)
            if value is not None:
                words.append(say.format(value))
    return "; ".join(words)


def _default(info: FieldInfo, output: bool = False) -> str:
    if output:  # a field of printed JSON: always there, perhaps null or empty
        if info.is_required():
            return "always"
        return "may be `null`" if info.default is None else "may be empty"
    if info.is_required():
        return "**required**"
    factory = info.default_factory
    value = factory() if factory is not None else info.default  # type: ignore[call-arg]
    if value is None:
        return "optional"
    if value in ([], {}, ""):
        return "optional (empty)"
    if isinstance(value, bool):
        return f"default `{str(value).lower()}`"
    return f"default `{value}`"


def model_section(
    model: type[BaseModel],
    namer: TypeNamer,
    level: str = "###",
    title: str | None = None,
    output: bool = False,
) -> list[str]:
    hints = typing.get_type_hints(model, include_extras=True)
    docs = attribute_docstrings(model)
    anchor = namer.anchors.get(model, model.__name__.lower())
    out = [f"{level} {title or model.__name__} {{ #{anchor} }}", ""]
    if model.__doc__ and model.__doc__ is not BaseModel.__doc__:
        out += [_help_paragraphs(model.__doc__), ""]
    column = "present" if output else "required / default"
    out += [f"| key | type | {column} | meaning |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        key = info.alias or name
        words = [docs.get(name, "") or (info.description or "")]
        limits = _constraints(info)
        if limits:
            words.append(f"({limits})")
        out.append(
            f"| `{key}` | {_cell(namer(hints.get(name, info.annotation)))} | "
            f"{_default(info, output)} | {_cell(' '.join(w for w in words if w))} |"
        )
    out.append("")
    return out


def _document(
    out: list[str],
    roots: list[type[BaseModel]],
    namer: TypeNamer,
    done: set[type],
    output: bool = False,
) -> None:
    """Each model named by the roots (and by them, in turn), once, in order of first use."""
    for root in roots:
        start = len(namer.seen)
        out += model_section(root, namer, output=output) if root not in done else []
        done.add(root)
        queue = namer.seen[start:]
        while queue:
            model = queue.pop(0)
            if model in done:
                continue
            done.add(model)
            before = len(namer.seen)
            out += model_section(model, namer, level="####", output=output)
            queue += namer.seen[before:]


def rule_pack_markdown() -> str:
    from svadvisor.answers.record import DecisionRecord
    from svadvisor.cases.matching import CaseStudy
    from svadvisor.packcheck.evaluate import EvaluationCase, TargetsFile
    from svadvisor.packcheck.selftest import PackCase
    from svadvisor.rulepack import conditions, schema
    from svadvisor.rulepack.load import PACK_FILES

    named = {
        schema.Id: "id (`a-z`, `0-9`, `_`; starts with a letter)",
        schema.Text: "text (not empty)",
        schema.Url: "source (`https://` or `http://` address)",
        conditions.Condition: "[condition](#conditions)",
    }
    namer = TypeNamer(named, anchors={})
    for name in dir(schema):
        value = getattr(schema, name)
        if isinstance(value, type) and issubclass(value, BaseModel):
            namer.anchors[value] = f"model-{value.__name__.lower()}"
    done: set[type] = set()
    out = [
        "# Rule-pack format",
        "",
        GENERATED_NOTE.format(
            what="the pydantic models a rule pack is read with (`svadvisor.rulepack.schema`)"
        ),
        "A rule pack is a folder of YAML files. Each file below is checked against its "
        "model: an unknown key, a wrong type or a missing required key is an error at its "
        "line (`svadvisor rules validate`). How to change a pack: "
        "[Make a council's own rule pack](../how-to/own-rule-pack.md).",
        "",
        "| file | needed | top-level keys |",
        "|---|---|---|",
    ]
    for file, (model, needed) in PACK_FILES.items():
        keys = ", ".join(f"`{f.alias or n}`" for n, f in model.model_fields.items())
        anchor = file.replace(".", "")
        out.append(f"| [`{file}`](#{anchor}) | {'yes' if needed else 'no'} | {keys} |")
    out += [
        "",
        "Other parts of a pack: `cpv/` (the CPV lists `pack.yaml` names), "
        "`templates/*.j2` (the memo template: see "
        "[the memo template reference](memo-template.md)), `tests/*.yaml` "
        "([pack test cases](#pack-test-cases)) and `evaluation/` "
        "([evaluation cases](#evaluation-cases)).",
        "",
    ]
    for file, (model, _needed) in PACK_FILES.items():
        hints = typing.get_type_hints(model, include_extras=True)
        out += [f"## `{file}` {{ #{file.replace('.', '')} }}", ""]
        out += ["| key | type | required / default | meaning |", "|---|---|---|---|"]
        for name, info in model.model_fields.items():
            out.append(
                f"| `{info.alias or name}` | {_cell(namer(hints[name]))} | {_default(info)} | "
                f"{_cell(_constraints(info))} |"
            )
        out.append("")
        _document(out, list(namer.seen), namer, done)

    out += [
        "## Conditions { #conditions }",
        "",
        "`when`, `ask_when`, `requires` and `applies_when` hold a condition: plain YAML, "
        "never code. A condition is one of the mappings below; `all`, `any` and `not` nest "
        "conditions. An unanswered question makes a test *unknown*, not false, and the "
        "doubt is carried up (three-valued logic).",
        "",
    ]
    for model, title in (
        (conditions.Leaf, "A test on one question (`question:`)"),
        (conditions.AllOf, "`all:`"),
        (conditions.AnyOf, "`any:`"),
        (conditions.Not, "`not:`"),
        (conditions.StartDate, "A test on the start date"),
    ):
        namer.anchors[model] = f"condition-{model.__name__.lower()}"
        out += model_section(model, namer, level="###", title=title)
    leaf_words = (
        "A leaf needs exactly one test: `equals`, `in`, `at_least` and/or `at_most`, "
        "`at_least_threshold`, `below_threshold`, or `answered`. Threshold and start-date "
        "tests are allowed in notes and regimes, not in scoring."
    )
    out += [leaf_words, ""]

    out += ["## Files beside the pack", ""]
    for model, title, anchor, intro in (
        (
            PackCase,
            "Pack test cases (`tests/*.yaml`, a list under `tests:`)",
            "pack-test-cases",
            "`svadvisor rules test` runs them.",
        ),
        (
            EvaluationCase,
            "Evaluation cases (`evaluation/cases/*.yaml`)",
            "evaluation-cases",
            "`svadvisor rules evaluate` runs them; `evaluation/targets.yaml` is below.",
        ),
        (TargetsFile, "`evaluation/targets.yaml`", "evaluation-targets", ""),
        (
            CaseStudy,
            "A case study (`casestudies/*.yaml`)",
            "case-study-file",
            "One file per case; its file name (without `.yaml`) is its `id`.",
        ),
        (
            DecisionRecord,
            "The decision record (`record:` in an answers file, or `--record FILE`)",
            "decision-record",
            'Every field is optional; an empty one shows as "to complete".',
        ),
    ):
        namer.anchors[model] = anchor
        section = model_section(model, namer, level="###", title=title)
        out += section[:2] + ([intro, ""] if intro else []) + section[2:]
        _document(out, [m for m in namer.seen if m not in done and m is not model], namer, done)
        done.add(model)
    return "\n".join(out).rstrip() + "\n"


def assessment_json_markdown() -> str:
    from svadvisor.scoring import assessment

    namer = TypeNamer({}, anchors={})
    for name in dir(assessment):
        value = getattr(assessment, name)
        if isinstance(value, type) and issubclass(value, BaseModel):
            namer.anchors[value] = f"json-{value.__name__.lower()}"
    out = [
        "# JSON output of `assess --json`",
        "",
        GENERATED_NOTE.format(
            what="the model `assess --json` prints (`svadvisor.scoring.assessment.Assessment`)"
        ),
        "Scripts and later features rely on these field names: fields are only ever added, "
        'never renamed. Every key below is always present in the JSON ("may be `null`" or '
        '"may be empty" says what it holds when there is nothing to say). Dates are '
        "`YYYY-MM-DD` strings.",
        "",
        "- A route's `contributions[].points` always add up to its `score`; the baseline "
        'shows as `"rule": "baseline"`, and a contribution may carry `group`, the route '
        "group whose shared points it is.",
        "- `margin` is the leader's score minus the runner-up's.",
        "- `recommended` is the leader's id, or `null` for a tie or an insufficient "
        "confidence; `tie` lists the routes tied at the top.",
        "- `cases --json` and `notes --json` print the same case and note objects.",
        "",
    ]
    _document(out, [assessment.Assessment], namer, set(), output=True)
    return "\n".join(out).rstrip() + "\n"


def _builtin_pack_page(title: str) -> tuple[Any, list[str]]:
    """The built-in pack, and the start of a page generated from it."""
    from svadvisor import load_pack

    pack = load_pack()
    what = f"the built-in rule pack ({pack.meta.name} {pack.meta.version})"
    return pack, [f"# {title}", "", GENERATED_NOTE.format(what=what)]


def questions_markdown() -> str:
    pack, out = _builtin_pack_page("Questions of the built-in rule pack")
    out += [
        "An answers file gives `question id: answer id`; `dont_know` (or leaving the "
        "question out) is always allowed. `svadvisor questions` prints the same list for "
        "whichever pack is in use. The format: [Answers files](answers-files.md).",
        "",
        "| id | question | type | answers |",
        "|---|---|---|---|",
    ]
    for q in pack.questions:
        if q.answers:
            answers = "; ".join(f"`{a.id}`: {a.label}" for a in q.answers)
        elif q.bands:
            answers = (
                "a number"
                + (f" in {q.unit}" if q.unit else "")
                + "; bands: "
                + "; ".join(f"`{b.id}`: {b.label}" for b in q.bands)
            )
        else:
            answers = {
                "number": "a number" + (f" in {q.unit}" if q.unit else ""),
                "date": "a date",
                "cpv": "CPV codes, separated by `;`",
            }.get(q.type, "")
        asked = " (asked only when it applies)" if q.ask_when is not None else ""
        out.append(f"| `{q.id}` | {_cell(q.text)}{asked} | {q.type} | {_cell(answers)} |")
    return "\n".join(out).rstrip() + "\n"


def notes_markdown() -> str:
    pack, out = _builtin_pack_page("Notes of the built-in rule pack")
    out += [
        f"The {len(pack.notes)} legal and practical notes (`rules/notes.yaml`), each with its "
        "strength, its public sources and the day they were checked. An assessment shows a "
        "note only when its condition holds: see [The law behind the notes]"
        "(../explanation/law.md). `svadvisor notes` prints them for whichever pack is in use.",
        "",
    ]
    for note in pack.notes:
        out += [f"## {note.title} {{ #{note.id.replace('_', '-')} }}", ""]
        scope = {"covered": ", covered procurement only", "below_threshold": ", below threshold"}
        out += [
            f"**{note.strength.upper()}**{scope.get(note.scope, '')} · id `{note.id}` · "
            f"checked {note.checked} · review by {note.review_by}",
            "",
            " ".join(note.text.split()),
            "",
        ]
        out += [f"- <{url}>" for url in note.sources] + [""]
    return "\n".join(out).rstrip() + "\n"


PAGES = {
    "reference/cli.md": cli_markdown,
    "reference/rule-pack.md": rule_pack_markdown,
    "reference/assessment-json.md": assessment_json_markdown,
    "reference/questions.md": questions_markdown,
    "reference/notes.md": notes_markdown,
}


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages to the site (mkdocs >= 1.6)."""
    from mkdocs.structure.files import File

    for path, make in PAGES.items():
        files.append(File.generated(config, path, content=make()))
    return files
