"""Arabic text normalisation with an index map back to the original text.

Matching runs on a *normalised* copy of each article so that one watchlist term covers
the many ways Arabic news sites spell the same word (with or without hamza seats,
diacritics, tatweel, Eastern digits, curly quotes...).  The review page, however,
highlights the *original* text, so :func:`normalize_with_offsets` also returns, for every
normalised character, the index of the original character it came from.

Choices (all deliberate, all lossy in the direction of recall):

* Diacritics are removed: harakat, tanwin, shadda, sukun (U+064B–U+065F), the dagger
  alef (U+0670), Quranic annotation marks (U+0610–U+061A, U+06D6–U+06ED) and tatweel
  (U+0640).  Invisible direction/joiner marks (ZWNJ, ZWJ, LRM, RLM, embeddings,
  isolates, BOM, soft hyphen) are removed too: editors paste them inside words.
* Alef forms أ إ آ ٱ (and the rare ٲ ٳ) → ا, because sites are inconsistent with hamza
  seats (إسبانيا / اسبانيا, الأمن / الامن).
* ى → ي (alef maqsura vs. ya are swapped constantly in the Maghreb press) and the Farsi
  ی → ي, ک → ك.
* ة → ه (ta marbuta is often typed as ha; both end words, so nothing is merged inside
  a word that was not already ambiguous).
* ؤ → و and ئ → ي: the hamza on a seat is dropped the same way as on alef, so
  مسؤول / مسئول / مسوول all meet.  The lone hamza ء is kept (it is a letter on the line).
* Arabic-Indic (٠-٩) and Persian (۰-۹) digits → ASCII 0-9.
* Every Unicode punctuation or symbol character (، ؛ ؟ « » ٪ “ ” - ... ) → space, and
  whitespace runs (including newlines) collapse to one space; leading and trailing
  spaces are dropped.  Paragraphs are recovered from the original text by offset.
* Latin letters are lower-cased (MI5 → mi5, FBI → fbi).
* Arabic presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF) are expanded with NFKC
  (ﻻ → لا), since PDFs and old CMSs still emit them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

__all__ = ["normalize", "normalize_with_offsets", "original_span", "DROPPED"]

_CHAR_MAP: dict[str, str] = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ي": "ي", "ک": "ك",
    "ة": "ه",
    "ؤ": "و", "ئ": "ي",
}
for _i in range(10):
    _CHAR_MAP[chr(0x0660 + _i)] = str(_i)
    _CHAR_MAP[chr(0x06F0 + _i)] = str(_i)

#: Code points removed outright (diacritics, tatweel, invisible marks).
DROPPED: frozenset[str] = frozenset(
    [chr(c) for c in range(0x064B, 0x0660)]
    + [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E5)]
    + [chr(c) for c in (0x06E7, 0x06E8, 0x06EA, 0x06EB, 0x06EC, 0x06ED)]
    + ["\u0670", "\u0640", "\u200c", "\u200d", "\u200e", "\u200f", "\u00ad",
       "\u061c", "\ufeff"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


@lru_cache(maxsize=4096)
def _map_char(ch: str) -> str:
    """The normalised replacement of one character: '' (dropped), ' ' or letters."""
    if ch in DROPPED:
        return ""
    if ch in _CHAR_MAP:
        return _CHAR_MAP[ch]
    code = ord(ch)
    if 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        return "".join(_map_char(c) for c in unicodedata.normalize("NFKC", ch))
    if ch.isspace() or ch == "\u200b":      # zero-width space separates words
        return " "
    cat = unicodedata.category(ch)
    if cat[0] in "PSZ" or cat == "Cc":
        return " "
    if cat in ("Mn", "Cf"):  # any other combining mark or format character
        return ""
    if code < 0x0600 and ch.isalpha():
        return ch.lower()
    return ch


class _Table(dict):
    """``str.translate`` table built lazily from :func:`_map_char`: one output character
    per input character, with dropped characters as NUL placeholders so positions line up."""

    def __missing__(self, code: int) -> str:
        rep = _map_char(chr(code))
        value = rep if len(rep) == 1 else "\0"
        self[code] = value
        return value


_TABLE = _Table()
#: Characters whose replacement is longer than one character (presentation forms).
_EXPANDING = re.compile("[\uFB50-\uFDFF\uFE70-\uFEFF]")


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalise ``text`` and map each normalised character to its original index.

    Returns:
        ``(norm, offsets)`` with ``len(offsets) == len(norm)`` and ``norm[i]`` derived
        from ``text[offsets[i]]``.  A normalised span ``[s, e)`` corresponds to the
        original span given by :func:`original_span`.

    Why vectorised: this runs on every article body and was the largest cost of
    matching (a Python loop per character).  ``str.translate`` maps every character in
    C, and numpy drops placeholders and collapses spaces while keeping the indices.
    Text with presentation forms (one character → several) takes the per-character path.
    """
    if not text:
        return "", []
    if _EXPANDING.search(text):
        return _normalize_slow(text)
    mapped = np.frombuffer(text.translate(_TABLE).encode("utf-32-le"), dtype=np.uint32)
    idx = np.flatnonzero(mapped)                 # drop NUL placeholders (removed characters)
    vals = mapped[idx]
    space = vals == 32
    # a space is dropped when it follows a space (or starts the text): runs collapse to one
    dup = space & np.concatenate(([True], space[:-1]))
    idx, vals = idx[~dup], vals[~dup]
    if len(vals) and vals[-1] == 32:
        idx, vals = idx[:-1], vals[:-1]
    return vals.tobytes().decode("utf-32-le"), idx.tolist()


def _normalize_slow(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    offsets: list[int] = []
    space = True                     # True while the last emitted char is a space (or at start)
    for i, ch in enumerate(text):
        rep = _map_char(ch)
        if not rep:
            continue
        if rep == " ":
            if not space:
                out.append(" ")
                offsets.append(i)
                space = True
            continue
        for r in rep:
            out.append(r)
            offsets.append(i)
        space = False
    if out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


def normalize(text: str) -> str:
    """Normalise ``text`` (see the module docstring for every rule applied)."""
    if len(text) <= _SHORT:
        return _normalize_short(text)
    return normalize_with_offsets(text)[0]


#: Terms, variants and gazetteer spellings are short and normalised many times while a
#: matcher is built (each crawl process builds one); they are cached, article text is not.
_SHORT = 80


@lru_cache(maxsize=32768)
def _normalize_short(text: str) -> str:
    return normalize_with_offsets(text)[0]


def original_span(text: str, offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a normalised span ``[start, end)`` back to ``text``.

    The end is extended over diacritics and tatweel that directly follow the last
    matched letter, so ``text[s:e]`` is the whole surface form a reader sees
    (``المغربُ`` rather than ``المغرب`` + a dangling damma).
    """
    if start >= end:
        raise ValueError(f"empty span {start}:{end}")
    s = offsets[start]
    e = offsets[end - 1] + 1
    n = len(text)
    while e < n and text[e] in DROPPED and not text[e].isspace():
        e += 1
    return s, e
