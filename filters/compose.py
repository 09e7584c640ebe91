"""Security actors named by composition: a security noun plus a nationality, a country or a place.

News rarely names a foreign police force by its official title; it writes الشرطة
الهولندية، نظيرتها الإسبانية، السلطات الأمنية البلجيكية، or, for Moroccan bodies,
المصالح الأمنية المغربية، مصالح الأمن بطنجة، الشرطة القضائية بالدار البيضاء.  Listing
every such phrase is hopeless (nouns × attributes × nationalities × clitics), so the
phrase is recognised from its parts:

    head        a security noun from the gazetteer's ``composition.heads``
    attributes  up to ``MAX_ATTRIBUTES`` words from ``composition.attributes``
                (الوطنية، القضائية، الأمنية ...), and at most one coordinated
                definite noun sharing the modifier (الطيارين والتقنيين المغاربة) —
                nothing else may stand in between
    modifier    * a nationality adjective of an entity (الهولندية، المغربية، والإسبانية);
                * a place (type ``place``) after ب / في or in construct (أمن طنجة), also after
                  a venue noun (شرطة الحدود بمطار طنجة، العاملين بميناء الناظور);
                * a country name after ب / في / ل+ال or in construct (شرطة هولندا، جهاز
                  الاستخبارات الداخلية للمملكة المغربية), or after من when the head is one
                  of the gazetteer's ``composition.envoys``, people sent from a country
                  (وفد أمني من المملكة المغربية، ضباط من الدرك الفرنسي) — not after
                  an abstract head such as الأمن ("أمن إسبانيا" is usually Spain's
                  security, not its police).

A body may also be named with a possessive pronoun, its owner named earlier in the
sentence: اخترنا المغرب لأن أجهزته الأمنية ...، أعلنت إسبانيا أن قواتها ... (:func:`possessed`;
the gazetteer's ``composition.possessed`` lists the nouns).  The owner is the nearest
country or place named before the noun in the same sentence, at most
``MAX_POSSESSOR_WORDS`` words back; no agreement is checked.  And a sentence opened by a
place and a comma (أما في المغرب، فقد أوقفت مصالح الشرطة القضائية ...) names that place's
bodies bare, as results are told country by country (:func:`framed`).

Otherwise a comma or full stop between the parts breaks the phrase.  Coordinated adjectives
(السلطات الأمنية المغربية والإسبانية) each make an actor of the same noun.  The side
of the actor is the modifier's: Moroccan roles make a ``moroccan_actor``, a
``foreign_partner`` makes a foreign one.  Pure code: no I/O, no state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from filters.clitics import SUFFIX_SETS

__all__ = ["Head", "Modifier", "Composed", "compose", "possessed", "framed", "ABSTRACT_HEADS", "MAX_ATTRIBUTES",
           "MAX_POSSESSOR_WORDS", "MAX_FRAMED_WORDS"]

MAX_ATTRIBUTES = 3
#: How far back (words) a possessive pronoun's owner may be named: a clause or two.
MAX_POSSESSOR_WORDS = 20
#: Heads that name a domain more often than a body: only an adjective makes them an actor.
ABSTRACT_HEADS = frozenset({"امن"})
_PREPOSITIONS = frozenset({"في", "داخل"})
#: Compound prepositions whose second word is also a head: إلى جانب is "alongside"
#: (إلى جانب تونسيين ومغاربة), not "the side"; normalised (previous word without its و, head).
NOT_HEADS_AFTER = frozenset({("الي", "جانب")})
#: endings of a nisba adjective that agrees with two or more nouns: the feminine dual
#: (المغربيتين) and the masculine plural/dual (المغربيين), as the gazetteer spells its forms
_SHARED_ENDINGS = tuple("ي" + s for s in SUFFIX_SETS["dual_feminine"] + ("ين",))
_BREAK = re.compile(r"[.,،;؛:!?؟()\[\]«»\"\n]")
_CLITIC_DEF = re.compile(r"^(?:و|ف)?(?:(?:ب|ك|ل)?ال|لل)")


@dataclass(frozen=True)
class Head:
    wfirst: int
    wlast: int
    nstart: int
    nend: int


@dataclass(frozen=True)
class Modifier:
    wfirst: int
    wlast: int
    nstart: int
    nend: int
    entity: int         # gazetteer entity index
    adjective: bool     # the hit is one of the entity's adjective forms
    place: bool         # the entity is a place (type "place")


@dataclass(frozen=True)
class Composed:
    wfirst: int
    wlast: int
    nstart: int
    nend: int
    entity: int         # the modifier's entity (gives the side: Moroccan or foreign)
    head: str           # normalised head as written
    modifier: str       # normalised modifier as written
    mstart: int = -1    # normalised start of a modifier named *before* the head (possessed)
    hstart: int = -1    # normalised start of the head when the actor's span does not begin
                        # with it (a coordinated adjective: السلطات المغربية «والإسبانية»)


def _bare(token: str) -> str:
    """The token without its proclitics and article (for the abstract-head check)."""
    return _CLITIC_DEF.sub("", token) if _CLITIC_DEF.match(token) else re.sub(r"^(?:و|ف)", "", token)


def compose(norm: str, spans: list[tuple[int, int]], heads: list[Head], modifiers: list[Modifier],
            attributes: frozenset[str], gap_clean, venues: frozenset[str] = frozenset(),
            named: frozenset[tuple[int, int]] = frozenset(),
            envoys: frozenset[str] = frozenset()) -> list[Composed]:
    """Composed actors of one normalised field.

    Args:
        norm: the normalised text; ``spans`` its token spans (:class:`filters.tokenize.TokenIndex`).
        heads: security-noun hits; ``modifiers``: entity hits usable as modifiers.
        attributes: normalised words allowed between head and modifier (any clitic-free form).
        gap_clean: ``gap_clean(nstart, nend)`` is True when the original text between two
            normalised offsets holds no punctuation that ends a phrase.
        venues: normalised nouns of the places where a body serves (مطار، ميناء، معبر),
            allowed once, after ب or في, before the place: شرطة الحدود بمطار طنجة.
        named: ``(wfirst, wlast)`` word spans of listed organisations (القوات المسلحة
            الملكية): a place after such a name says where the body is, not whose it is
            (القوات المسلحة الملكية ببيروت is Morocco's), so only an adjective composes it.
        envoys: normalised heads that also take من before their country (وفد أمني من).
    """
    if not heads or not modifiers:
        return []
    by_start: dict[int, list[Modifier]] = {}
    for m in modifiers:
        by_start.setdefault(m.wfirst, []).append(m)
    for ms in by_start.values():
        ms.sort(key=lambda m: -(m.nend - m.nstart))
    out: list[Composed] = []
    seen: set[tuple[int, int]] = set()
    head_starts = {h.wfirst for h in heads}
    for h in sorted(heads, key=lambda h: (h.wfirst, -(h.nend - h.nstart))):
        head_text = norm[h.nstart:h.nend]
        head_last = head_text.rsplit(" ", 1)[-1]
        if h.wfirst > 0 and (norm[spans[h.wfirst - 1][0]:spans[h.wfirst - 1][1]].removeprefix("و"),
                             head_text) in NOT_HEADS_AFTER:
            continue
        abstract = _bare(head_last) in ABSTRACT_HEADS
        envoy = bool(envoys) and _is_envoy(head_text, envoys)
        indefinite = not _CLITIC_DEF.match(head_last)
        t, prep, skipped, venue, coord = h.wlast + 1, False, 0, False, False
        coord_head = False                  # the coordinated noun is itself a security noun
        core_end = h.wlast                  # the last word of noun + attributes
        prev_end = h.nend
        found: Modifier | None = None
        while t < len(spans) and skipped <= MAX_ATTRIBUTES:
            if not gap_clean(prev_end, spans[t][0]):
                break
            found = _modifier_at(by_start.get(t, ()), norm, prep, indefinite, abstract)
            if found is not None:
                break
            tok = norm[spans[t][0]:spans[t][1]]
            if (tok in _PREPOSITIONS or envoy and tok == "من") and not prep:
                prep = True
            elif not venue and (tok[1:] in venues and tok[0] == "ب" and not prep or prep and tok in venues):
                prep = venue = True
            elif tok in attributes and not prep:
                skipped += 1
                core_end = t
            elif (prep and tok == "كل" and t + 1 < len(spans)    # a list: الشرطة في كل من غينيا والسنغال
                  and norm[spans[t + 1][0]:spans[t + 1][1]] == "من" and gap_clean(spans[t][1], spans[t + 1][0])):
                prev_end = spans[t + 1][1]
                t += 2
                continue
            elif (not prep and not coord and tok.startswith("وال") and len(tok) > 5
                  and (h.wfirst, core_end) not in named):   # a listed name is whole: القوات المسلحة الملكية والقيادة الأمريكية
                coord = True                # a second noun sharing the adjective: الطيارين والتقنيين المغاربة
                coord_head = t in head_starts
                skipped += 1
                core_end = t
            else:
                break
            prev_end = spans[t][1]
            t += 1
        if found is None or (not found.adjective and (h.wfirst, core_end) in named):
            continue
        if coord_head and not (found.adjective and norm[found.nstart:found.nend].endswith(_SHARED_ENDINGS)):
            # a singular adjective after a second security noun is that noun's: الفرقة الوطنية
            # للشرطة القضائية «والشرطة الإسبانية» names a Moroccan and a Spanish body, while
            # الجمارك والشرطة «المغربيتين» (dual) names two Moroccan ones
            continue
        chain = [found]
        while True:
            nxt = chain[-1].wlast + 1
            if nxt >= len(spans) or not gap_clean(spans[nxt - 1][1], spans[nxt][0]):
                break
            more = next((m for m in by_start.get(nxt, ()) if m.adjective and norm[m.nstart] == "و"), None)
            if more is None:
                break
            chain.append(more)
        for i, m in enumerate(chain):
            # the first actor spans noun..modifier; a coordinated one spans its adjective
            wfirst, nstart = (h.wfirst, h.nstart) if i == 0 else (m.wfirst, m.nstart)
            if (nstart, m.nend) in seen:
                continue
            seen.add((nstart, m.nend))
            out.append(Composed(wfirst, m.wlast, nstart, m.nend, m.entity, head_text, norm[m.nstart:m.nend],
                                hstart=-1 if i == 0 else h.nstart))
    return out


def _is_envoy(head: str, envoys: frozenset[str]) -> bool:
    """Is the head, as written or without one or two proclitics (ووفد، لوفد، وبالوفد), an envoy?
    وفد itself begins with و, so the written form is tried first."""
    return head in envoys or (head[:1] in "وفبل" and (head[1:] in envoys or
                                                       head[1:2] in "وفبل" and head[2:] in envoys))


def _modifier_at(cands, norm: str, prep: bool, indefinite: bool, abstract: bool) -> Modifier | None:
    for m in cands:
        surface = norm[m.nstart:m.nend]
        if m.adjective:
            if not prep and not surface.startswith("و"):
                return m
            continue
        # بإسبانيا، بالمغرب; or a definite name after ل (الأجهزة الأمنية للمملكة المغربية)
        via_b = surface.startswith("ب") or surface.startswith("لل")
        if m.place and (prep or via_b or indefinite):
            return m
        if not abstract and (prep or via_b or indefinite):
            return m
    return None


#: Words that may open a sentence before its frame's place (وفي المغرب، أما في إسبانيا، فقد ...)
_FRAME_OPENERS = frozenset({"في", "وفي", "اما", "وأما", "واما", "فيما"})
#: How far (words) into its sentence a framed head may stand.
MAX_FRAMED_WORDS = 12


def framed(heads: list[Head], norm: str, spans: list[tuple[int, int]], places: list[Modifier],
           gap_clean, same_sentence, taken: set[int]) -> list[Composed]:
    """Bare security heads in a sentence opened by a place and a comma (أما في المغرب، فقد
    أوقفت مصالح الشرطة القضائية ...، وفي إسبانيا، فككت الشرطة ...): a story that reports an
    operation country by country names each country's bodies without an adjective.  The
    frame is a country or place after في (or with ب attached) that only an opener word
    (:data:`_FRAME_OPENERS`) precedes in its sentence and that a comma closes; a head
    (not one already composed, ``taken`` holds their first words) takes its side when it
    stands in the same sentence at most :data:`MAX_FRAMED_WORDS` words after it."""
    out: list[Composed] = []
    frames = []
    for m in places:
        if m.adjective:
            continue
        surface = norm[m.nstart:m.nend].removeprefix("و")
        w = m.wfirst
        if not surface.startswith("ب"):
            if w == 0 or norm[spans[w - 1][0]:spans[w - 1][1]] not in _FRAME_OPENERS:
                continue
            w -= 1
        # only openers before the frame in its sentence
        k = w - 1
        while k >= 0 and same_sentence(spans[k][1], spans[w][0]) and \
                norm[spans[k][0]:spans[k][1]] in _FRAME_OPENERS:
            k -= 1
        if k >= 0 and same_sentence(spans[k][1], spans[w][0]) and gap_clean(spans[k][1], spans[w][0]):
            continue            # a word of the sentence before the frame
        nxt = m.wlast + 1
        if nxt >= len(spans) or gap_clean(m.nend, spans[nxt][0]):
            continue            # no comma closes it
        frames.append(m)
    for h in heads:
        if h.wfirst in taken:
            continue
        for m in frames:
            if m.wlast < h.wfirst <= m.wlast + MAX_FRAMED_WORDS and same_sentence(m.nend, h.nstart):
                out.append(Composed(h.wfirst, h.wlast, h.nstart, h.nend, m.entity, norm[h.nstart:h.nend],
                                    norm[m.nstart:m.nend], m.nstart))
                break
    return out


def possessed(heads: list[Head], norm: str, owners: list[Modifier], same_sentence) -> list[Composed]:
    """Actors named with a possessive pronoun (أجهزته الأمنية): each ``heads`` hit (a
    possessed form) takes the side of the nearest country or place in ``owners`` that
    ends before it, in the same sentence and at most :data:`MAX_POSSESSOR_WORDS` words
    back.  ``same_sentence(nstart, nend)`` is True when no sentence ends between two
    normalised offsets.  Nationality adjectives are not owners (their noun is)."""
    out: list[Composed] = []
    cands = sorted((m for m in owners if not m.adjective), key=lambda m: m.wlast)
    for h in heads:
        owner = None
        for m in cands:
            if m.wlast >= h.wfirst:
                break
            if h.wfirst - m.wlast <= MAX_POSSESSOR_WORDS and same_sentence(m.nend, h.nstart):
                owner = m
        if owner is not None:
            out.append(Composed(h.wfirst, h.wlast, h.nstart, h.nend, owner.entity, norm[h.nstart:h.nend],
                                norm[owner.nstart:owner.nend], owner.nstart))
    return out
