"""Name matching for the prompt name guard.

The rule (documented in docs and tested in tests/rights/test_name_guard.py):

1. **Normalise** text: Unicode NFKD, drop accents and other combining marks, case-fold, map a few
   letters that do not decompose (ø, ł, đ, æ, œ, þ, ı …) and common Cyrillic/Greek look-alikes
   of Latin letters to their Latin letter.
2. **Tokenise**: a token is a maximal run of letters and digits. Everything else (spaces,
   punctuation, hyphens, apostrophes, underscores, zero-width characters) separates tokens.
3. **Keys**: the key of a name or alias is its tokens concatenated ("Ava Reyes" → `avareyes`,
   "O'Brien" → `obrien`). A two-or-more-word name also gets its surname-first key
   ("Reyes, Ava" → `reyesava`).
4. **Match**: a prompt names a talent when some run of *whole, consecutive* prompt tokens (at
   most 24 tokens), concatenated, equals one of the talent's keys. Spacing and punctuation between the parts of
   a name therefore never matter ("AVA  REYES", "Ava-Reyes", "A.v.a R.e.y.e.s", "AvaReyes",
   "Ava Réyes" all match), but a match must start and end on a token boundary, so a name is never
   found inside a longer word ("lava", "Reyesville") and one part of a full name alone (the
   ordinary word "ava", or "park" for Leo Park) does not match. A one-word name or alias (a
   mononym the agency registered) matches that word wherever it appears as a whole token; an
   agency should therefore register distinctive aliases.

Keys are stored in `TalentNameKey` (B-tree index on the key). The prompt's candidate spans are
looked up in one query (an index probe per candidate), whatever the number of registered talent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MIN_KEY_CHARS = 3
MAX_KEY_CHARS = 80
# A name spelled letter by letter ("A.v.a R.e.y.e.s") is a run of one-letter tokens: candidate runs
# may span up to this many tokens, so names of up to 24 letters are caught even when fully split.
MAX_SPAN_TOKENS = 24
# Prompt and negative prompt together (generation allows 2,000 characters each); bounds the work.
MAX_PROMPT_CHARS = 10_000

_TOKEN = re.compile(r"[^\W_]+")

# Letters NFKD leaves alone, and look-alike letters from other scripts, mapped to Latin.
_EXTRA = {
    "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ŀ": "l", "ħ": "h",
    # Cyrillic look-alikes
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    # Greek look-alikes
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ϲ": "c",
}
_TRANSLATE = str.maketrans(_EXTRA)


def normalize(text: str) -> str:
    """Accent-free, case-folded text with look-alike letters mapped to Latin."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_TRANSLATE)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalize(text))


def name_keys(name: str) -> set[str]:
    """The match keys of one name or alias (see the module docstring)."""
    parts = tokens(name)
    if not parts:
        return set()
    keys = {"".join(parts)}
    if len(parts) >= 2:
        keys.add(parts[-1] + "".join(parts[:-1]))
    return keys


def talent_keys(name: str, aliases: Iterable[str] = ()) -> list[str]:
    keys: set[str] = set()
    for value in [name, *aliases]:
        keys |= name_keys(value)
    return sorted(keys)


def name_problem(value: str) -> str | None:
    """Why `value` cannot be used as a talent name or alias, or None."""
    parts = tokens(value)
    joined = "".join(parts)
    if len(joined) < MIN_KEY_CHARS:
        return f"'{value}' needs at least {MIN_KEY_CHARS} letters or digits to be recognised in prompts."
    if len(joined) > MAX_KEY_CHARS:
        return f"'{value}' is too long to match; keep names and aliases under {MAX_KEY_CHARS} letters and digits."
    return None


def prompt_keys(*texts: str) -> set[str]:
    """Every concatenation of consecutive whole tokens that could equal a key (at most MAX_SPAN_TOKENS
    tokens and MAX_KEY_CHARS characters)."""
    keys: set[str] = set()
    for text in texts:
        parts = tokens(text)
        n = len(parts)
        for i in range(n):
            joined = ""
            for j in range(i, min(n, i + MAX_SPAN_TOKENS)):
                joined += parts[j]
                if len(joined) > MAX_KEY_CHARS:
                    break
                if len(joined) >= MIN_KEY_CHARS:
                    keys.add(joined)
    return keys


def matched_names(*, name: str, aliases: Iterable[str], keys: set[str]) -> list[str]:
    """Which of a talent's name and aliases were found (for messages)."""
    return [value for value in [name, *aliases] if name_keys(value) & keys]
