"""Clitic-aware term variants for whole-token matching.

Arabic writes conjunctions (و ف), prepositions (ب ل ك) and the article (ال) attached to
the next word: المغرب appears as والمغرب، بالمغرب، للمغرب، وللمغرب ...  Instead of
stripping clitics from every word of every article (and risking over-stripping a
word such as وزير or لجنة), we go the other way: each watchlist term is expanded
*once*, at load time, into the finite set of clitic-prefixed spellings of its first
word, and those strings go into the Aho–Corasick automaton.  A hit must then start
and end on token boundaries, so ``أمن`` never matches inside ``الأمنية``.

Rules (documented because analysts rely on them):

* Only the **first word** of a multi-word term takes proclitics: ``التعاون الأمني``
  matches ``وبالتعاون الأمني`` but the second word is matched as written.
* If the first word starts with ``ال`` (and has at least two letters after it), both the
  definite base and the full word take prefixes, so ``المغرب`` yields ``مغرب``، ``بالمغرب``،
  ``للمغرب`` (ل + ال → لل), ``وللمغرب`` ... and ``ألمانيا`` (normalised ``المانيا``, whose
  ``ال`` is part of the name) still yields ``لالمانيا`` and ``بالمانيا``.
* Indefinite/definite agreement of later words is **not** generated: list
  ``تعاون أمني`` as a variant of ``التعاون الأمني`` when you want both.
* Suffixes are off by default.  A term group may opt in with ``suffixes:`` — named sets
  below or literal strings — and the suffixes then attach to the **last word** only.
  That is how ``أمني`` can also catch ``أمنية``/``أمنيين`` while ``أمن`` stays exact.
* A term that itself begins with a clitic letter (``وزير``، ``لجنة``، ``بلاغ``) is never
  stripped: it is simply prefixed, so over-stripping cannot happen.  The price is that a
  very short term whose clitic-prefixed form is another word (e.g. a term ``زير`` would
  match ``وزير``) matches that word; keep terms at least three letters long.
"""

from __future__ import annotations

import re
from functools import lru_cache

from filters.normalize import normalize

__all__ = ["PREFIXES", "SUFFIX_SETS", "expand_suffixes", "term_variants", "term_matches", "possessed_forms",
           "POSSESSOR_SUFFIXES"]

#: Proclitic chains, outermost first (conjunction, then preposition, then article).
PREFIXES: tuple[str, ...] = (
    "", "و", "ف", "ب", "ك", "ل",
    "وب", "فب", "وك", "فك", "ول", "فل",
    "ال", "وال", "فال", "بال", "كال", "وبال", "فبال", "وكال", "فكال",
    "لل", "ولل", "فلل",
)

#: Named suffix sets a term group can opt into (all in normalised spelling: ة → ه).
SUFFIX_SETS: dict[str, tuple[str, ...]] = {
    # attached pronouns: تعاونها، شراكتهم، تنسيقنا (ة before a pronoun is written ت)
    "pronouns": ("ه", "ها", "هم", "هما", "هن", "كم", "نا", "ي"),
    # sound plurals and duals
    "plural": ("ات", "ين", "ون", "ان"),
    # nisba adjective endings on a stem ending in ي: أمني → أمنيه، أمنيين، أمنيون، أمنيات،
    # and the accusative tanwin alef أمنيا
    "nisba": ("ه", "ين", "ون", "ات", "ا"),
    # accusative tanwin written with alef: تعاونا، تنسيقا
    "accusative": ("ا",),
    # feminine singular
    "feminine": ("ه",),
    # feminine dual on a nisba stem: two bodies sharing one adjective (الجمارك والشرطة المغربيتين)
    "dual_feminine": ("تين", "تان"),
}

_SPACE_RE = re.compile(r" +")


def expand_suffixes(names_or_literals: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Turn ``["pronouns", "ات"]`` into the flat tuple of suffix strings (normalised)."""
    out: list[str] = []
    for item in names_or_literals:
        for s in SUFFIX_SETS.get(item, (normalize(item),)):
            if s and s not in out:
                out.append(s)
    return tuple(out)


#: Words whose form without the article is an ordinary word, not the name: رياض
#: (gardens, a first name) is not الرياض, جزائر (islands) is not الجزائر.
_NO_BARE_FORM = frozenset({"الرياض", "الجزائر"})


def _first_word_variants(word: str) -> set[str]:
    bases = {word}
    if word.startswith("ال") and len(word) >= 4 and word not in _NO_BARE_FORM:
        bases.add(word[2:])
    out: set[str] = set()
    for base in bases:
        for p in PREFIXES:
            out.add(p + base)
    return out


def _last_word_variants(word: str, suffixes: tuple[str, ...]) -> set[str]:
    out = {word}
    for s in suffixes:
        out.add(word + s)
        if word.endswith("ه"):          # ta marbuta is written ت before a suffix
            out.add(word[:-1] + "ت" + s)
    return out


def term_variants(term: str, suffixes: tuple[str, ...] = ()) -> set[str]:
    """Every normalised spelling of ``term`` that should count as a hit (a fresh set).

    See :func:`_term_variants`; results are cached because a gazetteer spells the same
    adjective and place forms many times and every crawl process builds the matcher.
    """
    return set(_term_variants(term, tuple(suffixes)))


@lru_cache(maxsize=65536)
def _term_variants(term: str, suffixes: tuple[str, ...] = ()) -> frozenset[str]:
    """Every normalised spelling of ``term`` that should count as a hit.

    Args:
        term: the term as an analyst wrote it (any spelling; it is normalised here).
        suffixes: flat suffix strings (see :func:`expand_suffixes`) for the last word.
    Returns:
        A set of normalised strings; an empty set for a term that normalises to nothing.
    """
    norm = normalize(term)
    if not norm:
        return frozenset()
    words = _SPACE_RE.split(norm)
    if len(words) == 1:
        firsts = _first_word_variants(words[0])
        out: set[str] = set()
        for f in firsts:
            out |= _last_word_variants(f, suffixes)
        return frozenset(out)
    middle = " ".join(words[1:-1])
    lasts = _last_word_variants(words[-1], suffixes)
    out = set()
    for f in _first_word_variants(words[0]):
        for last in lasts:
            out.add(" ".join(w for w in (f, middle, last) if w))
    return frozenset(out)


#: Pronouns that make a body a country's own: its (ه) and her (ها); a country is one
#: owner, so their (هم، هما) is left out: أجهزتهم is usually people's.
POSSESSOR_SUFFIXES: tuple[str, ...] = ("ه", "ها")


def possessed_forms(head: str) -> set[str]:
    """The normalised spellings of a definite security noun with a possessive pronoun:
    الأجهزة الأمنية → اجهزته الامنيه، اجهزتها الامنيه؛ الجيش → جيشه، جيشها؛ and, for a
    construct (أجهزة الاستخبارات), the pronoun on the genitive: اجهزه استخباراتها.

    Why: quotes and second mentions name a country's services as "its services"
    (اخترنا المغرب لأن أجهزته الأمنية ...); the article is dropped and ة is written ت
    before the pronoun, so the forms cannot come from :func:`term_variants`.  Proclitics
    (وأجهزته، لأجهزتها) are added by running the result through it.  A noun without an
    article anywhere names no particular body and yields nothing.
    """
    words = _SPACE_RE.split(normalize(head))
    at = next((i for i, w in enumerate(words) if w.startswith("ال") and len(w) > 3), None)
    if at is None:
        return set()
    stem = words[at][2:]
    if stem.endswith("ه"):                  # ta marbuta is written ت before a suffix
        stem = stem[:-1] + "ت"
    return {" ".join(words[:at] + [stem + s] + words[at + 1:]) for s in POSSESSOR_SUFFIXES}


def term_matches(term: str, text: str, suffixes: tuple[str, ...] = ()) -> bool:
    """True when ``term`` (with clitics) occurs in ``text`` as whole tokens.

    A slow reference implementation for tests and one-off checks; the matcher uses the
    same :func:`term_variants` inside one automaton.
    """
    from filters.tokenize import TokenIndex

    norm = normalize(text)
    index = TokenIndex(norm)
    for v in term_variants(term, suffixes):
        for m in re.finditer(re.escape(v), norm):
            if index.word_span(m.start(), m.end()) is not None:
                return True
    return False


# --- light stemming for statistical features -------------------------------------------------
#: Proclitic chains holding the article (وبال، لل ...): cut for the relevance model's word
#: features.  A lone و/ف/ب/ك/ل is not cut: too often part of the word (وزير، بلاغ).
_ARTICLE_CHAINS = sorted((p for p in PREFIXES if p.endswith(("ال", "لل"))), key=len, reverse=True)
#: Suffixes cut from the end of a word (pronouns, plurals, nisba/feminine endings), longest first.
_STEM_SUFFIXES = sorted({s for name in ("pronouns", "plural", "nisba", "feminine") for s in SUFFIX_SETS[name]}
                        - {"ا"}, key=len, reverse=True)
# a chain is cut only when at least three letters remain; a suffix only after four (تعاون stays)
_PROCLITIC_RE = re.compile(r"\b(?:" + "|".join(_ARTICLE_CHAINS) + r")(?=\w{3})")
_SUFFIX_RE = re.compile(r"(?<=\w{4})(?:" + "|".join(_STEM_SUFFIXES) + r")\b")


def light_stem(norm: str) -> str:
    """``norm`` (normalised text) with each word's article chain and up to two common
    suffixes cut: بالتعاون → تعاون، الأمنيين → امني، تعاونهما → تعاون، للمغرب → مغرب.

    Why: a statistical model (relevance/model.py) should see one feature per word
    whatever its clitics, as character n-grams did, at the cost of two regex passes in
    C instead of thousands of n-grams.  Over-cutting (a name ending in ين) is harmless
    there because it is consistent; never use this for matching, which must be exact
    (:func:`term_variants` goes the other way for that reason).
    """
    # twice: a nisba adjective carries two (المغربية → مغربيه → مغربي → مغرب, like المغربي)
    return _SUFFIX_RE.sub("", _SUFFIX_RE.sub("", _PROCLITIC_RE.sub("", norm)))
