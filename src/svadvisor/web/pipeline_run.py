"""`svadvisor batch` for the web app: an upload saved in a fresh temporary folder under a
fixed name, scored by the same `prepare` and `run_job` the command uses, and what the
result page shows of it. Nothing here knows about HTTP, and nothing is kept: a folder
goes when the page is made, or when its download has been sent."""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Literal

from svadvisor.cases.matching import CaseLibrary
from svadvisor.errors import SvadvisorError
from svadvisor.pipeline.batch import Summary
from svadvisor.pipeline.job import prepare, run_job
from svadvisor.pipeline.mapping import FIELDS
from svadvisor.report.write import write_report
from svadvisor.rulepack.schema import RulePack
from svadvisor.web.upload_token import Upload

SUFFIXES = (".csv", ".xlsx")
"""The files the page takes: what `svadvisor batch` reads, less notices and old formats."""
SAVED_AS = "upload"
"""The saved copy's name (plus its suffix): never a name or path from the browser."""
REJECTS_SHOWN = 20
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
SECTION_HEADINGS = (
    ("Rows read and scored", "Rows"),
    ("Recommended routes", "Route"),
    ("Confidence of the advice", "Confidence"),
)
"""(caption, first column's header) for `Summary.sections`, in order."""

Kind = Literal["scored", "rejects", "report"]
KINDS: tuple[Kind, ...] = ("scored", "rejects", "report")
FOLDER_PREFIX = "svadvisor-web-"


class BatchRefused(SvadvisorError):
    """The batch could not use the upload: its own message, naming the upload, not the
    temporary copy."""


@dataclass(frozen=True)
class Run:
    """One batch run: its summary, and the files it wrote in its temporary folder."""

    upload: Upload
    summary: Summary
    scored: Path
    rejects: Path


@dataclass(frozen=True)
class SummaryTable:
    caption: str
    header: str
    rows: list[tuple[str, int]]


@dataclass(frozen=True)
class ColumnRead:
    header: str
    target: str
    meaning: str
    """The question's text, or what a forward-plan field is."""


@dataclass(frozen=True)
class ResultView:
    """What the result page shows: the command's summary, in tables."""

    name: str
    tables: list[SummaryTable]
    columns: list[ColumnRead]
    carried: list[str]
    remarks: list[str]
    rows_rejected: int
    rejects: list[dict[str, str]]
    """The first REJECTS_SHOWN lines of the rejects file (a row can have several)."""
    reject_lines: int
    scored_suffix: str


@dataclass(frozen=True)
class Download:
    """A file made for download, in a temporary folder of its own."""

    path: Path
    media_type: str
    folder: Path

    def remove(self) -> None:
        """Remove the folder, once the file is sent or the browser has gone."""
        shutil.rmtree(self.folder, ignore_errors=True)


def display_name(filename: str) -> str:
    """The file's own name, without any folders a browser sent (old browsers send the
    whole path), cut to a length a page can show."""
    name = re.split(r"[\\/]", filename)[-1].strip()
    if len(name) <= 120:
        return name
    suffix = Path(name).suffix[:10]
    return name[: 120 - len(suffix)] + suffix  # shortened, keeping its type


def upload_suffix(filename: str) -> str | None:
    """The suffix of a file the page takes (.csv or .xlsx), else None."""
    suffix = Path(display_name(filename)).suffix.lower()
    return suffix if suffix in SUFFIXES else None


def safe_stem(name: str) -> str:
    """A file name stem that is safe in a folder and in a Content-Disposition header:
    letters, digits, spaces and `._-()` only."""
    stem = Path(name).stem if Path(name).suffix.lower() in SUFFIXES else name
    cleaned = re.sub(r"[^A-Za-z0-9 ._()-]+", "-", stem).strip(" .-")[:80]
    return cleaned or "pipeline"


def scored_result(upload: Upload, pack: RulePack, library: CaseLibrary | None) -> ResultView:
    """Score the upload in a temporary folder, removed before this returns, and describe
    the run for the result page."""
    with tempfile.TemporaryDirectory(prefix=FOLDER_PREFIX) as folder:
        return result_view(run_in(Path(folder), upload, pack, library), pack)


def download(upload: Upload, kind: Kind, pack: RulePack, library: CaseLibrary | None) -> Download:
    """Score the upload again (the same input gives the same files) in a temporary folder
    and make the file asked for there. The caller sends it and then calls `remove`
    (a scored sheet can be many times the upload's size, so it is sent from the file,
    never held in memory); the folder goes at once if making the file fails."""
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    try:
        run = run_in(folder, upload, pack, library)
        if kind == "scored":
            media = XLSX_TYPE if run.scored.suffix == ".xlsx" else CSV_TYPE
            return Download(run.scored, media, folder)
        if kind == "rejects":
            return Download(run.rejects, CSV_TYPE, folder)
        report = run.scored.with_name(f"{safe_stem(upload.name)}.report.html")
        try:
            write_report(run.scored, pack, report, chosen="html")
        except SvadvisorError as exc:
            raise BatchRefused(str(exc).replace(str(folder), "")) from None
        return Download(report, HTML_TYPE, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def run_in(folder: Path, upload: Upload, pack: RulePack, library: CaseLibrary | None) -> Run:
    """Save the upload in `folder` under a fixed name and run the batch there, as the
    command does. BatchRefused, naming the upload, when the batch cannot use the file."""
    source = folder / f"{SAVED_AS}{upload.suffix}"
    stem = safe_stem(upload.name)
    try:
        source.write_bytes(upload.content)
        job = prepare(
            source,
            output=folder / f"{stem}.scored{upload.suffix}",
            rejects=folder / f"{stem}.rejects.csv",
            sheet=upload.sheet if upload.suffix == ".xlsx" else None,
        )
        summary = run_job(job, pack, library)
    except SvadvisorError as exc:
        message = str(exc).replace(str(source), upload.name).replace(str(folder), "")
        raise BatchRefused(for_the_page(message)) from None
    summary.remarks[:] = [for_the_page(remark) for remark in summary.remarks]
    return Run(upload, summary, job.output, job.rejects)


ON_THE_PAGE = (
    ("name another with --sheet", "name another in the Sheet name box"),
    ("map the other to 'carry' with --columns MAP.yaml", "rename or remove the other"),
    (
        "name other headers with --columns MAP.yaml",
        "rename your columns to the question ids listed on the upload page",
    ),
)
"""The batch's advice that names a command-line option, in the words of this page."""


def for_the_page(message: str) -> str:
    """A batch message with its command-line advice put as this page's form offers it."""
    for command_line, page in ON_THE_PAGE:
        message = message.replace(command_line, page)
    return message


def result_view(run: Run, pack: RulePack) -> ResultView:
    """The summary in tables, the columns read, and the first rejected rows."""
    summary = run.summary
    tables = [
        SummaryTable(caption, header, [(label[:1].upper() + label[1:], n) for label, n in rows])
        for (caption, header), rows in zip(
            SECTION_HEADINGS, summary.sections(pack.routes), strict=True
        )
    ]
    columns = [
        ColumnRead(header, target, _meaning(target, pack))
        for header, target in summary.columns.items()
    ]
    shown, lines = _rejects(run.rejects)
    return ResultView(
        name=run.upload.name,
        tables=tables,
        columns=columns,
        carried=summary.carried,
        remarks=summary.remarks,
        rows_rejected=summary.rows_rejected,
        rejects=shown,
        reject_lines=lines,
        scored_suffix=run.scored.suffix,
    )


def _meaning(target: str, pack: RulePack) -> str:
    question = pack.question(target)
    return question.text if question is not None else FIELDS.get(target, "")


def _rejects(path: Path) -> tuple[list[dict[str, str]], int]:
    """The rejects file's first lines, and how many it has."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        shown = [dict(line) for line in islice(reader, REJECTS_SHOWN)]
        return shown, len(shown) + sum(1 for _ in reader)
