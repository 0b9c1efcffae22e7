"""The pack's glossary: plain-English meanings of the terms an officer meets in the output.

Pure functions over a loaded pack, for `svadvisor glossary` and for any text (a memo, say)
that wants to explain the terms it uses.
"""

from __future__ import annotations

import re
from functools import lru_cache

from svadvisor.rulepack.schema import GlossaryEntry, RulePack

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def _fold(text: str) -> str:
    """Case and typographic apostrophes do not matter when matching a term."""
    return text.translate(_APOSTROPHES).casefold()


def names(entry: GlossaryEntry) -> list[str]:
    """Every name an entry answers to: its id, its term and its aliases."""
    return [entry.id, entry.term, *entry.aliases]


def find(pack: RulePack, name: str) -> GlossaryEntry | None:
    """The entry whose id, term or alias is `name` (ignoring case), else None.

    Spaces, hyphens and underscores count as the same, so `light_touch`, `light touch`
    and `Light-touch` all find the light touch entry.
    """
    wanted = _loose(name)
    return next(
        (entry for entry in pack.glossary if any(_loose(n) == wanted for n in names(entry))),
        None,
    )


def _loose(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", _fold(name)).strip()


def known_names(pack: RulePack) -> list[str]:
    """Every id, term and alias, for a "did you mean" on a miss."""
    return [n for entry in pack.glossary for n in names(entry)]


@lru_cache(maxsize=512)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """The names, longest first, each ending at a word's end. The start is checked by
    `_occurs`: a leading look-behind would stop the regex engine from skipping ahead to a
    name's first letters, and made finding a memo's terms four times slower."""
    alternatives = sorted(
        (r"\s+".join(map(re.escape, _fold(w).split())) for w in words), key=len, reverse=True
    )
    return re.compile(r"(?:" + "|".join(alternatives) + r")(?![\w-])")


def _occurs(pattern: re.Pattern[str], folded: str) -> bool:
    """Whether the pattern matches somewhere that starts a word (not after a letter, digit,
    underscore or hyphen); a match that does not is passed over by one character."""
    found = pattern.search(folded)
    while found is not None:
        start = found.start()
        before = folded[start - 1] if start else " "
        if not (before.isalnum() or before in "_-"):
            return True
        found = pattern.search(folded, start + 1)
    return False


def terms_in(pack: RulePack, text: str) -> list[GlossaryEntry]:
    """The glossary entries whose term or an alias occurs in `text` as whole words,
    ignoring case (and line breaks between words), in glossary order (each entry once)."""
    folded = _fold(text)
    return [
        entry for entry in pack.glossary if _occurs(_pattern((entry.term, *entry.aliases)), folded)
    ]
