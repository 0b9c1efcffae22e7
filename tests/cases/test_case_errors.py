"""A broken case study: every problem located as FILE:LINE:COLUMN: field.path: message."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import line_of, replace_once
from typer.testing import CliRunner

from svadvisor.cases.library import load_cases
from svadvisor.cli.app import app
from svadvisor.errors import CaseLibraryError
from svadvisor.rulepack.schema import RulePack


def problems_of(pack: RulePack, directory: Path) -> list[str]:
    with pytest.raises(CaseLibraryError) as info:
        load_cases(pack, directory)
    return [str(p) for p in info.value.problems]


def edit(directory: Path, case_id: str, old: str, new: str) -> Path:
    return replace_once(directory / f"{case_id}.yaml", old, new)


def test_unknown_answer_in_a_profile(pack: RulePack, cases_copy: Path) -> None:
    path = edit(cases_copy, "wigan-deal", "  complexity: complex\n", "  complexity: very\n")
    (problem,) = problems_of(pack, cases_copy)
    line = line_of(path, "complexity: very")
    assert problem.startswith(
        f"{path}:{line}:15: profile.complexity: 'very' is not an answer to this question; "
        "allowed: simple ("
    )


def test_unknown_question_in_a_profile(pack: RulePack, cases_copy: Path) -> None:
    path = edit(cases_copy, "wigan-deal", "  timescale: long\n", "  timescales: long\n")
    (problem,) = problems_of(pack, cases_copy)
    line = line_of(path, "timescales: long")
    assert problem.startswith(
        f"{path}:{line}:3: profile.timescales: unknown question 'timescales'; "
        "did you mean 'timescale'?"
    )


def test_unknown_route(pack: RulePack, cases_copy: Path) -> None:
    path = edit(cases_copy, "lambeth-ipsa", "route: alliance\n", "route: aliance\n")
    (problem,) = problems_of(pack, cases_copy)
    assert problem == (
        f"{path}:{line_of(path, 'route: aliance')}:8: route: unknown route 'aliance'; "
        "known: alliance, collaborative, commons, competitive"
    )


def test_unknown_key_and_missing_field(pack: RulePack, cases_copy: Path) -> None:
    path = edit(cases_copy, "lambeth-ipsa", "years: 2015-\n", "yeers: 2015-\n")
    problems = problems_of(pack, cases_copy)
    line = line_of(path, "yeers")
    assert (
        problems[0]
        == f"{path}:{line_of(path, 'id: lambeth-ipsa')}:1: years: missing required field"
    )
    assert problems[1].startswith(
        f"{path}:{line}:1: yeers: unknown key 'yeers' (did you mean 'years'?); allowed keys: id"
    )


def test_source_that_is_not_a_web_address(pack: RulePack, cases_copy: Path) -> None:
    path = edit(
        cases_copy,
        "lambeth-ipsa",
        "  - https://lhalliances.org.uk/case-study/lambeth-mental-health-alliance\n",
        "  - lhalliances.org.uk/case-study/lambeth-mental-health-alliance\n",
    )
    (problem,) = problems_of(pack, cases_copy)
    line = line_of(path, "- lhalliances.org.uk")
    assert problem.startswith(f"{path}:{line}:5: sources[0]: a source must be a public web address")


def test_unverified_outcome_must_say_so(pack: RulePack, cases_copy: Path) -> None:
    path = edit(
        cases_copy,
        "glasgow-alliance-to-end-homelessness",
        "Outcomes are not verified.",
        "Homelessness fell.",
    )
    (problem,) = problems_of(pack, cases_copy)
    assert problem == (
        f"{path}:{line_of(path, 'Homelessness fell.')}:10: outcome: outcome_verified is false, "
        "so the outcome must say what is 'not verified'"
    )


def test_id_must_match_the_file_name(pack: RulePack, cases_copy: Path) -> None:
    path = edit(cases_copy, "wards-corner", "id: wards-corner", "id: seven-sisters")
    (problem,) = problems_of(pack, cases_copy)
    line = line_of(path, "id: seven-sisters")
    assert problem == (
        f"{path}:{line}:5: id: the id must match the file name: rename the file to "
        "seven-sisters.yaml, or the id to wards-corner"
    )


def test_yaml_syntax_error(pack: RulePack, cases_copy: Path) -> None:
    path = edit(cases_copy, "wards-corner", "route: commons", "route: [commons")
    (problem,) = problems_of(pack, cases_copy)
    assert problem.startswith(f"{path}:")
    assert "YAML syntax error" in problem


def test_empty_folder(pack: RulePack, tmp_path: Path) -> None:
    assert problems_of(pack, tmp_path) == [
        f"{tmp_path}: holds no case studies (one .yaml file per case)"
    ]


def test_every_problem_at_once_through_rules_validate(runner: CliRunner, cases_copy: Path) -> None:
    edit(cases_copy, "wigan-deal", "  complexity: complex\n", "  complexity: very\n")
    edit(cases_copy, "lambeth-ipsa", "route: alliance\n", "route: aliance\n")
    (cases_copy / "empty.yaml").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["rules", "validate", "--cases", str(cases_copy)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[-1] == f"Error: case library {cases_copy} has 3 problem(s)"
    assert lines[:-1] == sorted(lines[:-1])  # in file order
    assert f"{cases_copy / 'empty.yaml'}: file is empty" in lines
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["--cases", str(cases_copy), "assess", "--answers", "x.yaml"])
    assert result.exit_code == 2
