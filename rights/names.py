"""Name matching for the prompt name guard.

The rule (documented in docs/RIGHTS.md, tested in tests/rights/test_name_guard*.py):

1. **Fold** the text (`rights.name_folding`): compatibility normalisation before case folding, to a
   fixed point; invisible, format and filler characters, combining marks and modifier apostrophes
   dropped; look-alike letters of other scripts mapped to Latin by the Unicode confusables table
   (UTS #39); small capitals and Latin letters with hooks or strokes read as their letter.
2. **Tokenise**: a token is a maximal run of letters and digits (and of `@ $ € £ ¢` touching one, and
   `! |` between two). Everything else separates tokens. Tokens are compared *loosely*: i and l as
   one letter, rn as m, vv as w; in a prompt, digits and symbols also read as the letters they
   imitate (`0→o 1→l 3→e 4→a 5→s 7→t @→a $→s` …), and a token with digits or symbols at its ends is
   also read without them, so a digit appended to a name ("Reyes2", "AvaReyes99") does not hide it.
   (A registered name's own digits stay digits: "Extra Person 9" is not "Extra Person 6".)
3. **A name or alias** is split into parts at spaces ("Park Ji-ho" → `park`, `jiho`). A prompt names
   it when, on whole-token boundaries:
   - its parts, concatenated, equal the concatenation of consecutive prompt tokens (at most 24
     tokens, 6 of them of three or more letters), so spacing and punctuation never matter
     ("A.v.a R.e.y.e.s", "AvaReyes", "Ava-Reyes").
     Only for a name made of ordinary words ("Grace Hunter", "Rose Baker") must the words not be
     split by a clause break ("grace. Hunter", "a rose, baker's twine" are no alarms);
   - or in the other order: last part first ("Reyes, Ava"; "Ji-ho Park" for the alias "Park Ji-ho"),
     or first part last. When the leading part is a common word ("Park" of Leo Park), every word must
     be capitalised ("Park Leo", "PARK, LEO"), so "in the park, Leo runs" is no alarm;
   - or, for a name of three or more parts, first and last part alone ("Ava Reyes" for "Ava Marisol
     Reyes"), in either order;
   - or with something between first and last part: one or two middle initials ("Ava J. Reyes"), a
     nickname in quotes or brackets ("Ava 'Slim' Reyes"), or one capitalised middle name when both
     names are capitalised ("Leo Michael Park");
   - or with an initial for a part: "A. Reyes", "L Park" (a capital letter before a capitalised
     name; "a", "i" and "o" only with a full stop), "Reyes, A.";
   - or with one part of at least 5 letters misspelt by one edit (insertion, deletion, substitution,
     transposition: `rapidfuzz`'s OSA distance) while the other part is exact, unless the misspelt
     prompt word is a real word (`rights.lexicon`: "Grace hunted" is not "Grace Hunter").
   One part alone never matches: "Ava walks", "the park", "Leo parked", "lava", "Reyesville" are no
   alarms. A one-word name or alias (a mononym) matches that word wherever it appears as a whole
   token, exactly (no misspelling), so an agency should register distinctive mononyms.

**Lookup**: each talent's keys (`talent_keys`) are stored in `TalentNameKey` (B-tree index on `key`):
the concatenated forms above, `^`-marked initial forms, and for parts of at least 5 letters two
fragment keys per two-part form (the exact other part plus the first three or the last two letters
of the long part: one edit leaves one of the two intact). The prompt's candidate keys (`prompt_keys`)
are built the same way and looked up in one query, an index probe per candidate, whatever the size
of the registry; `matched_names` then decides, on the prompt's own evidence, which loaded talent the
prompt really names (capitals, clause breaks, edit distance, ordinary words).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import OSA

from rights import lexicon
from rights.name_folding import as_letters, fold, loose, map_text, unit_key

MIN_KEY_CHARS = 3
MAX_KEY_CHARS = 80
# A name spelled letter by letter ("A.v.a R.e.y.e.s") is a run of one-letter tokens: candidate runs
# may span up to this many tokens, so names of up to 24 letters are caught even when fully split.
MAX_SPAN_TOKENS = 24
# A name has at most this many words of three or more letters (longer runs are not candidates).
MAX_NAME_WORDS = 6
# Runs of up to this many tokens are also tried with each token's variant without end digits.
MAX_VARIANT_SPAN = 4
# Prompt and negative prompt together (generation allows 2,000 characters each); bounds the work.
MAX_PROMPT_CHARS = 10_000
# A name part this long matches a prompt word at edit distance 1.
FUZZY_MIN_CHARS = 5
# A nickname, middle initials or a middle name between first and last name: at most this many tokens.
MAX_SKIPPED_TOKENS = 4
# Single letters that are words ("a", "I", "o"): an initial only when followed by a full stop.
WORD_LETTERS = frozenset("aio")

_SYMBOLS = re.escape("@$€£¢")
_INNER = re.escape("!|")
_TOKEN = re.compile(rf"(?:[^\W_]|[{_SYMBOLS}](?=[^\W_])|(?<=[^\W_])[{_SYMBOLS}]|(?<=[^\W_])[{_INNER}](?=[^\W_]))+")
_EDGES = re.compile(rf"^[\d{_SYMBOLS}{_INNER}]+|[\d{_SYMBOLS}{_INNER}]+$")
_INNER_SYMBOLS = re.compile(rf"[{_INNER}]")
# "Jordan's", "can't": the clitic after an apostrophe is its own word, not part of the name before it.
_CLITICS = frozenset({"s", "t", "d", "ll", "re", "ve", "m"})
_PART_SEPARATOR = re.compile(r"[\s,;/]+")
_SPACE = re.compile(r"\s")
_BREAK = re.compile(r"[,;:!?…()\[\]{}\"“”«»]|\.(?=\s|$)")
_OPEN = "\"'`“”„‘’‚«»‹›(["
_OPENING = re.compile(rf"[{re.escape(_OPEN)}]")
_CLOSE = "\"'`“”‟‘’«»‹›)]"
# A nickname in quotes or brackets: opened after a space, closed before one.
_QUOTED = re.compile(rf"(?<!\S)[{re.escape(_OPEN)}][^\n]{{1,60}}?[{re.escape(_CLOSE)}](?!\S)")

# How a talent form must appear (see _Need).
ANY, UNBROKEN, TITLED = "any", "unbroken", "titled"


class Token(NamedTuple):
    read: str  # folded text
    forms: tuple[str, ...]  # loose keys: digits/symbols as letters; as written; without end digits, inner ! or |
    cap: bool  # written with a capital first letter
    letter: bool  # a single letter (an initial?)
    dotted: bool  # followed by a full stop
    joined: bool  # no space before it: part of the previous token's word
    brk: bool  # a clause break (, ; : ! ? brackets, quotes, a sentence's full stop) before it
    start: int
    end: int


class Unit(NamedTuple):
    """A name part as found in a prompt: its loose key, its folded text and its capitalisation."""

    key: str
    read: str
    cap: bool


class PromptKeys(frozenset):
    """The candidate keys of a prompt (a frozenset of str), with the evidence `matched_names` needs:
    `titled`, the keys found with every word capitalised; `unbroken`, the keys found without a clause
    break inside; `pairs`, fragment key → the (Unit, Unit) pairs of the prompt that produced it
    (worked out on first use: most checks never need it)."""

    def __new__(cls, keys: Iterable[str] = (), *, texts: Iterable[str] = ()):
        obj = super().__new__(cls, keys)
        obj.texts = tuple(texts)
        obj._evidence = None
        return obj

    def _scan(self) -> _PromptScan:
        if self._evidence is None:
            self._evidence = _PromptScan(evidence=True)
            for text in self.texts:
                self._evidence.add_text(text)
        return self._evidence

    @property
    def titled(self) -> set[str]:
        return self._scan().titled

    @property
    def unbroken(self) -> set[str]:
        return self._scan().unbroken

    @property
    def pairs(self) -> dict[str, list[tuple[Unit, Unit]]]:
        return self._scan().pairs


def normalize(text: str) -> str:
    """Folded text: no accents, case-folded, look-alike letters mapped to Latin (see rights.name_folding)."""
    return fold(map_text(text))


@lru_cache(maxsize=65536)
def _token_forms(raw: str) -> tuple[str, tuple[str, ...]]:
    """A token's folded text and its loose keys: digits and symbols read as letters, then as written,
    then without digits and symbols at its ends ("Reyes2" → reyes) or between letters ("P|ark" → park)."""
    read = fold(raw)
    forms = [unit_key(loose(as_letters(read)))]
    for variant in (read, fold(_EDGES.sub("", raw)), fold(_INNER_SYMBOLS.sub("", raw))):
        if variant and (alternative := unit_key(loose(variant if variant is read else as_letters(variant)))) not in forms:
            forms.append(alternative)
    return read, tuple(forms)


@lru_cache(maxsize=65536)
def _name_token_key(raw: str) -> str:
    """A name's token as a key: its digits and symbols are its own and stay as written."""
    return unit_key(loose(fold(raw)))


def _tokens(mapped: str) -> list[Token]:
    out: list[Token] = []
    previous: Token | None = None
    for match in _TOKEN.finditer(mapped):
        raw, start, end = match.group(), match.start(), match.end()
        read, forms = _token_forms(raw)
        if not read:
            continue
        joined = brk = False
        if previous is not None:
            gap = mapped[previous.end:start]
            joined = not _SPACE.search(gap) and not (gap == "'" and read in _CLITICS)
            brk = not joined and bool(_BREAK.search(gap[1:] if previous.letter and gap.startswith(".") else gap))
        letter, dotted = len(read) == 1 and read.isalpha(), mapped[end:end + 1] == "."
        previous = Token(read, forms, raw[0].isupper(), letter, dotted, joined, brk, start, end)
        out.append(previous)
    return out


def tokens(text: str) -> list[str]:
    """The folded tokens of `text` (for display and duplicate checks; keys use the loose forms)."""
    return [t.read for t in _tokens(map_text(text))]


# ---------------------------------------------------------------- keys shared by both sides

def _pair_key(x: str, y: str) -> str:
    """Two parts side by side: concatenated, or `|`-joined when one is a `^`-marked initial."""
    return f"{x}|{y}" if x.startswith("^") or y.startswith("^") else x + y


def _fragment_keys(x: str, y: str, min_chars: int) -> list[str]:
    """Keys that survive one edit of a long part: the other part exact, plus the long part's first
    three or last two letters (an edit at position p leaves the first three when p >= 3 and the last
    two when p <= len - 3)."""
    out = []
    if len(y) >= min_chars and not y.startswith("^"):
        out += [f"~{x}|<{y[:3]}", f"~{x}|>{y[-2:]}"]
    if len(x) >= min_chars and not x.startswith("^"):
        out += [f"~<{x[:3]}|{y}", f"~>{x[-2:]}|{y}"]
    return out


# ---------------------------------------------------------------- the talent side

class _Part(NamedTuple):
    key: str  # the concatenated loose keys of its tokens
    read: str


class _Need(NamedTuple):
    """When a form found in a prompt counts: always (ANY); UNBROKEN, not across a clause break when all
    `words` are common words; TITLED, only with every word capitalised when `words[0]` (the leading
    part of a reordered form) is a common word."""

    kind: str
    words: tuple[str, ...] = ()


class _Forms(NamedTuple):
    exact: dict[str, list[_Need]]
    pairs: list[tuple[str, str, _Need]]  # two-part forms that may be found with one misspelt part


def _parts(value: str) -> list[_Part]:
    parts = []
    for chunk in _PART_SEPARATOR.split(map_text(value)):
        raws = _TOKEN.findall(chunk)
        read = "".join(fold(raw) for raw in raws)
        if read:
            parts.append(_Part("".join(_name_token_key(raw) for raw in raws), read))
    return parts


@lru_cache(maxsize=4096)
def _forms(value: str) -> _Forms:
    parts = _parts(value)
    exact: dict[str, list[_Need]] = defaultdict(list)

    def add(key: str, need: _Need) -> None:
        if len(key.replace("^", "").replace("|", "")) >= MIN_KEY_CHARS:
            exact[key].append(need)

    def add_parts(sequence: list[_Part], need: _Need) -> None:
        add("".join(p.key for p in sequence), need)

    if not parts:
        return _Forms({}, [])
    add_parts(parts, _Need(UNBROKEN, tuple(p.read for p in parts)))
    if len(parts) == 1:
        return _Forms(dict(exact), [])
    first, last = parts[0], parts[-1]
    forward, reordered = _Need(UNBROKEN, (first.read, last.read)), _Need(TITLED, (last.read,))
    add_parts([last, *parts[:-1]], reordered)
    add_parts([*parts[1:], first], _Need(TITLED, (parts[1].read,)))
    if len(parts) >= 3:
        add_parts([first, last], forward)
        add_parts([last, first], reordered)
    pairs = [(first.key, last.key, _Need(ANY)), (last.key, first.key, reordered)]
    if len(first.key) >= 2:
        initial = "^" + first.key[0]
        add(_pair_key(initial, last.key), _Need(ANY))
        add(_pair_key(last.key, initial), reordered)
        pairs.append((initial, last.key, _Need(ANY)))
    if len(last.key) >= 2:
        initial = "^" + last.key[0]
        add(_pair_key(initial, first.key), _Need(ANY))
        add(_pair_key(first.key, initial), _Need(ANY))
    return _Forms(dict(exact), pairs)


def name_keys(name: str) -> set[str]:
    """The stored keys of one name or alias: its forms and fragment keys (see the module docstring)."""
    forms = _forms(name)
    keys = set(forms.exact)
    for x, y, _need in forms.pairs:
        keys.update(_fragment_keys(x, y, FUZZY_MIN_CHARS))
    return keys


def talent_keys(name: str, aliases: Iterable[str] = ()) -> list[str]:
    keys: set[str] = set()
    for value in [name, *aliases]:
        keys |= name_keys(value)
    return sorted(keys)


def name_problem(value: str) -> str | None:
    """Why `value` cannot be used as a talent name or alias, or None."""
    joined = "".join(tokens(value))
    if len(joined) < MIN_KEY_CHARS:
        return f"'{value}' needs at least {MIN_KEY_CHARS} letters or digits to be recognised in prompts."
    if len(joined) > MAX_KEY_CHARS:
        return f"'{value}' is too long to match; keep names and aliases under {MAX_KEY_CHARS} letters and digits."
    if sum(len(t) > 2 for t in tokens(value)) > MAX_NAME_WORDS:
        return f"'{value}' has more than {MAX_NAME_WORDS} words; register the name or alias people actually use."
    return None


# ---------------------------------------------------------------- the prompt side

class _PromptScan:
    """Builds a prompt's candidate keys (or, with `evidence`, the pairs behind its fragment keys)."""

    def __init__(self, *, evidence: bool = False) -> None:
        self.evidence = evidence
        self.keys: set[str] = set()
        self.titled: set[str] = set()
        self.unbroken: set[str] = set()
        self.pairs: dict[str, list[tuple[Unit, Unit]]] = defaultdict(list)
        self.texts: list[str] = []

    def add_text(self, text: str) -> None:
        self.texts.append(text)
        mapped = map_text(text)
        toks = _tokens(mapped)
        if self.evidence:
            self._run_evidence(toks)
        else:
            self._runs(toks)
        self._pairs(mapped, toks)

    def result(self) -> PromptKeys:
        return PromptKeys(self.keys, texts=self.texts)

    def _runs(self, toks: list[Token]) -> None:
        """Every concatenation of consecutive whole tokens that could equal a key."""
        n = len(toks)
        keys = self.keys
        firsts = [t.forms[0] for t in toks]
        words = [len(f) > 2 for f in firsts]
        varied = [i for i, t in enumerate(toks) if len(t.forms) > 1]
        for i in range(n):
            primary, count = "", 0
            if not any(i <= v < i + MAX_VARIANT_SPAN for v in varied):  # the usual case: one form per token
                for j in range(i, min(n, i + MAX_SPAN_TOKENS)):
                    primary += firsts[j]
                    count += words[j]
                    if len(primary) > MAX_KEY_CHARS or count > MAX_NAME_WORDS:
                        break
                    if len(primary) >= MIN_KEY_CHARS:
                        keys.add(primary)
                continue
            partials = [""]
            for j in range(i, min(n, i + MAX_SPAN_TOKENS)):
                forms = toks[j].forms
                primary += forms[0]
                count += words[j]
                if len(primary) > MAX_KEY_CHARS or count > MAX_NAME_WORDS:
                    break
                if j - i < MAX_VARIANT_SPAN and (len(partials) > 1 or len(forms) > 1):
                    partials = [p + f for p in partials for f in forms]
                    keys.update(p for p in partials if len(p) >= MIN_KEY_CHARS)
                else:
                    partials = [primary]
                    if len(primary) >= MIN_KEY_CHARS:
                        keys.add(primary)

    def _run_evidence(self, toks: list[Token]) -> None:
        """The runs again, noting which were found with every word capitalised and without a break."""
        n = len(toks)
        keys, titled, unbroken = self.keys, self.titled, self.unbroken
        for i in range(n):
            partials = [""]
            primary, count = "", 0
            is_titled, is_unbroken = toks[i].cap, True
            for j in range(i, min(n, i + MAX_SPAN_TOKENS)):
                tok = toks[j]
                primary += tok.forms[0]
                count += len(tok.forms[0]) > 2
                if len(primary) > MAX_KEY_CHARS or count > MAX_NAME_WORDS:
                    break
                if j > i:
                    is_titled = is_titled and (tok.cap or tok.joined)
                    is_unbroken = is_unbroken and not tok.brk
                if j - i < MAX_VARIANT_SPAN and (len(partials) > 1 or len(tok.forms) > 1):
                    partials = [p + f for p in partials for f in tok.forms]
                    found = [p for p in partials if len(p) >= MIN_KEY_CHARS]
                else:
                    partials = [primary]
                    found = [primary] if len(primary) >= MIN_KEY_CHARS else []
                keys.update(found)
                if is_titled:
                    titled.update(found)
                if is_unbroken:
                    unbroken.update(found)

    def _pair(self, a: Unit, b: Unit, *, exact: bool) -> None:
        if exact:
            key = _pair_key(a.key, b.key)
            self.keys.add(key)
            if self.evidence:
                self.unbroken.add(key)
                if a.cap and b.cap:
                    self.titled.add(key)
        fragments = _fragment_keys(a.key, b.key, FUZZY_MIN_CHARS - 1)
        if self.evidence:
            for key in fragments:
                self.pairs[key].append((a, b))
        else:
            self.keys.update(fragments)

    def _pairs(self, mapped: str, toks: list[Token]) -> None:
        """Two-part candidates: neighbouring words (for misspellings), words around middle initials,
        a quoted nickname or a middle name, and an initial next to a word."""
        n = len(toks)
        if n < 2:
            return
        ends, starts = _word_units(toks)
        short = FUZZY_MIN_CHARS - 1
        for i in range(n - 1):
            for a in ends[i]:
                for b in starts[i + 1]:
                    if self.evidence or len(a.key) >= short or len(b.key) >= short:
                        self._pair(a, b, exact=False)
            after = toks[i + 1]  # a middle initial, a middle name, or a nickname's opening quote?
            if not (after.letter or (after.cap and toks[i].cap) or _OPENING.search(mapped, toks[i].end, after.start)):
                continue
            for j in range(i + 2, min(n, i + 2 + MAX_SKIPPED_TOKENS)):
                if _skippable(mapped, toks, i, j):
                    for a in ends[i]:
                        for b in starts[j]:
                            self._pair(a, b, exact=True)
        for i, tok in enumerate(toks):
            if not tok.letter:
                continue
            initial = Unit("^" + tok.forms[0], tok.read, tok.cap)
            if i + 1 < n:
                for b in starts[i + 1]:
                    if _is_initial(tok, neighbour_cap=b.cap):
                        self._pair(initial, b, exact=True)
            if i > 0:
                for a in ends[i - 1]:
                    if _is_initial(tok, neighbour_cap=a.cap):
                        self._pair(a, initial, exact=True)


def _span_units(toks: list[Token], lo: int, hi: int) -> list[Unit]:
    """The unit made of tokens lo..hi (one word), as written and without end digits/symbols."""
    if lo == hi:
        tok = toks[lo]
        return [Unit(f, tok.read, tok.cap) for f in tok.forms]
    span = toks[lo:hi + 1]
    read = "".join(t.read for t in span)
    middle = "".join(t.forms[0] for t in span[1:-1])
    values = {f + middle + g for f in span[0].forms for g in span[-1].forms}
    return [Unit(v, read, span[0].cap) for v in sorted(values) if v]


def _word_units(toks: list[Token]) -> tuple[list[list[Unit]], list[list[Unit]]]:
    """For each token: the units that end with it and those that start with it (the token alone, and
    its word up to it / from it when the word has several tokens, as in "Ji-ho")."""
    n = len(toks)
    word_start, word_end = list(range(n)), list(range(n))
    for i in range(1, n):
        if toks[i].joined:
            word_start[i] = word_start[i - 1]
    for i in range(n - 2, -1, -1):
        if toks[i + 1].joined:
            word_end[i] = word_end[i + 1]
    ends, starts = [], []
    for i in range(n):
        alone = _span_units(toks, i, i)
        ends.append(alone + (_span_units(toks, word_start[i], i) if 0 < i - word_start[i] < MAX_SPAN_TOKENS else []))
        starts.append(alone + (_span_units(toks, i, word_end[i]) if 0 < word_end[i] - i < MAX_SPAN_TOKENS else []))
    return ends, starts


def _is_initial(tok: Token, *, neighbour_cap: bool) -> bool:
    """A single letter used as an initial: followed by a full stop, or a capital (not A, I or O)
    next to a capitalised word."""
    return tok.letter and (tok.dotted or (tok.cap and neighbour_cap and tok.read not in WORD_LETTERS))


def _skippable(mapped: str, toks: list[Token], i: int, j: int) -> bool:
    """May the tokens between i and j be skipped? They must be nicknames in quotes or brackets, one or
    two middle initials, or one middle name (capitalised, between capitalised names), nothing else."""
    first, last, middle = toks[i], toks[j], toks[i + 1:j]
    start, end = first.end, last.start
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(mapped, start, end)]
    rest = [t for t in middle if not any(a <= t.start < b for a, b in quoted)]
    outer_cap = first.cap and last.cap
    if rest and all(t.letter for t in rest):
        if len(rest) > 2 or not all(t.dotted or (t.cap and outer_cap) for t in rest):
            return False
    elif rest:  # a middle name: one capitalised word of letters
        if not (outer_cap and rest[0].cap and not rest[0].joined and all(t.joined for t in rest[1:])):
            return False
        if not all(t.read.isalpha() for t in rest) or sum(len(t.read) for t in rest) < 2:
            return False
    # Between the names, apart from the nicknames and middle letters or name: only spaces and full stops.
    cut = sorted([*quoted, *((t.start, t.end) for t in rest)])
    outside, position = [], start
    for a, b in cut:
        outside.append(mapped[position:a])
        position = b
    outside.append(mapped[position:end])
    return all(c.isspace() or c in ".-" for c in "".join(outside)) and any(c.isspace() for c in outside[0] + outside[-1])


def prompt_keys(*texts: str) -> PromptKeys:
    """The candidate keys of the prompt and negative prompt (each text on its own), with evidence."""
    scan = _PromptScan()
    for text in texts:
        if text:
            scan.add_text(text)
    return scan.result()


# ---------------------------------------------------------------- deciding

def _satisfied(need: _Need, key: str, keys: set[str]) -> bool:
    if need.kind == UNBROKEN:
        return not all(lexicon.is_common(w) for w in need.words) or key in getattr(keys, "unbroken", keys)
    if need.kind == TITLED:
        return not lexicon.is_common(need.words[0]) or key in getattr(keys, "titled", keys)
    return True


def _near(name_part: str, unit: Unit) -> bool:
    """A prompt word one edit away from a long name part, and not a real word itself."""
    return (
        not name_part.startswith("^") and len(name_part) >= FUZZY_MIN_CHARS and unit.key != name_part
        and OSA.distance(name_part, unit.key, score_cutoff=1) <= 1 and not lexicon.is_word(unit.read)
    )


def _found(forms: _Forms, keys: set[str]) -> bool:
    for key, needs in forms.exact.items():
        if key in keys and any(_satisfied(need, key, keys) for need in needs):
            return True
    for x, y, need in forms.pairs:
        hits = [key for key in _fragment_keys(x, y, FUZZY_MIN_CHARS) if key in keys]
        evidence = getattr(keys, "pairs", None) if hits else None
        for a, b in (pair for key in hits for pair in (evidence or {}).get(key, ())):
            if need.kind == TITLED and not (a.cap and b.cap) and lexicon.is_common(need.words[0]):
                continue
            if (a.key == x and _near(y, b)) or (b.key == y and _near(x, a)):
                return True
    return False


def matched_names(*, name: str, aliases: Iterable[str], keys: set[str]) -> list[str]:
    """Which of a talent's name and aliases the prompt names (`keys` from `prompt_keys`). Given a
    plain set of keys instead, every stored form counts and misspellings are not looked for.

    Values written in full in the prompt are reported; when none is, every value found another way
    (initial, other order, misspelt, without its middle name)."""
    values = [name, *aliases]
    return [v for v in values if _in_full(v, keys)] or [v for v in values if _found(_forms(v), keys)]


def _in_full(value: str, keys: set[str]) -> bool:
    full = "".join(p.key for p in _parts(value))
    return full in keys and any(_satisfied(need, full, keys) for need in _forms(value).exact.get(full, ()))
