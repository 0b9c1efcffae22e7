"""Safe YAML reading that remembers where every value came from.

Rule packs and answers are written by hand, so an error must point at a line and
column. We compose the document with PyYAML's safe machinery, refuse aliases (an
alias bomb expands exponentially when validated) and unknown tags, reject duplicate
keys at the key's line, and keep a mark for every path into the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from svadvisor.errors import AnswersError, InputFileError, Problem, SvadvisorError

MAX_FILE_BYTES = 5 * 1024 * 1024
"""A rule pack or answers file is a few kilobytes; anything this large is a mistake."""

_MAX_INT_BITS = 1024
"""Integers beyond a float's range (about 1.8e308) are no real figure, and those past
4,300 digits cannot even be printed in an error message."""

PathKey = tuple[str | int, ...]

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (several times faster), else the pure-Python one."""


# the base is a variable: libyaml's loader when present, picked at import
class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Safe loader with YAML 1.2 booleans: `yes`, `no`, `on`, `off` stay words.

    Officers write `id: yes` for a yes/no answer; YAML 1.1 would turn that into True.
    """


def _refuse_aliases(text: str) -> None:
    """An alias bomb expands exponentially once built, so refuse aliases before composing."""
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not allowed here; write the value out in full",
                # libyaml's Mark (from CSafeLoader) has yaml.error.Mark's fields
                event.start_mark,  # type: ignore[arg-type]
            )


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass
class YamlDocument:
    """Plain data plus the position of every value in its file."""

    file: str
    data: Any
    marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: PathKey, *, at_key: bool = False) -> tuple[int | None, int | None]:
        """The line and column for a path, or for its nearest ancestor that has one."""
        candidates = (self.key_marks, self.marks) if at_key else (self.marks,)
        for end in range(len(path), -1, -1):
            prefix = tuple(path[:end])
            for table in candidates:
                if prefix in table:
                    return table[prefix]
        return None, None

    def part(self, path: PathKey) -> YamlDocument:
        """The value at `path` as a document of its own, keeping its positions in this file."""

        def below(table: dict[PathKey, tuple[int, int]]) -> dict[PathKey, tuple[int, int]]:
            n = len(path)
            return {key[n:]: mark for key, mark in table.items() if key[:n] == path}

        data: Any = self.data
        for key in path:
            data = data[key]
        return YamlDocument(self.file, data, below(self.marks), below(self.key_marks))

    def problem(self, path: PathKey, message: str, *, at_key: bool = False) -> Problem:
        line, column = self.locate(path, at_key=at_key)
        return Problem(message, self.file, line, column, format_path(path) or None)


def format_path(path: PathKey) -> str:
    """`("questions", 3, "answers", 1, "id")` -> `questions[3].answers[1].id`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class YamlProblem(SvadvisorError):
    """A file that is not usable YAML; `problem` locates it."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_text(path: Path, display: str) -> str:
    """Read a hand-written UTF-8 file, refusing folders, huge files and other encodings."""
    if not path.exists():
        raise YamlProblem(Problem("file not found", display))
    if path.is_dir():
        raise YamlProblem(Problem("is a folder, not a file", display))
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise YamlProblem(
            Problem(f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes", display)
        )
    try:
        with path.open("rb") as handle:  # bounded: a device such as /dev/zero has no size
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise YamlProblem(Problem(f"cannot be read ({exc.strerror or exc})", display)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(Problem(f"file is over the limit of {MAX_FILE_BYTES:,} bytes", display))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(
            Problem(
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                display,
                line,
                column,
            )
        ) from None
    return text


def parse_yaml(text: str, display: str) -> YamlDocument:
    """Parse one YAML document safely, keeping marks; raise YamlProblem when it is not YAML."""
    if not text.strip():
        raise YamlProblem(Problem("file is empty", display))
    try:
        _refuse_aliases(text)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise YamlProblem(Problem("file holds no data (only comments?)", display))
            doc = YamlDocument(display, None)
            doc.data = _build(node, (), doc, loader)
            return doc
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        if exc.context and "while scanning" not in (exc.context or ""):
            message = f"{message} ({exc.context})"
        if "\\t" in message or "tab character" in message or _tab_at(text, mark):
            message += "; indent with spaces, not tabs"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise YamlProblem(Problem(f"YAML syntax error: {message}", display, line, column)) from None
    except yaml.reader.ReaderError as exc:
        raise YamlProblem(_unprintable(text, exc, display)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(f"YAML error: {exc}", display)) from None


def _tab_at(text: str, mark: yaml.Mark | None) -> bool:
    """Whether the error points at a tab used to indent."""
    lines = text.splitlines()
    if mark is None or mark.line >= len(lines):
        return False
    line = lines[mark.line]
    return line[mark.column : mark.column + 1] == "\t" and not line[: mark.column].strip()


def _unprintable(text: str, exc: yaml.reader.ReaderError, display: str) -> Problem:
    """A control character (such as NUL) in the text, at its line and column.

    The reader reports a position (in bytes under libyaml), so find the first character
    YAML refuses ourselves: it is the one the reader stopped at.
    """
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    line = column = None
    if found:
        before = text[: found.start()]
        line = before.count("\n") + 1
        column = found.start() - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return Problem(
        f"YAML syntax error: the control character #x{code:04x} is not allowed; remove it",
        display,
        line,
        column,
    )


def load_user_file(path: Path, what: str) -> YamlDocument:
    """A YAML file a user names on the command line (answers, a columns map): a missing
    file is one InputFileError line, anything unreadable a located AnswersError."""
    if not path.exists():
        raise InputFileError(f"{path}: {what} not found")
    try:
        return load_yaml_file(path)
    except YamlProblem as exc:
        raise AnswersError([exc.problem], f"{what} is not readable") from None


def load_yaml_file(path: Path, display: str | None = None) -> YamlDocument:
    name = display or str(path)
    return parse_yaml(read_text(path, name), name)


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _unreadable_scalar(node: ScalarNode, exc: Exception) -> str:
    shown = (
        node.value
        if len(node.value) <= 40
        else f"{node.value[:20]}...({len(node.value):,} characters)"
    )
    if node.tag.endswith(":timestamp"):
        return f"{shown} is not a real date: {exc}"
    if node.tag.endswith((":int", ":float")):
        return f"{shown} is too long a number"
    return f"{shown!r} cannot be read"


def _build(node: Node, path: PathKey, doc: YamlDocument, loader: _Loader) -> Any:
    doc.marks[path] = _mark(node)
    if node.tag not in _SAFE_TAGS:
        line, column = _mark(node)
        raise YamlProblem(
            Problem(
                f"the tag {node.tag!r} is not allowed (rule packs and answers hold plain data)",
                doc.file,
                line,
                column,
                format_path(path) or None,
            )
        )
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                line, column = _mark(key_node)
                raise YamlProblem(
                    Problem("a key must be a plain word", doc.file, line, column, format_path(path))
                )
            key = loader.construct_scalar(key_node)
            child = (*path, key)
            if key in result:
                line, column = _mark(key_node)
                first = doc.key_marks.get(child, (None, None))[0]
                raise YamlProblem(
                    Problem(
                        f"duplicate key {key!r} (first given on line {first})",
                        doc.file,
                        line,
                        column,
                        format_path(child),
                    )
                )
            doc.key_marks[child] = _mark(key_node)
            result[key] = _build(value_node, child, doc, loader)
        return result
    if isinstance(node, SequenceNode):
        return [_build(item, (*path, i), doc, loader) for i, item in enumerate(node.value)]
    if isinstance(node, ScalarNode):
        try:
            value = loader.construct_object(node, deep=True)
            if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
                raise OverflowError("beyond any real figure")  # 0x999... of 3,000 digits
            return value
        except (ValueError, OverflowError) as exc:  # 2026-02-30, a 5,000-digit number
            line, column = _mark(node)
            raise YamlProblem(
                Problem(
                    _unreadable_scalar(node, exc), doc.file, line, column, format_path(path) or None
                )
            ) from exc
    raise YamlProblem(Problem("unsupported YAML node", doc.file, *_mark(node)))  # pragma: no cover
