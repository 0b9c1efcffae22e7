"""The folders svadvisor reads: which files make up a rule pack or a case library, where
the built-in ones are, the sha256 of a pack's exact content, and the cheaper stamp that
tells whether a folder changed.

Light to import (no pydantic): a run whose pack is already in the cache needs only this.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path


def builtin_pack_dir() -> Path:
    """The pack shipped in the wheel, or `rules/` beside `src/` in a source checkout."""
    shipped = Path(__file__).resolve().parent / "rules"  # importlib.resources is slow to import
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[2] / "rules"


CASE_SUFFIXES = (".yaml", ".yml")


def builtin_cases_dir() -> Path:
    """The case studies shipped in the wheel, or `casestudies/` in a source checkout."""
    shipped = Path(__file__).resolve().parent / "casestudies"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[2] / "casestudies"


def case_files(directory: Path) -> list[Path]:
    """The case study files of a library folder, in file-name order."""
    return sorted(p for p in directory.iterdir() if p.suffix in CASE_SUFFIXES and p.is_file())


def pack_files(directory: Path) -> Iterator[Path]:
    """Every file of the pack, through linked folders too (each real folder once); hidden
    files and folders (`.git`, `__pycache__`) are not part of it."""
    seen: set[str] = set()
    for root, folders, files in os.walk(directory, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:  # a link back up the tree: its files are listed already
            folders[:] = []
            continue
        seen.add(real)
        folders[:] = [f for f in folders if not f.startswith((".", "__"))]
        for name in files:
            path = Path(root, name)
            if not name.startswith((".", "__")) and path.is_file():
                yield path


def files_sha256(directory: Path, files: Iterable[Path]) -> str:
    """sha256 over the files, in sorted path order, each with its path and length."""
    digest = hashlib.sha256()
    for p in sorted(files, key=lambda p: p.relative_to(directory).as_posix()):
        data = p.read_bytes()
        rel = p.relative_to(directory).as_posix().encode()
        digest.update(rel + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()


RECENT_NS = 2_000_000_000
"""A file changed this recently (2 s) may change again within the file system clock's
granularity without its times moving, so its content is read instead (git's "racy" rule)."""


STAMPS_ENOUGH = os.name != "nt"
"""Windows keeps a file's creation time where POSIX keeps the time of its last change, so
there every file's content is read."""


def files_stamp(directory: Path, files: Iterable[Path]) -> str:
    """What the file system records of each file: path, size, inode, and the times of its
    last change. Any later write changes it (the change time cannot be set back), as git's
    index relies on; far cheaper than reading every byte to tell whether a folder changed."""
    recent = time.time_ns() - RECENT_NS
    parts = []
    for p in sorted(files, key=lambda p: p.relative_to(directory).as_posix()):
        st = p.stat()
        rel = p.relative_to(directory).as_posix()
        part = f"{rel}\0{st.st_size}\0{st.st_ino}\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
        if not STAMPS_ENOUGH or max(st.st_mtime_ns, st.st_ctime_ns) >= recent:
            part += "\0" + hashlib.sha256(p.read_bytes()).hexdigest()
        parts.append(part)
    return "\n".join(parts)


def pack_sha256(directory: Path) -> str:
    """sha256 over every file of the pack, in sorted path order, names included."""
    return files_sha256(directory, pack_files(directory))
