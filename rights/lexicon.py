"""Ordinary words, so the name guard does not take a word of a prompt for a misspelt or reordered name.

The word list is the English word-frequency list shipped with `pyspellchecker` (about 160,000 words
with their counts in a large subtitle corpus). It is read once per process, on first use (about
0.1 s), and kept as two sets of accent-free, case-folded words:

- `is_word(w)`: `w` is in the list at all. A prompt word that is a real word is never matched to a
  name at edit distance 1 ("Grace hunted" is not "Grace Hunter"; "Ava eyes the door" is not "Ava Reyes").
- `is_common(w)`: `w` occurs at least `COMMON_MIN_COUNT` times. A name written surname first only
  matches, when the surname is a common word ("park", "stone", "king"), if that word is capitalised
  in the prompt ("Park Leo", "PARK, LEO"), so "in the park, Leo runs" is no alarm.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from functools import lru_cache
from importlib import resources

COMMON_MIN_COUNT = 1000


def _plain(word: str) -> str:
    if word.isascii():
        return word.casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    with resources.files("spellchecker.resources").joinpath("en.json.gz").open("rb") as raw, gzip.open(raw) as data:
        counts: dict[str, int] = json.load(data)
    words = frozenset(_plain(w) for w in counts)
    common = frozenset(_plain(w) for w, n in counts.items() if n >= COMMON_MIN_COUNT)
    return words, common


def is_word(word: str) -> bool:
    return _plain(word) in _lists()[0]


def is_common(word: str) -> bool:
    return _plain(word) in _lists()[1]
