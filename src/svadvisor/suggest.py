"""The one "did you mean" of every message about a name svadvisor does not know: an
unknown question, answer, field, route, note, case or glossary term."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Literal


def nearest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest in spelling to `name`, else the first that contains it
    (so `plymouth` finds `plymouth-alliance`), else None."""
    names = list(known)
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return close[0]
    folded = name.strip().lower()
    return next((n for n in names if folded and folded in n.lower()), None)


def did_you_mean(
    name: str, known: Iterable[str], *, form: Literal["aside", "lead"] = "aside"
) -> str:
    """` (did you mean 'x'?)` (an aside after the name) or `did you mean 'x'? ` (leading
    the list of known names) for a near miss; nothing when nothing is near."""
    hint = nearest(name, known)
    if hint is None:
        return ""
    return f" (did you mean {hint!r}?)" if form == "aside" else f"did you mean {hint!r}? "
