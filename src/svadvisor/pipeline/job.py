"""A whole batch run, from an input file to a scored sheet, a rejects file and memos:
what `svadvisor batch` does, without the terminal. The command parses options, shows a
progress bar and prints the summary; everything it decides about files happens here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from svadvisor.atomic import refuse_overwrite
from svadvisor.errors import InputFileError
from svadvisor.pipeline import batch as pipeline
from svadvisor.pipeline.mapping import expected_columns, is_usable, plan_columns
from svadvisor.pipeline.readers import NOTICES, Table, check_readable, open_table
from svadvisor.pipeline.writers import open_writer

if TYPE_CHECKING:
    from svadvisor.cases.matching import CaseLibrary
    from svadvisor.memo import MemoFormat
    from svadvisor.pipeline.batch import Batch, Scored, Summary
    from svadvisor.rulepack.schema import RulePack

Tick = Callable[[], None]
Progress = Callable[[Table], AbstractContextManager[Tick | None]]
"""Given the table being read, a context that yields a tick to call as rows are done
(or None): the command's progress bar."""

MEMO_NAME_COLUMNS = ("reference", "ref", "ocid", "title", "name", "project", "description")
"""Carried columns a memo's file name and title come from: the first that is not blank."""


@dataclass(frozen=True)
class BatchJob:
    """What to read and where to write, checked by `prepare` before any work."""

    source: Path
    output: Path
    rejects: Path
    kind: str
    sheet: str | None = None
    header_row: int | None = None
    column_map: Mapping[str, str] | None = None
    validate: bool = False
    memos: Path | None = None
    memo_format: MemoFormat | None = None
    force: bool = False


def prepare(
    source: Path,
    *,
    output: Path | None = None,
    rejects: Path | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    column_map: Mapping[str, str] | None = None,
    validate: bool = False,
    memos: Path | None = None,
    memo_format: str | None = None,
    force: bool = False,
) -> BatchJob:
    """The job, once every file check passes: the input is readable, the outputs are
    distinct from it and each other and are not replaced without `force`, the memo
    folder is usable. InputFileError says what is wrong, before anything is written."""
    kind = check_readable(source, sheet=sheet)
    if validate and kind != NOTICES:
        raise InputFileError(f"{source}: --validate checks OCDS notices, not spreadsheets")
    if header_row is not None and kind == NOTICES:
        raise InputFileError(f"{source}: --header-row applies to spreadsheets, not notices")
    default_output, default_rejects = pipeline.default_paths(source)
    output = output or default_output
    rejects = rejects or default_rejects
    _check_distinct(source, output, rejects)
    for target in (output, rejects):
        refuse_overwrite(target, force=force)
    chosen: MemoFormat | None = None
    if memos is not None:
        from svadvisor.memo import memo_format as decide_format

        chosen = decide_format(None, memo_format)
        check_memo_folder(memos, chosen, force=force)
    elif memo_format is not None:
        raise InputFileError("--format is the memos' format: give --memos DIR too")
    return BatchJob(
        source,
        output,
        rejects,
        kind,
        sheet=sheet,
        header_row=header_row,
        column_map=column_map,
        validate=validate,
        memos=memos,
        memo_format=chosen,
        force=force,
    )


def run_job(
    job: BatchJob,
    pack: RulePack,
    library: CaseLibrary | None,
    *,
    progress: Progress | None = None,
    on: date | None = None,
) -> Summary:
    """Score every row, write the scored sheet and the rejects file (atomically: an
    interruption leaves both as they were) and any memos; the run's summary."""
    today = on or date.today()
    with _open(job, pack) as table:
        try:
            plan = plan_columns(table.header, pack, job.column_map)
        except InputFileError as exc:
            raise InputFileError(f"{table.name}: {exc}") from None
        if not is_usable(plan, pack):
            raise InputFileError(
                f"{table.name}: no column answers a question; " + expected_columns(pack)
            )
        work = pipeline.Batch(table, plan, pack, on=today, cases=library)
        summary = pipeline.Summary(
            input=str(job.source),
            output=str(job.output),
            rejects=str(job.rejects),
            rule_pack={
                "name": pack.meta.name,
                "version": pack.meta.version,
                "sha256": pack.sha256,
            },
            columns=plan.describe(),
            carried=[table.header[i] for i in plan.carried],
            remarks=[*table.remarks, *plan.remarks],
        )
        with (
            open_writer(
                job.output,
                work.header,
                force=job.force,
                delimiter=table.delimiter,
                layout=work.layout(),
            ) as scored,
            open_writer(job.rejects, pipeline.REJECT_COLUMNS, force=job.force) as rejected,
            (progress or _no_progress)(table) as tick,
        ):
            write_memo = (
                memo_writer(work, pack, library, job.memos, job.memo_format, on=today)
                if job.memos is not None and job.memo_format is not None
                else None
            )
            pipeline.run(work, scored, rejected, summary, tick, on_scored=write_memo)
    return summary


def _open(job: BatchJob, pack: RulePack) -> AbstractContextManager[Table]:
    if job.kind == NOTICES:
        from svadvisor.pipeline.notices import read_notices

        return read_notices(job.source, pack, validate=job.validate)

    def is_header(names: list[str]) -> bool:
        try:
            return is_usable(plan_columns(names, pack, job.column_map), pack)
        except InputFileError:
            return False

    return open_table(job.source, sheet=job.sheet, header_row=job.header_row, is_header=is_header)


def _no_progress(table: Table) -> AbstractContextManager[Tick | None]:
    return nullcontext(None)


def _check_distinct(source: Path, output: Path, rejects: Path) -> None:
    if output.resolve() == source.resolve() or rejects.resolve() == source.resolve():
        raise InputFileError(f"{source}: the output would replace the input; name another file")
    if output.resolve() == rejects.resolve():
        raise InputFileError(f"{output}: --output and --rejects name the same file")


def check_memo_folder(folder: Path, chosen: MemoFormat, *, force: bool) -> None:
    """Memos are written as rows are scored, so refuse before any work a folder that
    already holds memos, unless `force`; and check the format and its extra now."""
    from svadvisor.memo import MEMO_SUFFIX

    if folder.exists() and not folder.is_dir():
        raise InputFileError(f"{folder}: is a file; --memos needs a folder")
    if not folder.parent.is_dir():
        raise InputFileError(f"{folder}: the folder {folder.parent} does not exist")
    if folder.is_dir() and not force:
        existing = sorted(p.name for p in folder.glob(f"*{MEMO_SUFFIX[chosen]}"))
        if existing:
            raise InputFileError(
                f"{folder}: already holds {len(existing)} memo(s) (e.g. {existing[0]}); "
                "pass --force to replace them, or name an empty folder"
            )
    if chosen == "docx":
        from svadvisor.memo import markdown_to_docx

        markdown_to_docx("# check")  # a clear message now if the docx extra is missing


def memo_writer(
    work: Batch,
    pack: RulePack,
    library: CaseLibrary | None,
    folder: Path,
    chosen: MemoFormat,
    *,
    on: date,
) -> Callable[[Scored], None]:
    """Render and write one memo per scored row, from the row's own answers, named by
    its reference or title (else its row number); the folder was checked by `prepare`."""
    from svadvisor.memo import MEMO_SUFFIX, MemoNamer, MemoRenderer, write_memo
    from svadvisor.scoring import engine

    renderer = MemoRenderer(pack)
    namer = MemoNamer(MEMO_SUFFIX[chosen])
    header = work.table.header
    carried = [header[i] for i in work.plan.carried]
    named_by = [
        header.index(h)
        for wanted in MEMO_NAME_COLUMNS
        for h in carried
        if h.strip().casefold() == wanted
    ]
    folder.mkdir(exist_ok=True)

    def write(item: Scored) -> None:
        cells = item.row.cells
        read = work.answers(item.row)
        result = engine.assess(pack, read.answers, on=on, cases=library)
        label = next(
            (str(cells[i]).strip() for i in named_by if str(cells[i] or "").strip()),
            f"row {item.row.number}",
        )
        described = {h: cells[header.index(h)] for h in carried if h in header}
        markdown = renderer.render(result, on=on, title=label, described=described)
        write_memo(folder / namer.name_for(label), markdown, fmt=chosen, force=True)

    return write
