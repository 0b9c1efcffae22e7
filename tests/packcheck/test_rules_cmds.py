"""`svadvisor rules test`, `rules diff` and `rules lint` through the real CLI, on the
built-in pack, broken copies of it, and small crafted packs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from tests.conftest import line_of
from tests.tinypack import SOURCE, score, tiny_pack_files, write_pack
from typer.testing import CliRunner

from svadvisor.cli.app import app
from svadvisor.packcheck.diff import diff_packs
from svadvisor.packcheck.selftest import case_files
from svadvisor.rulepack.load import builtin_pack_dir, load_pack

Edit = Callable[[str, str, str], Path]

WEAKER_TRUST_RULE = (
    "questions.yaml",
    "            points: 5\n            reason: >-\n              An alliance is one contract",
    "            points: 1\n            reason: >-\n              An alliance is one contract",
)
"""Shared governance worth 1 point to an alliance, not 5."""


# --- rules test ----------------------------------------------------------------------


def test_builtin_pack_passes_its_own_case_studies(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "test"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    passed = [line for line in lines if line.startswith("PASS  ")]
    assert len(passed) >= 12
    assert not [line for line in lines if line.startswith("FAIL")]
    assert lines[-1].startswith(f"{len(passed)} passed, 0 failed")


def test_builtin_cases_are_real_sourced_and_cover_every_route() -> None:
    cases = [
        case
        for path in case_files(builtin_pack_dir())
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]
    ]
    assert len(cases) >= 12
    assert {c["expect"]["winner"] for c in cases} == {
        "competitive",
        "collaborative",
        "alliance",
        "commons",
    }
    for case in cases:
        assert case["sources"] and all(
            s.startswith(("https://", "http://")) for s in case["sources"]
        )
        assert case["reading"].strip()


def test_a_broken_copy_fails_with_a_readable_diff(
    runner: CliRunner, pack_copy: Path, edit: Edit
) -> None:
    edit(*WEAKER_TRUST_RULE)
    result = runner.invoke(app, ["rules", "test", str(pack_copy)])
    assert result.exit_code == 1, result.output
    out = result.stdout
    cases = pack_copy / "tests" / "casestudies.yaml"
    line = line_of(cases, "name: Plymouth Alliance for complex needs")
    assert (
        f"FAIL  Plymouth Alliance for complex needs (Plymouth City Council and 7 providers, "
        f"2019-)  ({cases}:{line})" in out
    )
    # alliance and collaborative draw level at 15; collaborative comes first in routes.yaml
    assert (
        "      - winner: alliance (15 points)\n      + winner: collaborative (15 points)\n" in out
    )
    assert "      - runner-up: collaborative (15 points)\n" in out
    assert (
        "        ranking: collaborative 15, alliance 15, competitive -4, "
        "commons 9 [prerequisite not met]\n" in out
    )
    assert out.splitlines()[-1].endswith("passed, 1 failed (svadvisor built-in rule pack 0.1.0)")


def write_cases(pack_copy: Path, cases: Any) -> Path:
    path = pack_copy / "tests" / "extra.yaml"
    path.write_text(
        cases if isinstance(cases, str) else yaml.safe_dump(cases, sort_keys=False),
        encoding="utf-8",
    )
    return path


def good_case(**changes: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "name": "A case",
        "sources": ["https://example.org/case"],
        "answers": {"complexity": "simple", "market": "deep", "specification": "fixed"},
        "expect": {"winner": "competitive"},
    }
    case.update(changes)
    return case


def test_malformed_test_files_give_located_errors(runner: CliRunner, pack_copy: Path) -> None:
    path = write_cases(
        pack_copy,
        {
            "tests": [
                good_case(answers={"complexity": "very", "market": "deep"}),
                good_case(expect={"winner": "competitve", "notes_apply": ["lots18"]}),
                {**good_case(), "expected": {"winner": "alliance"}},
            ]
        },
    )
    result = runner.invoke(app, ["rules", "test", str(pack_copy)])
    assert result.exit_code == 2, result.output
    errors = result.stderr.splitlines()
    assert errors[0].startswith(
        f"{path}:{line_of(path, 'complexity: very')}:17: tests[0].answers.complexity: "
        "'very' is not an answer to this question"
    )
    assert errors[1] == (
        f"{path}:{line_of(path, 'winner: competitve')}:13: tests[1].expect.winner: unknown route "
        "'competitve' (did you mean 'competitive'?); known: competitive, collaborative, "
        "alliance, commons"
    )
    assert errors[2].startswith(
        f"{path}:{line_of(path, '- lots18')}:7: tests[1].expect.notes_apply[0]: unknown note "
        "'lots18' (did you mean 'lots_s18'?)"
    )
    assert errors[3] == (
        f"{path}:{line_of(path, 'expected:')}:3: tests[2].expected: unknown key 'expected' "
        "(did you mean 'expect'?); allowed keys: name, sources, reading, answers, expect"
    )
    assert errors[-1] == "Error: 4 problem(s) in the pack's test cases"
    assert "Traceback" not in result.output


def test_a_test_file_that_is_not_yaml(runner: CliRunner, pack_copy: Path) -> None:
    path = write_cases(pack_copy, "tests:\n  - name: [unclosed\n")
    result = runner.invoke(app, ["rules", "test", str(pack_copy)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:3:1: YAML syntax error")


def test_notes_that_must_or_must_not_apply(runner: CliRunner, pack_copy: Path) -> None:
    for child in (pack_copy / "tests").iterdir():
        child.unlink()
    write_cases(
        pack_copy,
        {
            "tests": [
                good_case(expect={"winner": "competitive", "notes_apply": ["alliance_forms"]}),
                good_case(expect={"winner": "competitive", "notes_absent": ["embed_social_value"]}),
            ]
        },
    )
    result = runner.invoke(app, ["rules", "test", str(pack_copy)])
    assert result.exit_code == 1
    assert (
        "      - note: alliance_forms applies\n      + note: alliance_forms does not apply\n"
        in result.stdout
    )
    assert (
        "      - note: embed_social_value does not apply\n"
        "      + note: embed_social_value applies\n" in result.stdout
    )
    assert result.stdout.splitlines()[-1].startswith("0 passed, 2 failed")


def test_a_pack_without_tests_says_so(runner: CliRunner, tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "tiny", tiny_pack_files())
    result = runner.invoke(app, ["rules", "test", str(folder)])
    assert result.exit_code == 0
    assert result.stderr == f"No test cases: add YAML files to {folder / 'tests'}\n"


# --- rules diff ----------------------------------------------------------------------


def test_diff_names_the_weight_and_the_cases_it_moves(
    runner: CliRunner, pack_copy: Path, edit: Edit
) -> None:
    edit(*WEAKER_TRUST_RULE)
    result = runner.invoke(app, ["rules", "diff", str(builtin_pack_dir()), str(pack_copy)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1:3] == ["  shared_governance = yes: alliance +5 -> +1", ""]
    assert lines[3] == "Recommended route changes in 1 of 14 test cases:"
    assert lines[4] == (
        "  Plymouth Alliance for complex needs (Plymouth City Council and 7 providers, 2019-): "
        "Alliance contracting -> Collaborative commissioning"
    )
    assert lines[5:] == [
        "      alliance 19 -> 15; collaborative 15 -> 15",
        "      alliance: shared_governance = yes +5 -> +1",
    ]


def test_diff_rescores_a_pipeline_csv(
    runner: CliRunner, pack_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    edit(*WEAKER_TRUST_RULE)
    csv = tmp_path / "pipeline.csv"
    csv.write_text(
        "service,complexity,timescale,market,specification,providers,shared_governance,"
        "relationships,risk,community_asset,service_type,sme_presence,payment,counterparty,"
        "outcomes_measurable,owner\n"
        "Complex needs,complex,long,thin,co_design,several,yes,strong,cannot,none,light_touch,"
        "some,contract,independent,not_reliably,Housing\n"
        "School food,simple,medium,deep,fixed,one,,,sized,none,goods,strong,contract,,,Education\n"
        "Typo,complx,,,,,,,,,,,,,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["rules", "diff", str(builtin_pack_dir()), str(pack_copy), "--pipeline", str(csv)]
    )
    assert result.exit_code == 0, result.output
    assert "Recommended route changes in 1 of 2 rows of" in result.stdout
    assert (
        "  row 2 (Complex needs): Alliance contracting -> Collaborative commissioning"
        in result.stdout
    )
    assert "School food" not in result.stdout
    assert result.stderr.startswith(
        "  not scored: row 4 (Typo): complexity: 'complx' is not an answer"
    )


def test_diff_rescores_a_pipeline_workbook_below_its_title(
    runner: CliRunner, pack_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    """The same reader as batch: a workbook, a title row above the header, a blank row."""
    from openpyxl import Workbook

    edit(*WEAKER_TRUST_RULE)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Forward plan 2027-28"])
    sheet.append(
        [
            "service",
            "complexity",
            "timescale",
            "market",
            "specification",
            "providers",
            "shared_governance",
            "relationships",
            "risk",
            "community_asset",
            "service_type",
            "sme_presence",
            "payment",
            "counterparty",
            "outcomes_measurable",
            "owner",
        ]
    )
    sheet.append([])
    sheet.append(
        [
            "Complex needs",
            "complex",
            "long",
            "thin",
            "co_design",
            "several",
            "yes",
            "strong",
            "cannot",
            "none",
            "light_touch",
            "some",
            "contract",
            "independent",
            "not_reliably",
            "Housing",
        ]
    )
    path = tmp_path / "plan.xlsx"
    workbook.save(path)
    result = runner.invoke(
        app, ["rules", "diff", str(builtin_pack_dir()), str(pack_copy), "--pipeline", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "in 1 of 1 rows of" in result.stdout
    assert "  row 4 (Complex needs): Alliance contracting -> " in result.stdout


def test_diff_of_a_missing_pipeline_file(runner: CliRunner, tmp_path: Path) -> None:
    rules = str(builtin_pack_dir())
    result = runner.invoke(
        app, ["rules", "diff", rules, rules, "--pipeline", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'x.csv'}: pipeline file not found\n"


def test_diff_of_identical_packs(runner: CliRunner) -> None:
    rules = str(builtin_pack_dir())
    result = runner.invoke(app, ["rules", "diff", rules, rules])
    assert result.exit_code == 0
    assert "  no differences in questions, points, rules, notes or routes" in result.stdout
    assert "Recommended route changes in 0 of 14 test cases." in result.stdout


def test_diff_in_readable_terms(tmp_path: Path) -> None:
    old_files = tiny_pack_files()
    new_files = tiny_pack_files(close_margin=3)
    questions = new_files["questions.yaml"]["questions"]
    questions[0]["answers"][0]["label"] = "Ex"
    questions[0]["answers"].append({"id": "w", "label": "W", "scores": [score("b", 4)]})
    questions[1]["answers"][1]["scores"] = [score("b", 3), score("a", -1)]
    questions[2]["bands"][0]["below"] = 12
    questions[2]["bands"][1]["at_least"] = 12
    questions[3]["ask_when"] = {"question": "q1", "in": ["x", "y"]}
    del questions[1]["answers"][0]["scores"]
    new_files["notes.yaml"] = {
        "notes": [
            {
                "id": "n1",
                "title": "A note",
                "text": "Text.",
                "when": {
                    "all": [{"question": "q3", "at_least": 100}, {"question": "q2", "equals": "r"}]
                },
                "sources": [SOURCE],
                "checked": "2026-01-01",
                "review_by": "2027-01-01",
                "strength": "consider",
            }
        ]
    }
    old = load_pack(write_pack(tmp_path / "old", old_files))
    new = load_pack(write_pack(tmp_path / "new", new_files))
    assert diff_packs(old, new) == [
        "pack close_call margin: 2 -> 3",
        "q1: answer x: X -> Ex",
        "q1: answer w added: W",
        "q1 = w: b nothing -> +4",
        "q2 = p: a +1 -> nothing",
        "q2 = r: b +2 -> +3",
        "q2 = r: a nothing -> -1",
        "q3: band low: below 10 -> below 12",
        "q3: band high: at least 10 -> at least 12",
        "question q4 ask_when added: q1 is x or y",
        "note n1 added: A note",
    ]
    assert diff_packs(new, old)[-1] == "note n1 removed (was: A note)"


# --- rules lint ----------------------------------------------------------------------


def test_lint_builtin_pack_has_no_warnings(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "lint"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("0 warning(s), ")


def lint_pack_files() -> dict[str, Any]:
    """The tiny pack with one of each thing lint finds."""
    files = tiny_pack_files()
    files["routes.yaml"]["routes"].append(
        {"id": "c", "label": "Route C", "summary": "C", "source": SOURCE}
    )
    questions = files["questions.yaml"]["questions"]
    questions.append(
        {
            "id": "q5",
            "text": "Asked only when q1 is both x and y?",
            "type": "choice",
            "ask_when": {
                "all": [{"question": "q1", "equals": "x"}, {"question": "q1", "equals": "y"}]
            },
            "answers": [
                {"id": "s", "label": "S", "scores": [score("c", 9)]},
                {"id": "t", "label": "T"},
            ],
        }
    )
    files["scoring.yaml"] = {
        "rules": [
            {
                "id": "never",
                "when": {
                    "all": [{"question": "q3", "at_least": 20}, {"question": "q3", "at_most": 5}]
                },
                "scores": [score("b", 1)],
            }
        ]
    }
    files["notes.yaml"] = {
        "notes": [
            {
                "id": "never_applies",
                "title": "Never",
                "text": "Never shown.",
                "when": {
                    "not": {
                        "any": [
                            {"question": "q4", "answered": True},
                            {"question": "q4", "answered": False},
                        ]
                    }
                },
                "sources": [SOURCE],
                "checked": "2026-01-01",
                "review_by": "2027-01-01",
                "strength": "consider",
            },
            {
                "id": "applies",
                "title": "Sometimes",
                "text": "Shown for big q3.",
                "when": {"question": "q3", "at_least": 1000},
                "sources": [SOURCE],
                "checked": "2026-01-01",
                "review_by": "2027-01-01",
                "strength": "consider",
            },
        ]
    }
    files["tests/cases.yaml"] = {
        "tests": [
            {
                "name": "misspelt",
                "sources": [SOURCE],
                "answers": {"q1": "x"},
                "expect": {"winner": "aa"},
            }
        ]
    }
    return files


def test_lint_reports_each_finding_located(runner: CliRunner, tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "crafted", lint_pack_files())
    result = runner.invoke(app, ["rules", "lint", str(folder)])
    assert result.exit_code == 1, result.output
    questions, routes = folder / "questions.yaml", folder / "routes.yaml"
    notes, scoring = folder / "notes.yaml", folder / "scoring.yaml"
    cases = folder / "tests" / "cases.yaml"
    out = result.stdout.splitlines()
    assert (
        f"{questions}:{line_of(questions, 'ask_when:') + 1}:5: questions[4].ask_when: warning: "
        "question 'q5' can never be asked: no answers to q1 make its ask_when hold" in out
    )
    # z scores nothing; q5's t is not reported (q5 is never asked at all)
    assert (
        f"{questions}:{line_of(questions, 'id: z')}:9: questions[0].answers[2].id: info: "
        "answer 'z' to 'q1' scores nothing anywhere: no points, and no rule, note, prerequisite "
        "or regime names it (fine if it is meant to be neutral)" in out
    )
    assert not [line for line in out if "answer 't'" in line]
    assert (
        f"{scoring}:{line_of(scoring, 'when:') + 1}:5: rules[0].when: warning: rule 'never' can "
        "never give its points: its condition never holds" in out
    )
    assert (
        f"{notes}:{line_of(notes, 'when:') + 1}:5: notes[0].when: warning: note 'never_applies' "
        "can never apply: its condition never holds" in out
    )
    assert not [line for line in out if "'applies'" in line]
    assert (
        f"{routes}:{line_of(routes, 'id: c')}:7: routes[2].id: warning: route 'c' can never "
        "be recommended: whatever the answers, it can at best draw level with 'a' (which has "
        "no prerequisite, and wins ties by coming first in routes.yaml)" in out
    )
    assert (
        f"{cases}:{line_of(cases, 'winner: aa')}:13: tests[0].expect.winner: warning: unknown "
        "route 'aa' (did you mean 'a'?); known: a, b, c" in out
    )
    assert out[-1] == f"5 warning(s), 1 info in {folder}"


def test_lint_of_a_pack_with_a_misspelt_id_suggests_the_right_one(
    runner: CliRunner, pack_copy: Path, edit: Edit
) -> None:
    path = edit(
        "notes.yaml",
        "{question: market, in: [deep, thin]}",
        "{question: markets, in: [deep, thin]}",
    )
    result = runner.invoke(app, ["rules", "lint", str(pack_copy)])
    assert result.exit_code == 2
    (problem,) = result.stderr.splitlines()[:-1]
    assert problem.startswith(f"{path}:{line_of(path, 'question: markets')}:")
    assert problem.endswith(
        "unknown question 'markets' (did you mean 'market'?); known: " + problem.split("known: ")[1]
    )
    assert "(did you mean 'market'?)" in problem


def test_lint_tries_every_day_a_date_or_threshold_changes(tmp_path: Path) -> None:
    """A threshold of 100, lowered to 50 from 1 June 2026: "q3 reaches it and is at most
    70" can hold only from that day."""
    files = tiny_pack_files()
    files["thresholds.yaml"] = {
        "thresholds": [
            {
                "id": "t",
                "label": "A threshold",
                "values": [
                    {"value": 100, "source": SOURCE},
                    {"value": 50, "from": "2026-06-01", "source": SOURCE},
                ],
                "checked": "2026-01-01",
                "review_by": "2027-01-01",
            }
        ]
    }

    def note(note_id: str, when: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": note_id,
            "title": note_id,
            "text": "Text.",
            "when": when,
            "strength": "consider",
            "sources": [SOURCE],
            "checked": "2026-01-01",
            "review_by": "2027-01-01",
        }

    reaches = {"question": "q3", "at_least_threshold": "t"}
    at_most_70 = {"question": "q3", "at_most": 70}
    files["notes.yaml"] = {
        "notes": [
            note("later", {"starts_on_or_after": "2027-01-01"}),
            note("over", reaches),
            note("from_june", {"all": [reaches, at_most_70, {"starts_on_or_after": "2026-06-01"}]}),
            note("before_june", {"all": [reaches, at_most_70, {"starts_before": "2026-06-01"}]}),
            note("over_and_under", {"all": [reaches, {"question": "q3", "below_threshold": "t"}]}),
            note(
                "no_day",
                {"all": [{"starts_before": "2020-01-01"}, {"starts_on_or_after": "2030-01-01"}]},
            ),
        ]
    }
    folder = write_pack(tmp_path / "dated", files)
    result = runner_invoke_lint(folder)
    warned = [line.split("note '")[1].split("'")[0] for line in result if "can never apply" in line]
    assert warned == ["before_june", "over_and_under", "no_day"]


def runner_invoke_lint(folder: Path) -> list[str]:
    result = CliRunner().invoke(app, ["rules", "lint", str(folder)])
    assert result.exit_code == 1, result.output
    return result.stdout.splitlines()


def test_diff_names_threshold_and_note_changes(
    runner: CliRunner, pack_copy: Path, edit: Edit
) -> None:
    pack = load_pack()
    note = next(n for n in pack.notes if n.strength == "must")
    threshold = pack.thresholds[0]
    value = threshold.values[-1]
    edit("thresholds.yaml", f"value: {value.value:g}", "value: 1")
    edit("notes.yaml", "strength: must", "strength: should")
    result = runner.invoke(app, ["rules", "diff", str(builtin_pack_dir()), str(pack_copy)])
    assert result.exit_code == 0, result.output
    changes = result.stdout.split("\n\n")[0].splitlines()[1:]
    since = value.from_.isoformat() if value.from_ else "the start"
    assert changes == [
        f"  note {note.id} strength: must -> should",
        f"  threshold {threshold.id} value from {since}: {value.value:,g} -> 1",
    ]
