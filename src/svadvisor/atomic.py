"""Writing output files so that a crash or Ctrl-C never leaves half a file behind.

Write to a temporary file in the target's folder, flush and fsync, then `os.replace`:
readers see the old file or the new one, never a mixture. A symlink at the target is
replaced, not followed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from svadvisor.errors import InputFileError


def refuse_overwrite(path: Path, *, force: bool) -> None:
    """Fail before any work is done (an interview, a batch) if `path` cannot be written:
    it exists and the user did not say --force, or its folder is missing."""
    if (path.exists() or path.is_symlink()) and not force:
        raise InputFileError(f"{path}: already exists; pass --force to replace it")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder; name a file to write")
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise InputFileError(f"{path}: the folder {folder} does not exist")


@contextlib.contextmanager
def atomic_writer(path: Path, *, force: bool, mode: str = "w", **open_args: object) -> Iterator[IO]:
    """Open a temporary file beside `path`; on success it replaces `path` in one step."""
    refuse_overwrite(path, force=force)
    folder = path.parent if str(path.parent) else Path()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, mode, **open_args) as handle:  # type: ignore[call-overload]
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str, *, force: bool) -> None:
    with atomic_writer(path, force=force, encoding="utf-8", newline="") as handle:
        handle.write(text)
