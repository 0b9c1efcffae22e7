"""The bad-input corpus: every malformed file in tests/bad_inputs/ gives its exact error.

Each case is a folder holding the malformed file(s), `case.json` (what it tests, the CLI
arguments, and anything generated at run time rather than committed, such as a 50 MB
file or an alias bomb) and `expected.txt`: the exit status, then the exact standard
error (and, for a partly rejected pipeline, `expected-rejects.csv`). Rule-pack and
template cases lay their `pack/` files over a copy of the built-in
pack. No case may show a traceback or leave any output or temporary file behind.

To add a case: make a folder with the file(s) and a case.json, run
`SVADVISOR_REGEN_BAD_INPUTS=1 .venv/bin/python -m pytest tests/cli/test_bad_inputs.py`,
and read the expected.txt it writes before committing it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES
from typer.testing import CliRunner

from svadvisor.cli.app import app
from svadvisor.rulepack.load import builtin_pack_dir

CORPUS = Path(__file__).parents[1] / "bad_inputs"
CASES = sorted(p.parent for p in CORPUS.rglob("case.json"))
REGENERATE = bool(os.environ.get("SVADVISOR_REGEN_BAD_INPUTS"))


def _generate(spec: dict[str, Any], case: Path) -> None:
    target = case / spec["file"]
    target.parent.mkdir(parents=True, exist_ok=True)
    kind = spec["kind"]
    if kind == "alias_bomb":
        lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for i, name in enumerate("bcdefghi"):
            previous = "abcdefghi"[i]
            lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
        lines.append("notes: *i")
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif kind == "huge":
        line = "# " + "x" * 1021 + "\n"
        with target.open("w", encoding="utf-8") as out:
            out.write("notes: []\n")
            for _ in range(spec["megabytes"] * 1024):
                out.write(line)
    elif kind == "folder":
        target.unlink(missing_ok=True)
        target.mkdir()
    elif kind == "remove":
        target.unlink()
    elif kind == "huge_cell":
        target.write_text(
            "Reference,Notes,complexity\nA," + "n" * (1024 * 1024) + ",complex\nB,short,simple\n",
            encoding="utf-8",
        )
    else:  # pragma: no cover - a corpus mistake
        raise AssertionError(f"unknown generator {kind!r}")


def _prepare(source: Path, tmp_path: Path) -> tuple[list[str], dict[str, str], Path]:
    spec = json.loads((source / "case.json").read_text(encoding="utf-8"))
    case = tmp_path / "case"
    shutil.copytree(source, case, ignore=shutil.ignore_patterns("case.json", "expected*"))
    pack = tmp_path / "pack"
    shutil.copytree(builtin_pack_dir(), pack)
    if (case / "pack").is_dir():
        shutil.copytree(case / "pack", pack, dirs_exist_ok=True)
    if "generate" in spec:
        generated = dict(spec["generate"])
        if generated["file"].startswith("pack/"):
            generated["file"] = generated["file"].removeprefix("pack/")
            _generate(generated, pack)
        else:
            _generate(generated, case)
    out = tmp_path / "out"
    out.mkdir()
    places = {
        "{pack}": str(pack),
        "{case}": str(case),
        "{out}": str(out),
        "{examples}": str(EXAMPLES),
    }
    args = [arg for template in spec["args"] for arg in [_fill(template, places)]]
    return args, places, out


def _fill(text: str, places: dict[str, str]) -> str:
    for key, value in places.items():
        text = text.replace(key, value)
    return text


def _placeholders(text: str, places: dict[str, str]) -> str:
    for key, value in sorted(places.items(), key=lambda kv: -len(kv[1])):
        text = text.replace(value, key)
    return text


def test_the_corpus_is_large_enough() -> None:
    kinds = {case.parent.name for case in CASES}
    assert len(CASES) >= 40
    assert kinds == {"pack", "answers", "pipeline", "template"}


@pytest.mark.parametrize("source", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bad_input_gives_its_exact_error(source: Path, tmp_path: Path) -> None:
    args, places, out = _prepare(source, tmp_path)
    result = CliRunner().invoke(app, args)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    got = f"exit: {result.exit_code}\n" + _placeholders(result.stderr, places)
    expected_file = source / "expected.txt"
    if REGENERATE:
        expected_file.write_text(got, encoding="utf-8")
    assert got == expected_file.read_text(encoding="utf-8")
    rejects = out / "rejects.csv"
    if rejects.exists():  # a partly rejected pipeline: the rows, columns and reasons
        expected_rejects = source / "expected-rejects.csv"
        text = rejects.read_text(encoding="utf-8-sig")
        if REGENERATE:
            expected_rejects.write_text(text, encoding="utf-8", newline="")
        assert text == expected_rejects.read_text(encoding="utf-8")
    assert not list(out.glob(".*.tmp")), "a temporary file was left behind"
    if result.exit_code == 2:
        assert list(out.iterdir()) == [], "a failed run wrote an output"
