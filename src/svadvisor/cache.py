"""Validated rule packs and case libraries kept between runs of the command.

Reading a pack's YAML with line marks and checking every reference is most of what a
short command costs. A pack (or case library) that loaded without a problem is stored
as JSON, named from its folder, what the file system records of each of its files
(size, inode, modification and change times: any write changes them) and svadvisor's
own code; the next run reads it back through the same pydantic models, so it is still
checked, and a damaged entry is simply read afresh. A pack with problems is never
stored: its errors are found and located again on every run.

The library functions `svadvisor.load_pack` and `load_cases` never touch the cache;
the command line uses it. `SVADVISOR_CACHE_DIR` moves it, `SVADVISOR_NO_CACHE=1` turns
it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from svadvisor.folders import (
    builtin_cases_dir,
    builtin_pack_dir,
    case_files,
    files_stamp,
    pack_files,
)

if TYPE_CHECKING:
    from svadvisor.cases import CaseLibrary
    from svadvisor.model import RulePack

FORMAT = "1"
"""Bumped when what is stored changes shape in a way the code fingerprint would miss."""
KEEP = 32
"""Entries kept; the least recently written beyond this are removed."""


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    if os.environ.get("SVADVISOR_NO_CACHE"):
        return None
    chosen = os.environ.get("SVADVISOR_CACHE_DIR")
    if chosen:
        return Path(chosen)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("svadvisor", appauthor=False))


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The package's own modules (as the file system stamps them) and pydantic's version:
    a changed loader or model (an upgrade, or a developer's edit) never reads an entry an
    older one wrote."""
    import pydantic

    package = Path(__file__).resolve().parent
    return f"{files_stamp(package, package.glob('*.py'))}\n{pydantic.VERSION}\n{FORMAT}"


def load_pack(directory: Path | None) -> RulePack:
    """As `svadvisor.pack.load_pack`, from the cache when the folder is unchanged."""
    from svadvisor.model import RulePack

    path = directory if directory is not None else builtin_pack_dir()
    folder = cache_dir()
    if folder is None or not path.is_dir():
        return _load_pack(path)  # and its error, if any, says what is wrong
    try:
        key = _key("pack", str(path), files_stamp(path, pack_files(path)))
    except OSError:  # a file we cannot read: the loader names it
        return _load_pack(path)
    entry = folder / f"pack-{key}.json"
    with contextlib.suppress(OSError, ValueError):
        return RulePack.model_validate_json(entry.read_bytes())
    pack = _load_pack(path)
    _store(folder, entry, pack.model_dump_json(by_alias=True))
    return pack


def load_cases(pack: RulePack, directory: Path | None) -> CaseLibrary:
    """As `svadvisor.case_library.load_cases`, from the cache when nothing changed."""
    path = directory if directory is not None else builtin_cases_dir()
    folder = cache_dir()
    if folder is None or not path.is_dir():
        return _load_cases(pack, path)
    try:
        key = _key("cases", str(path), files_stamp(path, case_files(path)), pack.sha256)
    except OSError:
        return _load_cases(pack, path)
    entry = folder / f"cases-{key}.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        return _read_library(pack, entry.read_bytes())
    library = _load_cases(pack, path)
    _store(folder, entry, _library_json(pack, library))
    return library


def _load_pack(path: Path) -> RulePack:
    from svadvisor.pack import load_pack

    return load_pack(path)


def _load_cases(pack: RulePack, path: Path) -> CaseLibrary:
    from svadvisor.case_library import load_cases

    return load_cases(pack, path)


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join((code_fingerprint(), *parts)).encode()).hexdigest()


def _library_json(pack: RulePack, library: CaseLibrary) -> str:
    import json

    return json.dumps({"source": library.source, "cases": [c.to_data(pack) for c in library.cases]})


def _read_library(pack: RulePack, data: bytes) -> CaseLibrary:
    """The cases, each profile read back as an answers file is (the entry is JSON)."""
    from pydantic_core import from_json

    from svadvisor.answers import validate_answers
    from svadvisor.cases import CaseLibrary, CaseStudy
    from svadvisor.errors import AnswersError

    stored = from_json(data)
    cases = []
    for item in stored["cases"]:
        case = CaseStudy.model_validate(item)
        try:
            profile = validate_answers(pack, case.profile)
        except AnswersError as exc:
            raise ValueError("stale entry") from exc
        cases.append(case.model_copy(update={"profile": profile}))
    return CaseLibrary(tuple(cases), stored["source"])


def _store(folder: Path, entry: Path, text: str) -> None:
    """Write an entry; a cache that cannot be written only makes the next run slower."""
    from svadvisor.atomic import write_text_atomic
    from svadvisor.errors import InputFileError

    with contextlib.suppress(OSError, InputFileError):
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(entry, text, force=True)
        entries = sorted(folder.glob("*-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
