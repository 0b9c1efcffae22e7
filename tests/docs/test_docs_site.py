"""The documentation site: it builds with --strict, its generated reference pages cover the
code they are generated from, and the README stays a short page of links."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "svadvisor_docs_hook", DOCS / "hooks" / "reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_site_builds_strict(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for page in ("reference/cli", "reference/rule-pack", "reference/assessment-json"):
        assert (tmp_path / "site" / page / "index.html").is_file()


def test_cli_page_has_every_command_and_option(hook: ModuleType) -> None:
    page = hook.cli_markdown()
    tree = hook.command_tree()
    names = {" ".join(path) for path, _command, _ctx in tree}
    # the lazily loaded commands are all there, with their subcommands
    for expected in ("svadvisor assess", "svadvisor batch", "svadvisor rules diff"):
        assert expected in names
    assert "svadvisor memo replay" in names and "svadvisor cases show" in names
    for path, command, _ctx in tree:
        assert f"`{' '.join(path)}`" in page
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("-"):
                    assert opt in page, (path, opt)


def test_rule_pack_page_has_every_field(hook: ModuleType) -> None:
    from svadvisor.rulepack import schema
    from svadvisor.rulepack.load import PACK_FILES

    page = hook.rule_pack_markdown()
    for file, (model, _needed) in PACK_FILES.items():
        assert f"`{file}`" in page
        for name, info in model.model_fields.items():
            assert f"| `{info.alias or name}` |" in page, (file, name)
    for model in (schema.Question, schema.Note, schema.Route, schema.Threshold):
        assert f"{{ #model-{model.__name__.lower()} }}" in page
        for name, info in model.model_fields.items():
            assert f"| `{info.alias or name}` |" in page, (model, name)


def test_assessment_json_page_has_every_field(hook: ModuleType) -> None:
    from svadvisor.scoring.assessment import Assessment, NoteResult

    page = hook.assessment_json_markdown()
    for model in (Assessment, NoteResult):
        for name, info in model.model_fields.items():
            assert f"| `{info.alias or name}` |" in page, (model, name)


def test_readme_is_short_and_links_into_the_docs() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 10_000
    assert "not legal advice" in text
    first = (
        "python3 -m venv .venv && .venv/bin/pip install . && "
        ".venv/bin/svadvisor assess --answers examples/plymouth-alliance.yaml"
    )
    assert first in text
    links = re.findall(r"\]\(((?:docs|rules)/[^)#]+)", text)
    assert len(links) >= 15
    for link in links:
        assert (ROOT / link).is_file(), link


def test_readme_example_is_real_output() -> None:
    """The README's example is what its first command prints."""
    text = README.read_text(encoding="utf-8")
    example = text.split("```text\n", 1)[1].split("```", 1)[0]
    shown = [line for line in example.splitlines() if line.strip() and line.strip() != "..."]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "svadvisor",
            "assess",
            "--answers",
            "examples/plymouth-alliance.yaml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80", "NO_COLOR": "1"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = [line.rstrip() for line in result.stdout.splitlines()]
    for line in shown:
        assert line.rstrip() in printed, line
