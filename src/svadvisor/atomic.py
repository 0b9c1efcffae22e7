"""Writing output files so that a crash or Ctrl-C never leaves half a file behind.

Write to a temporary file in the target's folder, flush and fsync, then `os.replace`:
readers see the old file or the new one, never a mixture. A symlink at the target is
replaced, not followed. The file gets the permissions any new file would (0666 less the
umask: 0644 under umask 022), not the 0600 of a temporary file, so colleagues on a shared
drive can open it.

A run killed with SIGKILL cannot remove its temporary file, a hidden
`.NAME.svadvisor-PID-XXXXXXXX.tmp` beside the target. The next run that writes into
that folder removes the ones whose process has gone (a live one may be another run
still writing).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from svadvisor.errors import InputFileError

_TEMP_NAME = re.compile(r"^\..*\.svadvisor-(\d+)-[A-Za-z0-9_]+\.tmp$")
_NAME_KEPT = 100
"""Characters of the target's name kept in its temporary file's name: a name near the
file system's limit of 255 must still leave room for the rest."""
_swept: set[str] = set()
"""Folders this process has already cleared of stale temporary files (once each: a
batch writing thousands of memos into one folder must not list it thousands of times)."""


def refuse_overwrite(path: Path, *, force: bool) -> None:
    """Fail before any work is done (an interview, a batch) if `path` cannot be written:
    it exists and the user did not say --force, or its folder is missing."""
    if not path.is_symlink() and path.exists() and not (path.is_file() or path.is_dir()):
        raise InputFileError(f"{path}: is not a regular file (a device or a pipe); name a file")
    if (path.exists() or path.is_symlink()) and not force:
        raise InputFileError(f"{path}: already exists; pass --force to replace it")
    if path.is_dir() and not path.is_symlink():
        raise InputFileError(f"{path}: is a folder; name a file to write")
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise InputFileError(f"{path}: the folder {folder} does not exist")


@contextlib.contextmanager
def atomic_writer(
    path: Path, *, force: bool, mode: str = "w", **open_args: object
) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; on success it replaces `path` in one step."""
    refuse_overwrite(path, force=force)
    folder = path.parent if str(path.parent) else Path()
    _sweep_stale_temps(folder)
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{path.name[:_NAME_KEPT]}.svadvisor-{os.getpid()}-", suffix=".tmp", dir=folder
        )
    except OSError as exc:
        raise InputFileError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    tmp = Path(tmp_name)
    try:
        if hasattr(os, "fchmod"):  # POSIX; on Windows the file has the folder's permissions
            os.fchmod(fd, 0o666 & ~_umask())
        # mode and open_args pass through to open(); no one overload fits them all
        with os.fdopen(fd, mode, **open_args) as handle:  # type: ignore[call-overload]
            yield handle
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:  # a full disk shows here, at the latest
                raise InputFileError(f"{path}: cannot write ({exc.strerror or exc})") from None
        try:
            tmp.replace(path)
        except OSError as exc:
            raise InputFileError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (read by setting it, then setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text_atomic(path: Path, text: str, *, force: bool) -> None:
    with atomic_writer(path, force=force, encoding="utf-8", newline="") as handle:
        handle.write(text)


def _sweep_stale_temps(folder: Path) -> None:
    """Remove temporary files that runs killed mid-write left in `folder`."""
    key = str(folder.absolute())
    if key in _swept:
        return
    _swept.add(key)
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            found = _TEMP_NAME.match(entry.name)
            if found and not _running(int(found.group(1))) and _is_plain_file(entry):
                with contextlib.suppress(OSError):
                    Path(entry.path).unlink()


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or a pid we cannot test: leave its file
    return True


def _is_plain_file(entry: os.DirEntry[str]) -> bool:
    return stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode)
