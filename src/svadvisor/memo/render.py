"""Recommendation memos: an assessment written up as the council's decision record.

A memo must be defensible years later, so it explains every point, says why the
runner-up lost, lists the "don't know"s, and ends with a reproducibility block (the
svadvisor version, the rule pack's name, version and sha256, the answers) that
`svadvisor memo replay` re-runs. The wording lives in the rule pack's Jinja2 template
(`templates/memo.md.j2`), rendered in Jinja2's sandbox so a council can reword its memo
without Python and a template can never reach Python internals. Word documents are
made from the same Markdown by pandoc (the optional `docx` extra).

No printing and no terminal here: the CLI and batch call these functions.
"""

from __future__ import annotations

import re
import tempfile
import traceback
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from svadvisor.answers.record import TO_COMPLETE, DecisionRecord, record_rows
from svadvisor.answers.validate import describe_answer, validate_answers
from svadvisor.atomic import atomic_writer, refuse_overwrite, write_text_atomic
from svadvisor.errors import (
    InputFileError,
    Problem,
    ProblemsError,
    RulePackError,
    SvadvisorError,
)
from svadvisor.rulepack.conditions import Answer
from svadvisor.rulepack.load import TEMPLATES_DIR, builtin_pack_dir
from svadvisor.rulepack.schema import Question, RulePack
from svadvisor.scoring import engine
from svadvisor.scoring.assessment import Assessment, Flip, RouteResult, RulePackInfo, WeightMove
from svadvisor.scoring.thresholds import money
from svadvisor.yamlfile import YamlDocument, YamlProblem, parse_yaml, read_text

if TYPE_CHECKING:
    from jinja2 import Template

MEMO_TEMPLATE = "memo.md.j2"
"""The template, in the pack's templates/ folder, that lays out a memo."""

REPLAY_MARKER = "# svadvisor-replay 1"
"""First line of a memo's reproducibility block: how `memo replay` finds it."""

MemoFormat = Literal["md", "docx"]
MEMO_SUFFIX: dict[str, str] = {"md": ".md", "docx": ".docx"}

DOCX_INSTALL_HINT = (
    "Word memos need pandoc, from the optional extra: pip install 'svadvisor[docx]' "
    "(it installs pypandoc-binary); or write Markdown with --memo FILE.md"
)


class MissingExtraError(SvadvisorError):
    """An optional extra (such as `docx`) is needed and not installed."""


# --- the template ---------------------------------------------------------------


def template_sources(pack: RulePack) -> dict[str, tuple[str, str]]:
    """name -> (text, file shown in errors): the pack's templates over the built-in ones.

    A council pack copied before templates existed still gets the built-in memo.
    """
    sources: dict[str, tuple[str, str]] = {}
    builtin = builtin_pack_dir() / TEMPLATES_DIR
    if builtin.is_dir():
        for file in sorted(builtin.rglob("*.j2")):
            sources[file.relative_to(builtin).as_posix()] = (
                file.read_text(encoding="utf-8"),
                str(file),
            )
    folder = Path(pack.source) / TEMPLATES_DIR
    for name, text in pack.templates.items():
        sources[name] = (text, str(folder / name))
    return sources


def _template_problem(exc: Exception, files: Iterable[str], default_file: str) -> Problem:
    """Point at the template file and line an error came from (Jinja2 keeps them in the trace)."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):
        return Problem(
            f"template syntax error: {exc.message}", exc.filename or default_file, exc.lineno
        )
    known = set(files)
    if isinstance(exc, TemplateNotFound):  # an include, import or extends of a missing file
        message = f"template error: no template {exc.name!r} in the pack's {TEMPLATES_DIR}/"
    elif str(exc):
        message = f"template error: {exc}"
    else:
        message = f"template error: {type(exc).__name__}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in known:
            return Problem(message, frame.filename, frame.lineno)
    return Problem(message, default_file)


def _template_error(exc: Exception, sources: Mapping[str, tuple[str, str]]) -> RulePackError:
    files = [display for _, display in sources.values()]
    default = sources.get(MEMO_TEMPLATE, ("", MEMO_TEMPLATE))[1]
    problem = _template_problem(exc, files, default)
    return RulePackError([problem], f"the memo template {problem.file} cannot be used")


def table_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: no line breaks, pipes escaped."""
    text = " ".join(str(value).split())
    return text.replace("|", "\\|")


def signed(value: int) -> str:
    return f"{value:+d}"


def points(value: int) -> str:
    return f"{value} point" if abs(value) == 1 else f"{value} points"


def link(url: str) -> str:
    """A short Markdown link, `[site](url)`: Word and a browser show the site's name only."""
    from urllib.parse import urlsplit

    text = str(url).strip()
    site = urlsplit(text).netloc.removeprefix("www.")
    if not site:
        return f"<{text}>"
    return f"[{site}]({text})"


def compile_template(pack: RulePack, name: str = MEMO_TEMPLATE) -> Template:
    """The pack's template, compiled in Jinja2's sandbox with strict undefined names."""
    from jinja2 import FunctionLoader, StrictUndefined, TemplateNotFound
    from jinja2.sandbox import SandboxedEnvironment

    sources = template_sources(pack)

    def load(template: str) -> tuple[str, str, Any] | None:
        if template not in sources:
            return None
        text, display = sources[template]
        return text, display, lambda: True

    env = SandboxedEnvironment(
        loader=FunctionLoader(load),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = table_cell
    env.filters["signed"] = signed
    env.filters["money"] = money
    env.filters["points"] = points
    env.filters["link"] = link
    try:
        return env.get_template(name)
    except TemplateNotFound:
        folder = Path(pack.source) / TEMPLATES_DIR
        raise RulePackError(
            [Problem(f"template {name!r} not found", str(folder / name))],
            "no memo template",
        ) from None
    except Exception as exc:  # a council's template is input: any failure is located
        raise _template_error(exc, sources) from None


def check_templates(pack: RulePack) -> None:
    """Compile every template the pack holds, so `rules validate` finds syntax errors."""
    for name in sorted(pack.templates):
        compile_template(pack, name)


# --- what the memo says -----------------------------------------------------------


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _question_text(pack: RulePack, question_id: str, rule: str | None) -> str:
    if rule is not None:
        return f"combined answers (rule {rule})"
    question = pack.question(question_id)
    return question.text if question else question_id


def _route_data(pack: RulePack, route: RouteResult) -> dict[str, Any]:
    info = pack.route(route.route)
    data = route.model_dump(mode="json")
    data["summary"] = info.summary if info else ""
    data["source"] = info.source if info else ""
    data["guide"] = info.guide.model_dump(mode="json") if info and info.guide else None
    for item in data["contributions"]:
        item["question_text"] = _question_text(pack, item["question"], item["rule"])
    return data


CHANGES_SHOWN = 5
"""How many of the changes that would change the recommendation the memo's body shows."""

REASONS_SHOWN = 3
"""How many of the recommended route's largest contributions the summary gives."""


def ordered_flips(pack: RulePack, flips: Sequence[Flip]) -> list[Flip]:
    """The changes that matter most first: fewest answers changed, then question order
    (then answer order, as the search found them)."""
    order = {q.id: i for i, q in enumerate(pack.questions)}
    return sorted(
        flips,
        key=lambda f: (len(f.changes), [order.get(c.question, len(order)) for c in f.changes]),
    )


def _weight_name(pack: RulePack) -> Callable[[WeightMove], str]:
    """A question's points named by its words, never by its id, in the weights sentence."""

    def name(move: WeightMove) -> str:
        question = pack.question(move.target) if move.scope == "question" else None
        return f"the answer to '{question.text}'" if question else move.target_label

    return name


def how_sure(pack: RulePack, assessment: Assessment) -> dict[str, Any]:
    """What would change the recommendation, in words (from `svadvisor.scoring.sensitivity`)."""
    from svadvisor.scoring.sensitivity import weights_sentence

    texts = {q.id: q.text for q in pack.questions}
    flips = ordered_flips(pack, assessment.what_would_change)
    changes = [
        {
            "change": " and ".join(
                f"{texts.get(c.question, c.question)} from '{c.from_label}' to '{c.to_label}'"
                for c in flip.changes
            ),
            "winner": flip.winner_label,
            "answers_changed": len(flip.changes),
        }
        for flip in flips
    ]
    close = assessment.close_call
    return {
        "computed": assessment.weight_robustness is not None,
        "close_call": close.model_dump(mode="json") if close else None,
        "changes": changes,
        "top_changes": changes[:CHANGES_SHOWN],
        "more": max(0, len(changes) - CHANGES_SHOWN),
        "pairs": any(len(f.changes) == 2 for f in assessment.what_would_change),
        "weights": weights_sentence(assessment.weight_robustness, name=_weight_name(pack)),
        "settle_first": texts.get(assessment.settle_first or ""),
    }


def runner_up_losses(pack: RulePack, assessment: Assessment) -> list[dict[str, Any]]:
    """The answers (and rules) where the runner-up fell furthest behind, biggest gap first."""
    winner, runner_up = assessment.winner, assessment.runner_up
    rows: dict[tuple[str, str | None], dict[str, Any]] = {}
    for side, route in (("recommended", winner), ("runner_up", runner_up)):
        for c in route.contributions:
            key = (c.question, c.rule)
            row = rows.setdefault(
                key,
                {
                    "question": c.question,
                    "rule": c.rule,
                    "question_text": _question_text(pack, c.question, c.rule),
                    "answer": c.answer_label or c.answer,
                    "recommended_points": 0,
                    "runner_up_points": 0,
                    "reasons": [],
                },
            )
            row[f"{side}_points"] += c.points
            row["reasons"].append(
                {"route": route.label, "points": c.points, "reason": c.reason, "source": c.source}
            )
    losses = []
    for row in rows.values():
        row["gap"] = row["recommended_points"] - row["runner_up_points"]
        if row["gap"] > 0:
            losses.append(row)
    return sorted(losses, key=lambda row: -row["gap"])


def answer_changes(assessment: Assessment) -> tuple[dict[str, list[Flip]], set[str]]:
    """From the engine's sensitivity analysis held on the assessment: each question's own
    answers that would change the winner (its "don't know" impact and the single-answer
    changes), and the questions that change it only together with another answer."""
    singles: dict[str, list[Flip]] = {}
    seen: set[tuple[str, str, str]] = set()
    flips = [flip for impact in assessment.dont_know for flip in impact.flips]
    flips += [flip for flip in assessment.what_would_change if len(flip.changes) == 1]
    for flip in flips:
        change = flip.changes[0]
        key = (change.question, repr(change.to), flip.winner)
        if key not in seen:
            seen.add(key)
            singles.setdefault(change.question, []).append(flip)
    in_pairs = {
        c.question
        for flip in assessment.what_would_change
        if len(flip.changes) > 1
        for c in flip.changes
    }
    return singles, in_pairs


def what_answering_would_do(
    question: Question,
    assessment: Assessment,
    singles: Mapping[str, Sequence[Flip]],
    in_pairs: set[str],
    moving: set[str],
) -> str:
    """For a "don't know": whether answering would change the recommendation, in words,
    as the engine's sensitivity analysis found (`answer_changes`). `moving` holds the
    questions that search covers; any other question can never change a score."""
    settles = [r.label for r in assessment.ranking if question.id in r.to_settle]
    parts = []
    if settles:
        parts.append(f"Settles a prerequisite of {', '.join(settles)}.")
    flips = singles.get(question.id, [])
    if flips:
        changes = [f"'{f.changes[0].to_label}' would recommend {f.winner_label}" for f in flips]
        parts.append("Could change the recommendation: " + "; ".join(changes) + ".")
    elif question.id in in_pairs:
        parts.append(
            "No single answer would change the recommendation, but one together with "
            "another change could (see what would change the recommendation)."
        )
    elif question.id in moving:
        parts.append("No single answer would change the recommendation.")
    else:
        parts.append("Scores nothing itself; answering refines the notes and checks that use it.")
    return " ".join(parts)


def _answers_given(
    pack: RulePack, answers: Mapping[str, Answer], assessment: Assessment
) -> list[dict[str, Any]]:
    from svadvisor.scoring.sensitivity import scoring_questions, with_sensitivity

    if assessment.weight_robustness is None:  # assessed without the sensitivity search
        assessment = with_sensitivity(pack, answers, assessment)
    singles, in_pairs = answer_changes(assessment)
    moving = scoring_questions(pack)
    derived = {d.question: d for d in assessment.derived if d.used}
    rows = []
    for q in pack.questions:
        row: dict[str, Any] = {"question": q.id, "text": q.text, "sharpen": ""}
        if q.id in answers:
            row.update(status="answered", answer=describe_answer(q, answers[q.id]))
        elif q.id in derived:
            row.update(
                status="derived",
                answer=f"{derived[q.id].answer_label} (derived from the CPV codes)",
            )
        elif q.id in assessment.not_applicable:
            row.update(status="not_applicable", answer="Not asked (does not apply)")
        else:
            row.update(
                status="dont_know",
                answer="Don't know",
                sharpen=what_answering_would_do(q, assessment, singles, in_pairs, moving),
            )
        rows.append(row)
    return rows


def replay_block(assessment: Assessment, *, on: date) -> str:
    """The fenced YAML block `memo replay` reads back: enough to re-run the assessment."""
    from svadvisor import __version__

    record = {
        "svadvisor": __version__,
        "rule_pack": assessment.rule_pack.model_dump(),
        "assessed_on": on.isoformat(),
        "thresholds_on": assessment.procurement_date.isoformat(),
        "result": {
            "recommended": assessment.winner.route,
            "runner_up": assessment.runner_up.route,
            "margin": assessment.margin,
            "scores": {r.route: r.score for r in assessment.ranking},
        },
        "answers": assessment.answers,
    }
    body = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=1000)
    return f"```yaml\n{REPLAY_MARKER}: re-run with `svadvisor memo replay MEMO.md`\n{body}```"


def top_reasons(route: dict[str, Any], count: int = REASONS_SHOWN) -> list[dict[str, Any]]:
    """A route's largest contributions (points for it), largest first, then in order."""
    gains = [c for c in route["contributions"] if c["points"] > 0]
    return sorted(gains, key=lambda c: -c["points"])[:count]


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _change_words(pack: RulePack, flip: Flip) -> str:
    parts = []
    for c in flip.changes:
        question = pack.question(c.question)
        text = question.text if question else c.question
        parts.append(f"the answer to '{text}' were '{c.to_label}', not '{c.from_label}'")
    return " and ".join(parts)


def main_risk(pack: RulePack, assessment: Assessment) -> dict[str, str]:
    """The one risk the summary names, as `kind` and a plain sentence: a contradiction in
    the answers; no recommendation (a tie, no defining evidence, no route eligible); the
    runner-up and the answer change that would make it win; a close call; the weights; or
    the weakest point of the evidence."""
    winner, runner_up = assessment.winner, assessment.runner_up
    if assessment.warnings:
        first = assessment.warnings[0]
        more = len(assessment.warnings) - 1
        also = f" ({more} more contradiction{'s' if more > 1 else ''} below.)" if more else ""
        return {
            "kind": "contradiction",
            "text": "Some answers contradict each other, and the advice is built on them as "
            f"given: {first.text}{also}",
        }
    if assessment.tie:
        labels = [r.label for r in assessment.ranking if r.route in assessment.tie]
        return {
            "kind": "tie",
            "text": f"The answers do not choose between {_and(labels)}: they tie at "
            f"{points(winner.score)}. A route chosen now would not rest on the evidence.",
        }
    if not winner.eligible:
        unmet = "; ".join(u.text for u in winner.unmet)
        return {
            "kind": "prerequisites",
            "text": f"No route meets all its prerequisites for these answers. {winner.label} "
            f"leads, but: {unmet}",
        }
    if assessment.recommended is None:
        return {
            "kind": "no_evidence",
            "text": f"{winner.label} leads on points, but none of its defining evidence is in "
            "the answers: choosing it now would rest on answers that do not show it fits.",
        }
    flips = ordered_flips(pack, assessment.what_would_change)
    if flips:
        flip = next((f for f in flips if f.winner == runner_up.route), flips[0])
        other = next((r for r in assessment.ranking if r.route == flip.winner), None)
        behind = (
            f" ({points(other.score)}, {points(winner.score - other.score)} behind)"
            if other is not None
            else ""
        )
        count = len(flips)
        kind_of_change = "single-answer changes" if len(flip.changes) == 1 else "pairs of changes"
        tally = (
            f" It is one of {count} {kind_of_change} that would change the recommendation."
            if count > 1
            else ""
        )
        return {
            "kind": "runner_up",
            "text": f"{flip.winner_label}{behind} would be recommended instead if "
            f"{_change_words(pack, flip)}.{tally}",
        }
    if assessment.close_call is not None:
        close = assessment.close_call
        return {
            "kind": "close_call",
            "text": f"A close call: {runner_up.label} is {points(assessment.margin)} behind. "
            f"{close.text}",
        }
    from svadvisor.scoring.sensitivity import weights_sentence

    robustness = assessment.weight_robustness
    if robustness is not None and (robustness.by_route or robustness.by_question):
        words = weights_sentence(robustness, name=_weight_name(pack)).removeprefix("Weights: ")
        return {
            "kind": "weights",
            "text": "No change to one or two answers would change the recommendation; its "
            f"weakest point is the weights: {words}",
        }
    confidence = assessment.confidence
    if robustness is None and confidence is not None and confidence.level != "strong":
        return {"kind": "evidence", "text": confidence.why[-1]}
    return {
        "kind": "none",
        "text": "None found: no change to one or two answers, and no uniform change of the "
        "weights, would change the recommendation.",
    }


STRENGTH_ORDER = {"must": 0, "should": 1}


def binding_notes(notes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notes that bind the next steps: MUST first, then SHOULD (CONSIDER notes are
    left to the appendix), each in the pack's order."""
    binding = [n for n in notes if n["strength"] in STRENGTH_ORDER]
    return sorted(binding, key=lambda n: STRENGTH_ORDER[n["strength"]])


def duties(notes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The MUST notes, grouped by the condition they share (none, or their `applies_if`),
    in the pack's order: `applies_if`, `titles`."""
    groups: dict[str | None, list[str]] = {}
    for note in notes:
        if note["strength"] == "must":
            groups.setdefault(note.get("applies_if"), []).append(note["title"])
    return [{"applies_if": when, "titles": titles} for when, titles in groups.items()]


def memo_context(
    pack: RulePack,
    assessment: Assessment,
    *,
    on: date,
    title: str | None = None,
    described: Mapping[str, Any] | None = None,
    record: DecisionRecord | None = None,
) -> dict[str, Any]:
    """Everything a memo template may use, as plain data (the sandbox sees nothing else)."""
    from svadvisor import __version__

    answers = validate_answers(pack, assessment.answers)
    questions = {q.id: q for q in pack.questions}
    data = assessment.model_dump(mode="json")
    recommended = _route_data(pack, assessment.winner)
    rows = record_rows(record)
    return {
        "title": title or "Commissioning route recommendation",
        "date": long_date(on),
        "date_iso": on.isoformat(),
        "svadvisor_version": __version__,
        "described": [
            {"label": str(k), "value": str(v)}
            for k, v in (described or {}).items()
            if v is not None and str(v).strip()
        ],
        "service": [
            {
                "question": qid,
                "text": questions[qid].text,
                "answer": describe_answer(questions[qid], value),
            }
            for qid, value in answers.items()
        ],
        "recommended": recommended,
        "is_recommended": assessment.recommended is not None,
        "tie": [_route_data(pack, r) for r in assessment.ranking if r.route in assessment.tie],
        "confidence": _confidence_data(pack, assessment),
        "warnings": [
            {
                "id": w.id,
                "text": w.text,
                "questions": [questions[q].text if q in questions else q for q in w.questions],
            }
            for w in assessment.warnings
        ],
        "runner_up": _route_data(pack, assessment.runner_up),
        "ranking": [_route_data(pack, r) for r in assessment.ranking],
        "margin": assessment.margin,
        "runner_up_losses": runner_up_losses(pack, assessment),
        "how_sure": how_sure(pack, assessment),
        "notes": data["notes"],
        "notes_not_holding": data["notes_not_holding"],
        "regimes": data["regimes"],
        "derived": data["derived"],
        "thresholds": data["thresholds"],
        "cases": data["cases"],
        "route_labels": {r.id: r.label for r in pack.routes},
        "to_settle": [
            {"route": r.label, "question": q, "text": questions[q].text if q in questions else q}
            for r in assessment.ranking
            for q in r.to_settle
        ],
        "answers": _answers_given(pack, answers, assessment),
        "rule_pack": {
            **assessment.rule_pack.model_dump(),
            "effective": pack.meta.effective.isoformat(),
            "source": pack.source,
        },
        "assessed_on": on.isoformat(),
        "thresholds_on": assessment.procurement_date.isoformat(),
        "thresholds_basis": assessment.procurement_date_basis,
        "reproducibility": replay_block(assessment, on=on),
        "top_reasons": top_reasons(recommended),
        "main_risk": main_risk(pack, assessment),
        "binding_notes": binding_notes(data["notes"]),
        "duties": duties(data["notes"]),
        "record": {row["field"]: row["value"] for row in rows},
        "record_rows": rows,
        "record_to_complete": sum(1 for row in rows if not row["value"]),
        "to_complete": TO_COMPLETE,
    }


def _confidence_data(pack: RulePack, assessment: Assessment) -> dict[str, Any] | None:
    """The confidence as the memo states it: level, meaning, reasons, questions to settle."""
    confidence = assessment.confidence
    if confidence is None:
        return None
    settle = []
    for q in confidence.settle:
        question = pack.question(q)
        settle.append(question.text if question else q)
    return {
        "level": confidence.level,
        "meaning": confidence.meaning,
        "why": list(confidence.why),
        "settle": settle,
    }


class MemoRenderer:
    """A pack's memo template compiled once, for rendering one memo or a batch of them."""

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack
        self.template = compile_template(pack)

    def render(
        self,
        assessment: Assessment,
        *,
        on: date,
        title: str | None = None,
        described: Mapping[str, Any] | None = None,
        record: DecisionRecord | None = None,
    ) -> str:
        """The memo as Markdown; `on` is the memo's date and the day thresholds apply for;
        `record` the decision-record fields (any left empty show as "to complete")."""
        context = memo_context(
            self.pack, assessment, on=on, title=title, described=described, record=record
        )
        context["glossary"] = []
        text = self._render(context)
        if self.pack.glossary:
            # the memo explains the terms it uses: find them, then render with them
            from svadvisor.rulepack.glossary import terms_in

            body = text.split(REPLAY_MARKER, 1)[0]
            context["glossary"] = [
                {"term": entry.term, "text": entry.text or "", "source": entry.source}
                for entry in terms_in(self.pack, body)
            ]
            if context["glossary"]:
                text = self._render(context)
        if context["reproducibility"] not in text:
            file = str(self.template.filename or MEMO_TEMPLATE)
            raise RulePackError(
                [
                    Problem(
                        "the memo template must include {{ reproducibility }} unchanged, "
                        "so the memo can be replayed",
                        file,
                    )
                ],
                f"the memo template {file} cannot be used",
            )
        return text

    def _render(self, context: dict[str, Any]) -> str:
        try:
            return self.template.render(context)
        except Exception as exc:  # a council's template is input: any failure is located
            raise _template_error(exc, template_sources(self.pack)) from None


def render_memo(
    pack: RulePack,
    assessment: Assessment,
    *,
    on: date,
    title: str | None = None,
    described: Mapping[str, Any] | None = None,
    record: DecisionRecord | None = None,
) -> str:
    """One memo as Markdown, through the pack's template."""
    return MemoRenderer(pack).render(
        assessment, on=on, title=title, described=described, record=record
    )


# --- writing memos ------------------------------------------------------------------


def memo_format(path: Path, explicit: str | None = None) -> MemoFormat:
    """md or docx: what the user said, else the file's suffix (.docx), else Markdown."""
    if explicit is not None:
        if explicit not in MEMO_SUFFIX:
            raise InputFileError(f"unknown memo format {explicit!r}; use md or docx")
        return explicit  # type: ignore[return-value]
    return "docx" if path.suffix.lower() == ".docx" else "md"


def markdown_to_docx(markdown: str) -> bytes:
    """A Word document with real headings and tables, made by pandoc from the memo."""
    try:
        import pypandoc
    except ImportError:
        raise MissingExtraError(DOCX_INSTALL_HINT) from None
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "memo.docx"
        try:
            pypandoc.convert_text(markdown, "docx", format="gfm", outputfile=str(out))
        except OSError:
            raise MissingExtraError(DOCX_INSTALL_HINT) from None
        except RuntimeError as exc:
            raise SvadvisorError(f"pandoc could not make the Word document: {exc}") from None
        return out.read_bytes()


# --- the replay record inside a Word memo -----------------------------------------------

CUSTOM_PART = "docProps/custom.xml"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
"""The format id every user-defined document property carries."""

DOCX_RECORD_PREFIX = "svadvisor-replay-"
"""Custom document properties `svadvisor-replay-001`, `-002`, ... hold the replay block."""
DOCX_RECORD_PARTS = "svadvisor-replay-parts"
"""How many pieces the replay block was cut into (so a lost piece is noticed)."""
PROPERTY_CHARS = 255
"""Word keeps text properties of up to 255 characters, so the block is cut into pieces."""
MAX_PART_BYTES = 1024 * 1024


def _pieces(text: str, size: int = PROPERTY_CHARS) -> list[str]:
    """`text` cut into pieces of at most `size` characters, never next to whitespace (which
    an editor might trim from a property's value)."""
    pieces, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = end
            while cut > start + 1 and (text[cut - 1].isspace() or text[cut].isspace()):
                cut -= 1
            end = cut if cut > start + 1 else end
        pieces.append(text[start:end])
        start = end
    return pieces


def _qualified(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def with_replay_record(docx: bytes, block: str) -> bytes:
    """The Word document with the replay block in its custom document properties
    (docProps/custom.xml), declared in the package's content types and relationships."""
    import io
    import zipfile
    from xml.etree import ElementTree as ET

    from defusedxml.ElementTree import fromstring

    ET.register_namespace("vt", _VT_NS)

    def xml(root: Any, namespace: str) -> bytes:
        """A part written with its own namespace as the default, as Office writes it (only
        these OOXML namespaces are registered, so nothing else in the process is changed)."""
        ET.register_namespace("", namespace)
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{body}'.encode()

    source = zipfile.ZipFile(io.BytesIO(docx))
    names = source.namelist()

    if CUSTOM_PART in names:
        props = fromstring(source.read(CUSTOM_PART))
    else:
        props = ET.Element(_qualified(_CUSTOM_NS, "Properties"))
    ours = [
        p
        for p in props.findall(_qualified(_CUSTOM_NS, "property"))
        if str(p.get("name", "")).startswith(DOCX_RECORD_PREFIX)
    ]
    for prop in ours:
        props.remove(prop)
    pids = [int(p.get("pid", "1")) for p in props if str(p.get("pid", "")).isdigit()]
    pid = max([1, *pids])

    def add(name: str, kind: str, value: str) -> None:
        nonlocal pid
        pid += 1
        prop = ET.SubElement(
            props,
            _qualified(_CUSTOM_NS, "property"),
            {"fmtid": _FMTID, "pid": str(pid), "name": name},
        )
        ET.SubElement(prop, _qualified(_VT_NS, kind)).text = value

    pieces = _pieces(block)
    add(DOCX_RECORD_PARTS, "i4", str(len(pieces)))
    for n, piece in enumerate(pieces, start=1):
        add(f"{DOCX_RECORD_PREFIX}{n:03d}", "lpwstr", piece)
    replaced = {CUSTOM_PART: xml(props, _CUSTOM_NS)}

    types = fromstring(source.read("[Content_Types].xml"))
    override = _qualified(_TYPES_NS, "Override")
    if not any(o.get("PartName") == f"/{CUSTOM_PART}" for o in types.findall(override)):
        ET.SubElement(types, override, {"PartName": f"/{CUSTOM_PART}", "ContentType": _CUSTOM_TYPE})
        replaced["[Content_Types].xml"] = xml(types, _TYPES_NS)
    rels = fromstring(source.read("_rels/.rels"))
    relationship = _qualified(_RELS_NS, "Relationship")
    if not any(r.get("Type") == _CUSTOM_REL for r in rels.findall(relationship)):
        ids = {r.get("Id") for r in rels.findall(relationship)}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        ET.SubElement(
            rels,
            relationship,
            {"Id": f"rId{n}", "Type": _CUSTOM_REL, "Target": CUSTOM_PART},
        )
        replaced["_rels/.rels"] = xml(rels, _RELS_NS)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = replaced.pop(info.filename, None)
            target.writestr(info, data if data is not None else source.read(info))
        for name, data in replaced.items():  # a part the document did not have
            target.writestr(name, data)
    return out.getvalue()


def read_docx_record(path: Path) -> str:
    """The replay block kept in a Word memo's custom document properties; a file that is
    not a Word document, or one without the record, is a clear error."""
    import zipfile
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    where = f"{path}: "
    if not path.exists():
        raise InputFileError(f"{where}file not found")
    if path.is_dir():
        raise InputFileError(f"{where}is a folder, not a file")
    no_record = (
        f"{where}no replay record in its document properties; replay reads a Word memo "
        "written by svadvisor (--memo FILE.docx), or the Markdown memo"
    )
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo(CUSTOM_PART)
            except KeyError:
                raise InputFileError(no_record) from None
            if info.file_size > MAX_PART_BYTES:
                raise InputFileError(f"{where}its {CUSTOM_PART} is too large to be svadvisor's")
            raw = archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        raise InputFileError(f"{where}not a Word document (a .docx is a zip file)") from None
    try:
        props = fromstring(raw)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise InputFileError(f"{where}its document properties are damaged ({exc})") from None
    values: dict[str, str] = {}
    for prop in props.findall(_qualified(_CUSTOM_NS, "property")):
        name = str(prop.get("name", ""))
        if name == DOCX_RECORD_PARTS or name.startswith(DOCX_RECORD_PREFIX):
            values[name] = "".join(child.text or "" for child in prop)
    count = values.pop(DOCX_RECORD_PARTS, None)
    if count is None and not values:
        raise InputFileError(no_record)
    expected = [f"{DOCX_RECORD_PREFIX}{n:03d}" for n in range(1, len(values) + 1)]
    if count is None or not count.strip().isdigit() or int(count) != len(values):
        raise InputFileError(
            f"{where}the replay record in its document properties is incomplete "
            f"({len(values)} of {count or '?'} pieces); replay the Markdown memo instead"
        )
    if sorted(values) != expected:
        raise InputFileError(f"{where}the replay record in its document properties is damaged")
    return "".join(values[name] for name in expected)


def write_memo(path: Path, markdown: str, *, fmt: MemoFormat = "md", force: bool) -> None:
    """Write atomically, as Markdown or Word; never overwrite without `force`. A Word memo
    keeps the replay block in its custom document properties too, for `memo replay`."""
    refuse_overwrite(path, force=force)
    if fmt == "docx":
        data = markdown_to_docx(markdown)
        if REPLAY_MARKER in markdown:  # a memo svadvisor rendered (the template keeps it)
            block, _ = _find_block(markdown, str(path))
            data = with_replay_record(data, block)
        with atomic_writer(path, force=force, mode="wb") as handle:
            handle.write(data)
    else:
        write_text_atomic(path, markdown, force=force)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}
MAX_NAME_LENGTH = 80


def safe_file_stem(text: str, fallback: str = "memo") -> str:
    """A name any file system accepts: ASCII letters, digits, `.`, `_`, `-`; short; not reserved."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("-", ascii_text).strip("-._")
    stem = re.sub(r"-{2,}", "-", stem)[:MAX_NAME_LENGTH].rstrip("-._")
    if not stem:
        stem = fallback
    if stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        stem = f"{stem}_"
    return stem


@dataclass
class MemoNamer:
    """Gives each memo a safe file name, unique even when titles repeat or differ only in case.

    Names are handed out in order, so a batch can name rows as it streams them.
    """

    suffix: str = ".md"
    taken: set[str] = field(default_factory=set)

    def name_for(self, text: str) -> str:
        stem = safe_file_stem(text)
        candidate, n = stem, 1
        while f"{candidate}{self.suffix}".casefold() in self.taken:
            n += 1
            candidate = f"{stem}-{n}"
        name = f"{candidate}{self.suffix}"
        self.taken.add(name.casefold())
        return name


def safe_memo_names(texts: Sequence[str], *, fmt: MemoFormat = "md") -> list[str]:
    """One safe, distinct file name per memo, from each row's reference or title."""
    namer = MemoNamer(MEMO_SUFFIX[fmt])
    return [namer.name_for(text) for text in texts]


def write_memos(
    directory: Path,
    memos: Iterable[tuple[str, str]],
    *,
    fmt: MemoFormat = "md",
    force: bool,
) -> list[Path]:
    """Write (name text, Markdown) pairs as files in `directory`, one safe name each.

    Every target is checked before the first is written, so a refused overwrite leaves
    the folder as it was.
    """
    items = list(memos)
    if directory.exists() and not directory.is_dir():
        raise InputFileError(f"{directory}: is a file; --memos needs a folder")
    if not directory.parent.is_dir():
        raise InputFileError(f"{directory}: the folder {directory.parent} does not exist")
    names = safe_memo_names([name for name, _ in items], fmt=fmt)
    paths = [directory / name for name in names]
    if directory.is_dir():
        for path in paths:
            refuse_overwrite(path, force=force)
    directory.mkdir(exist_ok=True)
    for path, (_, markdown) in zip(paths, items, strict=True):
        write_memo(path, markdown, fmt=fmt, force=force)
    return paths


# --- replaying a memo ----------------------------------------------------------------


class RecordedResult(BaseModel):
    recommended: str
    runner_up: str
    margin: int
    scores: dict[str, int]


class MemoRecord(BaseModel):
    """What a memo's reproducibility block recorded."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)

    file: str = ""
    svadvisor: str = ""
    rule_pack: RulePackInfo
    assessed_on: date
    """The day of the assessment: what `on` was, and so the day replay assesses for."""
    thresholds_on: date
    """The day threshold values were chosen for (a planned start date, else assessed_on)."""
    result: RecordedResult
    answers: dict[str, Any] | None = None
    answers_doc: YamlDocument | None = Field(default=None, exclude=True)
    """The recorded answers, with their lines in the memo file (for located errors)."""


def _find_block(text: str, file: str) -> tuple[str, int]:
    """The reproducibility block's YAML and the memo line it starts on."""
    lines = text.splitlines()
    found: list[tuple[str, int]] = []
    for i, line in enumerate(lines[:-1]):
        if line.strip().startswith("```") and lines[i + 1].startswith(REPLAY_MARKER):
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), None)
            if end is None:
                raise InputFileError(f"{file}:{i + 1}: the reproducibility block is not closed")
            found.append(("\n".join(lines[i + 1 : end]) + "\n", i + 2))
    if not found:
        raise InputFileError(
            f"{file}: no reproducibility block (a ```yaml block starting '{REPLAY_MARKER}'); "
            "is this a Markdown memo written by svadvisor?"
        )
    if len(found) > 1:
        raise InputFileError(f"{file}: {len(found)} reproducibility blocks; keep one")
    return found[0]


def _shifted(doc: YamlDocument, lines: int, root: tuple[str, ...] = ()) -> YamlDocument:
    """The part of `doc` under `root`, with line numbers moved to where the block sits."""
    depth = len(root)

    def move(table: dict[Any, tuple[int, int]]) -> dict[Any, tuple[int, int]]:
        return {
            path[depth:]: (line + lines, column)
            for path, (line, column) in table.items()
            if path[:depth] == root
        }

    data = doc.data
    for part in root:
        data = data.get(part) if isinstance(data, dict) else None
    return YamlDocument(doc.file, data, move(doc.marks), move(doc.key_marks))


def is_docx(path: Path) -> bool:
    """A Word memo: by its suffix, or by starting as a zip file does."""
    if path.suffix.lower() == ".docx":
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def read_memo_record(path: Path) -> MemoRecord:
    """Read a memo's reproducibility block (from the Markdown, or from a Word memo's
    document properties); a damaged block is a located error."""
    if is_docx(path):
        block, first_line, display = read_docx_record(path), 1, f"{path} (replay record)"
        if not block.endswith("\n"):
            block += "\n"
    else:
        try:
            text = read_text(path, str(path))
        except YamlProblem as exc:
            raise InputFileError(str(exc.problem)) from None
        block, first_line = _find_block(text, str(path))
        display = str(path)
    if not block.startswith(REPLAY_MARKER):
        raise InputFileError(f"{display}: the replay record does not start '{REPLAY_MARKER}'")
    try:
        doc = _shifted(parse_yaml(block, display), first_line - 1)
    except YamlProblem as exc:
        problem = exc.problem
        if problem.line is not None:
            problem = replace(problem, line=problem.line + first_line - 1)
        raise InputFileError(str(problem)) from None
    try:
        record = MemoRecord.model_validate(doc.data)
    except ValidationError as exc:
        problems = [
            doc.problem(tuple(error["loc"]), error["msg"][:1].lower() + error["msg"][1:])
            for error in exc.errors()
        ]
        raise ProblemsError(problems, f"{path}: the reproducibility block is damaged") from None
    return record.model_copy(
        update={"file": str(path), "answers_doc": _shifted(doc, 0, ("answers",))}
    )


@dataclass(frozen=True)
class Replay:
    """A memo's recorded result beside what the rule pack says now."""

    record: MemoRecord
    current: Assessment
    result_changes: list[str]
    """Winner, runner-up or a score that differs from the memo."""
    pack_changes: list[str]
    """The rule pack's name, version or sha256, where it differs from the memo's."""

    @property
    def same(self) -> bool:
        """The same winner, runner-up and every score (a changed pack alone is not a change)."""
        return not self.result_changes

    @property
    def recommendation_same(self) -> bool:
        return self.current.winner.route == self.record.result.recommended

    def to_json(self) -> dict[str, Any]:
        current = self.current
        return {
            "memo": self.record.file,
            "same": self.same,
            "recommendation_same": self.recommendation_same,
            "pack_same": not self.pack_changes,
            "changes": [*self.result_changes, *self.pack_changes],
            "recorded": self.record.model_dump(mode="json", exclude={"file", "answers"}),
            "current": {
                "rule_pack": current.rule_pack.model_dump(),
                "result": {
                    "recommended": current.winner.route,
                    "runner_up": current.runner_up.route,
                    "margin": current.margin,
                    "scores": {r.route: r.score for r in current.ranking},
                },
            },
        }


def _shown(score: int | None) -> str:
    return "absent" if score is None else str(score)


def replay(record: MemoRecord, pack: RulePack) -> Replay:
    """Re-run the recorded answers with `pack` on the recorded day; list what differs."""
    answers = validate_answers(pack, record.answers or {}, doc=record.answers_doc)
    current = engine.assess(pack, answers, on=record.assessed_on)
    was = record.result
    changes: list[str] = []
    if current.winner.route != was.recommended:
        changes.append(f"recommended: {was.recommended} -> {current.winner.route}")
    if current.runner_up.route != was.runner_up:
        changes.append(f"runner-up: {was.runner_up} -> {current.runner_up.route}")
    now = {r.route: r.score for r in current.ranking}
    for route in [*was.scores, *(r for r in now if r not in was.scores)]:
        before, after = was.scores.get(route), now.get(route)
        if before != after:
            changes.append(f"score {route}: {_shown(before)} -> {_shown(after)}")
    pack_changes = [
        f"rule pack {key}: {getattr(record.rule_pack, key)} -> {getattr(current.rule_pack, key)}"
        for key in ("name", "version", "sha256")
        if getattr(record.rule_pack, key) != getattr(current.rule_pack, key)
    ]
    return Replay(record, current, changes, pack_changes)
