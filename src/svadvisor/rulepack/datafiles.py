"""A pack's files that are not YAML: CPV code lists (CSV) and memo templates (Jinja2).
Read by the loader; a problem in one is located at its file, row and column."""

from __future__ import annotations

import csv
from pathlib import Path

from svadvisor.errors import Problem
from svadvisor.rulepack.schema import (
    PackMeta,
)
from svadvisor.yamlfile import PathKey, YamlDocument, YamlProblem, read_text

TEMPLATES_DIR = "templates"
"""The pack's folder of Jinja2 templates (`memo.md.j2`): wording a council may change."""


def load_cpv(
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


def read_templates(directory: Path, problems: list[Problem]) -> dict[str, str]:
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
