"""A memo never contradicts itself: the "Answers given" appendix says what answering a
"don't know" would do exactly as the engine's sensitivity analysis (the changes in "How
sure is this recommendation?") found it, never "scores nothing" for an answer that would
change the recommendation."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from tests.conftest import replace_once
from tests.scoring.test_properties import answers_strategy

from svadvisor import memo
from svadvisor.answers.validate import validate_answers
from svadvisor.rulepack.load import builtin_pack_dir, load_pack
from svadvisor.rulepack.schema import RulePack
from svadvisor.scoring import engine
from svadvisor.scoring.assessment import Assessment

DAY = date(2026, 12, 1)
BUILTIN = load_pack()

LIGHT_TOUCH = (
    "      - id: light_touch\n"
    "        label: Light touch services (social, health, education and other public services)\n"
)
LIGHT_TOUCH_SCORES = (
    "        scores:\n"
    "          - route: collaborative\n"
    "            points: 3\n"
    "            reason: Light touch services leave room to work with providers.\n"
    "            source: https://www.legislation.gov.uk/uksi/2024/692/schedule/1\n"
)


@pytest.fixture(scope="module")
def cpv_scoring_pack(tmp_path_factory: pytest.TempPathFactory) -> RulePack:
    """The built-in pack as a council might edit it: light touch services score, so a CPV
    code (which derives the service type) can change the recommendation."""
    folder = tmp_path_factory.mktemp("cpv-scores") / "rules"
    shutil.copytree(builtin_pack_dir(), folder)
    replace_once(folder / "questions.yaml", LIGHT_TOUCH, LIGHT_TOUCH + LIGHT_TOUCH_SCORES)
    return load_pack(folder)


def answers_rows(text: str) -> dict[str, str]:
    """question id -> the "What answering would sharpen" cell of the Answers given table."""
    part = text.split("Answers given", 1)[1]
    rows = {}
    for line in part.splitlines():
        if line.startswith("| ") and "(`" in line:
            cells = line.strip(" |").split(" | ")
            question = cells[0].rsplit("(`", 1)[1].split("`)", 1)[0]
            rows[question] = cells[-1]
    return rows


def contradictions(result: Assessment, text: str) -> list[str]:
    """Where the memo's Answers given appendix disagrees with its sensitivity analysis."""
    single = {f.changes[0].question for f in result.what_would_change if len(f.changes) == 1}
    single |= {impact.question for impact in result.dont_know if impact.flips}
    anywhere = {c.question for f in result.what_would_change for c in f.changes} | single
    found = []
    for question, sharpen in answers_rows(text).items():
        if question in anywhere and "Scores nothing" in sharpen:
            found.append(f"{question}: changes the recommendation, yet {sharpen!r}")
        if question in single and "No single answer" in sharpen:
            found.append(f"{question}: one answer changes the recommendation, yet {sharpen!r}")
        if question not in single and "Could change" in sharpen:
            found.append(f"{question}: the analysis lists no change, yet {sharpen!r}")
    return found


def memo_for(pack: RulePack, raw: dict[str, Any]) -> tuple[Assessment, str]:
    result = engine.assess(pack, validate_answers(pack, raw), on=DAY)
    return result, memo.render_memo(pack, result, on=DAY)


@settings(max_examples=80, deadline=None)
@given(answers_strategy(BUILTIN))
def test_the_builtin_packs_memos_never_contradict_themselves(raw: dict[str, Any]) -> None:
    result, text = memo_for(BUILTIN, raw)
    assert contradictions(result, text) == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=answers_strategy(BUILTIN))
def test_memos_never_contradict_themselves_when_cpv_codes_score(
    cpv_scoring_pack: RulePack, raw: dict[str, Any]
) -> None:
    result, text = memo_for(cpv_scoring_pack, raw)
    assert contradictions(result, text) == []


def test_a_cpv_change_that_flips_the_route_is_not_said_to_score_nothing(
    cpv_scoring_pack: RulePack,
) -> None:
    # Before the fix this memo listed the CPV changes under "How sure is this
    # recommendation?" while its Answers given appendix said the CPV question "Scores
    # nothing itself": the appendix tried only choice and number answers itself.
    result, text = memo_for(cpv_scoring_pack, {"innovation": "no"})
    assert result.winner.route == "competitive"
    cpv_flips = [f for f in result.what_would_change if f.changes[0].question == "cpv"]
    assert cpv_flips and {f.winner for f in cpv_flips} == {"collaborative"}
    how_sure = text.split("How sure is this recommendation?", 1)[1]
    assert "Which CPV code or codes describe it? (optional) from 'Don't know' to 'CPV" in how_sure

    sharpen = answers_rows(text)["cpv"]
    assert "Scores nothing" not in sharpen
    assert sharpen.startswith("Could change the recommendation: 'CPV ")
    assert "would recommend Collaborative commissioning" in sharpen
    assert contradictions(result, text) == []


def test_an_assessment_without_the_search_still_says_what_answering_would_do(
    cpv_scoring_pack: RulePack,
) -> None:
    answers = validate_answers(cpv_scoring_pack, {"innovation": "no"})
    result = engine.assess(cpv_scoring_pack, answers, on=DAY, sensitivity=False)
    text = memo.render_memo(cpv_scoring_pack, result, on=DAY)
    assert answers_rows(text)["cpv"].startswith("Could change the recommendation: 'CPV ")


def test_a_question_that_scores_nothing_says_so(pack: RulePack) -> None:
    _, text = memo_for(pack, {"complexity": "complex"})
    rows = answers_rows(text)
    assert rows["lots"] == (
        "Scores nothing itself; answering refines the notes and checks that use it."
    )
    assert rows["cpv"] == "No single answer would change the recommendation."


def test_the_reproducing_pack_is_not_the_builtin() -> None:
    """The built-in pack's light touch answers score nothing (see questions.yaml), which
    is why no CPV code alone can change its advice."""
    text = (builtin_pack_dir() / "questions.yaml").read_text(encoding="utf-8")
    assert LIGHT_TOUCH + "      - id: health_psr" in text


# --- the memo package's layering ------------------------------------------------------

FORBIDDEN = ("svadvisor.cli", "typer", "rich", "questionary")


def test_the_memo_package_never_imports_the_cli_or_a_terminal_library() -> None:
    import ast

    folder = Path(memo.__file__).parent
    for file in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not any(name == bad or name.startswith(f"{bad}.") for bad in FORBIDDEN), (
                    f"{file.name}:{node.lineno} imports {name}"
                )
