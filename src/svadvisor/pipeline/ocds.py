"""Published procurement notices (OCDS) -> one set of facts per procurement process.

Every UK notice service publishes OCDS: release packages, record packages, or JSON
Lines of releases. A process (`ocid`) may have several releases (a tender and its
amendment); they are merged field by field, the latest release's value winning, as
OCDS compiles releases. Releases are parked in a temporary SQLite file (standard
library) so a file of a million releases is grouped by `ocid` in constant memory.

This module only reads notices and extracts facts; which answers the facts give is
rule-pack data (`ocds.yaml`), applied in `notice_answers`.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from svadvisor.errors import InputFileError

NOTICE_DOCUMENT_TYPES = (
    "tenderNotice",
    "contractNotice",
    "awardNotice",
    "plannedProcurementNotice",
    "marketEngagementNotice",
    "pipelineNotice",
)
"""Document types whose URL is the notice itself, best first."""

OCDS_SUFFIXES = (".json", ".jsonl")


class NoticeProblem(ValueError):
    """A release that cannot be used: which field, and why."""

    def __init__(self, field_path: str, message: str) -> None:
        super().__init__(message)
        self.field = field_path


@dataclass
class Facts:
    """What one release (or, merged, one process) says that svadvisor can use."""

    ocid: str = ""
    date: str | None = None
    published: str | None = None
    tags: list[str] = field(default_factory=list)
    title: str | None = None
    description: str | None = None
    buyer: str | None = None
    amount: float | None = None
    currency: str | None = None
    lots: int | None = None
    duration_days: float | None = None
    cpv: list[str] = field(default_factory=list)
    category: str | None = None
    suitability: list[str] = field(default_factory=list)
    reserved: list[str] = field(default_factory=list)
    framework: bool | None = None
    method: str | None = None
    method_details: str | None = None
    notice_type: str | None = None
    link: str | None = None


@dataclass
class Process:
    """A procurement process: its merged facts, or why its releases cannot be used."""

    ocid: str
    position: str
    """Where it was first found, for messages: `file` or `file:line` or `file release 7`."""
    facts: Facts | None
    problem: NoticeProblem | None = None
    releases: int = 1
    number: int = 0
    """The number of its first release among all releases read (1-based): a reject's row."""


# --- reading ---------------------------------------------------------------------------


def notice_files(path: Path) -> list[Path]:
    """The OCDS files a path names: the file itself, or a folder's .json/.jsonl files."""
    if not path.exists():
        raise InputFileError(f"{path}: file not found")
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in OCDS_SUFFIXES)
        if not found:
            raise InputFileError(f"{path}: the folder holds no .json or .jsonl notice files")
        return found
    return [path]


def iter_releases(path: Path) -> Iterator[tuple[str, Any]]:
    """(position, release) for every release in a package, record package or JSON Lines file.

    A record package yields each record's releases (or its compiled release when it has
    no embedded releases). A file that is not JSON, or not OCDS, is an InputFileError
    naming where it went wrong.
    """
    if path.suffix.lower() == ".jsonl":
        yield from _iter_json_lines(path)
    else:
        yield from _iter_package(path)


def _iter_json_lines(path: Path) -> Iterator[tuple[str, Any]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                release = json.loads(line)
            except (ValueError, UnicodeDecodeError) as exc:
                raise InputFileError(f"{path}:{number}: not JSON ({exc})") from None
            except RecursionError:
                raise InputFileError(f"{path}:{number}: JSON nested too deeply to read") from None
            yield f"{path}:{number}", release


def _iter_package(path: Path) -> Iterator[tuple[str, Any]]:
    import ijson

    kind = _package_kind(path)
    prefix = {"releases": "releases.item", "records": "records.item"}[kind]
    try:
        with path.open("rb") as handle:
            for index, item in enumerate(ijson.items(handle, prefix, use_float=True), start=1):
                if kind == "records":
                    yield from _record_releases(path, index, item)
                else:
                    yield f"{path} release {index}", item
    except ijson.JSONError as exc:
        raise InputFileError(f"{path}: not valid JSON ({_first_line(exc)})") from None


def _package_kind(path: Path) -> str:
    """Whether a .json file is a release or a record package, reading only its start."""
    import ijson

    try:
        with path.open("rb") as handle:
            # use_float: without it, yajl2_c crashes the interpreter on an integer of
            # more than 4,300 digits (Python's limit on int from text), in ijson 3.6
            events = ijson.parse(handle, use_float=True)
            for number, (prefix, event, value) in enumerate(events):
                if number == 0 and event != "start_map":
                    raise InputFileError(
                        f"{path}: not an OCDS package (expected a JSON object with "
                        "'releases' or 'records')"
                    )
                if prefix == "" and event == "map_key" and value in ("releases", "records"):
                    return str(value)
    except ijson.JSONError as exc:
        raise InputFileError(f"{path}: not valid JSON ({_first_line(exc)})") from None
    raise InputFileError(f"{path}: not an OCDS package: it has no 'releases' or 'records' list")


def _first_line(exc: Exception) -> str:
    """yajl's message without the excerpt and caret it draws on the lines below."""
    message = exc.args[0] if exc.args else exc
    if isinstance(message, bytes):
        message = message.decode("utf-8", errors="replace")
    text = str(message).strip()
    if "integer overflow" in text:
        return "an integer too long to read (more than 19 digits)"
    return text.splitlines()[0] if text else type(exc).__name__


def _record_releases(path: Path, index: int, record: Any) -> Iterator[tuple[str, Any]]:
    releases = record.get("releases") if isinstance(record, dict) else None
    embedded = [r for r in releases or [] if isinstance(r, dict) and "tag" in r]
    if embedded:
        for n, release in enumerate(embedded, start=1):
            yield f"{path} record {index} release {n}", release
    elif isinstance(record, dict) and isinstance(record.get("compiledRelease"), dict):
        yield f"{path} record {index}", record["compiledRelease"]
    else:
        yield f"{path} record {index}", record


# --- extracting facts from one release --------------------------------------------------


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def release_facts(release: Any) -> Facts:
    """The facts one release gives; NoticeProblem when it lacks what OCDS requires."""
    if not isinstance(release, dict):
        raise NoticeProblem("release", "a release must be a JSON object")
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid.strip():
        raise NoticeProblem("ocid", "missing 'ocid', which every OCDS release must have")
    released = _text(release.get("date"))
    if released is None:
        raise NoticeProblem("date", "missing release 'date', which OCDS requires")
    tender: dict[str, Any] = release["tender"] if isinstance(release.get("tender"), dict) else {}
    planning: dict[str, Any] = (
        release["planning"] if isinstance(release.get("planning"), dict) else {}
    )
    lots = [lot for lot in tender.get("lots") or [] if isinstance(lot, dict)]
    amount, currency = _value(tender, lots, planning)
    return Facts(
        ocid=ocid.strip(),
        date=released,
        published=released,
        tags=[t for t in release.get("tag") or [] if isinstance(t, str)],
        title=_text(tender.get("title")) or _text(release.get("title")),
        description=_text(tender.get("description")) or _text(release.get("description")),
        buyer=_text(_get(release, "buyer", "name")) or _buyer_party(release),
        amount=amount,
        currency=currency,
        lots=len(lots) if lots else None,
        duration_days=_duration_days(tender, lots),
        cpv=_cpv_codes(tender),
        category=_text(tender.get("mainProcurementCategory")),
        suitability=_suitability(tender, lots),
        reserved=[
            code
            for code in _get(tender, "otherRequirements", "reservedParticipation") or []
            if isinstance(code, str)
        ],
        framework=_framework(tender, lots),
        method=_text(tender.get("procurementMethod")),
        method_details=_text(tender.get("procurementMethodDetails")),
        notice_type=_notice_type(release),
        link=_notice_link(release),
    )


def _value(
    tender: dict[str, Any], lots: list[dict[str, Any]], planning: dict[str, Any]
) -> tuple[float | None, str | None]:
    for value in (tender.get("value"), _get(planning, "budget", "amount")):
        amount = _number(_get(value, "amount"))
        if amount is not None:
            return amount, _text(_get(value, "currency"))
    lot_values = [
        (_number(_get(lot, "value", "amount")), _text(_get(lot, "value", "currency")))
        for lot in lots
    ]
    known = [(a, c) for a, c in lot_values if a is not None]
    currencies = {c for _, c in known}
    if known and len(currencies) == 1:
        return sum(a for a, _ in known if a is not None), currencies.pop()
    return None, None


def _buyer_party(release: dict[str, Any]) -> str | None:
    for party in release.get("parties") or []:
        if isinstance(party, dict) and "buyer" in (party.get("roles") or []):
            return _text(party.get("name"))
    return None


def _duration_days(tender: dict[str, Any], lots: list[dict[str, Any]]) -> float | None:
    period: dict[str, Any] = (
        tender["contractPeriod"] if isinstance(tender.get("contractPeriod"), dict) else {}
    )
    days = _number(period.get("durationInDays"))
    if days is None:
        start, end = _iso_day(period.get("startDate")), _iso_day(period.get("endDate"))
        if start and end and end >= start:
            days = float((end - start).days + 1)
    if days is None:
        lot_days = [_number(_get(lot, "contractPeriod", "durationInDays")) for lot in lots]
        known = [d for d in lot_days if d is not None]
        days = max(known) if known else None
    return days


def _iso_day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _cpv_codes(tender: dict[str, Any]) -> list[str]:
    found: list[str] = []
    classifications = [
        tender.get("classification"),
        *(tender.get("additionalClassifications") or []),
    ]
    for item in tender.get("items") or []:
        if isinstance(item, dict):
            classifications += [
                item.get("classification"),
                *(item.get("additionalClassifications") or []),
            ]
    for entry in classifications:
        if not isinstance(entry, dict):
            continue
        scheme = str(entry.get("scheme") or "").upper()
        code = entry.get("id")
        if scheme == "CPV" and isinstance(code, str | int) and str(code).strip():
            text = str(code).strip()
            if text not in found:
                found.append(text)
    return found


def _suitability(tender: dict[str, Any], lots: list[dict[str, Any]]) -> list[str]:
    flags = [tender.get("suitability"), *(lot.get("suitability") for lot in lots)]
    return [key for key in ("sme", "vcse") if any(_get(f, key) is True for f in flags)]


def _framework(tender: dict[str, Any], lots: list[dict[str, Any]]) -> bool | None:
    techniques = [tender.get("techniques"), *(lot.get("techniques") for lot in lots)]
    values = [_get(t, "hasFrameworkAgreement") for t in techniques]
    if any(v is True for v in values):
        return True
    return False if any(v is False for v in values) else None


def _documents(release: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in ("planning", "tender"):
        yield from (d for d in _get(release, section, "documents") or [] if isinstance(d, dict))
    for award in release.get("awards") or []:
        if isinstance(award, dict):
            yield from (d for d in award.get("documents") or [] if isinstance(d, dict))


def _notice_type(release: dict[str, Any]) -> str | None:
    for document in _documents(release):
        if _text(document.get("noticeType")):
            return _text(document.get("noticeType"))
    return None


def _notice_link(release: dict[str, Any]) -> str | None:
    documents = list(_documents(release))
    for wanted in NOTICE_DOCUMENT_TYPES:
        for document in documents:
            url = _text(document.get("url"))
            if document.get("documentType") == wanted and url:
                return url
    for link in release.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "canonical" and _text(link.get("href")):
            return _text(link.get("href"))
    return None


# --- merging the releases of each process ----------------------------------------------


def merge(facts_latest_first: Iterable[Facts]) -> Facts:
    """One process's facts: for each field, the latest release that gives it wins."""
    ordered = list(facts_latest_first)
    merged = Facts(ocid=ordered[0].ocid)
    for name, default in asdict(merged).items():
        for item in ordered:
            value = getattr(item, name)
            if value not in (None, [], ""):
                setattr(merged, name, value)
                break
        else:
            setattr(merged, name, default)
    merged.published = ordered[-1].published
    merged.tags = list(dict.fromkeys(tag for item in ordered for tag in item.tags))
    return merged


def processes(
    paths: Iterable[Path], *, check: Callable[[Any], None] | None = None
) -> Iterator[Process]:
    """Every process in the files, merged from its releases, in order of first appearance.

    A release that lacks what OCDS requires (or that `check`, e.g. `schema_checker()`,
    refuses) gives a Process with its problem: it is rejected, not lost; the other
    releases of the same ocid still make the process.
    """
    with _parking() as db:
        for sequence, (position, release) in enumerate(
            (item for path in paths for item in iter_releases(path)), start=1
        ):
            try:
                if check is not None:
                    check(release)
                facts = release_facts(release)
            except NoticeProblem as problem:
                ocid = release.get("ocid") if isinstance(release, dict) else None
                yield Process(str(ocid or ""), position, None, problem, number=sequence)
                continue
            db.execute(
                "INSERT INTO releases VALUES (?, ?, ?, ?, ?)",
                (sequence, facts.ocid, facts.date, position, json.dumps(asdict(facts))),
            )
        first_seen = db.execute(
            "SELECT ocid, MIN(seq) AS first FROM releases GROUP BY ocid ORDER BY first"
        )
        for ocid, first in _rows(first_seen):
            rows = db.execute(
                "SELECT position, facts FROM releases WHERE ocid = ? ORDER BY date DESC, seq DESC",
                (ocid,),
            ).fetchall()
            merged = merge(Facts(**json.loads(facts)) for _, facts in rows)
            yield Process(ocid, rows[-1][0], merged, releases=len(rows), number=first)


def schema_checker() -> Callable[[Any], None]:
    """A function raising NoticeProblem for a release that fails the OCDS 1.1.5 schema."""
    try:
        import jsonschema
    except ImportError:
        raise InputFileError(
            "--validate needs the jsonschema package: pip install 'svadvisor[validate]'"
        ) from None
    from importlib import resources

    schema = json.loads(
        (resources.files("svadvisor") / "schemas" / "ocds-1.1.5-release-schema.json").read_text(
            encoding="utf-8"
        )
    )
    validator = jsonschema.validators.validator_for(schema)(schema)

    def check(release: Any) -> None:
        errors = sorted(validator.iter_errors(release), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            path = [str(p) for p in first.absolute_path]
            if first.validator == "required":  # name the missing field itself
                missing = re.match(r"'(.+)' is a required property", first.message)
                path += [missing.group(1)] if missing else []
            where = "/".join(path) or "(release)"
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise NoticeProblem(
                where, f"fails the OCDS 1.1.5 release schema: {first.message}{more}"
            )

    return check


def _rows(cursor: sqlite3.Cursor) -> Iterator[tuple[str, int]]:
    while batch := cursor.fetchmany(1000):
        yield from batch


@contextlib.contextmanager
def _parking() -> Iterator[sqlite3.Connection]:
    with tempfile.TemporaryDirectory(prefix="svadvisor-ocds-") as folder:
        db = sqlite3.connect(Path(folder) / "releases.sqlite")
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute(
                "CREATE TABLE releases "
                "(seq INTEGER, ocid TEXT, date TEXT, position TEXT, facts TEXT)"
            )
            db.execute("CREATE INDEX by_ocid ON releases (ocid)")
            yield db
        finally:
            db.close()
