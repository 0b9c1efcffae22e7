"""Validated rule packs and case libraries kept between runs of the command.

Reading a pack's YAML with line marks and checking every reference is most of what a
short command costs. A pack (or case library) that loaded without a problem is stored
as JSON, named from its folder, what the file system records of each of its files
(size, inode, modification and change times: any write changes them) and svadvisor's
own code; the next run reads it back through the same pydantic models, so it is still
checked, and a damaged entry is simply read afresh. A pack with problems is never
stored: its errors are found and located again on every run.

The library functions `svadvisor.load_pack` and `load_cases` never touch the cache;
the command line uses it (`load_pack` here, `svadvisor.cases.cache.load_cases` for case
libraries). `SVADVISOR_CACHE_DIR` moves it, `SVADVISOR_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from svadvisor.folders import builtin_pack_dir, files_stamp, pack_files

if TYPE_CHECKING:
    from svadvisor.rulepack.schema import RulePack

T = TypeVar("T")

FORMAT = "1"
"""Bumped when what is stored changes shape in a way the code fingerprint would miss."""
KEEP = 32
"""Entries kept; the least recently used beyond this are removed."""
ENTRY_NAME = re.compile(r"^(pack|cases)-[0-9a-f]{64}\.json$")
"""Only files so named are ever removed: the folder may be shared with other files."""
UNREADABLE = (OSError, ValueError, KeyError, TypeError)
"""What reading a missing, damaged or foreign entry can raise: it is then read afresh."""


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    if os.environ.get("SVADVISOR_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no"):
        return None
    chosen = os.environ.get("SVADVISOR_CACHE_DIR")
    if chosen:
        return Path(chosen)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("svadvisor", appauthor=False))


@lru_cache(maxsize=1)
def code_fingerprint() -> str | None:
    """The package's own modules (as the file system stamps them) and pydantic's version:
    a changed loader or model (an upgrade, or a developer's edit) never reads an entry an
    older one wrote. None when the modules cannot be seen (an install of bytecode only):
    then nothing is cached."""
    import pydantic

    package = Path(__file__).resolve().parent.parent  # svadvisor/, with every subpackage
    modules = package_modules(package)
    if not modules:
        return None
    return f"{files_stamp(package, modules)}\n{pydantic.VERSION}\n{FORMAT}"


def package_modules(package: Path) -> list[Path]:
    """Every module of the package, in its subpackages too: a loader moved into a
    subpackage must change the fingerprint as much as one at the top."""
    return sorted(package.rglob("*.py"))


def load_pack(directory: Path | None) -> RulePack:
    """As `svadvisor.rulepack.load.load_pack`, from the cache when the folder is unchanged."""
    from svadvisor.rulepack.schema import RulePack

    path = directory if directory is not None else builtin_pack_dir()
    return through_cache(
        "pack",
        path,
        lambda: files_stamp(path, pack_files(path)),
        load=lambda: _load_pack(path),
        dump=lambda pack: pack.model_dump_json(by_alias=True),
        read=RulePack.model_validate_json,
    )


def through_cache(
    kind: str,
    path: Path,
    stamp: Callable[[], str],
    *,
    load: Callable[[], T],
    dump: Callable[[T], str],
    read: Callable[[str | bytes], T],
) -> T:
    """The entry for this folder as it now stands, else a fresh load (stored if it loaded
    without a problem and reads back exactly: a value the JSON cannot carry is not)."""
    folder = cache_dir()
    fingerprint = code_fingerprint()
    if folder is None or fingerprint is None or not path.is_dir():
        return load()  # and its error, if any, says what is wrong
    try:
        key = "\0".join((fingerprint, kind, str(path), stamp()))
    except OSError:  # a file we cannot read: the loader names it
        return load()
    entry = folder / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()}.json"
    with contextlib.suppress(*UNREADABLE):
        value = read(entry.read_bytes())
        with contextlib.suppress(OSError):
            os.utime(entry)  # recently used: pruned last
        return value
    value = load()
    text = dump(value)
    with contextlib.suppress(*UNREADABLE):
        if read(text) == value:
            _store(folder, entry, text)
    return value


def _load_pack(path: Path) -> RulePack:
    from svadvisor.rulepack.load import load_pack

    return load_pack(path)


def _store(folder: Path, entry: Path, text: str) -> None:
    """Write an entry; a cache that cannot be written only makes the next run slower."""
    from svadvisor.atomic import write_text_atomic
    from svadvisor.errors import InputFileError

    with contextlib.suppress(OSError, InputFileError):
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(entry, text, force=True)
        entries = [p for p in folder.iterdir() if ENTRY_NAME.match(p.name)]
        entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
