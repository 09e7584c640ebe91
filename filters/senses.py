"""Sense rules: a context word next to a hit says the hit means something else.

Some words the watchlist needs are ambiguous: المغرب is also the sunset prayer
(صلاة المغرب، أذان المغرب، إفطار المغرب) and the Maghreb region (المغرب العربي، بلاد
المغرب الإسلامي); a nationality adjective describes a person (مواطنين فرنسيين، من أصل
جزائري) as often as a partner state.  A sense rule removes the *match*, not the article,
and the flag's explanation lists what it removed and why::

    senses:
      - name: sunset-prayer
        description: المغرب as the sunset prayer, not the country
        removes: [morocco]              # groups or entity references whose hits it removes
        before: [صلاة, أذان, إفطار]      # a word right before the hit (clitics automatic)
        after: []                       # or right after it
        after_groups: []                # or a hit of these groups/references right after it
        window: 0                       # words allowed between context and hit
        terms: []                       # only hits of these watchlist terms (default: all)
        not_across: []                  # the context does not count across a hit of these groups
        unless_before: []               # nor when a (kept) hit of these groups comes earlier in
                                        #   the same sentence: الداخلية الإسبانية ... بتعاون مع الديستي
        unless_lead: []                 # nor when the title or the first paragraph has a hit of
                                        #   these groups that no sense removed: a story told by a
                                        #   foreign body (الحرس المدني يفكك شبكة ...، حجزت عناصر
                                        #   الدرك الفرنسي ...)
        context_not_ending: []          # a context hit of after_groups/before_groups does not
                                        #   count when its last word is one of these (الشرطة
                                        #   «المغربية»: a Moroccan story names its own bodies
                                        #   without saying whose, a foreign one "the Moroccan police")
        unless_after: []                # nor when a hit of these groups follows the context
                                        #   within 3 words, no punctuation between: the second
                                        #   of a pair (تنسيق بين المحققين المغاربة والشرطة الإسبانية)
        title: []                       # or: a word anywhere in the title (then every hit of
        not_title: []                   #   the article is in scope) and none of these there
        clause: false                   # true: later hits of the removed groups in the same
                                        #   clause go with a removed one (a denial's scope)

A ``title`` sense reads the story's subject, not a word's neighbours: الأمن الوطني is
also the name of Algeria's and Tunisia's police, and in a story titled about Algeria and
not about Morocco it is Algeria's.

A coordinated hit right after a removed one (سائحتان من النرويج والدنمارك) goes with it, and
a list whose first item is no hit is read from where it starts (يتقنون الإنجليزية والإسبانية:
والإسبانية takes the context of الإنجليزية, right after يتقنون).
With ``clause: true`` so does every later hit of the sense's groups up to the next
punctuation: a denial covers its clause (لم تتوصل بأي طلب تسليم من نظيرتها الإسبانية:
the counterpart is part of what did not happen), but a comma ends it (لا يوجد أي طلب
تسليم، لكن التنسيق مستمر).  The chain starts only from a hit the context removed, so
لا يوجد أي تهديد بفضل التنسيق keeps its التنسيق.

Context words are matched like terms (clitics on the first word, whole tokens) in the
matcher's one automaton, so sense rules cost no extra pass over the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from filters.clitics import term_variants
from filters.normalize import normalize
from filters.yamlcheck import REGEX_CHARS, Checker, did_you_mean

__all__ = ["Sense", "Context", "parse_senses", "parse_proximity", "apply_senses", "PROXIMITY"]

_SENSE_KEYS = ("name", "description", "removes", "before", "after", "before_groups", "after_groups", "window",
               "terms", "not_across", "title", "not_title", "unless_before", "unless_lead", "clause",
               "unless_after", "context_not_ending")
#: keys that name groups or entity references (validated against the watchlist's names)
_GROUP_KEYS = ("before_groups", "after_groups", "not_across", "unless_before", "unless_lead", "unless_after")
#: context word lists of a sense rule: next to the hit (before/after) or in the title
SIDES = ("before", "after", "title", "not_title")

#: Default factors of graded rules: evidence in one sentence counts fully, spread over a
#: paragraph or over the whole article it counts less (see filters.matcher).
PROXIMITY: dict[str, float] = {"sentence": 1.0, "paragraph": 0.75, "article": 0.5}


@dataclass(frozen=True)
class Sense:
    name: str
    removes: tuple[str, ...]
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    description: str = ""
    before_groups: tuple[str, ...] = ()
    after_groups: tuple[str, ...] = ()
    window: int = 0
    terms: tuple[str, ...] = ()
    not_across: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    not_title: tuple[str, ...] = ()
    unless_before: tuple[str, ...] = ()
    clause: bool = False
    unless_lead: tuple[str, ...] = ()
    unless_after: tuple[str, ...] = ()
    context_not_ending: tuple[str, ...] = ()

    def keys(self, side: str) -> set[str]:
        """Normalised spellings of the context words of one side (one of ``SIDES``)."""
        return {k for w in getattr(self, side) for k in term_variants(w)}

    def covers(self, term: str) -> bool:
        """Is a hit of ``term`` in the sense's scope (``terms``; all hits when empty)?

        A watchlist term and an entity's name are compared as written; a composed actor's
        name, "الجيش (المغرب)", by its security noun, normalised and without the و or ف
        it was written with: ``terms: [الجيش]`` covers والجيش المغربي."""
        if not self.terms or term in self.terms:
            return True
        head, sep, _ = term.partition(" (")
        if not sep:
            return False
        head, known = normalize(head), _normalised_terms(self.terms)
        return head in known or (head[:1] in ("و", "ف") and head[1:] in known)


@lru_cache(maxsize=None)
def _normalised_terms(terms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize(t) for t in terms)


def parse_senses(ck: Checker, node, known: set[str]) -> list[Sense]:
    """The ``senses`` list of a watchlist; problems go to ``ck`` with their lines."""
    out: list[Sense] = []
    seen: set[str] = set()
    for i, snode in enumerate(ck.sequence(node, "senses") or []):
        where = f"senses[{i}]"
        m = ck.mapping(snode, where, _SENSE_KEYS, ("name", "removes"))
        if m is None:
            continue
        name = ck.scalar(m["name"][1], f"{where}.name", "str") if "name" in m else None
        if name in seen:
            ck.add(m["name"][1], f"{where}.name", f"duplicate sense name {name!r}; rename one")
        seen.add(name or "")
        removes = ck.str_list(m["removes"][1], f"{where}.removes") if "removes" in m else []
        for n, ref in removes:
            if ref not in known:
                ck.add(n, f"{where}.removes", f"unknown group {ref!r}{did_you_mean(ref, known)}; "
                                              f"known groups and entity references: {', '.join(sorted(known))}")
        sides: dict[str, tuple[str, ...]] = {}
        for side in SIDES:
            words = ck.str_list(m[side][1], f"{where}.{side}") if side in m else []
            for n, w in words:
                if REGEX_CHARS.search(w) or not normalize(w):
                    ck.add(n, f"{where}.{side}", f"{w!r} is not a plain word or phrase")
            sides[side] = tuple(w for _, w in words if normalize(w) and not REGEX_CHARS.search(w))
        groups: dict[str, tuple[str, ...]] = {}
        for key in _GROUP_KEYS:
            refs = ck.str_list(m[key][1], f"{where}.{key}") if key in m else []
            for n, ref in refs:
                if ref not in known:
                    ck.add(n, f"{where}.{key}", f"unknown group {ref!r}{did_you_mean(ref, known)}")
            groups[key] = tuple(r for _, r in refs)
        if not (sides["before"] or sides["after"] or sides["title"] or groups["before_groups"]
                or groups["after_groups"]) and name is not None:
            ck.add(snode, where, "a sense rule needs context: before, after, before_groups, after_groups or title")
        if sides["not_title"] and not sides["title"]:
            ck.add(m["not_title"][1], f"{where}.not_title", "not_title only qualifies title: add title")
        window = ck.scalar(m["window"][1], f"{where}.window", "int") if "window" in m else 0
        if window is not None and not 0 <= window <= 5:
            ck.add(m["window"][1], f"{where}.window", f"window is 0 to 5 words, got {window}")
            window = 0
        terms = tuple(v for _, v in ck.str_list(m["terms"][1], f"{where}.terms")) if "terms" in m else ()
        not_ending = tuple(v for _, v in ck.str_list(m["context_not_ending"][1], f"{where}.context_not_ending")) \
            if "context_not_ending" in m else ()
        desc = ck.scalar(m["description"][1], f"{where}.description", "str") if "description" in m else ""
        clause = ck.scalar(m["clause"][1], f"{where}.clause", "bool") if "clause" in m else False
        if name:
            out.append(Sense(name, tuple(r for _, r in removes), sides["before"], sides["after"], desc or "",
                             groups["before_groups"], groups["after_groups"], int(window or 0),
                             terms, groups["not_across"], sides["title"], sides["not_title"],
                             groups["unless_before"], bool(clause), groups["unless_lead"],
                             groups["unless_after"], not_ending))
    return out


def parse_proximity(ck: Checker, node) -> dict[str, float]:
    """``proximity: {sentence: 1, paragraph: 0.75, article: 0.5}`` (missing keys keep defaults)."""
    m = ck.mapping(node, "proximity", tuple(PROXIMITY), ())
    out = dict(PROXIMITY)
    for key, (_, vnode) in (m or {}).items():
        v = ck.scalar(vnode, f"proximity.{key}", "number")
        if v is not None and not 0 <= v <= 1:
            ck.add(vnode, f"proximity.{key}", f"a proximity factor is between 0 and 1, got {v}")
        elif v is not None:
            out[key] = float(v)
    return out


class Context(NamedTuple):
    """Where a context word was found (normalised offsets; original text only if used)."""

    field: str
    wfirst: int
    wlast: int
    nstart: int
    nend: int


def apply_senses(senses: list[Sense], hits: list, contexts: list[tuple[int, str, Context]],
                 fields: dict) -> tuple[list, dict[int, list[tuple[object, object]]]]:
    """Remove the hits that a sense rule's context gives another sense.

    Args:
        senses: the watchlist's sense rules.
        hits: the watchlist's hits (objects with group, term, field, wfirst, wlast, nstart, nend).
        contexts: ``(sense index, "before"/"after", Context)`` found by the automaton.
        fields: field name → its :class:`filters.fields.Field`, for three questions about
            the original text: ``gap_clean(nstart, nend)`` (no punctuation in between),
            ``same_sentence(nstart, nend)`` (for ``unless_before``) and ``waw_word(word
            index)`` (the word is one more item of a list, و attached: a coordinated hit after
            such a word that is not itself a hit still goes with the removed hit before it,
            من المغرب ومالي والسنغال with مالي unlisted).
    Returns:
        ``(kept hits, {sense index: [(removed hit, context), ...]})``.
    """
    removed: dict[int, list[tuple[object, object]]] = {}
    if not senses:
        return hits, removed
    targets = {g for sense in senses for g in sense.removes}
    # title senses: in scope when a title word is in the title and no not_title word is
    in_title: dict[int, object] = {}
    barred = {si for si, side, c in contexts if side == "not_title" and c.field == "title"}
    for si, side, c in contexts:
        if side == "title" and c.field == "title" and si not in barred:
            in_title.setdefault(si, c)
    # contexts indexed by the word position they touch: a "before" context by its last
    # word, an "after" context by its first, so each hit looks up a few keys
    before: dict[tuple[str, int], list] = {}
    after: dict[tuple[str, int], list] = {}
    for si, side, c in contexts:
        if side in ("before", "after"):
            (before if side == "before" else after).setdefault(
                (c.field, c.wlast if side == "before" else c.wfirst), []).append((si, c))
    for si, sense in enumerate(senses):
        if sense.before_groups or sense.after_groups:
            for h in hits:
                if h.group in sense.before_groups:
                    before.setdefault((h.field, h.wlast), []).append((si, h))
                if h.group in sense.after_groups:
                    after.setdefault((h.field, h.wfirst), []).append((si, h))
    if not before and not after and not in_title:
        return hits, removed
    reach = max(sense.window for sense in senses)

    def across(sense, field, lo, hi) -> bool:
        return any(o.group in sense.not_across and o.field == field and lo < o.wfirst and o.wlast < hi
                   for o in hits)

    def context_of(h):
        for si, c in in_title.items():
            sense = senses[si]
            if h.group in sense.removes and sense.covers(h.term):
                return si, c
        for gap in range(reach + 1):
            b = before.get((h.field, h.wfirst - 1 - gap))
            a = after.get((h.field, h.wlast + 1 + gap))
            if not b and not a:
                continue
            for side, (si, c) in [("before", x) for x in b or ()] + [("after", x) for x in a or ()]:
                sense = senses[si]
                if gap > sense.window or h.group not in sense.removes or c is h:
                    continue
                if not sense.covers(h.term):
                    continue
                if sense.context_not_ending and hasattr(c, "group") and \
                        _last_word(fields[c.field].norm, c) in _normalised_terms(sense.context_not_ending):
                    continue
                first, second = (c, h) if side == "before" else (h, c)
                if fields[h.field].gap_clean(first.nend, second.nstart) and \
                        not (sense.not_across and across(sense, h.field, first.wlast, second.wfirst)):
                    return si, c
        return None

    # groups with a hit in the story's lead, the title or the first paragraph, that no sense
    # removes (for unless_lead: the story's teller; نحو الدول الأوروبية is a destination, not one)
    wanted = {g for s in senses for g in s.unless_lead}
    lead_groups = {h.group for h in hits if h.group in wanted and (h.field == "title" or h.para < 1)
                   and (h.group not in targets or context_of(h) is None)}
    # words some hit covers: a list's first item that is no hit starts the list itself.
    # Built on first use: most articles have no coordinated hit without a removed one before it
    covered: set[tuple[str, int]] = set()

    def is_covered(field: str, w: int) -> bool:
        if not covered:
            covered.update((o.field, x) for o in hits for x in range(o.wfirst, o.wlast + 1))
        return (field, w) in covered
    kept, gone = [], {}
    clause_of: dict[str, tuple] = {}      # field → (last removed hit, its found) of a clause sense
    order = {id(h): i for i, h in enumerate(hits)}
    for h in sorted(hits, key=lambda h: (h.field, h.nstart)):
        if h.group not in targets:
            kept.append(h)
            continue
        found = context_of(h)
        if found is None:
            # a coordinated hit (النرويج والدنمارك، من المغرب ومصر) goes with the removed
            # hit right before it, when the same sense rule removes its group
            prev = gone.get((h.field, h.wfirst - 1))
            if prev is None and fields[h.field].waw_word(h.wfirst - 1):
                prev = gone.get((h.field, h.wfirst - 2))
            if prev is not None and getattr(h, "coordinated", False) and h.group in senses[prev[1][0]].removes \
                    and fields[h.field].gap_clean(prev[0].nend, h.nstart):
                found = prev[1]
            elif prev is None and getattr(h, "coordinated", False) and h.wfirst >= 1 \
                    and not is_covered(h.field, h.wfirst - 1):
                # ... and a list whose first item is no hit at all (يتقنون الإنجليزية والإسبانية,
                # الإنجليزية unlisted): the coordinated hit is read from where the list starts
                found = context_of(h._replace(wfirst=h.wfirst - 1,
                                              nstart=fields[h.field].index.spans[h.wfirst - 1][0]))
        if found is None and h.field in clause_of:
            # a denial's clause: a later hit of its groups before the next punctuation
            prev_hit, prev_found = clause_of[h.field]
            if h.group in senses[prev_found[0]].removes and fields[h.field].gap_clean(prev_hit.nend, h.nstart):
                found = prev_found
        if found is not None and senses[found[0]].unless_before:
            # a kept hit of these groups earlier in the sentence (hits run in text order)
            held = senses[found[0]].unless_before
            if any(o.group in held and o.field == h.field and o.wlast < h.wfirst
                   and fields[h.field].same_sentence(o.nend, h.nstart) for o in kept):
                found = None
        if found is not None and lead_groups.intersection(senses[found[0]].unless_lead):
            found = None
        if found is not None and senses[found[0]].unless_after and _paired(senses[found[0]], found[1], hits, fields):
            found = None
        if found is None:
            kept.append(h)
            continue
        removed.setdefault(found[0], []).append((h, found[1]))
        gone[(h.field, h.wlast)] = (h, found)
        if senses[found[0]].clause:
            clause_of[h.field] = (h, found)
    kept.sort(key=lambda h: order[id(h)])
    return kept, removed


def _last_word(norm: str, hit) -> str:
    """The normalised last word of a hit, without the و of a coordinated one."""
    words = norm[hit.nstart:hit.nend].split()
    return words[-1].removeprefix("و") if words else ""


#: how far after the context the second of a pair may start (its head and a word of the first)
_PAIR_REACH = 3


def _paired(sense: Sense, c, hits: list, fields: dict) -> bool:
    """Is the context the first of a pair whose second is a hit of ``unless_after``?

    "بين المحققين المغاربة والشرطة الإسبانية" names both sides of the work: the Moroccan
    body right after تنسيق does not make it domestic when a foreign one is joined to it."""
    return any(o.group in sense.unless_after and o.field == c.field and c.wlast < o.wfirst <= c.wlast + _PAIR_REACH
               and fields[c.field].gap_clean(c.nend, o.nstart) for o in hits)
