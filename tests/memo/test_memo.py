"""Recommendation memos: every section, the golden memo, replay, templates, names, Word.

Regenerate the golden memo after a deliberate change to the template or the rule pack:
    SVADVISOR_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/memo/test_memo.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import EXAMPLES, EXPECTED_ROUTE, line_of, read_answers_file
from typer.testing import CliRunner

from svadvisor import memo
from svadvisor.answers.validate import validate_answers
from svadvisor.answers.values import money
from svadvisor.cases.library import load_cases
from svadvisor.cli.app import app
from svadvisor.errors import InputFileError, RulePackError
from svadvisor.rulepack.load import builtin_pack_dir, load_pack, pack_sha256
from svadvisor.rulepack.schema import RulePack
from svadvisor.scoring import engine
from svadvisor.scoring.assessment import Assessment

DAY = date(2026, 12, 1)
GOLDEN = Path(__file__).parents[1] / "golden" / "plymouth-alliance-memo.md"
ALLIANCE = EXAMPLES / "plymouth-alliance.yaml"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def assess_file(pack: RulePack, path: Path) -> Assessment:
    return engine.assess(pack, read_answers_file(path, pack), on=DAY)


def section(text: str, heading: str) -> str:
    """The body of a `## heading` (or `## Appendix X: heading`) section, up to the next `## `."""
    found = re.search(rf"\n## (?:Appendix [A-Z]: )?{re.escape(heading)}\n", text)
    assert found, f"no section {heading!r}"
    start = found.end()
    end = text.find("\n## ", start)
    return text[start : end if end != -1 else len(text)]


def headings(text: str) -> list[str]:
    return [line[3:] for line in text.splitlines() if line.startswith("## ")]


def minimal_template(body: str) -> str:
    return body + "\n{{ reproducibility }}\n"


# --- what a memo holds ----------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_memo_for_each_example_has_every_section(
    pack: RulePack, example: Path, tmp_path: Path
) -> None:
    result = assess_file(pack, example)
    described = {"Reference": "REF-1", "Department": "Housing"}
    text = memo.render_memo(pack, result, on=DAY, title=f"Memo {example.stem}", described=described)
    winner, runner_up = result.winner, result.runner_up
    assert winner.route == EXPECTED_ROUTE[example.name]

    assert text.startswith(f"# Memo {example.stem}\n")
    assert "**Date:** 1 December 2026" in text

    service = section(text, "The service")
    assert "| Reference | REF-1 |" in service and "| Department | Housing |" in service
    questions = {q.id: q for q in pack.questions}
    for qid in result.answers:
        assert questions[qid].text in service

    summary = section(text, "Summary")
    assert headings(text)[0] == "Summary"
    assert f"**Recommended route: {winner.label}**, {winner.score} points" in summary
    assert f"**Runner-up: {runner_up.label}**, {runner_up.score} points" in summary
    assert f"The margin is {result.margin} point" in summary
    ranking = section(text, "The ranking and the confidence")
    for rank, route in enumerate(result.ranking, start=1):
        assert f"| {rank} | {route.label} | {route.score} |" in ranking

    why = section(text, f"Why {winner.label}")
    rows = [line for line in why.splitlines() if re.match(r"^\| [+-]\d+ \|", line)]
    assert len(rows) == len(winner.contributions)
    for row, c in zip(rows, winner.contributions, strict=True):
        assert row.startswith(f"| {c.points:+d} |")
        assert c.reason in row and f"]({c.source})" in row
    assert f"| **{winner.score}** | **Total** |" in why

    why_not = section(text, f"Why not {runner_up.label}")
    losses = memo.runner_up_losses(pack, result)
    assert losses, "every example's winner outscores its runner-up somewhere"
    assert sum(row["gap"] for row in losses) >= result.margin
    gaps = [row["gap"] for row in losses]
    assert gaps == sorted(gaps, reverse=True)
    for row in losses:
        assert f"| {row['gap']} |" in why_not

    notes = section(text, "Legal and practical notes")
    for note in result.notes:
        conditional = ", conditional" if note.applies_if else ""
        assert f"### {note.title} ({note.strength.upper()}{conditional})" in notes
        if note.applies_if:
            assert f"**Applies only if {note.applies_if}.**" in notes
        for source in note.sources:
            assert f"- <{source}>" in notes

    answers = section(text, "Answers given")
    for q in pack.questions:
        assert f"(`{q.id}`)" in answers
    for qid in result.unanswered:
        row = next(line for line in answers.splitlines() if f"(`{qid}`)" in line)
        assert "| Don't know |" in row
        sharpen = row.strip(" |").split(" | ")[-1]
        assert sharpen.startswith(("Could change", "No single answer", "Settles", "Scores nothing"))

    decision = section(text, "Decision record")
    for field in ("Decision (the route chosen)", "Decided by (name and role)", "| Date |"):
        assert field in decision
    assert "| Prepared by | to complete |" in decision
    assert "## Similar cases" not in text

    written = tmp_path / "memo.md"
    memo.write_memo(written, text, force=False)
    record = memo.read_memo_record(written)
    assert record.rule_pack.sha256 == pack.sha256 == pack_sha256(builtin_pack_dir())
    assert record.rule_pack.name == pack.meta.name
    assert record.rule_pack.version == pack.meta.version
    assert record.assessed_on == record.thresholds_on == DAY
    assert record.answers == result.answers
    assert record.result.recommended == winner.route
    assert record.result.scores == {r.route: r.score for r in result.ranking}
    assert f"Rule pack sha256: `{pack.sha256}`" in section(text, "Reproducibility")


def test_dont_know_says_when_an_answer_would_change_the_recommendation(pack: RulePack) -> None:
    result = engine.assess(pack, {"complexity": "complex", "timescale": "long"}, on=DAY)
    text = memo.render_memo(pack, result, on=DAY)
    row = next(line for line in text.splitlines() if "(`providers`)" in line)
    assert "| Don't know |" in row
    assert "Could change the recommendation: 'Two or three interdependent providers" in row
    assert "would recommend Alliance contracting" in row
    assert "Settles a prerequisite of Alliance contracting" in row


def test_memo_shows_the_regime_derived_answers_and_thresholds(
    pack: RulePack, tmp_path: Path
) -> None:
    raw = {
        "complexity": "complicated",
        "service_type": "health_psr",
        "cpv": "85312000; 85000000",
        "psr_existing_provider": "yes",
        "start_date": "2027-03-01",
        "buyer_nation": "wales",
        "value": "2m",
    }
    result = engine.assess(pack, validate_answers(pack, raw), on=DAY)
    assert result.regimes and result.derived and result.notes_not_holding
    text = memo.render_memo(pack, result, on=DAY)

    regimes = section(text, "Which law governs")
    for regime in result.regimes:
        assert f"### {regime.title}" in regimes
        for source in regime.sources:
            assert f"- <{source}>" in regimes
    service = section(text, "The service")
    for item in result.derived:
        assert f"- `{item.question}` = **{item.answer_label}**" in service
    answers = section(text, "Answers given")
    assert "| Yes (derived from the CPV codes) |" in answers
    notes = section(text, "Legal and practical notes")
    assert "### Notes that do not hold here" in notes
    for item in result.notes_not_holding:
        assert f"- {item.title}: {item.why}" in notes

    reproducibility = section(text, "Reproducibility")
    assert "- Assessed on: 2026-12-01" in reproducibility
    assert "- Thresholds applied for: the planned start date, 2027-03-01" in reproducibility
    for threshold in result.thresholds:
        assert f"| {threshold.label} | {money(threshold.value)} |" in reproducibility

    written = tmp_path / "memo.md"
    memo.write_memo(written, text, force=False)
    record = memo.read_memo_record(written)
    assert (record.assessed_on, record.thresholds_on) == (DAY, date(2027, 3, 1))
    outcome = memo.replay(record, pack)
    assert outcome.same and not outcome.pack_changes
    assert outcome.current.procurement_date == date(2027, 3, 1)


def test_similar_cases_section_when_the_assessment_has_cases(pack: RulePack) -> None:
    library = load_cases(pack)
    result = engine.assess(pack, read_answers_file(ALLIANCE, pack), on=DAY, cases=library)
    cases = section(memo.render_memo(pack, result, on=DAY), "Similar cases")
    assert (
        "- **Plymouth Alliance for complex needs**, Plymouth City Council (live April 2019, "
        "on a 10-year contract): Alliance contracting; shares 14 answers" in cases
    )
    assert "<https://councils.coop/case-study/plymouth-alliance-for-complex-needs>" in cases
    assert "shares 14 answers" in cases


def test_no_similar_cases_section_without_a_library(pack: RulePack) -> None:
    assert "## Similar cases" not in memo.render_memo(pack, assess_file(pack, ALLIANCE), on=DAY)


def test_memo_explains_the_terms_it_uses_and_only_those(pack: RulePack) -> None:
    text = memo.render_memo(pack, assess_file(pack, ALLIANCE), on=DAY)
    words = section(text, "Words used in this memo")
    listed = re.findall(r"^- \*\*(.+?)\*\*: ", words, flags=re.MULTILINE)
    assert "Alliance contracting" in listed
    assert len(listed) == len(set(listed)), "each term once"
    by_term = {entry.term: entry for entry in pack.glossary}
    for term in listed:
        entry = by_term[term]
        # every listed term is in the memo, and its line carries the entry's own text and source
        assert any(
            re.search(rf"(?i)\b{re.escape(name)}\b", text.replace(words, ""))
            for name in (entry.term, *entry.aliases)
        ), term
        line = next(line for line in words.splitlines() if line.startswith(f"- **{term}**"))
        assert (entry.text or "") in line
        if entry.source:
            assert entry.source in line
    assert set(listed) < set(by_term), "terms the memo never uses are left out"
    assert "Words used" in headings(text)[-2], "the glossary comes just before reproducibility"


def test_memo_without_a_glossary_has_no_words_appendix(pack: RulePack) -> None:
    bare = pack.model_copy(update={"glossary": []})
    text = memo.render_memo(bare, assess_file(bare, ALLIANCE), on=DAY)
    assert not any("Words used" in heading for heading in headings(text))
    assert headings(text)[-1].endswith("Reproducibility")


def _masked(text: str) -> str:
    """The golden memo holds no pack hash or version: those change with any pack edit."""
    text = re.sub(r"[0-9a-f]{64}", "<sha256>", text)
    from svadvisor import __version__

    return text.replace(f"svadvisor {__version__}", "svadvisor <version>").replace(
        f"svadvisor: {__version__}", "svadvisor: <version>"
    )


def test_golden_memo(pack: RulePack) -> None:
    result = assess_file(pack, ALLIANCE)
    text = _masked(
        memo.render_memo(pack, result, on=DAY, title="Plymouth Alliance for complex needs")
    )
    if os.environ.get("SVADVISOR_REGEN_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), (
        "the memo changed; if on purpose, regenerate: "
        "SVADVISOR_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/memo/test_memo.py"
    )


# --- the CLI: assess --memo, overwrite, Word ---------------------------------------------


def test_assess_writes_a_memo_and_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "memo.md"
    args = ["assess", "--answers", str(ALLIANCE), "--memo", str(target)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "Recommended route" in first.stdout
    assert first.stderr == f"Wrote memo {target}\n"
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Commissioning route recommendation: plymouth-alliance\n")
    assert f"**Date:** {memo.long_date(date.today())}" in text

    target.write_text("the officer's edits", encoding="utf-8")
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert again.stderr == f"Error: {target}: already exists; pass --force to replace it\n"
    assert target.read_text(encoding="utf-8") == "the officer's edits"

    forced = runner.invoke(app, [*args, "--force", "--title", "Plymouth"])
    assert forced.exit_code == 0, forced.output
    assert target.read_text(encoding="utf-8").startswith("# Plymouth\n")
    assert [p.name for p in tmp_path.iterdir()] == ["memo.md"], "no temporary file left"


def test_assess_json_with_memo_keeps_stdout_json(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["assess", "--answers", str(ALLIANCE), "--json", "--memo", str(tmp_path / "m.md")]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ranking"][0]["route"] == "alliance"


def test_format_without_memo_is_an_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["assess", "--answers", str(ALLIANCE), "--format", "docx"])
    assert result.exit_code == 2
    assert "give --memo FILE too" in result.stderr


def test_one_decision_of_the_memo_format() -> None:
    from svadvisor.cli.common import MemoFormatChoice

    assert {choice.value for choice in MemoFormatChoice} == set(memo.MEMO_SUFFIX)
    assert memo.memo_format(Path("memo.DOCX")) == "docx"
    assert memo.memo_format(Path("memo.md")) == "md"
    assert memo.memo_format(Path("memo.out")) == "md"
    assert memo.memo_format(Path("memo.docx"), MemoFormatChoice.md) == "md"
    assert memo.memo_format(Path("memo.out"), MemoFormatChoice.docx) == "docx"
    assert memo.memo_format(None) == "md"  # a folder of memos
    assert memo.memo_format(None, "docx") == "docx"
    with pytest.raises(InputFileError, match="unknown memo format 'pdf'"):
        memo.memo_format(Path("memo.md"), "pdf")


def test_batch_and_assess_share_the_memo_format_option(runner: CliRunner, tmp_path: Path) -> None:
    sheet = tmp_path / "plan.csv"
    sheet.write_text("Ref,complexity\nDS-1,simple\n", encoding="utf-8")
    for command in (["batch", str(sheet)], ["assess", "--answers", str(ALLIANCE)]):
        for flag in ("--format", "--memo-format"):
            result = runner.invoke(app, [*command, flag, "md"])
            assert result.exit_code == 2, (command, flag, result.output)
            assert "too" in result.stderr and "--memo" in result.stderr
        bad = runner.invoke(app, [*command, "--format", "pdf"])
        assert bad.exit_code == 2 and "'pdf' is not one of 'md', 'docx'" in bad.stderr


def test_word_memo_has_real_headings_and_tables(runner: CliRunner, tmp_path: Path) -> None:
    pytest.importorskip("pypandoc")
    docx = pytest.importorskip("docx")
    target = tmp_path / "memo.docx"
    result = runner.invoke(app, ["assess", "--answers", str(ALLIANCE), "--memo", str(target)])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(target))
    headings = {p.text: p.style.name for p in document.paragraphs if p.style.name != "Normal"}
    assert headings["Summary"] == "Heading 2"
    assert headings["Why Alliance contracting"] == "Heading 2"
    assert headings["Appendix A: The service"] == "Heading 2"
    assert headings["Commissioning route recommendation: plymouth-alliance"] == "Heading 1"
    prose = [p for p in document.paragraphs if p.style.name != "Source Code"]
    assert not any(p.text.startswith(("#", "|")) for p in prose), "Markdown left as text"
    explanation = {t.rows[0].cells[0].text: t for t in document.tables}["Points"]
    assert [c.text for c in explanation.rows[0].cells] == ["Points", "Question", "Answer", "Reason"]
    cells = [[c.text for c in row.cells] for row in explanation.rows[1:]]
    providers = [row for row in cells if row[1].startswith("How many providers")]
    assert [row[0] for row in providers] == ["+1", "+1"]  # the pathway's share and its own
    shared = [row for row in cells if row[1].startswith("Must those providers")]
    assert [row[0] for row in shared] == ["+5"]
    assert cells[-1][:2] == ["19", "Total"]


def test_word_format_option_overrides_the_suffix(runner: CliRunner, tmp_path: Path) -> None:
    pytest.importorskip("pypandoc")
    target = tmp_path / "memo.out"
    args = ["assess", "--answers", str(ALLIANCE), "--memo", str(target), "--format", "docx"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:2] == b"PK"


def test_word_without_the_extra_says_how_to_install(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pypandoc", None)
    target = tmp_path / "memo.docx"
    result = runner.invoke(app, ["assess", "--answers", str(ALLIANCE), "--memo", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Word memos need pandoc")
    assert "pip install 'svadvisor[docx]'" in result.stderr
    assert not target.exists()


# --- replay -------------------------------------------------------------------------------


def write_alliance_memo(runner: CliRunner, folder: Path) -> Path:
    target = folder / "memo.md"
    result = runner.invoke(app, ["assess", "--answers", str(ALLIANCE), "--memo", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_replay_of_an_unchanged_memo_says_same(runner: CliRunner, tmp_path: Path) -> None:
    target = write_alliance_memo(runner, tmp_path)
    result = runner.invoke(app, ["memo", "replay", str(target)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == (
        "Same: Alliance contracting is still recommended (19 points), runner-up "
        "Collaborative commissioning (15 points), margin 4."
    )
    assert lines[2] == "The rule pack is the one the memo used (sha256 matches)."


def test_replay_after_a_weight_change_says_what_changed(
    runner: CliRunner, tmp_path: Path, pack_copy: Path, edit: Any
) -> None:
    target = write_alliance_memo(runner, tmp_path)
    before = load_pack(pack_copy).sha256
    # shared governance gives alliance +5; make it -5, so the alliance drops to 9 points.
    questions = pack_copy / "questions.yaml"
    text = questions.read_text(encoding="utf-8")
    anchor = text.index("  - id: shared_governance")
    at = text.index("points: 5", anchor)
    questions.write_text(text[:at] + "points: -5" + text[at + 9 :], encoding="utf-8")
    after = load_pack(pack_copy).sha256

    result = runner.invoke(app, ["memo", "replay", str(target), "--rules", str(pack_copy)])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert (
        "Changed: the recommendation is now Collaborative commissioning (15 points), "
        "not Alliance contracting." in out
    )
    assert "  - recommended: alliance -> collaborative\n" in out
    assert "  - runner-up: collaborative -> alliance\n" in out
    assert "  - score alliance: 19 -> 9\n" in out
    assert f"  - rule pack sha256: {before} -> {after}\n" in out
    assert "score collaborative" not in out

    as_json = runner.invoke(
        app, ["--rules", str(pack_copy), "memo", "replay", str(target), "--json"]
    )
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert (data["same"], data["recommendation_same"], data["pack_same"]) == (False, False, False)
    assert data["current"]["result"]["recommended"] == "collaborative"
    assert data["recorded"]["result"]["scores"]["alliance"] == 19


def test_replay_with_a_changed_pack_but_the_same_result(
    runner: CliRunner, tmp_path: Path, pack_copy: Path
) -> None:
    target = write_alliance_memo(runner, tmp_path)
    (pack_copy / "README.txt").write_text("Anytown's copy\n", encoding="utf-8")
    result = runner.invoke(app, ["memo", "replay", str(target), "--rules", str(pack_copy)])
    assert result.exit_code == 0, result.output
    assert "Same: Alliance contracting is still recommended" in result.stdout
    assert "The rule pack differs from the one the memo used:" in result.stdout
    assert "  - rule pack sha256: " in result.stdout


def test_replay_of_a_file_without_a_block(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    target.write_text("# Some notes\n\n```yaml\na: 1\n```\n", encoding="utf-8")
    result = runner.invoke(app, ["memo", "replay", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {target}: no reproducibility block")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("old", "new", "column", "message"),
    [
        ("  timescale: long\n", "  timescale: forever\n", 14, "timescale: 'forever' is not an"),
        ("  margin: 4\n", "  margin: two\n", 11, "result.margin: input should be"),
    ],
    ids=["answer-no-longer-fits", "damaged-block"],
)
def test_replay_locates_a_bad_line_in_the_memo(
    runner: CliRunner, tmp_path: Path, old: str, new: str, column: int, message: str
) -> None:
    target = write_alliance_memo(runner, tmp_path)
    target.write_text(target.read_text(encoding="utf-8").replace(old, new), "utf-8")
    result = runner.invoke(app, ["memo", "replay", str(target)])
    assert result.exit_code == 2
    line = line_of(target, new.strip())
    assert result.stderr.startswith(f"{target}:{line}:{column}: {message}")


def test_replay_of_a_docx_that_is_not_a_word_document(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "memo.docx"
    target.write_bytes(b"PK")
    result = runner.invoke(app, ["memo", "replay", str(target)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {target}: not a Word document (a .docx is a zip file)\n"


# --- templates in the rule pack ------------------------------------------------------------


def template_path(pack_dir: Path) -> Path:
    return pack_dir / "templates" / memo.MEMO_TEMPLATE


def test_a_councils_own_template_is_used(
    runner: CliRunner, tmp_path: Path, pack_copy: Path
) -> None:
    body = (
        "# Anytown Council: {{ title }}\n\nWe recommend {{ recommended.label }}.\n"
        "{% if recommended.guide %}{{ recommended.guide.steps | length }} steps.{% endif %}\n"
    )
    template_path(pack_copy).write_text(minimal_template(body), encoding="utf-8")
    target = tmp_path / "memo.md"
    result = runner.invoke(
        app,
        ["--rules", str(pack_copy), "assess", "--answers", str(ALLIANCE), "--memo", str(target)],
    )
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Anytown Council: Commissioning route recommendation")
    assert "We recommend Alliance contracting." in text
    guide = load_pack(pack_copy).route("alliance").guide
    assert guide is not None and f"{len(guide.steps)} steps." in text
    record = memo.read_memo_record(target)
    assert record.rule_pack.sha256 == load_pack(pack_copy).sha256 != load_pack().sha256


def test_a_pack_without_templates_uses_the_built_in_memo(pack_copy: Path) -> None:
    shutil.rmtree(pack_copy / "templates")
    copy = load_pack(pack_copy)
    assert copy.templates == {}
    text = memo.render_memo(copy, assess_file(copy, ALLIANCE), on=DAY)
    assert "## Why Alliance contracting" in text


def test_the_template_is_part_of_the_pack_hash(pack_copy: Path) -> None:
    before = load_pack(pack_copy)
    assert memo.MEMO_TEMPLATE in before.templates
    path = template_path(pack_copy)
    path.write_text(path.read_text(encoding="utf-8") + "\nAnytown\n", encoding="utf-8")
    assert load_pack(pack_copy).sha256 != before.sha256


def render_with(pack_dir: Path, template: str) -> RulePackError:
    template_path(pack_dir).write_text(template, encoding="utf-8")
    pack = load_pack(pack_dir)
    with pytest.raises(RulePackError) as info:
        memo.render_memo(pack, assess_file(pack, ALLIANCE), on=DAY)
    return info.value


def test_a_template_syntax_error_names_file_and_line(pack_copy: Path) -> None:
    error = render_with(pack_copy, minimal_template("# {{ title }}\n\nopen {% endif %}\n"))
    (problem,) = error.problems
    assert str(problem).startswith(f"{template_path(pack_copy)}:3: template syntax error:")
    assert "'endif'" in str(problem)


def test_a_template_runtime_error_names_file_and_line(pack_copy: Path) -> None:
    error = render_with(pack_copy, minimal_template("# {{ title }}\n\n\n{{ no_such_name }}\n"))
    assert (
        str(error) == f"{template_path(pack_copy)}:4: template error: 'no_such_name' is undefined"
    )


def test_rules_validate_reports_a_template_syntax_error(runner: CliRunner, pack_copy: Path) -> None:
    template_path(pack_copy).write_text("line one\n{{ title \n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "validate", str(pack_copy)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{template_path(pack_copy)}:2: template syntax error:")


def test_a_template_that_is_not_utf8_is_located(pack_copy: Path) -> None:
    template_path(pack_copy).write_bytes(b"# Memo\n\xff\n")
    with pytest.raises(RulePackError) as info:
        load_pack(pack_copy)
    assert str(info.value.problems[0]).startswith(f"{template_path(pack_copy)}:2:1: not UTF-8")


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__",
        "''.__class__.__mro__[1].__subclasses__()",
        "title.__init__.__globals__",
        "recommended.items.__self__",
    ],
)
def test_the_sandbox_blocks_python_internals(
    runner: CliRunner, tmp_path: Path, pack_copy: Path, expression: str
) -> None:
    template_path(pack_copy).write_text(
        minimal_template("# Memo\n{{ " + expression + " }}\n"), encoding="utf-8"
    )
    target = tmp_path / "memo.md"
    result = runner.invoke(
        app,
        ["--rules", str(pack_copy), "assess", "--answers", str(ALLIANCE), "--memo", str(target)],
    )
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{template_path(pack_copy)}:2: template error: ")
    assert first.endswith("object is unsafe.")
    assert result.stderr.splitlines()[-1].startswith("Error: the memo template ")
    assert "Traceback" not in result.output
    assert not target.exists()


def test_a_template_without_the_reproducibility_block_is_refused(pack_copy: Path) -> None:
    error = render_with(pack_copy, "# {{ title }}\n")
    assert "must include {{ reproducibility }}" in str(error)


# --- memo files for batch runs -----------------------------------------------------------


def names_for(texts: list[str], suffix: str = ".md") -> list[str]:
    """The names batch gives memos from these references or titles, in this order."""
    namer = memo.MemoNamer(suffix)
    return [namer.name_for(text) for text in texts]


def test_duplicate_titles_get_distinct_names() -> None:
    names = names_for(
        ["Day centre", "Day centre", "day centre", "Day centre-2", "", "CON", "a/b\\c:d*?"]
    )
    assert names == [
        "Day-centre.md",
        "Day-centre-2.md",
        "day-centre-3.md",
        "Day-centre-2-2.md",
        "memo.md",
        "CON_.md",
        "a-b-c-d.md",
    ]
    assert names_for(["Café über", "Ysgol Gymraeg Llŵyn"], ".docx") == [
        "Cafe-uber.docx",
        "Ysgol-Gymraeg-Llwyn.docx",
    ]


@given(st.lists(st.text(max_size=200), max_size=30))
def test_memo_names_are_always_safe_and_distinct(texts: list[str]) -> None:
    names = names_for(texts)
    assert len(names) == len(texts)
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.md", name), name
        assert len(name) <= memo.MAX_NAME_LENGTH + 10
        assert name.split(".")[0].lower() not in {"con", "prn", "aux", "nul", "com1", "lpt1"}


def test_the_route_guide_feeds_the_memo(pack: RulePack) -> None:
    text = memo.render_memo(pack, assess_file(pack, ALLIANCE), on=DAY)
    guide = section(text, "Doing it: Alliance contracting")
    for heading in ("When it fits", "When it does not", "Legal vehicles", "Practical steps"):
        assert f"**{heading}**" in guide
    assert "- FAC-1, a multi-party framework alliance contract governed by a Core Group." in guide
    assert "<http://allianceforms.co.uk/fac-1-guidance/>" in guide


# --- the one-page summary -----------------------------------------------------------------


def write_answers(folder: Path, text: str, name: str = "answers.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def cli_memo(runner: CliRunner, answers: Path, target: Path, *extra: str) -> str:
    result = runner.invoke(
        app, ["assess", "--answers", str(answers), "--memo", str(target), *extra]
    )
    assert result.exit_code == 0, result.output
    return target.read_text(encoding="utf-8") if target.suffix == ".md" else ""


def test_the_summary_of_a_recommendation(runner: CliRunner, tmp_path: Path) -> None:
    text = cli_memo(runner, ALLIANCE, tmp_path / "memo.md")
    assert headings(text)[:5] == [
        "Summary",
        "Why Alliance contracting",
        "Why not Collaborative commissioning",
        "How sure is this recommendation?",
        "Decision record",
    ]
    appendices = headings(text)[5:]
    assert appendices[0] == "Appendix A: The service"
    letters = [h.split(":")[0] for h in appendices]
    assert letters == [f"Appendix {chr(ord('A') + i)}" for i in range(len(appendices))]
    assert appendices[-1].endswith(": Reproducibility")

    summary = section(text, "Summary")
    assert summary.startswith(
        "\n**Decision asked for:** approve Alliance contracting as the route for commissioning "
        "this service, or choose another route and record why.\n"
    )
    assert "**Recommended route: Alliance contracting**, 19 points." in summary
    assert "**Confidence: moderate.** The answers favour this route" in summary
    # the three largest contributions, largest first, each with its answer, reason and source
    reasons = [line for line in summary.splitlines() if re.match(r"^\d\. \*\*[+-]\d+\*\*", line)]
    assert [line[:9] for line in reasons] == ["1. **+5**", "2. **+3**", "3. **+2**"]
    assert reasons[0].startswith("1. **+5** Must those providers and the council share")
    assert "**Yes.** An alliance is one contract" in reasons[0]
    source = "https://lhalliances.org.uk/frequently-asked-questions"
    assert f"([lhalliances.org.uk]({source}))" in reasons[0]
    assert "How complex is the system" in reasons[1]
    # the runner-up and the one changed answer that would make it win
    assert (
        "**Main risk:** Collaborative commissioning (15 points, 4 points behind) would be "
        "recommended instead if the answer to 'How many providers must work together, depending "
        "on each other, to deliver the outcomes?' were 'One provider can deliver it', not "
        "'Several interdependent providers (four or more)'. It is one of 3 single-answer "
        "changes that would change the recommendation." in summary
    )
    # next steps: MUST duties first, said to be conditional, then SHOULD, then the record
    steps = summary[summary.index("**Next steps:**") :].splitlines()
    numbered = [line for line in steps if re.match(r"^\d\. ", line)]
    assert numbered[0].startswith(
        "1. Meet the duties (MUST, conditional): The Act's objectives include public benefit "
        "and SME access; Consider lots, or give reasons. They apply only if the estimated value "
        "is at or above £663,540 for light touch services"
    )
    assert numbered[1].startswith(
        "2. Meet the duty (MUST, conditional): Below-threshold rules (Part 6 of the Act). It "
        "applies only if the estimated value is below £663,540"
    )
    assert numbered[2].startswith("3. Follow the guidance (SHOULD): Light touch carve-outs;")
    assert "Engage before the tender, fairly (conditional)" in numbered[2]
    assert numbered[-1].startswith("5. Complete the decision record (12 of 12 fields still")
    assert (
        "**Prepared by:** to complete; **date:** to complete. **Decision maker:** to complete; "
        "**approval route:** to complete." in summary
    )
    # one page: the summary is short, and it names no appendix that does not exist
    assert len(summary) < 5000
    for cited in re.findall(r"Appendix [A-Z]", summary):
        assert any(h.startswith(f"{cited}:") for h in appendices), cited


def test_the_summary_and_reasons_fit_on_two_pages(pack: RulePack) -> None:
    """The summary, the reasons for and the reasons against, as printed (links print as
    their site's name): well under the ~9,000 characters of two pages."""
    for example in EXAMPLE_FILES:
        text = memo.render_memo(pack, assess_file(pack, example), on=DAY)
        body = text[: text.index("\n## How sure")]
        printed = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", body).replace("**", "")
        printed = re.sub(r"\|[-:|]+\|\n", "", printed)
        assert len(printed) < 9000, (example.name, len(printed))
        assert "## Appendix" not in body


def test_the_summary_of_a_tie(runner: CliRunner, tmp_path: Path) -> None:
    answers = write_answers(tmp_path, "complexity: complex\ntimescale: long\n")
    summary = section(cli_memo(runner, answers, tmp_path / "tie.md"), "Summary")
    assert summary.startswith(
        "\n**Decision asked for:** note that no route can be recommended yet, and have the "
        "questions in the next steps settled before a route is chosen.\n"
    )
    assert (
        "**No recommendation yet: Collaborative commissioning, Alliance contracting and Public "
        "commons partnership tie at 6 points.**" in summary
    )
    assert "**Recommended route:" not in summary
    assert "**Confidence: insufficient.**" in summary
    assert "**Where Collaborative commissioning's points come from**" in summary
    assert (
        "**Main risk:** The answers do not choose between Collaborative commissioning, "
        "Alliance contracting and Public commons partnership: they tie at 6 points." in summary
    )
    assert "1. Settle these questions, then assess again:\n" in summary
    assert "   - Must those providers and the council share one set of outcomes" in summary


def test_the_summary_when_the_evidence_is_insufficient(runner: CliRunner, tmp_path: Path) -> None:
    answers = write_answers(tmp_path, "complexity: complex\ntimescale: long\nproviders: several\n")
    summary = section(cli_memo(runner, answers, tmp_path / "memo.md"), "Summary")
    assert "**No recommendation yet.** Alliance contracting leads with 8 points" in summary
    assert "**Confidence: insufficient.**" in summary
    assert (
        "**Main risk:** Alliance contracting leads on points, but none of its defining "
        "evidence is in the answers" in summary
    )
    assert "1. Settle these questions, then assess again:" in summary
    assert "**Decision asked for:** note that no route can be recommended yet" in summary


def test_a_contradiction_is_the_main_risk(runner: CliRunner, tmp_path: Path) -> None:
    answers = write_answers(tmp_path, "service_type: goods\nspecification: co_design\n")
    text = cli_memo(runner, answers, tmp_path / "memo.md")
    summary = section(text, "Summary")
    assert summary.count("**Main risk:** Some answers contradict each other") == 1
    assert "Goods are bought as products" in summary
    assert "1. Check the answers that contradict each other (next section)" in summary
    assert headings(text)[1] == "Answers that contradict each other"


# --- how sure: the five changes that matter most, all of them in an appendix -------------


def test_five_changes_shown_and_every_change_in_an_appendix(pack: RulePack) -> None:
    answers = read_answers_file(
        EXAMPLES / "leicestershire-childrens-innovation-partnership.yaml", pack
    )
    answers["innovation"] = "yes"  # no single change moves it: 13 pairs of changes do
    result = engine.assess(pack, answers, on=DAY)
    assert len(result.what_would_change) > memo.CHANGES_SHOWN
    text = memo.render_memo(pack, result, on=DAY)
    shown = section(text, "How sure is this recommendation?")
    assert (
        f"these pairs of changes would (the 5 that matter most, of "
        f"{len(result.what_would_change)}; all are in Appendix C):" in shown
    )
    rows = [line for line in shown.splitlines() if line.startswith("| ") and "from '" in line]
    full = section(text, "Every change that would change the recommendation")
    assert headings(text).count("Appendix C: Every change that would change the recommendation")
    all_rows = [line for line in full.splitlines() if line.startswith("| ") and "from '" in line]
    assert len(rows) == 5 and len(all_rows) == len(result.what_would_change)
    assert rows == all_rows[:5]
    # fewest answers changed first, then question order
    order = {q.id: i for i, q in enumerate(pack.questions)}
    keys = [
        (len(f.changes), [order[c.question] for c in f.changes])
        for f in memo.ordered_flips(pack, result.what_would_change)
    ]
    assert keys == sorted(keys)
    first = memo.ordered_flips(pack, result.what_would_change)[0]
    assert rows[0].startswith(f"| {pack.question(first.changes[0].question).text} from '")


def test_few_changes_need_no_appendix(pack: RulePack) -> None:
    text = memo.render_memo(pack, assess_file(pack, ALLIANCE), on=DAY)
    shown = section(text, "How sure is this recommendation?")
    assert "Each of these changes to a single answer would change the recommendation:" in shown
    assert "Every change that would change" not in text


# --- the decision record --------------------------------------------------------------------

RECORD_BLOCK = """\
record:
  prepared_by: Sam Patel, Commissioning Officer
  prepared_on: 2026-11-28
  decision_maker: Cabinet Member for Adult Social Care
  approval_route: Key decision
  budget: 1250000
  funding_source: Public health grant
  consultation:
    - Provider forum, October 2026
    - People with lived experience, November 2026
  equality_impact_assessment: ''
"""


def record_table(text: str) -> dict[str, str]:
    rows = section(text, "Decision record").split("**Decision**")[0]
    table = {}
    for line in rows.splitlines():
        if line.startswith("| ") and not line.startswith("| Item"):
            label, value = line.strip("| ").split(" | ")
            table[label] = value
    return table


def test_record_fields_from_the_answers_file(runner: CliRunner, tmp_path: Path) -> None:
    answers = write_answers(tmp_path, ALLIANCE.read_text(encoding="utf-8") + RECORD_BLOCK)
    text = cli_memo(runner, answers, tmp_path / "memo.md")
    assert record_table(text) == {
        "Prepared by": "Sam Patel, Commissioning Officer",
        "Date prepared": "28 November 2026",
        "Decision maker": "Cabinet Member for Adult Social Care",
        "Approval route (delegated or key decision)": "key decision",
        "Budget": "£1,250,000",
        "Funding source": "Public health grant",
        "Consultation with partners and communities": (
            "Provider forum, October 2026; People with lived experience, November 2026"
        ),
        "Equality impact assessment (done, or when)": "to complete",
        "Legal sign-off": "to complete",
        "Finance sign-off": "to complete",
        "Risks": "to complete",
        "Timetable": "to complete",
    }
    summary = section(text, "Summary")
    assert (
        "**Prepared by:** Sam Patel, Commissioning Officer; **date:** 28 November 2026. "
        "**Decision maker:** Cabinet Member for Adult Social Care; **approval route:** key "
        "decision." in summary
    )
    assert "(5 of 12 fields still to complete) and take the decision as a key decision.\n" in (
        summary
    )
    # the record is not an answer: the same assessment, and the replay block holds no record
    data = json.loads(runner.invoke(app, ["assess", "--answers", str(answers), "--json"]).stdout)
    assert "record" not in data["answers"] and data["recommended"] == "alliance"
    assert memo.read_memo_record(tmp_path / "memo.md").answers == data["answers"]


def test_record_fields_from_a_record_file_over_the_answers_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    answers = write_answers(tmp_path, ALLIANCE.read_text(encoding="utf-8") + RECORD_BLOCK)
    record = write_answers(
        tmp_path,
        "prepared_by: Jo Evans, Head of Commissioning\napproval_route: delegated\n"
        "legal_sign_off: Legal Services, 1 December 2026\nrisks: Provider capacity\n"
        "timetable: Cabinet on 14 January 2027\n",
        "record.yaml",
    )
    text = cli_memo(runner, answers, tmp_path / "memo.md", "--record", str(record))
    table = record_table(text)
    assert table["Prepared by"] == "Jo Evans, Head of Commissioning"
    assert table["Approval route (delegated or key decision)"] == "delegated"
    assert table["Legal sign-off"] == "Legal Services, 1 December 2026"
    assert table["Timetable"] == "Cabinet on 14 January 2027"
    assert table["Decision maker"] == "Cabinet Member for Adult Social Care"  # from the answers
    assert table["Finance sign-off"] == "to complete"
    assert "and take the decision under delegated powers.\n" in section(text, "Summary")

    alone = cli_memo(runner, ALLIANCE, tmp_path / "alone.md", "--record", str(record))
    table = record_table(alone)
    assert table["Prepared by"] == "Jo Evans, Head of Commissioning"
    assert table["Decision maker"] == "to complete"  # never invented
    # a block copied from an answers file, `record:` and all, is read the same
    copied = write_answers(tmp_path, RECORD_BLOCK, "copied.yaml")
    text = cli_memo(runner, ALLIANCE, tmp_path / "copied.md", "--record", str(copied))
    assert record_table(text)["Budget"] == "£1,250,000"


def test_a_memo_without_a_record_says_to_complete(pack: RulePack) -> None:
    text = memo.render_memo(pack, assess_file(pack, ALLIANCE), on=DAY)
    assert set(record_table(text).values()) == {"to complete"}
    assert len(record_table(text)) == 12


@pytest.mark.parametrize(
    ("where", "block", "needle", "message"),
    [
        (
            "answers",
            "record:\n  prepared_by: Sam\n  prepard_on: 2026-11-28\n",
            "prepard_on",
            "record.prepard_on: unknown record field 'prepard_on'; did you mean 'prepared_on'?",
        ),
        (
            "answers",
            "record:\n  approval_route: cabinet\n",
            "cabinet",
            "record.approval_route: 'cabinet' is not an approval route; write delegated or "
            "key decision",
        ),
        (
            "record",
            "decision_maker: Cabinet\nbudjet: 100000\n",
            "budjet",
            "budjet: unknown record field 'budjet'; did you mean 'budget'?",
        ),
        (
            "record",
            "prepared_on: 2026-02-30\n",
            "2026-02-30",
            "prepared_on: 2026-02-30 is not a real date",
        ),
    ],
    ids=["misspelt-in-answers", "bad-approval-route", "misspelt-in-record-file", "bad-date"],
)
def test_a_bad_record_field_is_located(
    runner: CliRunner, tmp_path: Path, where: str, block: str, needle: str, message: str
) -> None:
    target = tmp_path / "memo.md"
    if where == "answers":
        file = write_answers(tmp_path, "complexity: complex\n" + block)
        args = ["assess", "--answers", str(file), "--memo", str(target)]
    else:
        file = write_answers(tmp_path, block, "record.yaml")
        args = ["assess", "--answers", str(ALLIANCE), "--memo", str(target), "--record", str(file)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    line = line_of(file, needle)
    column = file.read_text(encoding="utf-8").splitlines()[line - 1].index(needle) + 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{file}:{line}:{column}: {message}"), first
    assert "Traceback" not in result.output
    assert not target.exists()


def test_a_bad_record_in_the_answers_file_stops_assess_without_a_memo(
    runner: CliRunner, tmp_path: Path
) -> None:
    answers = write_answers(tmp_path, "complexity: complex\nrecord:\n  preparedby: Sam\n")
    result = runner.invoke(app, ["assess", "--answers", str(answers)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{answers}:3:3: record.preparedby: unknown record field")


def test_record_needs_a_memo(runner: CliRunner, tmp_path: Path) -> None:
    record = write_answers(tmp_path, "prepared_by: Sam\n", "record.yaml")
    result = runner.invoke(app, ["assess", "--answers", str(ALLIANCE), "--record", str(record)])
    assert result.exit_code == 2
    assert "give --memo FILE too" in result.stderr


# --- Word memos replay ----------------------------------------------------------------------


def docx_properties(path: Path) -> dict[str, str]:
    """The custom document properties of a .docx, read with zipfile alone."""
    import zipfile
    from xml.etree import ElementTree as ET

    ns = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("docProps/custom.xml"))
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("_rels/.rels").decode()
    assert 'PartName="/docProps/custom.xml"' in types
    assert "relationships/custom-properties" in rels
    return {p.get("name", ""): "".join(c.text or "" for c in p) for p in root.iter(f"{ns}property")}


def test_a_word_memo_keeps_its_replay_record_and_replays(
    runner: CliRunner, tmp_path: Path, pack_copy: Path
) -> None:
    pytest.importorskip("pypandoc")
    docx = pytest.importorskip("docx")
    target = tmp_path / "memo.docx"
    answers = write_answers(tmp_path, ALLIANCE.read_text(encoding="utf-8") + RECORD_BLOCK)
    cli_memo(runner, answers, target)
    markdown = tmp_path / "memo.md"
    cli_memo(runner, answers, markdown)

    properties = docx_properties(target)
    pieces = [properties[k] for k in sorted(properties) if k.startswith("svadvisor-replay-0")]
    assert properties["svadvisor-replay-parts"] == str(len(pieces)) and len(pieces) > 1
    assert all(len(piece) <= memo.PROPERTY_CHARS for piece in pieces)
    block = "".join(pieces)
    assert block.startswith(memo.REPLAY_MARKER)
    # the very block the Markdown memo carries
    text = markdown.read_text(encoding="utf-8")
    assert f"```yaml\n{block}```" in text

    document = docx.Document(str(target))  # still a document Word (and python-docx) opens
    assert document.paragraphs[0].text.startswith("Commissioning route recommendation")
    assert any(p.text == "Summary" for p in document.paragraphs)

    same = runner.invoke(app, ["memo", "replay", str(target)])
    assert same.exit_code == 0, same.output
    assert same.stdout.splitlines()[0].startswith(f"Replayed {target} (assessed on ")
    assert "Same: Alliance contracting is still recommended (19 points)" in same.stdout

    # shared governance gives alliance +5; make it -5, so the alliance drops to 9 points
    questions = pack_copy / "questions.yaml"
    yaml_text = questions.read_text(encoding="utf-8")
    at = yaml_text.index("points: 5", yaml_text.index("  - id: shared_governance"))
    questions.write_text(yaml_text[:at] + "points: -5" + yaml_text[at + 9 :], encoding="utf-8")
    changed = runner.invoke(app, ["memo", "replay", str(target), "--rules", str(pack_copy)])
    assert changed.exit_code == 1, changed.output
    assert "Changed: the recommendation is now Collaborative commissioning" in changed.stdout
    assert "  - score alliance: 19 -> 9\n" in changed.stdout
    as_json = runner.invoke(
        app, ["memo", "replay", str(target), "--rules", str(pack_copy), "--json"]
    )
    data = json.loads(as_json.stdout)
    assert data["memo"] == str(target) and data["same"] is False
    assert data["recorded"]["result"]["scores"]["alliance"] == 19


def test_a_word_memo_from_batch_replays_too(runner: CliRunner, tmp_path: Path) -> None:
    pytest.importorskip("pypandoc")
    sheet = tmp_path / "plan.csv"
    sheet.write_text(
        "Ref,complexity,specification,market\nDS-1,simple,fixed,deep\n", encoding="utf-8"
    )
    folder = tmp_path / "memos"
    made = runner.invoke(
        app, ["batch", str(sheet), "--memos", str(folder), "--memo-format", "docx"]
    )
    assert made.exit_code == 0, made.output
    (written,) = folder.iterdir()
    result = runner.invoke(app, ["memo", "replay", str(written)])
    assert result.exit_code == 0, result.output
    assert "Same: Competitive procurement is still recommended" in result.stdout


def test_a_word_document_without_the_record_is_a_clear_error(
    runner: CliRunner, tmp_path: Path
) -> None:
    pypandoc = pytest.importorskip("pypandoc")
    plain = tmp_path / "letter.docx"
    pypandoc.convert_text("# A letter\n\nNot a memo.", "docx", format="gfm", outputfile=str(plain))
    result = runner.invoke(app, ["memo", "replay", str(plain)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {plain}: no replay record in its document properties; replay reads a Word "
        "memo written by svadvisor (--memo FILE.docx), or the Markdown memo\n"
    )
    assert "Traceback" not in result.output


def test_a_damaged_record_in_a_word_memo_is_located(runner: CliRunner, tmp_path: Path) -> None:
    pytest.importorskip("pypandoc")
    target = tmp_path / "memo.docx"
    cli_memo(runner, ALLIANCE, target)
    block = memo.read_docx_record(target).replace("  timescale: long\n", "  timescale: forever\n")
    data = memo.with_replay_record(target.read_bytes(), block)
    target.write_bytes(data)
    result = runner.invoke(app, ["memo", "replay", str(target)])
    assert result.exit_code == 2
    line = block.splitlines().index("  timescale: forever") + 1
    assert result.stderr.startswith(
        f"{target} (replay record):{line}:14: timescale: 'forever' is not an"
    )
