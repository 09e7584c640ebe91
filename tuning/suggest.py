"""Suggest watchlist terms from the analysts' labels.

A phrase that occurs in many stories marked relevant and few marked irrelevant is a
candidate term to add; the reverse is a candidate exclusion.  Ranking is by the
difference of the two document shares (``a/R − b/I``): it favours phrases that are
both frequent and one-sided, and puts function words (frequent in both) near zero
without a stop-word list.

Two stages: phrases are first counted cheaply (below) to make a shortlist, then each
shortlisted phrase is recounted with the real matcher, as if it were a watchlist
term (clitics, definite and indefinite forms, whole tokens), and the shortlist is
re-ranked on those counts.  The figures shown are therefore what the phrase would
match if an analyst added it.

For the shortlist, phrases are normalised (see :mod:`filters.normalize`) and the
proclitics in front of a definite article are folded (``والتعاون``، ``بالتعاون``، ``للتعاون`` → ``التعاون``) so
counts are not split across spellings, and a suggestion can be pasted into a
watchlist as is: the matcher adds those clitics back.  Bare ``و``/``ب``/``ل`` are *not*
stripped from indefinite words (``وزير`` is not ``و`` + ``زير``), for the reason given
in :mod:`filters.clitics`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from filters.gazetteer import Gazetteer
from filters.matcher import Matcher
from filters.normalize import normalize_with_offsets, original_span
from filters.tokenize import tokenize
from filters.watchlist import Rule, Term, TermGroup, Watchlist

__all__ = ["fold", "phrases", "Suggestion", "suggest", "known_terms"]

#: Proclitic chains folded onto a following ال (longest first).
_BEFORE_AL = ("وبال", "فبال", "وكال", "فكال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل")
MIN_LETTERS = 3


def _is_arabic(token: str) -> bool:
    return all("\u0621" <= c <= "\u064a" for c in token)


def _fold_len(token: str) -> int:
    """How many leading letters :func:`fold` replaces by ``ال`` (0: the word stays whole)."""
    for p in _BEFORE_AL:
        if token.startswith(p) and len(token) - len(p) >= MIN_LETTERS:
            return len(p)
    return 0


def fold(token: str) -> str:
    """Fold proclitics in front of the article: ``وبالمغرب`` → ``المغرب``, ``للتعاون`` → ``التعاون``.

    ``لل`` + stem is ل + ال with the alef dropped, so it becomes ``ال`` + stem.  A fold
    must leave at least three letters after ``ال``, so short words are kept whole.
    """
    n = _fold_len(token)
    return "ال" + token[n:] if n else token


def phrases(text: str, max_words: int = 2) -> dict[str, str]:
    """The distinct 1..max_words-word phrases of ``text``: normalised key → surface form.

    Only the first word of a phrase is folded (the matcher adds clitics to the first
    word only, see :mod:`filters.clitics`), so a suggestion is a term the matcher can
    use as written.  Punctuation is dropped by normalisation, exactly as the matcher
    sees the text, so a phrase may span a comma; a Latin or digit token breaks it.
    Words of fewer than three letters do not start a phrase.
    """
    text = text or ""
    norm, offsets = normalize_with_offsets(text)
    tokens = tokenize(norm)
    arabic = [_is_arabic(t.text) for t in tokens]
    out: dict[str, str] = {}
    for i, tok in enumerate(tokens):
        if not arabic[i]:
            continue
        cut = _fold_len(tok.text)
        first = "ال" + tok.text[cut:] if cut else tok.text
        if len(first) < MIN_LETTERS:
            continue
        words = [first]
        for j in range(i, min(i + max_words, len(tokens))):
            if j > i:
                if not arabic[j]:
                    break
                words.append(tokens[j].text)
            key = " ".join(words)
            if key not in out:
                s, e = original_span(text, offsets, tok.start + cut, tokens[j].end)
                out[key] = ("ال" if cut else "") + " ".join(text[s:e].split())
    return out


@dataclass(frozen=True)
class Suggestion:
    phrase: str
    relevant: int               # labelled-relevant stories containing it
    irrelevant: int             # labelled-irrelevant stories containing it
    score: float                # share in one class minus share in the other
    in_watchlist: str = ""      # the group that already matches it, if any
    key: str = ""               # normalised form (what the matcher compares)

    def to_dict(self, totals: tuple[int, int]) -> dict:
        return {"phrase": self.phrase, "normalised": self.key, "relevant": self.relevant, "relevant_total": totals[0],
                "irrelevant": self.irrelevant, "irrelevant_total": totals[1],
                "score": round(self.score, 4), "in_watchlist": self.in_watchlist}


def known_terms(watchlists: Iterable[Watchlist]) -> dict[str, str]:
    """Every normalised spelling a watchlist already matches → ``watchlist/group``."""
    out: dict[str, str] = {}
    for wl in watchlists:
        for gname, group in wl.groups.items():
            for term in group.terms:
                for key in term.keys():
                    out.setdefault(key, f"{wl.name}/{gname}")
    return out


def suggest(relevant: Iterable[str], irrelevant: Iterable[str], *, known: dict[str, str] | None = None,
            min_docs: int = 2, top: int = 20, max_words: int = 2) -> tuple[list[Suggestion], list[Suggestion], tuple[int, int]]:
    """Rank phrases that separate the two classes of labelled texts.

    Returns:
        ``(to_add, to_exclude, (R, I))``: phrases over-represented in relevant texts
        (candidate terms), phrases over-represented in irrelevant texts (candidate
        exclusions), and the number of texts in each class.  A phrase must occur in at
        least ``min_docs`` texts of the class it is suggested for.
    """
    relevant, irrelevant = list(relevant), list(irrelevant)
    rel_df, irr_df = Counter(), Counter()
    surfaces: dict[str, Counter] = {}
    for texts, df in ((relevant, rel_df), (irrelevant, irr_df)):
        for text in texts:
            found = phrases(text, max_words)
            df.update(found.keys())
            for key, surface in found.items():
                surfaces.setdefault(key, Counter())[surface] += 1
    totals = (len(relevant), len(irrelevant))
    known = known or {}
    shortlist = {"add": [], "exclude": []}
    for phrase in set(rel_df) | set(irr_df):
        a, b = rel_df[phrase], irr_df[phrase]
        if max(a, b) < min_docs:
            continue
        shown = surfaces[phrase].most_common(1)[0][0]
        row = Suggestion(shown, a, b, _share(a, b, totals), known.get(phrase, ""), phrase)
        if row.score > 0:
            shortlist["add"].append(row)
        elif row.score < 0:
            shortlist["exclude"].append(row)
    pool = _rank(shortlist["add"], add=True)[:top * SHORTLIST] + _rank(shortlist["exclude"], add=False)[:top * SHORTLIST]
    counts = exact_counts([s.key for s in pool], relevant, irrelevant)
    exact = [Suggestion(s.phrase, a, b, _share(a, b, totals), s.in_watchlist, s.key)
             for s, (a, b) in zip(pool, counts)]
    add = _rank([s for s in exact if s.score > 0 and s.relevant >= min_docs], add=True)[:top]
    exclude = _rank([s for s in exact if s.score < 0 and s.irrelevant >= min_docs], add=False)[:top]
    return add, exclude, totals


#: Shortlist size per list, as a multiple of ``top``, before the exact recount.
SHORTLIST = 3


def _share(a: int, b: int, totals: tuple[int, int]) -> float:
    return (a / totals[0] if totals[0] else 0.0) - (b / totals[1] if totals[1] else 0.0)


def _rank(rows: list[Suggestion], *, add: bool) -> list[Suggestion]:
    """Best first; ties go to the more frequent, then the longer phrase (more specific)."""
    if add:
        return sorted(rows, key=lambda s: (-s.score, -s.relevant, -s.key.count(" "), s.key))
    return sorted(rows, key=lambda s: (s.score, -s.irrelevant, -s.key.count(" "), s.key))


def exact_counts(terms: list[str], relevant: list[str], irrelevant: list[str]) -> list[tuple[int, int]]:
    """For each term, how many relevant and irrelevant texts the matcher finds it in.

    Each term becomes its own group of a throwaway watchlist, so the counts follow the
    matcher's rules exactly (see :mod:`filters.clitics`).
    """
    if not terms:
        return []
    groups = {f"t{i}": TermGroup(f"t{i}", [Term(t, (), 1.0, ())]) for i, t in enumerate(terms)}
    wl = Watchlist("suggest", float("inf"), groups, {}, [Rule("any", any_of=tuple(groups))])
    matcher = Matcher([wl], Gazetteer())
    rel, irr = Counter(), Counter()
    for texts, counter in ((relevant, rel), (irrelevant, irr)):
        for text in texts:
            counter.update({m.group for m in matcher.score("", text)[0].matches})
    return [(rel[f"t{i}"], irr[f"t{i}"]) for i in range(len(terms))]
