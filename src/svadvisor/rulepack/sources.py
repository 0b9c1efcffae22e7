"""Which sources a pack accepts: every web address it cites, checked against its classes.

A council acts on svadvisor's notes, so a statement must rest on the primary or official
source (legislation, GOV.UK, NHS England, councils' own papers) or a recognised body,
never a blog, an aggregator or an app page. The pack lists the classes it accepts in
`sources.yaml` (web domain -> class); `svadvisor rules lint` warns about any address
outside them, and `svadvisor rules validate --strict` fails on one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from svadvisor.errors import Problem
from svadvisor.folders import case_files
from svadvisor.rulepack.load import PACK_FILES
from svadvisor.rulepack.schema import SourceClass
from svadvisor.yamlfile import PathKey, YamlDocument, YamlProblem, load_yaml_file

PACK_FOLDERS = ("tests", "evaluation/cases")
"""Folders of a pack whose YAML files cite sources too (its test and evaluation cases)."""


def host(url: str) -> str:
    """The web host of an address, lower case, without `www.`."""
    name = (urlsplit(url.strip()).hostname or "").lower()
    return name[4:] if name.startswith("www.") else name


def classify(classes: Iterable[SourceClass], url: str) -> SourceClass | None:
    """The first class one of whose domains is the address's host or a parent of it."""
    name = host(url)
    for source_class in classes:
        for domain in source_class.domains:
            domain = domain.lower().removeprefix("www.")
            if name == domain or name.endswith("." + domain):
                return source_class
    return None


def _addresses(data: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _addresses(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _addresses(value, (*path, index))
    elif isinstance(data, str) and data.strip().startswith(("https://", "http://")):
        yield path, data.strip()


def pack_documents(directory: Path) -> Iterator[YamlDocument]:
    """Every YAML file of a pack that may cite a source (core files, tests, evaluation)."""
    files = [directory / name for name in PACK_FILES if (directory / name).is_file()]
    for folder in PACK_FOLDERS:
        where = directory / folder
        if where.is_dir():
            files += sorted(p for p in where.glob("*.yaml") if p.is_file())
    for file in files:
        try:
            yield load_yaml_file(file)
        except YamlProblem:
            continue  # reported by validation


def library_documents(directory: Path) -> Iterator[YamlDocument]:
    for file in case_files(directory):
        try:
            yield load_yaml_file(file)
        except YamlProblem:
            continue


def unlisted(classes: list[SourceClass], documents: Iterable[YamlDocument]) -> list[Problem]:
    """A located problem for every cited address outside the pack's source classes."""
    if not classes:
        return []
    problems = []
    for doc in documents:
        for path, url in _addresses(doc.data):
            if classify(classes, url) is None:
                problems.append(
                    doc.problem(
                        path,
                        f"source {host(url) or url!r} is not in a class the pack accepts "
                        "(sources.yaml): cite the primary or official source instead, or "
                        "drop the claim",
                    )
                )
    return problems
