"""One Aho–Corasick automaton for every term of every watchlist plus the gazetteer.

Why one automaton: the cost of scanning an article is then linear in the article's
length and (almost) independent of how many terms the analysts add; a watchlist with
5,000 terms costs about as much per article as one with 50 (see bench/bench_matching.py).

Flow of :meth:`Matcher.score`:

1. normalise title and body, keeping an index map to the original strings;
2. one automaton pass per field; keep hits that start and end on token boundaries;
3. entity hits: security actors named by composition (a security noun plus a
   nationality, country or place, :mod:`filters.compose`) join the gazetteer hits, and
   overlapping hits are resolved longest-first, so ``الأمن الداخلي الفرنسي`` is one
   foreign agency, not a Moroccan one plus an adjective;
4. per watchlist: term hits + entity references (by role), shorter hits inside a longer
   hit of the same group dropped, hits inside a ``mask`` group's hit dropped
   (``الأمن الغذائي`` hides a ``الأمن`` inside it), and hits whose neighbour word gives
   them another sense removed (:mod:`filters.senses`: صلاة المغرب);
5. each rule is checked over its scope (:mod:`filters.scoring`); a rule satisfied inside
   the title contributes ``weight × title_boost``; a graded rule ``weight × factor`` of
   the closest scope (sentence > paragraph > article).

``score`` is pure: no I/O, no state changes; the same inputs give the same flags.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import ahocorasick

from filters.clitics import possessed_forms, term_variants
from filters.compose import Composed, Head, Modifier, compose, framed, possessed
from filters.gazetteer import HEAD_LISTS, GazEntity, Gazetteer
from filters.fields import Field
from filters.normalize import normalize, original_span
from filters.scoring import Units, evaluate, explain, missing, scope_label
from filters.senses import SIDES, Context, apply_senses
from filters.watchlist import EntityRef, Watchlist
from raqib.items import Entity, Flag, Match

__all__ = ["Matcher", "explain"]

#: Gazetteer roles whose modifier makes a composed actor Moroccan.
_MOROCCAN_ROLES = frozenset({"moroccan_place", "moroccan_city", "moroccan_context"})


class _Raw(NamedTuple):
    field: str
    nstart: int
    nend: int
    wfirst: int
    wlast: int
    payloads: tuple


class Hit(NamedTuple):
    """One group hit inside one article field (normalised and original spans).

    A NamedTuple, not a dataclass: an article makes hundreds of them and a frozen
    dataclass costs several times more to build (bench/bench_matching.py)."""

    group: str
    term: str
    weight: float
    field: str
    nstart: int
    nend: int
    wfirst: int
    wlast: int
    para: int
    start: int          # original text offsets
    end: int
    kind: str           # "term" or "entity"
    sent: int = 0       # sentence index within the field
    made_of: str = ""   # composed actors: "noun + modifier" as written
    coordinated: bool = False   # written with the conjunction و attached (والدنمارك)


class _EntHit(NamedTuple):
    nstart: int
    nend: int
    wfirst: int
    wlast: int
    entity: int
    composed: Composed | None = None


@lru_cache(maxsize=None)
def _starts_with_waw(term: str) -> bool:
    return normalize(term).startswith("و")


class Matcher:
    """Scores articles against many watchlists with one automaton.

    Args:
        watchlists: loaded :class:`filters.watchlist.Watchlist` objects.
        gazetteer: the entity gazetteer the watchlists' entity references point into.
    """

    def __init__(self, watchlists: list[Watchlist], gazetteer: Gazetteer):
        self.watchlists = list(watchlists)
        self.gazetteer = gazetteer
        self._entities: list[GazEntity] = list(gazetteer.entities)
        table: dict[str, list[tuple]] = {}
        for ei, ent in enumerate(self._entities):
            adjectives = {k for form in ent.adjectives for k in term_variants(form)}
            e_payload, j_payload = ("e", ei), ("j", ei)
            for spelling in ent.variants:
                for key in term_variants(spelling):
                    bucket = table.setdefault(key, [])
                    bucket.append(e_payload)
                    if key in adjectives:
                        bucket.append(j_payload)
        # composition list → the keys of its nouns (an entity reference's ``heads:`` filter)
        self._head_keys: dict[str, frozenset[str]] = {
            name: frozenset(k for head in getattr(gazetteer, name) for k in term_variants(head)) for name in HEAD_LISTS}
        for hi, head in enumerate(gazetteer.heads):
            for key in term_variants(head):
                table.setdefault(key, []).append(("h", hi))
        for head in gazetteer.possessed:
            for form in possessed_forms(head):
                for key in term_variants(form):
                    table.setdefault(key, []).append(("p", 0))
        # generic nouns (السلطات، نظراؤه): a Moroccan actor composed on one is only a moroccan_authority
        self._weak_heads = self._head_keys["authorities"] | self._head_keys["counterparts"]
        for key in self._weak_heads:
            table.setdefault(key, []).append(("h", -1))
        self._attributes = frozenset(a for w in gazetteer.attributes
                                     for a in (normalize(w), normalize(w)[2:] if normalize(w).startswith("ال")
                                               else normalize(w)))
        self._venues = frozenset(normalize(w) for w in gazetteer.venues)
        self._envoys = frozenset(normalize(w) for w in gazetteer.envoys)
        self._terms: list[tuple[int, str, str, float]] = []    # (watchlist, group, term, weight)
        self._senses: list[tuple[int, int, str]] = []           # (watchlist, sense, side)
        for wi, wl in enumerate(self.watchlists):
            for gname, group in wl.groups.items():
                for term in group.terms:
                    tid = len(self._terms)
                    self._terms.append((wi, gname, term.text, term.weight))
                    for key in term.keys():
                        table.setdefault(key, []).append(("t", tid))
            for si, sense in enumerate(wl.senses):
                for side in SIDES:
                    sid = len(self._senses)
                    self._senses.append((wi, si, side))
                    for key in sense.keys(side):
                        table.setdefault(key, []).append(("s", sid))
        self.keys = len(table)
        self._auto = ahocorasick.Automaton()
        for key, payloads in table.items():
            self._auto.add_word(key, (len(key), tuple(dict.fromkeys(payloads)) if len(payloads) > 1
                                      else (payloads[0],)))
        if table:
            self._auto.make_automaton()
        # entity reference → set of entity indexes, per watchlist; and role → references
        self._refs: list[dict[str, set[int]]] = []
        self._role_refs: list[dict[str, list[str]]] = []
        for wl in self.watchlists:
            refs, by_role = {}, {}
            for rname, ref in wl.entities.items():
                refs[rname] = {ei for ei, e in enumerate(self._entities)
                               if e.role in ref.roles and (not ref.types or e.type in ref.types)}
                if not ref.types or "organisation" in ref.types:
                    for role in ref.roles:
                        by_role.setdefault(role, []).append(rname)
            self._refs.append(refs)
            self._role_refs.append(by_role)

    # -- scanning ------------------------------------------------------------------------
    def _scan(self, f: Field) -> list[_Raw]:
        if not self.keys or not f.norm:
            return []
        # the automaton also reports keys inside longer words (مغرب in المغربية); most
        # occurrences are such misses, so the token-boundary test is inlined
        out = []
        first_of = f.index.first_of
        last_of = f.index.last_of
        name = f.name
        for end, (length, payloads) in self._auto.iter(f.norm):
            wlast = last_of(end + 1)
            if wlast is None:
                continue
            start = end - length + 1
            wfirst = first_of(start)
            if wfirst is not None:
                out.append(_Raw(name, start, end + 1, wfirst, wlast, payloads))
        return out

    def _hit(self, f: Field, nstart: int, nend: int, wfirst: int, wlast: int, group: str, term: str,
             weight: float, kind: str, made_of: str = "") -> Hit:
        s, e = original_span(f.text, f.offsets, nstart, nend)
        coordinated = f.norm.startswith("و", nstart) and not _starts_with_waw(term)
        return Hit(group, term, weight, f.name, nstart, nend, wfirst, wlast, f.para_of(s), s, e, kind,
                   f.sent_of(s), made_of, coordinated)

    def _composed(self, f: Field, raws: list[_Raw]) -> list[Composed]:
        if not any(p[0] in "hp" for r in raws for p in r.payloads):
            return []
        heads, mods, owned, named = [], [], [], set()
        for r in raws:
            for p in r.payloads:
                if p[0] == "e" and self._entities[p[1]].type == "organisation":
                    named.add((r.wfirst, r.wlast))
                if p[0] == "h":
                    heads.append(Head(r.wfirst, r.wlast, r.nstart, r.nend))
                elif p[0] == "p":
                    owned.append(Head(r.wfirst, r.wlast, r.nstart, r.nend))
                elif p[0] == "e":
                    ent = self._entities[p[1]]
                    if ent.type in ("country", "place") or ("j", p[1]) in r.payloads:
                        mods.append(Modifier(r.wfirst, r.wlast, r.nstart, r.nend, p[1],
                                             ("j", p[1]) in r.payloads, ent.type == "place"))
        out = (compose(f.norm, f.index.spans, heads, mods, self._attributes, f.gap_clean, self._venues,
                       frozenset(named), self._envoys) if heads else [])
        if owned:
            out += possessed(owned, f.norm, mods, f.same_sentence)
        if heads:
            taken = {c.wfirst for c in out}
            out += framed(heads, f.norm, f.index.spans, mods, f.gap_clean, f.same_sentence, taken)
        return [c for c in out if self._side(c) is not None]

    def _made_on(self, ref: EntityRef, c: Composed) -> bool:
        """Whether a composed actor is made on a noun the reference accepts (``heads:``;
        any when it names none): نظراؤه المغاربة is a counterpart, السلطات المغربية is not."""
        return not ref.heads or any(c.head in self._head_keys[name] for name in ref.heads)

    def _side(self, c: Composed) -> str | None:
        role = self._entities[c.entity].role
        if role == "foreign_partner":
            return "foreign_partner"
        if role not in _MOROCCAN_ROLES:
            return None
        # السلطات المغربية: the Moroccan authorities, not necessarily a security body
        return "moroccan_authority" if c.head in self._weak_heads else "moroccan_actor"

    def _entity_hits(self, f: Field, raws: list[_Raw]) -> list[_EntHit]:
        """Longest-first, non-overlapping entity hits of one field (composed actors win ties)."""
        cands = [_EntHit(c.nstart, c.nend, c.wfirst, c.wlast, c.entity, c) for c in self._composed(f, raws)]
        cands += [_EntHit(r.nstart, r.nend, r.wfirst, r.wlast, p[1]) for r in raws for p in r.payloads
                  if p[0] == "e"]
        cands.sort(key=lambda c: (-(c.nend - c.nstart), c.nstart, self._rank(c)))
        taken: list[tuple[int, int]] = []
        out = []
        for c in cands:
            if any(c.nstart < e and s < c.nend for s, e in taken):
                continue
            taken.append((c.nstart, c.nend))
            out.append(c)
        out.sort(key=lambda c: c.nstart)
        return out

    def _rank(self, c: _EntHit) -> int:
        """Tie-break between hits of one span: a listed agency or person (الحرس المدني
        الإسباني) beats a composed actor, which beats a bare country or adjective (so a
        coordinated والمغربية after a security noun is a Moroccan actor, not the state)."""
        if c.composed is not None:
            return 1
        return 0 if self._entities[c.entity].type in ("organisation", "person") else 2

    def find_entities(self, text: str, field: str = "body") -> list[Entity]:
        """Gazetteer entities in ``text`` (longest match wins), offsets into ``text``."""
        f = Field(field, text or "")
        return [self._entity(f, h) for h in self._entity_hits(f, self._scan(f))]

    def _entity(self, f: Field, h: _EntHit) -> Entity:
        s, e = original_span(f.text, f.offsets, h.nstart, h.nend)
        ent = self._entities[h.entity]
        if h.composed is not None:
            return Entity(self._composed_name(h.composed), "organisation", self._side(h.composed), s, e,
                          field=f.name, surface=f.text[s:e])
        return Entity(ent.name, ent.type, ent.role, s, e, field=f.name, surface=f.text[s:e])

    def _composed_name(self, c: Composed) -> str:
        return f"{c.head} ({self._entities[c.entity].name})"

    def _made_of(self, f: Field, c: Composed) -> str:
        head = c.hstart if c.hstart >= 0 else c.nstart
        hs, he = original_span(f.text, f.offsets, head, head + len(c.head))
        if c.mstart >= 0:                    # possessed: the owner was named before the noun
            ms, me = original_span(f.text, f.offsets, c.mstart, c.mstart + len(c.modifier))
            return f"{f.text[hs:he]} ← {f.text[ms:me]}"
        ms, me = original_span(f.text, f.offsets, c.nend - len(c.modifier), c.nend)
        return f"{f.text[hs:he]} + {f.text[ms:me]}"

    # -- scoring -------------------------------------------------------------------------
    def score(self, title: str, body: str) -> list[Flag]:
        """One :class:`raqib.items.Flag` per watchlist for this article.

        Match and Entity offsets index the original ``title``/``body`` strings, so
        ``text[m.start:m.end]`` is the surface form a reader sees.
        """
        fields = [Field("title", title or ""), Field("body", body or "")]
        by_field = {f.name: f for f in fields}
        scanned = [(f, self._scan(f)) for f in fields]
        ent_hits = [(f, self._entity_hits(f, raws)) for f, raws in scanned]
        entities = [self._entity(f, h) for f, ehits in ent_hits for h in ehits]
        # term hits bucketed by watchlist once, so each watchlist only sees its own
        by_wl: dict[int, list[Hit]] = {}
        contexts: dict[int, list[tuple[int, str, Hit]]] = {}
        for f, raws in scanned:
            for r in raws:
                for p in r.payloads:
                    if p[0] == "t":
                        wi, gname, term, weight = self._terms[p[1]]
                        by_wl.setdefault(wi, []).append(
                            self._hit(f, r.nstart, r.nend, r.wfirst, r.wlast, gname, term, weight, "term"))
                    elif p[0] == "s":
                        wi, si, side = self._senses[p[1]]
                        contexts.setdefault(wi, []).append((si, side, Context(f.name, r.wfirst, r.wlast,
                                                                              r.nstart, r.nend)))
        flags = []
        for wi, wl in enumerate(self.watchlists):
            hits: list[Hit] = list(by_wl.get(wi, ()))
            for f, ehits in ent_hits:
                for h in ehits:
                    if h.composed is not None:
                        made = self._made_of(f, h.composed)
                        name = self._composed_name(h.composed)
                        for rname in self._role_refs[wi].get(self._side(h.composed), ()):
                            if not self._made_on(wl.entities[rname], h.composed):
                                continue
                            hits.append(self._hit(f, h.nstart, h.nend, h.wfirst, h.wlast, rname, name,
                                                  wl.entities[rname].weight, "entity", made))
                        continue
                    for rname, members in self._refs[wi].items():
                        if h.entity in members and not wl.entities[rname].heads:
                            hits.append(self._hit(f, h.nstart, h.nend, h.wfirst, h.wlast, rname,
                                                  self._entities[h.entity].name, wl.entities[rname].weight,
                                                  "entity"))
            mask_groups = {g for g, grp in wl.groups.items() if grp.mask}
            hits = _prune(hits, mask_groups)
            hits, removed = apply_senses(wl.senses, hits, contexts.get(wi, []), by_field)
            masks = [(h.field, h.start, h.end) for h in hits if h.group in mask_groups]
            gone = {(h.field, h.start, h.end) for rs in removed.values() for h, _ in rs}
            shown = [e for e in entities
                     if not any(f == e.field and s <= e.start and e.end <= t for f, s, t in masks)
                     and (e.field, e.start, e.end) not in gone]
            flags.append(self._flag(wl, hits, fields, shown, removed))
        return flags

    def _flag(self, wl: Watchlist, hits: list[Hit], fields: list[Field], entities: list[Entity],
              removed: dict[int, list[tuple[Hit, Hit]]]) -> Flag:
        by_field = {f.name: f for f in fields}
        rules, total, vetoed = [], 0.0, False
        units = Units(hits, {f.name: f.passages for f in fields})
        for rule in wl.rules:
            found = evaluate(rule, hits, wl.proximity, units)
            info: dict = {"name": rule.name, "satisfied": found is not None, "weight": rule.weight,
                          "scope": scope_label(rule, wl.proximity), "contribution": 0.0}
            if rule.description:
                info["description"] = rule.description
            if found is not None:
                field_name, evidence, reach, factor = found
                boost = wl.title_boost if field_name == "title" and rule.weight > 0 else 1.0
                info["contribution"] = round(rule.weight * factor * boost, 3)
                info["field"] = field_name
                if rule.graded:
                    info["reach"], info["factor"] = reach, factor
                info["evidence"] = [_evidence(h, by_field) for h in evidence]
                total += info["contribution"]
                if rule.veto:
                    info["veto"] = True
                    vetoed = True
            else:
                info["missing"] = missing(rule, hits)
            rules.append(info)
        for si, pairs in sorted(removed.items()):
            sense = wl.senses[si]
            info = {"name": sense.name, "sense": True, "satisfied": True, "weight": 0, "scope": "sense",
                    "contribution": 0.0,
                    "removed": [{**_evidence(h, by_field), "context": _surface(by_field[c.field], c)}
                                for h, c in pairs]}
            if sense.description:
                info["description"] = sense.description
            rules.append(info)
        matches = [Match(h.term, h.group, h.start, h.end, h.field,
                         by_field[h.field].snippet(h.start, h.end)) for h in hits]
        score = round(total, 3)
        return Flag(watchlist=wl.name, version=wl.version, score=score,
                    flagged=(score >= wl.threshold and not vetoed), matches=matches,
                    entities=list(entities), rules=rules)


def _surface(f: Field, c) -> str:
    s, e = original_span(f.text, f.offsets, c.nstart, c.nend)
    return f.text[s:e]


def _evidence(h: Hit, by_field: dict[str, Field]) -> dict:
    ev = {"group": h.group, "term": h.term, "field": h.field, "start": h.start, "end": h.end,
          "surface": by_field[h.field].text[h.start:h.end]}
    if h.made_of:
        ev["made_of"] = h.made_of
    return ev


def _prune(hits: list[Hit], mask_groups: set[str]) -> list[Hit]:
    """Drop hits inside a longer hit of the same group, and hits inside a mask hit."""
    masks = [h for h in hits if h.group in mask_groups]
    inside = _inside_longer(hits)
    out = []
    for i, h in enumerate(hits):
        if i in inside:
            continue
        if h.group not in mask_groups and any(m.field == h.field and m.nstart <= h.nstart and h.nend <= m.nend
                                              for m in masks):
            continue
        out.append(h)
    # one hit per span and group (a term listed twice, or term + variant, counts once)
    seen, uniq = set(), []
    for h in sorted(out, key=lambda h: (h.field != "title", h.nstart, h.nend)):
        key = (h.field, h.nstart, h.nend, h.group)
        if key not in seen:
            seen.add(key)
            uniq.append(h)
    return uniq


def _inside_longer(hits: list[Hit]) -> set[int]:
    """Indexes of hits contained in a longer hit of the same group and field.

    One sweep per (group, field) in (start, -end) order instead of comparing all
    pairs: a hit is inside a longer one when an earlier hit ends after it, or ends
    where it does but starts earlier (an identical span is not longer).
    """
    buckets: dict[tuple[str, str], list[int]] = {}
    for i, h in enumerate(hits):
        buckets.setdefault((h.group, h.field), []).append(i)
    inside: set[int] = set()
    for idxs in buckets.values():
        if len(idxs) < 2:
            continue
        idxs.sort(key=lambda i: (hits[i].nstart, -hits[i].nend))
        max_end, start_at_max = -1, -1
        for i in idxs:
            h = hits[i]
            if max_end > h.nend or (max_end == h.nend and start_at_max < h.nstart):
                inside.add(i)
            if h.nend > max_end:
                max_end, start_at_max = h.nend, h.nstart
    return inside
