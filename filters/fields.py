"""An article field as the matcher reads it: normalised text with offsets back to the
original, token boundaries, and where paragraphs, sentences and passages break.

Kept apart from :mod:`filters.matcher` so the one place that decides what counts as a
sentence, a paragraph or a phrase break is small and readable.
"""

from __future__ import annotations

import bisect
import re

from filters.normalize import normalize_with_offsets, original_span
from filters.scoring import passages
from filters.tokenize import TokenIndex

__all__ = ["Field", "SNIPPET_CHARS", "breaks"]

SNIPPET_CHARS = 60
#: Characters that end a sentence (graded scopes) — the newline ends a paragraph too.
_SENTENCE_END = re.compile(r"[.!?؟؛\n]")
_NEWLINE = re.compile(r"\n")
#: Characters that end a phrase for the senses' windows and clauses.  Not quote marks: they
#: open or close a quotation inside the phrase (يدعون إلى «منظومة إفريقية للتعاون الأمني»).
_PHRASE_BREAK = re.compile(r"[.,،;؛:!?؟()\[\]\n]")
#: a source named between two commas (، حسب المصدر ذاته،  ، وفق المصدر نفسه،): a parenthesis
#: (not كما alone: "، كما أوقفت ..." opens a new clause; كما أفاد المصدر is a source)
_ATTRIBUTION = re.compile(r"[،,]\s*(?:و?(?:حسب|بحسب|وفق|وفقا ل|طبقا ل|استنادا إلى|استنادا ل|نقلا عن"
                          r"|كما (?:أفاد|أفادت|أوضح|أوضحت|ذكر|ذكرت|قال|قالت|أكد|أكدت|أشار|أشارت)))"
                          r"[^،,.;؛:!?؟()\[\]«»\"\n]{1,40}[،,]")


def breaks(text: str) -> tuple[list[int], list[int]]:
    """Offsets of ``text``'s paragraph breaks (newlines, not counting blank lines before
    the first paragraph) and of its sentence ends: what ``para_of``/``sent_of`` count,
    for readers of stored offsets (relevance/evidence.py) as for the matcher."""
    lead = len(text) - len(text.lstrip())      # blank lines before the first paragraph
    return [m.start() for m in _NEWLINE.finditer(text, lead)], [m.start() for m in _SENTENCE_END.finditer(text)]


class Field:
    """One article field (title or body): its normalised text, token index, and the
    paragraph, sentence and passage boundaries the scopes of rules are counted in."""

    __slots__ = ("name", "text", "norm", "offsets", "index", "breaks", "sbreaks", "passages")

    def __init__(self, name: str, text: str):
        self.name = name
        self.text = text
        self.norm, self.offsets = normalize_with_offsets(text)
        self.index = TokenIndex(self.norm)
        self.breaks, self.sbreaks = breaks(text)
        self.passages = passages([len(p.split()) for p in text.lstrip().split("\n")])

    def para_of(self, start: int) -> int:
        return bisect.bisect_left(self.breaks, start)

    def sent_of(self, start: int) -> int:
        return bisect.bisect_left(self.sbreaks, start)

    def gap_clean(self, nstart: int, nend: int) -> bool:
        """No phrase-ending punctuation in the original text between two normalised offsets.

        A source named between two commas (ينحدر المهاجرون، حسب المصدر ذاته، من السنغال) is a
        parenthesis, not a break: the phrase goes on around it."""
        gap = self._gap(nstart, nend)
        return not _PHRASE_BREAK.search(gap) or not _PHRASE_BREAK.search(_ATTRIBUTION.sub(" ", gap))

    def waw_word(self, w: int) -> bool:
        """Word ``w`` is written with the conjunction و attached (ومالي): one more item of a list."""
        spans = self.index.spans
        return 0 <= w < len(spans) and spans[w][1] - spans[w][0] > 2 and self.norm[spans[w][0]] == "و"

    def same_sentence(self, nstart: int, nend: int) -> bool:
        """No sentence end in the original text between two normalised offsets."""
        return self._unbroken(_SENTENCE_END, nstart, nend)

    def _unbroken(self, pattern: re.Pattern, nstart: int, nend: int) -> bool:
        return not pattern.search(self._gap(nstart, nend))

    def _gap(self, nstart: int, nend: int) -> str:
        """The original text between two normalised offsets ("" when they do not enclose any)."""
        s, e = original_span(self.text, self.offsets, nstart, nend) if nend > nstart else (0, 0)
        return self.text[s:e] if e > s else ""

    def snippet(self, start: int, end: int) -> str:
        pad = max(0, (SNIPPET_CHARS - (end - start)) // 2)
        s, e = max(0, start - pad), min(len(self.text), end + pad)
        text = " ".join(self.text[s:e].split())
        return ("…" if s > 0 else "") + text + ("…" if e < len(self.text) else "")
