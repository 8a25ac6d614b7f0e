"""Character folding for the prompt name guard (`rights.names` builds its keys on it).

A name written with look-alike or invisible characters must read as the plain name. Text goes
through these steps, repeated until it no longer changes (case folding can produce characters that
normalise further: ẞ → ss, İ → i + combining dot):

1. **Compatibility normalisation first** (NFKC): mathematical bold, italic and script letters,
   full-width forms, circled, squared and superscript letters and ligatures become plain letters.
   Done before case folding, because those letters have no case of their own.
2. **Per character** (a cached `str.translate` table):
   - dropped: default-ignorable and format characters (zero-width spaces and joiners, word joiner,
     bidi controls, variation selectors, tag characters, the soft hyphen, the Mongolian vowel
     separator, Hangul fillers), combining marks, and modifier letters that imitate no Latin letter
     (ˑ ː …), so `Ava\\u200bReyes` and `Avaㅤ Reyes` read `AvaReyes`; letters that imitate
     punctuation read as it (the modifier apostrophe ʼ, ʻ, ˈ, the saltillo ꞌ read as `'`, which
     separates tokens), and the Braille blank reads as a space;
   - accented letters lose their accents (canonical decomposition, marks dropped);
   - look-alike letters of other scripts become the Latin letter they imitate, by the Unicode
     security mechanisms' confusables table (UTS #39 `confusables.txt`, as shipped by the
     `confusable_homoglyphs` package): Cyrillic а е о р с, Greek ο ρ, Armenian օ ս, Cherokee Ꭺ Ꮃ,
     Lisu ꓮ …;
   - Latin letters that table maps to no ASCII letter are read by their Unicode name: small capitals
     (ʀ ᴀ ʟ), letters with hooks, strokes, bars and tails (ɗ ƙ ƈ ɲ ø ł ħ), dotless and script letters
     (ı ɡ), and a few more (ð þ ĸ).
3. **Case folding** (`fold` only; `map_text` keeps case, which the name guard reads for initials).

For comparison, `loose()` reads i and l as one letter, `unit_key()` reads rn as m and vv as w, and
`as_letters()` (for prompt text) reads digits and symbols as the letters they stand in for
(0→o 1→l 2→z 3→e 4→a 5→s 6→b 7→t 8→b 9→g @→a $→s €→e £→l ¢→c !→l |→l).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties), which includes the Hangul fillers.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
_DROPPED_CATEGORIES = frozenset({"Cf", "Mn", "Me"})
_AS_SPACE = frozenset({0x2800})  # Braille pattern blank: looks like a space
# Letters that neither decompose, nor have an ASCII confusable, nor a name the pattern below reads.
_EXTRA = {"ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ĸ": "k", "ƿ": "w", "Ƿ": "W", "ŋ": "n", "Ŋ": "N"}
_LATIN_NAME = re.compile(
    r"LATIN (?:(SMALL|CAPITAL) LETTER (?:DOTLESS |SCRIPT |SMALL CAPITAL )?|LETTER SMALL CAPITAL )"
    r"([A-Z]{1,2})(?: WITH [A-Z ]+| BAR| STROKE)?"
)
# Characters the confusables table may map to that the name guard reads as letters (see `loose`).
_LETTER_SYMBOLS = frozenset("!|@$")
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"))


def _is_ignorable(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _IGNORABLE_RANGES)


@lru_cache(maxsize=1)
def _confusables() -> dict:
    from confusable_homoglyphs.confusables import confusables_data

    return confusables_data


def _ascii_target(value: str) -> str | None:
    """`value` as ASCII letters/digits (marks and bidi marks dropped), or None."""
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", value.translate(_BIDI_MARKS)) if not unicodedata.combining(c)
    )
    if stripped and len(stripped) <= 3 and stripped.isascii() and all(c.isalnum() or c in _LETTER_SYMBOLS for c in stripped):
        return stripped
    return None


def _by_name(ch: str) -> str | None:
    if ch in _EXTRA:
        return _EXTRA[ch]
    match = _LATIN_NAME.fullmatch(unicodedata.name(ch, ""))
    if not match:
        return None
    letters = match.group(2)
    return letters if match.group(1) == "CAPITAL" else letters.lower()


def _latin_lookalike(ch: str) -> str | None:
    """The Latin letter(s) `ch` imitates: its confusables-table entries, its name, then the entries
    and names of the characters it is listed as confusable with."""
    table = _confusables()
    entries = [entry["c"] for entry in table.get(ch, ())]
    for entry in entries:
        if (target := _ascii_target(entry)) is not None:
            return target
    if (target := _by_name(ch)) is not None:
        return target
    for entry in entries:
        if len(entry) != 1 or entry == ch:
            continue
        for deeper in table.get(entry, ()):
            if (target := _ascii_target(deeper["c"])) is not None:
                return target
        if (target := _by_name(entry)) is not None:
            return target
    return None


def _fold_char(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x80:
        return ch
    if cp in _AS_SPACE:
        return " "
    category = unicodedata.category(ch)
    if category in _DROPPED_CATEGORIES or _is_ignorable(cp):
        return ""
    decomposed = unicodedata.normalize("NFD", ch)
    if any(unicodedata.combining(c) for c in decomposed):  # an accented letter: keep the base letter
        return "".join(_fold_char(c) for c in decomposed if not unicodedata.combining(c))
    if (latin := _latin_lookalike(ch)) is not None:
        return latin
    if (mark := _ascii_punctuation(ch)) is not None:  # ꞌ ʻ ’ read as the apostrophe they imitate
        return mark
    if category == "Lm":
        return ""
    return ch


def _ascii_punctuation(ch: str) -> str | None:
    for entry in _confusables().get(ch, ()):
        target = entry["c"].translate(_BIDI_MARKS)
        if target and len(target) <= 3 and target.isascii() and target.isprintable() and not any(c.isalnum() for c in target):
            return target
    return None


class _Table(dict):
    """`str.translate` table, filled on first sight of each character."""

    def __missing__(self, cp: int) -> str:
        value = self[cp] = _fold_char(chr(cp))
        return value


_TABLE = _Table({cp: chr(cp) for cp in range(0x80)})
_MAX_ROUNDS = 4


def map_text(text: str) -> str:
    """NFKC and the per-character folding, to a fixed point; case is kept."""
    out = text or ""
    for _ in range(_MAX_ROUNDS):
        following = unicodedata.normalize("NFKC", out).translate(_TABLE)
        if following == out:
            break
        out = following
    return out


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """NFKC, the per-character folding, then case folding, repeated to a fixed point."""
    out = text or ""
    for _ in range(_MAX_ROUNDS):
        following = unicodedata.normalize("NFKC", out).translate(_TABLE).casefold()
        if following == out:
            break
        out = following
    return out


_AS_LETTERS = str.maketrans({
    "0": "o", "1": "l", "2": "z", "3": "e", "4": "a", "5": "s", "6": "b", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "€": "e", "£": "l", "¢": "c", "!": "l", "|": "l",
})
_LOOSE = str.maketrans({"i": "l"})


def as_letters(folded: str) -> str:
    """Digits and symbols read as the letters they imitate (for prompts; a name's own digits stay)."""
    return folded.translate(_AS_LETTERS)


def loose(folded: str) -> str:
    """i and l as one letter (I, l, 1, | and ! stand in for either)."""
    return folded.translate(_LOOSE)


def unit_key(loosened: str) -> str:
    """Letter pairs that imitate one letter (rn → m, vv → w), on a loosened string."""
    return loosened.replace("rn", "m").replace("vv", "w")
