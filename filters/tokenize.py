"""Tokens with spans on normalised text.

A token is a maximal run of Arabic letters, or a maximal run of other non-space
characters (Latin letters and digits).  Splitting at the Arabic/Latin boundary lets
``لـFBI`` (normalised ``لfbi``) yield the clitic ``ل`` and the token ``fbi``, and
``2030مونديال``-style typos still give two words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Token", "tokenize", "TokenIndex"]

_TOKEN_RE = re.compile(r"[\u0600-\u06FF\u0750-\u077F]+|[^\s\u0600-\u06FF\u0750-\u077F]+")


@dataclass(frozen=True)
class Token:
    text: str
    start: int          # index in the normalised text
    end: int            # exclusive


def tokenize(norm: str) -> list[Token]:
    """Split normalised text (see :mod:`filters.normalize`) into tokens with spans."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(norm)]


class TokenIndex:
    """Token boundaries of one normalised text, for whole-word checks and distances.

    Aho–Corasick reports every occurrence of a key, including ones inside longer
    words; a hit is kept only when it starts at a token start and ends at a token end.
    """

    __slots__ = ("_count", "_start_to_index", "_end_to_index", "spans", "first_of", "last_of")

    def __init__(self, norm: str):
        # spans straight from the regex, no Token objects: this runs on every article
        # field and the objects were most of its cost (bench/bench_pipeline.py --profile)
        spans = [m.span() for m in _TOKEN_RE.finditer(norm)]
        self.spans = spans
        self._count = len(spans)
        self._start_to_index = {s: i for i, (s, _) in enumerate(spans)}
        self._end_to_index = {e: i for i, (_, e) in enumerate(spans)}
        self.first_of = self._start_to_index.get     # start offset → token index (or None)
        self.last_of = self._end_to_index.get         # end offset → token index (or None)

    def word_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Indexes of the first and last token of ``[start, end)``, or None if the span
        does not begin and end on token boundaries."""
        first = self._start_to_index.get(start)
        if first is None:
            return None
        last = self._end_to_index.get(end)
        if last is None:
            return None
        return first, last

    def __len__(self) -> int:
        return self._count
