"""Plain words in the terminal: no internal id without its words, each note in full
(first sentences with --brief), and questions that read right before any notice exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from typer.testing import CliRunner

from svadvisor.cli.app import app
from svadvisor.rulepack.schema import RulePack

WIDE = {"COLUMNS": "400"}
"""A terminal wide enough that no line wraps, so each line can be read whole."""

EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("*.yaml"))


def _assess(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, ["assess", *args], env=WIDE)
    assert result.exit_code == 0, result.output
    return "".join(line.rstrip() + "\n" for line in result.stdout.splitlines())


def _ids(pack: RulePack) -> set[str]:
    """Every internal id the output could show: questions, answers, rules, notes, routes,
    groups, evidence and prerequisites, and the baseline."""
    ids = {q.id for q in pack.questions} | {a.id for q in pack.questions for a in q.answers}
    ids |= {r.id for r in pack.rules} | {n.id for n in pack.notes} | {"baseline"}
    ids |= {r.id for r in pack.routes} | {g.id for g in pack.groups}
    ids |= {e.id for r in pack.routes for e in r.evidence}
    ids |= {p.id for r in pack.routes for p in r.prerequisites}
    return ids


def _outside_brackets(line: str) -> str:
    """The line with every bracketed part and every web address taken out."""
    line = re.sub(r"https?://\S+", "", line)
    while True:
        shorter = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", "", line)
        if shorter == line:
            return line
        line = shorter


@pytest.mark.parametrize("example", EXAMPLE_FILES)
def test_assess_shows_no_internal_id_without_its_words(
    runner: CliRunner, pack: RulePack, example: str
) -> None:
    out = _assess(runner, "--answers", str(EXAMPLES / example))
    ids = _ids(pack)
    for line in out.splitlines():
        if line.strip().startswith("Every source and what happened: svadvisor cases show ID"):
            continue  # case ids are what `svadvisor cases show` takes
        for word in ids:
            # an id as a line's label (`- mutual_reservable:`, `+3  complexity:`) or in an
            # answer (`market=deep`)
            label = rf"^\s*(?:[-+]\d+\s+|- |! )?{word}:"
            for shape in (label, rf"\b{word}=", rf"=\s*{word}\b"):
                assert not re.search(shape, line), f"bare id {word!r} in: {line.strip()}"
        # an id with an underscore is never words: it may only follow them, in brackets
        bare = [w for w in ids if "_" in w and re.search(rf"\b{w}\b", _outside_brackets(line))]
        assert bare == [], f"bare id(s) {bare} in: {line.strip()}"


def test_every_id_shown_follows_its_words(runner: CliRunner) -> None:
    out = _assess(runner, "--answers", str(EXAMPLES / "plymouth-alliance.yaml"))
    assert "mutual_reservable:" not in out
    assert (
        '  - Is it a reservable light touch service (marked "R" in Schedule 1 to the '
        "Procurement Regulations 2024)? (mutual_reservable)\n" in out
    )
    assert "  - How many providers must work together, depending on each other, to deliver " in out
    assert (
        'a 80% cut in the points from the answer to "Must those providers and the council '
        'share one set of outcomes, risk and reward, and governance, under one agreement?" '
        "(shared_governance)" in out
    )
    assert "(rule complex_and_long)" in out
    competitive = _assess(runner, "--answers", str(EXAMPLES / "lancashire-food-framework.yaml"))
    assert "  +1  Starting points, before any answer (baseline)" in competitive
    assert "baseline:" not in competitive


def test_notes_are_shown_in_full_and_first_sentences_with_brief(
    runner: CliRunner, pack: RulePack
) -> None:
    answers = str(EXAMPLES / "plymouth-alliance.yaml")
    full = _assess(runner, "--answers", answers)
    brief = _assess(runner, "--answers", answers, "--brief")
    note = next(n for n in pack.notes if n.id == "light_touch_rules")
    first, _, rest = note.text.partition(". ")
    assert rest  # a note of more than one sentence
    assert f"      {note.text}\n" in full
    assert f"      {first}.\n" in brief
    assert rest not in brief
    assert len(brief) < len(full)
    # only the notes change: everything before them is the same
    assert full.split("Notes that apply")[0] == brief.split("Notes that apply")[0]


def test_brief_is_in_the_assess_help(runner: CliRunner) -> None:
    result = runner.invoke(app, ["assess", "--help"], env=WIDE)
    assert result.exit_code == 0
    assert "--brief" in result.stdout
    assert "Show each note's first sentence only." in " ".join(result.stdout.split())


# --- the questions, for a service still being planned ---------------------------------


PLANNING = {
    "suitable_for": "Will the opportunity be marked as suitable for SMEs or VCSEs? (pick any)",
    "reserved_for": "Will taking part be reserved to certain suppliers?",
    "lots": "Will the contract be divided into lots?",
}


def test_questions_read_right_before_any_notice_exists(pack: RulePack) -> None:
    for question_id, text in PLANNING.items():
        question = pack.question(question_id)
        assert question is not None and question.text == text
        assert "Still planning? Answer as you intend" in question.help
    for question in pack.questions:
        # no question takes a published notice for granted
        assert not re.match(r"(Does|Did|Is|Was) the (tender )?notice", question.text), question.text
        assert "Does the notice" not in question.text


def test_the_reworded_questions_keep_their_ids_answers_and_points(pack: RulePack) -> None:
    suitable = pack.question("suitable_for")
    reserved = pack.question("reserved_for")
    assert suitable is not None and reserved is not None
    assert suitable.type == "multi" and suitable.choice_ids == ["sme", "vcse"]
    assert reserved.choice_ids == [
        "not_reserved",
        "supported_employment",
        "public_service_mutual",
        "sme_vcse",
    ]


def test_questions_list_shows_words_before_ids(runner: CliRunner, pack: RulePack) -> None:
    result = runner.invoke(app, ["questions"], env=WIDE)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for question in pack.questions:
        assert any(line.startswith(f"{question.text}  ({question.id}; ") for line in lines)
    assert not any(line.startswith(tuple(q.id + " " for q in pack.questions)) for line in lines)
    assert "    - Supported employment providers (s32) (supported_employment)" in lines
    assert not any("{" in line for line in lines if "asked only when" in line)


def test_notes_and_routes_lists_put_ids_after_words(runner: CliRunner, pack: RulePack) -> None:
    notes = runner.invoke(app, ["notes"], env=WIDE).stdout
    for note in pack.notes:
        assert f"] {note.title} ({note.id})" in notes
    routes = runner.invoke(app, ["routes"], env=WIDE).stdout
    for route in pack.routes:
        assert f"{route.label} ({route.id})\n" in routes


def test_a_number_answer_shows_in_words(runner: CliRunner, tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("service_type: services\nvalue: 1500000\nmarket: deep\n", encoding="utf-8")
    out = _assess(runner, "--answers", str(answers))
    assert "value:" not in out and "market:" not in out
    assert (
        "How many capable suppliers are there for this work? Deep - many capable suppliers" in out
    )
