"""Memo files: the format (Markdown or Word) from an option or the file's suffix,
writing a memo atomically (never overwriting without force), and safe, distinct file
names for a batch of memos.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from svadvisor.atomic import atomic_writer, refuse_overwrite, write_text_atomic
from svadvisor.errors import InputFileError
from svadvisor.memo.record import REPLAY_MARKER, find_block
from svadvisor.memo.word import markdown_to_docx, with_replay_record

MemoFormat = Literal["md", "docx"]
MEMO_SUFFIX: dict[str, str] = {"md": ".md", "docx": ".docx"}


def memo_format(path: Path | None, explicit: str | None = None) -> MemoFormat:
    """The one place a memo's format is decided: the --format option when given (md or
    docx), else the file's suffix (.docx is Word), else Markdown. A folder of memos
    (`path` None) is Markdown unless the option says otherwise."""
    if explicit is not None:
        chosen = str(explicit)
        if chosen not in MEMO_SUFFIX:
            raise InputFileError(f"unknown memo format {chosen!r}; use md or docx")
        return cast(MemoFormat, chosen)
    return "docx" if path is not None and path.suffix.lower() == ".docx" else "md"


def write_memo(path: Path, markdown: str, *, fmt: MemoFormat = "md", force: bool) -> None:
    """Write atomically, as Markdown or Word; never overwrite without `force`. A Word memo
    keeps the replay block in its custom document properties too, for `memo replay`."""
    refuse_overwrite(path, force=force)
    if fmt == "docx":
        data = memo_docx(markdown, str(path))
        with atomic_writer(path, force=force, mode="wb") as handle:
            handle.write(data)
    else:
        write_text_atomic(path, markdown, force=force)


def memo_docx(markdown: str, display: str) -> bytes:
    """A Markdown memo as a Word document, keeping the replay block in its custom
    document properties too, for `memo replay` (`display` names the memo in errors)."""
    data = markdown_to_docx(markdown)
    if REPLAY_MARKER in markdown:  # a memo svadvisor rendered (the template keeps it)
        block, _ = find_block(markdown, display)
        data = with_replay_record(data, block)
    return data


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
