"""Analyst search queries → FTS5 expressions and highlight spans, Arabic-aware.

The search index (``storage.search``) holds each article's *normalised* text
(:func:`filters.normalize.normalize`, tokens split as :mod:`filters.tokenize` does),
so a query is normalised the same way and every word is expanded into the clitic
spellings the matcher uses (:func:`filters.clitics.term_variants`): ``المغرب`` also
finds ``بالمغرب``، ``وللمغرب``، ``مغربيه``...  Going from the query to the text's
spellings, not stemming the text, keeps the index plain and the highlighting exact:
a hit is a run of whole tokens equal to one of the variants.

Query syntax (deliberately small):

* words are ANDed: ``تعاون امني`` finds articles holding both words anywhere;
* ``"..."`` is a phrase: ``"التعاون الأمني"`` finds the words next to each other;
* a word typed with the article and its proclitics (``والمغرب``، ``للمغرب``) also finds
  the bare word (``المغرب``).

A query that cannot be read (an unclosed quote, nothing searchable) raises
:class:`raqib.errors.QueryError` with a message for the analyst: the web page shows
it instead of failing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from filters.clitics import PREFIXES, expand_suffixes, term_variants
from filters.normalize import normalize, normalize_with_offsets, original_span
from filters.tokenize import tokenize
from raqib.errors import QueryError

__all__ = ["Clause", "parse_query", "fts_expression", "index_text", "find_spans", "MAX_QUERY_CHARS"]

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 12
#: Suffixes a searched word may carry in the text (normalised spelling).
SEARCH_SUFFIXES: tuple[str, ...] = expand_suffixes(["pronouns", "plural", "nisba", "feminine"])
#: Proclitic chains stripped from a typed word, longest first (only when ≥ 3 letters
#: remain).  Only chains holding the article: a lone و/ف/ب/ك/ل is too often part of the
#: word (وزارة، بلاغ، لجنة), and stripping it would also find unrelated words (زاره).
_STRIP = sorted((p for p in PREFIXES if p.endswith(("ال", "لل"))), key=len, reverse=True)
_QUOTE_RE = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class Clause:
    """One word or phrase of a query: ``text`` as typed, and every normalised spelling
    (space-separated tokens) that counts as a hit for it."""

    text: str
    variants: frozenset[str]


def index_text(text: str) -> str:
    """The text as the search index stores it: normalised, one space between tokens."""
    return " ".join(t.text for t in tokenize(normalize(text or "")))


def _bases(norm_words: list[str]) -> set[str]:
    """The typed spelling, plus the first word without its proclitics (``والمغرب`` → ``المغرب``)."""
    out = {" ".join(norm_words)}
    first = norm_words[0]
    for p in _STRIP:
        if first.startswith(p) and len(first) - len(p) >= 3:
            rest = first[len(p):]
            if p.endswith("لل"):
                rest = "ال" + rest          # لل = ل + ال: للمغرب → المغرب
            out.add(" ".join([rest] + norm_words[1:]))
            break
    return out


def _clause(text: str) -> Clause | None:
    words = [t.text for t in tokenize(normalize(text))]
    if not words:
        return None
    variants: set[str] = set()
    for base in _bases(words):
        variants |= term_variants(base, SEARCH_SUFFIXES)
    return Clause(text, frozenset(variants))


def parse_query(query: str) -> list[Clause]:
    """Split an analyst's query into clauses (see the module doc for the syntax).

    Raises:
        QueryError: unbalanced quotes, an over-long query, or nothing searchable.
    """
    query = (query or "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(query)} characters; at most {MAX_QUERY_CHARS})")
    if query.count('"') % 2:
        raise QueryError('unbalanced quote in the query: close the phrase with a second " or remove it')
    clauses: list[Clause] = []
    for m in _QUOTE_RE.finditer(query):
        c = _clause(m.group(1) if m.group(1) is not None else m.group(2))
        if c is not None and c not in clauses:
            clauses.append(c)
    if not clauses:
        raise QueryError(f"nothing to search for in {query!r}: type at least one word (letters or digits)")
    if len(clauses) > MAX_CLAUSES:
        raise QueryError(f"too many words in the query ({len(clauses)}; at most {MAX_CLAUSES})")
    return clauses


def fts_expression(clauses: list[Clause]) -> str:
    """The FTS5 MATCH expression: each clause an OR of quoted variants, clauses ANDed."""
    parts = []
    for c in clauses:
        alts = " OR ".join('"' + v.replace('"', '""') + '"' for v in sorted(c.variants))
        parts.append(f"({alts})")
    return " AND ".join(parts)


def find_spans(text: str, clauses: list[Clause]) -> list[tuple[int, int, str]]:
    """Where the clauses occur in ``text``: ``(start, end, clause text)`` in original offsets.

    Hits are runs of whole normalised tokens equal to a variant, so highlighting agrees
    with what the index matched.
    """
    if not text or not clauses:
        return []
    norm, offsets = normalize_with_offsets(text)
    toks = tokenize(norm)
    words = [t.text for t in toks]
    wanted: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for c in clauses:
        for v in c.variants:
            parts = tuple(v.split(" "))
            wanted.setdefault(parts[0], []).append((parts, c.text))
    out = []
    for i, w in enumerate(words):
        for parts, label in wanted.get(w, ()):
            n = len(parts)
            if tuple(words[i:i + n]) == parts:
                s, e = original_span(text, offsets, toks[i].start, toks[i + n - 1].end)
                out.append((s, e, label))
    return sorted(set(out))
