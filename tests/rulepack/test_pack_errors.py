"""A broken rule pack: every problem reported as FILE:LINE:COLUMN: field.path: message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import line_of
from typer.testing import CliRunner

from svadvisor.cli.app import app
from svadvisor.errors import RulePackError
from svadvisor.rulepack.load import load_pack

Edit = Callable[[str, str, str], Path]


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(RulePackError) as info:
        load_pack(directory)
    return [str(p) for p in info.value.problems]


def test_yaml_syntax_error_names_file_and_line(pack_copy: Path, edit: Edit) -> None:
    path = edit("notes.yaml", "    strength: must\n", "    strength: [must\n")
    (problem,) = problems_of(pack_copy)
    assert problem.startswith(f"{path}:")
    assert "YAML syntax error" in problem


def test_tab_indentation_says_use_spaces(pack_copy: Path, edit: Edit) -> None:
    path = edit(
        "routes.yaml", "    label: Competitive procurement", "\tlabel: Competitive procurement"
    )
    (problem,) = problems_of(pack_copy)
    line = line_of(path, "\tlabel")
    assert problem.startswith(f"{path}:{line}:")
    assert "indent with spaces, not tabs" in problem


def test_unknown_key_lists_allowed_keys(pack_copy: Path, edit: Edit) -> None:
    path = edit("questions.yaml", "  - id: risk\n", "  - id: risk\n    colour: red\n")
    (problem,) = problems_of(pack_copy)
    line = line_of(path, "colour: red")
    assert problem == (
        f"{path}:{line}:5: questions[8].colour: unknown key 'colour'; allowed keys: id, text, "
        "help, type, unit, min, max, answers, bands, ask_when"
    )


def test_wrong_type_names_field_and_value(pack_copy: Path, edit: Edit) -> None:
    path = edit("questions.yaml", "            points: 3\n", "            points: lots\n")
    (problem,) = problems_of(pack_copy)
    line = line_of(path, "points: lots")
    assert problem.startswith(f"{path}:{line}:21: questions[0].answers[0].scores[0].points: ")
    assert "'lots'" in problem


def test_missing_required_field_points_at_its_parent(pack_copy: Path, edit: Edit) -> None:
    path = edit(
        "routes.yaml",
        "    label: Alliance contracting\n",
        "",
    )
    (problem,) = problems_of(pack_copy)
    line = line_of(path, "- id: alliance")
    assert problem == f"{path}:{line}:5: routes[2].label: missing required field"


def test_duplicate_answer_id(pack_copy: Path, edit: Edit) -> None:
    path = edit("questions.yaml", "      - id: complicated\n", "      - id: simple\n")
    problems = problems_of(pack_copy)
    line = line_of(path, "- id: simple", occurrence=2)
    assert problems[0] == f"{path}:{line}:13: questions[0].answers[1].id: duplicate id 'simple'"
    # a note that named the renamed answer is reported in the same run
    assert any("'complexity' has no answer 'complicated'" in p for p in problems[1:])


def test_duplicate_question_id(pack_copy: Path, edit: Edit) -> None:
    path = edit("questions.yaml", "  - id: timescale\n", "  - id: complexity\n")
    problems = problems_of(pack_copy)
    line = line_of(path, "  - id: complexity", occurrence=2)
    assert problems[0] == f"{path}:{line}:9: questions[1].id: duplicate id 'complexity'"
    # the rules that named the renamed question are reported in the same run
    assert any("unknown question 'timescale'" in p for p in problems[1:])


def test_score_naming_unknown_route(pack_copy: Path, edit: Edit) -> None:
    path = edit("questions.yaml", "          - route: alliance\n", "          - route: aliance\n")
    (problem,) = problems_of(pack_copy)
    line = line_of(path, "route: aliance")
    assert problem == (
        f"{path}:{line}:20: questions[5].answers[0].scores[1].route: unknown route 'aliance' "
        "(did you mean 'alliance'?); known: alliance, collaborative, collaborative_pathway, "
        "commons, competitive"
    )


def test_condition_naming_unknown_question(pack_copy: Path, edit: Edit) -> None:
    path = edit(
        "scoring.yaml",
        "{question: specification, equals: fixed}",
        "{question: specificaton, equals: fixed}",
    )
    (problem,) = problems_of(pack_copy)
    line = line_of(path, "specificaton")
    assert problem.startswith(f"{path}:{line}:22: rules[1].when.all[0].question: ")
    assert "unknown question 'specificaton'" in problem
    assert "did you mean 'specification'" in problem
    path = edit(
        "scoring.yaml",
        "{question: specificaton, equals: fixed}",
        "{question: specification, equals: fixed}",
    )
    path = edit(
        "scoring.yaml",
        "{question: providers, equals: one}",
        "{question: provders, equals: one}",
    )
    (problem,) = problems_of(pack_copy)
    line = line_of(path, "provders")
    assert problem.startswith(f"{path}:{line}:22: contradictions[2].when.all[0].question: ")
    assert "unknown question 'provders'" in problem


def test_condition_naming_unknown_answer(pack_copy: Path, edit: Edit) -> None:
    path = edit(
        "scoring.yaml",
        "{question: complexity, equals: complex}",
        "{question: complexity, equals: complexx}",
    )
    (problem,) = problems_of(pack_copy)
    line = line_of(path, "complexx")
    assert problem == (
        f"{path}:{line}:42: rules[0].when.all[0].equals: 'complexity' has no answer "
        "'complexx' (did you mean 'complex'?); its answers: simple, complicated, complex"
    )


def test_prerequisite_naming_unknown_answer(pack_copy: Path, edit: Edit) -> None:
    path = edit("routes.yaml", "in: [few, several]", "in: [few, many]")
    (problem,) = problems_of(pack_copy)
    assert problem.startswith(f"{path}:")
    assert "routes[2].prerequisites[0].requires.in: 'providers' has no answer 'many'" in problem


def test_condition_that_is_not_a_structure(pack_copy: Path, edit: Edit) -> None:
    path = edit(
        "notes.yaml", "    when: {question: service_type, equals: health_psr}", "    when: x > 3"
    )
    (problem,) = problems_of(pack_copy)
    line = line_of(path, "when: x > 3")
    assert problem.startswith(f"{path}:{line}:11: notes[0].when: a condition is a mapping")


def test_empty_file(pack_copy: Path) -> None:
    (pack_copy / "notes.yaml").write_text("", encoding="utf-8")
    assert problems_of(pack_copy) == [f"{pack_copy / 'notes.yaml'}: file is empty"]


def test_non_utf8_file(pack_copy: Path) -> None:
    path = pack_copy / "routes.yaml"
    path.write_bytes(path.read_bytes().replace(b"Competitive procurement", b"Comp\xe9titive"))
    (problem,) = problems_of(pack_copy)
    assert problem.startswith(f"{path}:")
    assert "not UTF-8 text (byte 0xe9); save the file as UTF-8" in problem


def test_python_tag_is_refused(pack_copy: Path) -> None:
    (pack_copy / "notes.yaml").write_text(
        "notes: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8"
    )
    (problem,) = problems_of(pack_copy)
    assert "tag:yaml.org,2002:python/object/apply:os.system' is not allowed" in problem


def test_alias_is_refused(pack_copy: Path) -> None:
    (pack_copy / "notes.yaml").write_text("a: &x [1, 2]\nnotes: *x\n", encoding="utf-8")
    (problem,) = problems_of(pack_copy)
    assert problem.startswith(f"{pack_copy / 'notes.yaml'}:2:8: ")
    assert "aliases (*name) are not allowed" in problem


def test_duplicate_key_is_refused(pack_copy: Path) -> None:
    (pack_copy / "notes.yaml").write_text("notes: []\nnotes: []\n", encoding="utf-8")
    (problem,) = problems_of(pack_copy)
    assert (
        problem
        == f"{pack_copy / 'notes.yaml'}:2:1: notes: duplicate key 'notes' (first given on line 1)"
    )


def test_file_that_is_a_folder(pack_copy: Path) -> None:
    (pack_copy / "notes.yaml").unlink()
    (pack_copy / "notes.yaml").mkdir()
    assert problems_of(pack_copy) == [f"{pack_copy / 'notes.yaml'}: is a folder, not a file"]


def test_missing_required_file(pack_copy: Path) -> None:
    (pack_copy / "questions.yaml").unlink()
    assert problems_of(pack_copy) == [
        f"{pack_copy / 'questions.yaml'}: missing: a rule pack needs questions.yaml"
    ]


def test_every_problem_is_reported_at_once(pack_copy: Path, edit: Edit) -> None:
    edit("questions.yaml", "    type: choice\n", "    type: choise\n")
    edit("notes.yaml", "    strength: must\n", "    strength: always\n")
    edit("routes.yaml", "    label: Alliance contracting\n", "")
    problems = problems_of(pack_copy)
    assert len(problems) == 3
    assert {Path(p.split(":")[0]).name for p in problems} == {
        "questions.yaml",
        "notes.yaml",
        "routes.yaml",
    }


def test_cli_validate_prints_problems_and_exits_2(
    runner: CliRunner, pack_copy: Path, edit: Edit
) -> None:
    edit("questions.yaml", "      - id: complicated\n", "      - id: simple\n")
    edit("questions.yaml", "          - route: alliance\n", "          - route: aliance\n")
    result = runner.invoke(app, ["rules", "validate", str(pack_copy)])
    assert result.exit_code == 2
    assert "duplicate id 'simple'" in result.stderr
    assert "unknown route 'aliance'" in result.stderr
    assert "Traceback" not in result.output
    assert (
        result.stderr.strip().splitlines()[-1] == f"Error: rule pack {pack_copy} has 3 problem(s)"
    )


def test_cli_validate_ok(runner: CliRunner, pack_copy: Path) -> None:
    result = runner.invoke(app, ["rules", "validate", str(pack_copy)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: svadvisor built-in rule pack")


def test_cli_missing_rule_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--rules", str(tmp_path / "nope"), "questions"])
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope'}: rule pack folder not found" in result.stderr


def _timescale_in_years(edit: Edit) -> None:
    """A council's pack may let a spreadsheet's contract length answer a choice question
    (the built-in pack keeps contract length as its own number question)."""
    for label, span in (
        ("Short - under 3 years", "{below: 3}"),
        ("Medium - 3 to 7 years", "{at_least: 3, below: 7}"),
        ("Long - 7 years or more, or long-term goals", "{at_least: 7}"),
    ):
        edit(
            "questions.yaml",
            f"        label: {label}\n",
            f"        label: {label}\n        years: {span}\n",
        )


def test_overlapping_years_on_answers_are_located(pack_copy: Path, edit: Edit) -> None:
    _timescale_in_years(edit)
    path = edit(
        "questions.yaml", "years: {at_least: 3, below: 7}", "years: {at_least: 2, below: 7}"
    )
    (problem,) = problems_of(pack_copy)
    line = line_of(path, "years: {at_least: 2, below: 7}")
    assert problem == (
        f"{path}:{line}:16: questions[1].answers[1].years: answer 'medium' overlaps 'short'"
    )


def test_years_below_at_least_is_located(pack_copy: Path, edit: Edit) -> None:
    _timescale_in_years(edit)
    path = edit("questions.yaml", "years: {at_least: 7}", "years: {at_least: 7, below: 5}")
    problems = problems_of(pack_copy)
    line = line_of(path, "years: {at_least: 7, below: 5}")
    assert f"{path}:{line}:37: questions[1].answers[2].years.below: below must exceed at_least" in (
        problems
    )


def test_years_only_on_choice_questions(pack_copy: Path, edit: Edit) -> None:
    edit(
        "questions.yaml",
        "    type: choice\n    answers:\n      - id: goods",
        "    type: multi\n    answers:\n      - id: goods",
    )
    path = edit(
        "questions.yaml",
        "        label: Goods\n",
        "        label: Goods\n        years: {below: 1}\n",
    )
    (problem,) = problems_of(pack_copy)
    line = line_of(path, "years: {below: 1}")
    assert problem == (
        f"{path}:{line}:16: questions[11].answers[0].years: only choice answers have years"
    )


def test_reference_problems_come_with_schema_problems_in_one_run(
    pack_copy: Path, edit: Edit
) -> None:
    notes = edit("notes.yaml", "    strength: must\n", "    strength: always\n")
    scoring = edit(
        "scoring.yaml",
        "{question: providers, equals: several}",
        "{question: provders, equals: several}",
    )
    problems = problems_of(pack_copy)
    assert len(problems) == 2
    assert problems[0].startswith(f"{notes}:")
    assert problems[1].startswith(f"{scoring}:")
    assert "unknown question 'provders'" in problems[1]


def test_a_file_that_does_not_read_is_not_blamed_twice(pack_copy: Path) -> None:
    (pack_copy / "thresholds.yaml").write_text("thresholds: [\n", encoding="utf-8")
    problems = problems_of(pack_copy)
    # the notes name thresholds in the broken file: no "unknown threshold" noise
    assert len(problems) == 1
    assert problems[0].startswith(f"{pack_copy / 'thresholds.yaml'}:")


def test_references_are_not_checked_without_the_core_files(pack_copy: Path, edit: Edit) -> None:
    edit("questions.yaml", "    type: choice\n", "    type: choise\n")
    problems = problems_of(pack_copy)
    assert len(problems) == 1
    assert "questions[0].type" in problems[0]


@pytest.mark.parametrize(
    ("old", "new", "found", "message"),
    [
        (
            "not_reserved: not_reserved",
            "not_reserved: open",
            "not_reserved: open",
            "pack.reach.not_reserved: 'reserved_for' has no answer 'open'",
        ),
        (
            "lots_question: lots",
            "lots_question: reserved_for",
            "lots_question: reserved_for",
            "pack.reach.lots_question: 'reserved_for' must be a yesno question",
        ),
        (
            "reserved_mutuals]",
            "reserved_mutual]",
            "reserved_mutual]",
            "pack.reach.reservation_notes[1]: unknown note 'reserved_mutual'",
        ),
    ],
)
def test_reach_settings_name_real_questions_answers_and_notes(
    pack_copy: Path, edit: Edit, old: str, new: str, found: str, message: str
) -> None:
    path = edit("pack.yaml", old, new)
    (problem,) = problems_of(pack_copy)
    assert problem.startswith(f"{path}:{line_of(path, found)}:")
    assert message in problem
