"""Plain words: the pack's glossary (rules/glossary.yaml), `svadvisor glossary`, and
`terms_in` for text such as a memo."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from svadvisor.cli.app import app
from svadvisor.errors import RulePackError
from svadvisor.rulepack.glossary import find, terms_in
from svadvisor.rulepack.load import builtin_pack_dir, load_pack
from svadvisor.rulepack.schema import RulePack
from svadvisor.rulepack.sources import classify, pack_documents, unlisted

WANTED = [
    # the brief's list: every term an officer meets in the output
    "light_touch",
    "reservable",
    "covered_procurement",
    "below_threshold",
    "psr",
    "direct_award_a",
    "direct_award_b",
    "direct_award_c",
    "most_suitable_provider",
    "psr_competitive_process",
    "alliance_contracting",
    "fac_1",
    "tac_1",
    "public_commons_partnership",
    "community_asset_transfer",
    "pecuniary_interest",
    "call_off",
    "framework",
    "open_framework",
    "dynamic_market",
    "transparency_notice",
    "preliminary_market_engagement",
    "lots",
    "kpis",
    "social_value",
    "national_toms",
    "npps",
    "schedule_2_exemption",
    "subsidy_control",
    "asset_of_community_value",
    "competitive_procurement",
    "collaborative_commissioning",
    "strong",
    "moderate",
    "weak",
    "insufficient",
    "dont_know",
    "cpv_code",
]


def test_the_glossary_explains_every_term_the_output_uses(pack: RulePack) -> None:
    ids = [entry.id for entry in pack.glossary]
    assert [w for w in WANTED if w not in ids] == []
    assert len(ids) == len(set(ids))
    for entry in pack.glossary:
        assert entry.text and entry.text.strip()
        sentences = entry.text.count(". ") + 1
        assert sentences <= 3, f"{entry.id}: keep it to one to three sentences"


def test_the_confidence_levels_use_the_packs_own_meaning(pack: RulePack) -> None:
    assert pack.meta.confidence is not None
    for level, meaning in pack.meta.confidence.meaning.items():
        entry = find(pack, level)
        assert entry is not None and entry.confidence == level
        assert entry.text == meaning


def test_every_glossary_source_is_in_a_class_of_sources_yaml(pack: RulePack) -> None:
    sourced = [entry for entry in pack.glossary if entry.source]
    assert len(sourced) >= 40
    for entry in sourced:
        assert classify(pack.source_classes, entry.source) is not None, entry.source  # type: ignore[arg-type]
    docs = [d for d in pack_documents(builtin_pack_dir()) if d.file.endswith("glossary.yaml")]
    assert len(docs) == 1  # sources lint reads the glossary like every pack file
    assert unlisted(pack.source_classes, docs) == []
    # only the tool's own words go unsourced
    assert {e.id for e in pack.glossary if not e.source} <= {
        "strong",
        "moderate",
        "weak",
        "insufficient",
        "dont_know",
        "defining_evidence",
        "prerequisite",
        "close_call",
    }


def test_rules_lint_stays_at_no_warnings(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "lint"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("0 warning(s), ")


# --- the command --------------------------------------------------------------------


def test_glossary_lists_every_term_with_its_text(runner: CliRunner, pack: RulePack) -> None:
    result = runner.invoke(app, ["glossary"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    flat = " ".join(out.split())
    for entry in pack.glossary:
        assert f"{entry.term} ({entry.id})\n" in out
        assert " ".join((entry.text or "").split()) in flat
    assert "light touch (light_touch)\n  also: light-touch, light touch contract" in out
    assert (
        "  source: https://www.gov.uk/government/publications/procurement-act-2023-guidance-"
        "documents-plan-phase/guidance-light-touch-contracts-html\n" in out
    )


@pytest.mark.parametrize(
    ("asked", "entry_id"),
    [
        ("fac_1", "fac_1"),  # the id
        ("FAC-1", "fac_1"),  # the term
        ("provider selection regime", "psr"),  # the term, any case
        ("PSR", "psr"),  # an alias
        ("light-touch services", "light_touch"),  # an alias, spaced or hyphenated
        ("Light_Touch", "light_touch"),
        ("NPPS", "npps"),
        ("public-common partnership", "public_commons_partnership"),
        ("don't know", "dont_know"),
        ("strong", "strong"),
    ],
)
def test_glossary_shows_one_term(
    runner: CliRunner, pack: RulePack, asked: str, entry_id: str
) -> None:
    result = runner.invoke(app, ["glossary", asked])
    assert result.exit_code == 0, result.output
    entry = next(e for e in pack.glossary if e.id == entry_id)
    assert result.stdout.startswith(f"{entry.term} ({entry.id})\n")
    assert " ".join((entry.text or "").split()) in " ".join(result.stdout.split())
    assert result.stdout.count(" (") >= 1 and result.stdout.count("\n\n") == 0  # one entry


def test_glossary_json(runner: CliRunner, pack: RulePack) -> None:
    result = runner.invoke(app, ["glossary", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["id"] for d in data] == [e.id for e in pack.glossary]
    assert all(set(d) == {"id", "term", "aliases", "text", "source"} for d in data)
    one = json.loads(runner.invoke(app, ["glossary", "TAC-1", "--json"]).stdout)
    assert one == {
        "id": "tac_1",
        "term": "TAC-1",
        "aliases": ["TAC1", "Term Alliance Contract"],
        "text": (
            "The Term Alliance Contract: a standard alliance contract for term programmes "
            "such as planned and cyclical maintenance."
        ),
        "source": "http://allianceforms.co.uk/about-tac-1/",
    }


def test_glossary_miss_says_did_you_mean(runner: CliRunner) -> None:
    result = runner.invoke(app, ["glossary", "dynamic markit"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: no glossary term 'dynamic markit' (did you mean 'dynamic market'?); "
        "`svadvisor glossary` lists them all\n"
    )
    nothing_near = runner.invoke(app, ["glossary", "zzzz"])
    assert nothing_near.exit_code == 2
    assert nothing_near.stderr == (
        "Error: no glossary term 'zzzz'; `svadvisor glossary` lists them all\n"
    )


def test_a_pack_without_a_glossary_still_loads(pack_copy: Path, runner: CliRunner) -> None:
    (pack_copy / "glossary.yaml").unlink()
    assert load_pack(pack_copy).glossary == []
    result = runner.invoke(app, ["--rules", str(pack_copy), "glossary"])
    assert result.exit_code == 2
    assert "has no glossary (glossary.yaml)" in result.stderr


# --- the pack file's checks ---------------------------------------------------------


def _problems(folder: Path) -> list[str]:
    with pytest.raises(RulePackError) as caught:
        load_pack(folder)
    return [str(p) for p in caught.value.problems]


def test_duplicate_glossary_ids_are_located(
    edit: Callable[[str, str, str], Path], pack_copy: Path
) -> None:
    edit("glossary.yaml", "- id: tac_1", "- id: fac_1")
    problems = _problems(pack_copy)
    assert len(problems) == 1
    assert "glossary.yaml:" in problems[0]
    assert "glossary[" in problems[0] and "].id: duplicate id 'fac_1'" in problems[0]


def test_a_word_naming_two_entries_is_located(
    edit: Callable[[str, str, str], Path], pack_copy: Path
) -> None:
    edit("glossary.yaml", "aliases: [TAC1, Term Alliance Contract]", "aliases: [FAC1]")
    problems = _problems(pack_copy)
    assert len(problems) == 1
    assert "].aliases[0]: 'FAC1' already names the glossary entry 'fac_1'" in problems[0]


def test_a_glossary_entry_needs_text_and_a_web_source(
    edit: Callable[[str, str, str], Path], pack_copy: Path
) -> None:
    edit("glossary.yaml", "source: http://allianceforms.co.uk/about-tac-1/", "source: about-tac-1")
    edit(
        "glossary.yaml",
        "aliases: [TAC1, Term Alliance Contract]\n    text: >-",
        "aliases: []\n    help: >-",
    )
    problems = "\n".join(_problems(pack_copy))
    assert "unknown key 'help'" in problems
    assert "a source must be a public web address" in problems


def test_a_confidence_entry_takes_its_text_from_pack_yaml(
    edit: Callable[[str, str, str], Path], pack_copy: Path
) -> None:
    edit("glossary.yaml", "    confidence: weak\n", "    confidence: weak\n    text: My words.\n")
    problems = _problems(pack_copy)
    assert len(problems) == 1
    assert "].text: an entry for a confidence level takes its text from pack.yaml" in problems[0]


# --- terms_in: for the memo ---------------------------------------------------------

MEMO_LIKE = """\
# Commissioning route recommendation

Recommended route: Alliance contracting (moderate confidence).

The estimated value is at or above the light touch threshold, so this is covered
procurement. Consider lots, or give reasons (s18); set KPIs. An FAC-1 alliance could be
let as a framework, with call-offs by direct award. Not answered (don't know): whether it
is a reservable service. Have regard to the NPPS. Social value belongs in the core
deliverables. Allotments and slots are not lots; a flotsam of words is not TOMs-ish.
"""


def test_terms_in_finds_the_terms_of_a_memo_in_glossary_order(pack: RulePack) -> None:
    found = [entry.id for entry in terms_in(pack, MEMO_LIKE)]
    order = [entry.id for entry in pack.glossary]
    assert found == sorted(found, key=order.index)
    assert set(found) == {
        "alliance_contracting",
        "moderate",
        "dont_know",
        "covered_procurement",
        "threshold",
        "light_touch",
        "reservable",
        "direct_award",
        "framework",
        "call_off",
        "lots",
        "kpis",
        "fac_1",
        "social_value",
        "npps",
    }
    assert "national_toms" not in found  # "TOMs-ish" is not the whole word


def test_terms_in_is_case_blind_and_whole_word(pack: RulePack) -> None:
    assert [e.id for e in terms_in(pack, "THE PSR AND A DYNAMIC MARKET")] == [
        "dynamic_market",
        "psr",
    ]
    assert terms_in(pack, "psrs, dynamically, marketing") == []
    assert [e.id for e in terms_in(pack, "We don\u2019t know yet.")] == ["dont_know"]
    assert terms_in(pack, "") == []


def _reference_terms(pack: RulePack, text: str) -> list[str]:
    """The definition of a whole-word match, as one look-behind regex per entry."""
    import re

    folded = text.replace("\u2019", "'").replace("\u2018", "'").casefold()
    found = []
    for entry in pack.glossary:
        names = sorted(
            (
                r"\s+".join(map(re.escape, n.replace("\u2019", "'").casefold().split()))
                for n in (entry.term, *entry.aliases)
            ),
            key=len,
            reverse=True,
        )
        if re.search(r"(?<![\w-])(?:" + "|".join(names) + r")(?![\w-])", folded):
            found.append(entry.id)
    return found


@given(
    st.lists(
        st.one_of(
            st.sampled_from([n for e in load_pack().glossary for n in (e.term, *e.aliases)]),
            st.sampled_from([" ", "\n", "-", "_", "x", "é", "1", ". ", "(", "Non"]),
        ),
        max_size=12,
    )
)
def test_terms_are_found_exactly_where_whole_words_are(parts: list[str]) -> None:
    pack = load_pack()
    text = "".join(parts)
    assert [e.id for e in terms_in(pack, text)] == _reference_terms(pack, text)
