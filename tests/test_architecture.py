"""The shape holds: imports flow one way (cli -> ... -> errors), nothing below the CLI
talks to people, and no package's modules import each other in a circle. The contracts
live in pyproject.toml ([tool.importlinter]) and are checked by import-linter."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import svadvisor

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(svadvisor.__file__).resolve().parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """Run the contracts over the package found in `package_parent`."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=package_parent,
        env=env,
        check=False,
    )


@pytest.fixture
def copy_of_package(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "svadvisor", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_import_contracts_hold() -> None:
    result = lint_imports(PACKAGE.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers(copy_of_package: Path) -> None:
    thresholds = copy_of_package / "svadvisor" / "scoring" / "thresholds.py"
    thresholds.write_text(
        thresholds.read_text(encoding="utf-8") + "\nfrom svadvisor.memo import render\n",
        encoding="utf-8",
    )
    result = lint_imports(copy_of_package)
    assert result.returncode != 0
    assert "Layers: data flows one way BROKEN" in result.stdout
    assert "svadvisor.scoring.thresholds -> svadvisor.memo.render" in result.stdout


def test_a_library_module_that_prints_breaks_the_contract(copy_of_package: Path) -> None:
    readers = copy_of_package / "svadvisor" / "pipeline" / "readers.py"
    readers.write_text(readers.read_text(encoding="utf-8") + "\nimport rich\n", encoding="utf-8")
    result = lint_imports(copy_of_package)
    assert result.returncode != 0
    assert "nothing below it imports typer, rich or" in result.stdout
    assert "BROKEN" in result.stdout
