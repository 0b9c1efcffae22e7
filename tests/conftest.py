"""Shared fixtures: the real built-in pack, copies of it to break, and the real CLI."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from svadvisor.cases.library import builtin_cases_dir
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.load import builtin_pack_dir, load_pack
from svadvisor.rulepack.schema import RulePack

_CACHE = tempfile.mkdtemp(prefix="svadvisor-test-cache-")
os.environ["SVADVISOR_CACHE_DIR"] = _CACHE  # never the tester's own cache; CLI runs use it
os.environ.pop("SVADVISOR_NO_CACHE", None)
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

EXPECTED_ROUTE = {
    "lancashire-food-framework.yaml": "competitive",
    "leicestershire-childrens-innovation-partnership.yaml": "collaborative",
    "plymouth-alliance.yaml": "alliance",
    "plymouth-energy-community.yaml": "commons",
}
"""Each example answers file and the route its real case took (see the file's header)."""


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_pack()


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    """A writable copy of the built-in pack, as a council would make one."""
    target = tmp_path / "rules"
    shutil.copytree(builtin_pack_dir(), target)
    return target


@pytest.fixture
def cases_copy(tmp_path: Path) -> Path:
    """A writable copy of the built-in case studies, as a council would make one."""
    target = tmp_path / "casestudies"
    shutil.copytree(builtin_cases_dir(), target)
    return target


@pytest.fixture
def edit(pack_copy: Path) -> Callable[[str, str, str], Path]:
    """Replace text once in a file of the pack copy; fail loudly if the text is not there."""

    def _edit(file: str, old: str, new: str) -> Path:
        return replace_once(pack_copy / file, old, new)

    return _edit


def replace_once(path: Path, old: str, new: str) -> Path:
    """Replace text once in a file; fail loudly if the text is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, launched once per module; a module that uses it calls
    `tests.browser.skip_without_browser()` first, so a missing browser is a skip."""
    from scripts.report_screenshot import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing `needle`."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")


def rename_word(directory: Path, old: str, new: str) -> None:
    """Rename an id (as a whole word) in every YAML file of a pack copy, as a council might."""
    for path in directory.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(rf"\b{re.escape(old)}\b", new, text), encoding="utf-8")


def read_answers_file(path: Path, pack: RulePack) -> dict[str, Answer]:
    """A checked answers file's answers (what `assess --answers` reads), for tests that
    need only the answers, not the questions it settles as "don't know"."""
    from svadvisor.answers.files import read_answers_file_settled

    return read_answers_file_settled(path, pack)[0]
