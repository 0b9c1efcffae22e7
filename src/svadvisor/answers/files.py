"""Answers files: the YAML an officer keeps (or `assess --save-answers` writes)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import yaml

from svadvisor.answers.record import RECORD_KEY, DecisionRecord, record_from
from svadvisor.answers.validate import dump_answers, validate_answers
from svadvisor.atomic import write_text_atomic
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.schema import DONT_KNOW, RulePack
from svadvisor.yamlfile import YamlDocument, load_user_file


def read_answers_file_settled(path: Path, pack: RulePack) -> tuple[dict[str, Answer], list[str]]:
    """The checked answers, and the questions the file answers "don't know": those are
    settled too, so `assess --ask-missing` does not ask them again."""
    answers, dont_know, _ = read_answers_file_full(path, pack)
    return answers, dont_know


def read_answers_file_full(
    path: Path, pack: RulePack
) -> tuple[dict[str, Answer], list[str], DecisionRecord | None]:
    """The checked answers, the "don't know"s, and the file's decision record (its
    top-level `record:` block, checked field by field), or None when it has none."""
    return read_answers_document(load_user_file(path, "answers file"), pack)


def read_answers_document(
    doc: YamlDocument, pack: RulePack
) -> tuple[dict[str, Answer], list[str], DecisionRecord | None]:
    """As `read_answers_file_full`, for an answers file already parsed (an upload)."""
    record = read_answers_record(doc, pack)
    raw = doc.data
    if record is not None and isinstance(raw, Mapping):
        raw = {key: value for key, value in raw.items() if key != RECORD_KEY}
    answers = validate_answers(pack, raw, doc=doc)
    named = raw if isinstance(raw, Mapping) else {}
    dont_know = [q.id for q in pack.questions if q.id in named and q.id not in answers]
    return answers, dont_know, record


def read_answers_record(doc: YamlDocument, pack: RulePack) -> DecisionRecord | None:
    """An answers file's `record:` block (not a question, unless the pack asks one by that
    name), or None."""
    data = doc.data
    if not isinstance(data, Mapping) or RECORD_KEY not in data or pack.question(RECORD_KEY):
        return None
    return record_from(doc, (RECORD_KEY,))


def render_answers_yaml(
    pack: RulePack,
    answers: dict[str, Answer],
    header: str = "",
    dont_know: Collection[str] = (),
) -> str:
    """Answers as YAML in question order; questions in `dont_know` are written `dont_know`."""
    given = dump_answers(pack, answers)
    data = {
        q.id: given.get(q.id, DONT_KNOW)
        for q in pack.questions
        if q.id in given or q.id in dont_know
    }
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    return "\n".join([*lines, body]) if lines else body


def write_answers_file(
    path: Path,
    pack: RulePack,
    answers: dict[str, Answer],
    *,
    force: bool,
    header: str = "",
    dont_know: Collection[str] = (),
) -> None:
    write_text_atomic(path, render_answers_yaml(pack, answers, header, dont_know), force=force)
