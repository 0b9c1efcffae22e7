"""The real CLI (typer's CliRunner): assess, questions, --rules, --version, and user errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import EXAMPLES
from typer.testing import CliRunner

from svadvisor import __version__
from svadvisor.cli.app import app

ALLIANCE = str(EXAMPLES / "plymouth-alliance.yaml")


def test_assess_prints_ranking_every_point_margin_and_notes(runner: CliRunner) -> None:
    result = runner.invoke(app, ["assess", "--answers", ALLIANCE])
    assert result.exit_code == 0, result.output
    out = result.stdout
    ranking = out.split("\n\n")[0].splitlines()
    assert ranking[0] == "Recommended route: Alliance contracting (moderate confidence)"
    assert "1. Alliance contracting" in ranking[1] and "<- recommended" in ranking[1]
    assert "2. Collaborative commissioning" in ranking[2]
    assert "[prerequisite not met]" in ranking[4]
    assert "Confidence: moderate" in out
    assert "- Alliance contracting leads Collaborative commissioning by 4 points." in out
    assert "Why Alliance contracting (recommended, 19 points)" in out
    assert "Why Collaborative commissioning (runner-up, 15 points)" in out
    flat = " ".join(out.split())  # the terminal wraps long lines
    assert (
        "+5 Must those providers and the council share one set of outcomes, risk and reward, "
        "and governance, under one agreement? Your answer: Yes An alliance is one contract" in flat
    )
    assert (
        "+1 How many providers must work together, depending on each other, to deliver the "
        "outcomes? Your answer: Several interdependent providers (four or more)" in flat
    )
    assert "[shared: the collaborative pathway (collaborative, alliance and commons)]" in flat
    assert (
        "+1 These answers together (rule complex_and_long): - How complex is the system this "
        "service works in? Complex - outcomes cannot be reliably predicted - Over what "
        "timescale must the service achieve its goals? Long - 7 years or more, or long-term "
        "goals [shared:" in flat
    )
    assert "shared_governance:" not in out and "providers:" not in out
    assert "source: https://councils.coop/case-study/plymouth-alliance-for-complex-needs" in out
    assert "Margin: 4 points between Alliance contracting and Collaborative commissioning." in out
    # the value is not given: a duty of covered procurement applies only above threshold
    assert "[MUST, CONDITIONAL] Consider lots, or give reasons" in out
    assert "Applies only if the estimated value is at or above £663,540 for light" in out
    assert "- What is the estimated whole-life value, including VAT? (value)" in flat
    assert "- value:" not in out


def test_assess_json_has_the_contract_shape(runner: CliRunner) -> None:
    result = runner.invoke(app, ["assess", "--answers", ALLIANCE, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"ranking", "margin", "notes", "unanswered", "rule_pack"}
    assert set(data["rule_pack"]) == {"name", "version", "sha256"}
    first = data["ranking"][0]
    assert set(first) >= {"route", "label", "score", "contributions", "eligible", "unmet"}
    assert set(first["contributions"][0]) >= {"question", "answer", "points", "reason", "source"}
    for route in data["ranking"]:
        assert sum(c["points"] for c in route["contributions"]) == route["score"]
    assert data["margin"] == data["ranking"][0]["score"] - data["ranking"][1]["score"]
    assert set(data["notes"][0]) >= {"id", "title", "text", "sources"}
    assert data["recommended"] == "alliance" and data["tie"] == []
    assert data["confidence"]["level"] == "moderate"
    assert data["confidence"]["why"][0] == (
        "Alliance contracting leads Collaborative commissioning by 4 points."
    )
    assert data["warnings"] == []
    assert data["unanswered"] == [
        "innovation",
        "cpv",
        "mutual_reservable",
        "value",
        "contract_term",
        "programme",
        "lots",
        "suitable_for",
        "reserved_for",
        "start_date",
        "buyer_nation",
    ]


def test_assess_json_is_byte_for_byte_deterministic(runner: CliRunner) -> None:
    first = runner.invoke(app, ["assess", "--answers", ALLIANCE, "--json"]).stdout
    second = runner.invoke(app, ["assess", "--answers", ALLIANCE, "--json"]).stdout
    assert first == second


def test_questions_json_lists_everything(runner: CliRunner) -> None:
    result = runner.invoke(app, ["questions", "--json"])
    assert result.exit_code == 0
    questions = json.loads(result.stdout)
    assert len(questions) >= 12
    ids = [q["id"] for q in questions]
    assert ids[:4] == ["complexity", "timescale", "market", "specification"]
    complexity = questions[0]
    assert set(complexity) >= {"id", "text", "help", "type", "answers"}
    assert {"id": "dont_know", "label": "Don't know"} in complexity["answers"]
    assert {
        "id": "complex",
        "label": "Complex - outcomes cannot be reliably predicted",
    } in complexity["answers"]


def test_questions_text(runner: CliRunner) -> None:
    result = runner.invoke(app, ["questions"])
    assert result.exit_code == 0
    out = result.stdout
    assert "How complex is the system this service works in?  (complexity; choice)\n" in out
    assert "What is the estimated whole-life value, including VAT?  (value; number, GBP)" in out
    assert "    - Complex - outcomes cannot be reliably predicted (complex)\n" in out
    assert "    - Don't know (dont_know)\n" in out
    assert (
        '  asked only when: the answer to "How many providers must work together, depending on '
        "each other, to deliver the outcomes?\" is 'Two or three interdependent providers' or "
        "'Several interdependent providers (four or more)'\n" in out
    )
    # no line starts with a bare id: every id follows the words it names
    assert not any(line.startswith(("complexity", "value  ")) for line in out.splitlines())


def test_rules_option_uses_a_council_pack(runner: CliRunner, pack_copy: Path) -> None:
    path = pack_copy / "routes.yaml"
    path.write_text(
        path.read_text().replace(
            "label: Alliance contracting", "label: Alliance (Anytown wording)"
        ),
        encoding="utf-8",
    )
    for args in (
        ["--rules", str(pack_copy), "assess", "--answers", ALLIANCE],
        ["assess", "--rules", str(pack_copy), "--answers", ALLIANCE],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "1. Alliance (Anytown wording)" in result.stdout


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"svadvisor {__version__}"


def test_bad_answers_file_names_question_and_choices(runner: CliRunner, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("complexity: very\nproviders: several\nmarkett: deep\n", encoding="utf-8")
    result = runner.invoke(app, ["assess", "--answers", str(answers)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{answers}:1:13: complexity: 'very' is not an answer")
    assert "allowed: simple (Simple - the need is well understood and can be specified)" in lines[0]
    assert lines[1].startswith(
        f"{answers}:3:1: markett: unknown question 'markett'; did you mean 'market'?"
    )
    assert lines[-1] == "Error: 2 answer(s) do not fit the rule pack"
    assert "Traceback" not in result.output


def test_missing_answers_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", "--answers", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.yaml'}: answers file not found\n"


def test_answers_file_that_is_not_a_mapping(runner: CliRunner, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("- complex\n- long\n", encoding="utf-8")
    result = runner.invoke(app, ["assess", "--answers", str(answers)])
    assert result.exit_code == 2
    assert "answers must be a mapping of question id to answer" in result.stderr


def test_python_module_entry_point(tmp_path: Path) -> None:
    import subprocess
    import sys

    shutil.copy(ALLIANCE, tmp_path / "a.yaml")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "svadvisor",
            "assess",
            "--answers",
            str(tmp_path / "a.yaml"),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["ranking"][0]["route"] == "alliance"
