"""What the assessment's pages show, apart from HTTP: the interview an answer state
stands for, where Back and Continue go, the check-your-answers rows, the result (the
memo's own context), the downloads, and reading an uploaded answers file.

The interview's logic is `svadvisor.interview`'s, the scoring `svadvisor.scoring.engine`'s
and the result's words `svadvisor.memo`'s, exactly as `svadvisor assess` uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from svadvisor.answers.files import read_answers_document, render_answers_yaml
from svadvisor.answers.record import RECORD_KEY, DecisionRecord
from svadvisor.cases.matching import CaseLibrary
from svadvisor.errors import ProblemsError
from svadvisor.interview import Interview
from svadvisor.memo import memo_context, render_memo, safe_file_stem
from svadvisor.rulepack.schema import Question, RulePack
from svadvisor.scoring import engine
from svadvisor.scoring.assessment import Assessment
from svadvisor.web.state import AnswerState
from svadvisor.yamlfile import MAX_FILE_BYTES, YamlProblem, parse_yaml

MAX_TITLE = 200
"""The longest service name the start page takes."""
ANSWERS_SUFFIXES = (".yaml", ".yml")
ANSWERS_STEM = "-answers"
"""The answers download is named `<title>-answers.yaml`; an upload's title drops it."""
MEMO_TITLE = "Commissioning route recommendation"
"""A memo's title, as `svadvisor assess --memo` gives it, with the service's name after."""


def interview_for(pack: RulePack, state: AnswerState) -> Interview:
    return Interview(pack, state.answers, state.dont_know)


def set_aside(interview: Interview) -> list[Question]:
    """Questions answered (in an uploaded file, or before a changed answer closed them)
    that do not apply to the answers as they stand: their answers are kept but not used,
    as the interview keeps them; the check page says so rather than drop them silently."""
    applicable = {q.id for q in interview.applicable()}
    return [
        q for q in interview.pack.questions if q.id in interview.answers and q.id not in applicable
    ]


def state_of(interview: Interview, title: str, record: DecisionRecord | None = None) -> AnswerState:
    """The state to carry on: every answer so far (an answer to a question that a changed
    gate skips is kept, as the terminal keeps it, and dropped only from what is scored
    or saved), and the "don't know"s in the pack's order, so equal states sign alike."""
    order = [q.id for q in interview.pack.questions]
    dont_know = [q for q in order if q in interview.dont_know]
    return AnswerState(dict(interview.answers), dont_know, title, record)


def applicable_question(interview: Interview, question_id: str) -> Question | None:
    """The question with this id, if it applies to the answers now."""
    return next((q for q in interview.applicable() if q.id == question_id), None)


def previous_question(interview: Interview, question: Question) -> Question | None:
    """The applicable question before `question` (None for the first): where Back goes."""
    applicable = [q.id for q in interview.applicable()]
    if question.id not in applicable:
        return None
    index = applicable.index(question.id)
    return interview.applicable()[index - 1] if index > 0 else None


@dataclass(frozen=True)
class CheckRow:
    """One row of "Check your answers": the question, its answer in words, and whether
    it still needs one."""

    question: Question
    answer: str
    missing: bool


def check_rows(interview: Interview) -> list[CheckRow]:
    missing = {q.id for q in interview.missing()}
    return [
        CheckRow(
            q, "Not answered yet" if q.id in missing else interview.describe(q), q.id in missing
        )
        for q in interview.applicable()
    ]


def assess(
    pack: RulePack, library: CaseLibrary | None, interview: Interview, on: date
) -> Assessment:
    """The assessment of the answers to the questions that apply, as `svadvisor assess
    --answers` makes it from the answers file this state downloads as."""
    return engine.assess(pack, interview.final_answers(), on=on, cases=library)


def memo_title(title: str) -> str:
    return f"{MEMO_TITLE}: {title}" if title else MEMO_TITLE


def result_view(
    pack: RulePack, assessment: Assessment, interview: Interview, title: str, on: date
) -> dict[str, Any]:
    """What the result page shows: the memo's context (ranking, confidence, reasons with
    sources, notes, cases, what would change the advice), plus the questions to settle
    first with their ids, and the questions not answered yet."""
    memo = memo_context(pack, assessment, on=on, title=memo_title(title))
    applicable = {q.id for q in interview.applicable()}
    settle = assessment.confidence.settle if assessment.confidence else []
    return {
        "memo": memo,
        "settle": [
            {"id": q, "text": text, "applies": q in applicable}
            for q, text in zip(settle, (memo["confidence"] or {}).get("settle", []), strict=False)
        ],
        "dont_know": [row for row in memo["answers"] if row["status"] == "dont_know"],
        "missing": interview.missing(),
    }


def file_stem(title: str) -> str:
    """A download's file name before its suffix: the service's name, made safe."""
    return safe_file_stem(title, fallback="assessment")


def answers_yaml(
    pack: RulePack,
    interview: Interview,
    title: str,
    on: date,
    record: DecisionRecord | None = None,
) -> str:
    """The answers file `svadvisor assess --answers` reads back (and this app resumes)."""
    header = "\n".join(
        [
            f"Answers to the questions of the rule pack {pack.meta.name} {pack.meta.version},",
            f"saved by the svadvisor web app on {on.isoformat()}"
            + (f" for: {one_line(title)}" if title else "")
            + ".",
            "Score them with: svadvisor assess --answers FILE, or upload this file to resume.",
        ]
    )
    text = render_answers_yaml(pack, interview.final_answers(), header, interview.final_dont_know())
    if record is None:
        return text
    kept = {RECORD_KEY: record.model_dump(mode="json", exclude_none=True)}
    return text + yaml.safe_dump(kept, sort_keys=False, allow_unicode=True)


def one_line(text: str) -> str:
    """A service's name as one line of printable characters (so it is safe in a file
    name's stem, a memo's heading and an answers file's comment)."""
    return "".join(c for c in " ".join(text.split()) if c.isprintable())


def memo_markdown(
    pack: RulePack,
    assessment: Assessment,
    title: str,
    on: date,
    record: DecisionRecord | None = None,
) -> str:
    return render_memo(pack, assessment, on=on, title=memo_title(title), record=record)


class UploadProblem(ValueError):
    """An uploaded answers file that cannot be resumed from: the problems, each a line."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(lines[0])
        self.lines = lines


def read_upload(pack: RulePack, name: str, raw: bytes) -> AnswerState:
    """The answers state an uploaded answers file stands for; its title from the file
    name (`<title>-answers.yaml` as downloaded). UploadProblem when it is not one."""
    shown = name.replace("\\", "/").rsplit("/", 1)[-1]
    if not shown.lower().endswith(ANSWERS_SUFFIXES):
        raise UploadProblem(["The selected file must be a YAML file (.yaml or .yml)"])
    if len(raw) > MAX_FILE_BYTES:
        raise UploadProblem([f"The selected file must be smaller than {MAX_FILE_BYTES:,} bytes"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadProblem(["The selected file must be UTF-8 text"]) from None
    try:
        document = parse_yaml(text, shown)
        answers, dont_know, record = read_answers_document(document, pack)
    except YamlProblem as exc:
        raise UploadProblem([f"The selected file is not an answers file: {exc}"]) from None
    except ProblemsError as exc:
        lines = [str(problem) for problem in exc.problems] or [str(exc)]
        raise UploadProblem(
            [f"The answers in the selected file do not fit the rule pack: {lines[0]}", *lines[1:]]
        ) from None
    stem = shown.rsplit(".", 1)[0].removesuffix(ANSWERS_STEM)
    return AnswerState(answers, dont_know, one_line(stem)[:MAX_TITLE], record)
