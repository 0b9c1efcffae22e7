"""Answers files: the YAML an officer keeps (or `assess --save-answers` writes)."""

from __future__ import annotations

from pathlib import Path

import yaml

from svadvisor.answers import dump_answers, validate_answers
from svadvisor.atomic import write_text_atomic
from svadvisor.conditions import Answer
from svadvisor.errors import AnswersError, InputFileError
from svadvisor.model import RulePack
from svadvisor.yamlfile import YamlProblem, load_yaml_file


def read_answers_file(path: Path, pack: RulePack) -> dict[str, Answer]:
    """Load and check an answers file; every problem names the question and allowed answers."""
    if not path.exists():
        raise InputFileError(f"{path}: answers file not found")
    try:
        doc = load_yaml_file(path)
    except YamlProblem as exc:
        raise AnswersError([exc.problem], "answers file is not readable") from None
    return validate_answers(pack, doc.data, doc=doc)


def render_answers_yaml(pack: RulePack, answers: dict[str, Answer], header: str = "") -> str:
    body = yaml.safe_dump(dump_answers(pack, answers), sort_keys=False, allow_unicode=True)
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    return "\n".join([*lines, body]) if lines else body


def write_answers_file(
    path: Path, pack: RulePack, answers: dict[str, Answer], *, force: bool, header: str = ""
) -> None:
    write_text_atomic(path, render_answers_yaml(pack, answers, header), force=force)
