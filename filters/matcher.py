"""One Aho–Corasick automaton for every term of every watchlist plus the gazetteer.

Why one automaton: the cost of scanning an article is then linear in the article's
length and (almost) independent of how many terms the analysts add; a watchlist with
5,000 terms costs about as much per article as one with 50 (see bench/bench_matching.py).

Flow of :meth:`Matcher.score`:

1. normalise title and body, keeping an index map to the original strings;
2. one automaton pass per field; keep hits that start and end on token boundaries;
3. entity hits: overlapping gazetteer hits are resolved longest-first, so
   ``الأمن الداخلي الفرنسي`` is one foreign agency, not a Moroccan one plus an adjective;
4. per watchlist: term hits + entity references (by role), shorter hits inside a longer
   hit of the same group dropped, hits inside a ``mask`` group's hit dropped
   (``الأمن الغذائي`` hides a ``الأمن`` inside it);
5. each rule is checked over its scope (a window of N words, a paragraph, a field or the
   whole article); the first satisfying scope is kept as evidence.  A rule satisfied
   inside the title contributes ``weight × title_boost``.

``score`` is pure: no I/O, no state changes; the same inputs give the same flags.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import ahocorasick

from filters.clitics import term_variants
from filters.gazetteer import GazEntity, Gazetteer
from filters.normalize import normalize_with_offsets, original_span
from filters.tokenize import TokenIndex
from filters.watchlist import Rule, Watchlist
from raqib.items import Entity, Flag, Match

__all__ = ["Matcher", "explain"]

SNIPPET_CHARS = 60
_EVIDENCE_PER_GROUP = 2


@dataclass(frozen=True)
class _Raw:
    field: str
    nstart: int
    nend: int
    wfirst: int
    wlast: int
    payloads: tuple


@dataclass(frozen=True)
class Hit:
    """One group hit inside one article field (normalised and original spans)."""

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


class _Field:
    __slots__ = ("name", "text", "norm", "offsets", "index", "breaks")

    def __init__(self, name: str, text: str):
        self.name = name
        self.text = text
        self.norm, self.offsets = normalize_with_offsets(text)
        self.index = TokenIndex(self.norm)
        self.breaks = [i for i, c in enumerate(text) if c == "\n"]

    def para_of(self, start: int) -> int:
        return bisect.bisect_left(self.breaks, start)

    def snippet(self, start: int, end: int) -> str:
        pad = max(0, (SNIPPET_CHARS - (end - start)) // 2)
        s, e = max(0, start - pad), min(len(self.text), end + pad)
        text = " ".join(self.text[s:e].split())
        return ("…" if s > 0 else "") + text + ("…" if e < len(self.text) else "")


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
            for spelling in ent.variants:
                for key in term_variants(spelling):
                    table.setdefault(key, []).append(("e", ei))
        self._terms: list[tuple[int, str, str, float]] = []    # (watchlist, group, term, weight)
        for wi, wl in enumerate(self.watchlists):
            for gname, group in wl.groups.items():
                for term in group.terms:
                    tid = len(self._terms)
                    self._terms.append((wi, gname, term.text, term.weight))
                    for key in term.keys():
                        table.setdefault(key, []).append(("t", tid))
        self.keys = len(table)
        self._auto = ahocorasick.Automaton()
        for key, payloads in table.items():
            self._auto.add_word(key, (len(key), tuple(dict.fromkeys(payloads))))
        if table:
            self._auto.make_automaton()
        # entity reference → set of entity indexes, per watchlist
        self._refs: list[dict[str, set[int]]] = []
        for wl in self.watchlists:
            refs = {}
            for rname, ref in wl.entities.items():
                refs[rname] = {ei for ei, e in enumerate(self._entities)
                               if e.role in ref.roles and (not ref.types or e.type in ref.types)}
            self._refs.append(refs)

    # -- scanning ------------------------------------------------------------------------
    def _scan(self, f: _Field) -> list[_Raw]:
        if not self.keys or not f.norm:
            return []
        out = []
        for end, (length, payloads) in self._auto.iter(f.norm):
            start = end - length + 1
            span = f.index.word_span(start, end + 1)
            if span is not None:
                out.append(_Raw(f.name, start, end + 1, span[0], span[1], payloads))
        return out

    def _hit(self, f: _Field, raw: _Raw, group: str, term: str, weight: float, kind: str) -> Hit:
        s, e = original_span(f.text, f.offsets, raw.nstart, raw.nend)
        return Hit(group, term, weight, f.name, raw.nstart, raw.nend, raw.wfirst, raw.wlast,
                   f.para_of(s), s, e, kind)

    @staticmethod
    def _entity_hits(raws: list[_Raw]) -> list[tuple[_Raw, int]]:
        """Longest-first, non-overlapping entity hits of one field."""
        cands = [(r, p[1]) for r in raws for p in r.payloads if p[0] == "e"]
        cands.sort(key=lambda c: (-(c[0].nend - c[0].nstart), c[0].nstart))
        taken: list[tuple[int, int]] = []
        out = []
        for r, ei in cands:
            if any(r.nstart < e and s < r.nend for s, e in taken):
                continue
            taken.append((r.nstart, r.nend))
            out.append((r, ei))
        out.sort(key=lambda c: c[0].nstart)
        return out

    def find_entities(self, text: str, field: str = "body") -> list[Entity]:
        """Gazetteer entities in ``text`` (longest match wins), offsets into ``text``."""
        f = _Field(field, text or "")
        return [self._entity(f, r, ei) for r, ei in self._entity_hits(self._scan(f))]

    def _entity(self, f: _Field, r: _Raw, ei: int) -> Entity:
        s, e = original_span(f.text, f.offsets, r.nstart, r.nend)
        ent = self._entities[ei]
        return Entity(ent.name, ent.type, ent.role, s, e, field=f.name, surface=f.text[s:e])

    # -- scoring -------------------------------------------------------------------------
    def score(self, title: str, body: str) -> list[Flag]:
        """One :class:`raqib.items.Flag` per watchlist for this article.

        Match and Entity offsets index the original ``title``/``body`` strings, so
        ``text[m.start:m.end]`` is the surface form a reader sees.
        """
        fields = [_Field("title", title or ""), _Field("body", body or "")]
        scanned = [(f, self._scan(f)) for f in fields]
        ent_hits = [(f, self._entity_hits(raws)) for f, raws in scanned]
        entities = [self._entity(f, r, ei) for f, ehits in ent_hits for r, ei in ehits]
        # term hits bucketed by watchlist once, so each watchlist only sees its own
        by_wl: dict[int, list[Hit]] = {}
        for f, raws in scanned:
            for r in raws:
                for p in r.payloads:
                    if p[0] == "t":
                        wi, gname, term, weight = self._terms[p[1]]
                        by_wl.setdefault(wi, []).append(self._hit(f, r, gname, term, weight, "term"))
        flags = []
        for wi, wl in enumerate(self.watchlists):
            hits: list[Hit] = list(by_wl.get(wi, ()))
            for f, ehits in ent_hits:
                for r, ei in ehits:
                    for rname, members in self._refs[wi].items():
                        if ei in members:
                            hits.append(self._hit(f, r, rname, self._entities[ei].name,
                                                  wl.entities[rname].weight, "entity"))
            mask_groups = {g for g, grp in wl.groups.items() if grp.mask}
            hits = _prune(hits, mask_groups)
            masks = [(h.field, h.start, h.end) for h in hits if h.group in mask_groups]
            shown = [e for e in entities
                     if not any(f == e.field and s <= e.start and e.end <= t for f, s, t in masks)]
            flags.append(self._flag(wl, hits, fields, shown))
        return flags

    def _flag(self, wl: Watchlist, hits: list[Hit], fields: list[_Field], entities: list[Entity]) -> Flag:
        by_field = {f.name: f for f in fields}
        rules, total, vetoed = [], 0.0, False
        for rule in wl.rules:
            found = _evaluate(rule, hits)
            info: dict = {"name": rule.name, "satisfied": found is not None, "weight": rule.weight,
                          "scope": _scope_label(rule), "contribution": 0.0}
            if rule.description:
                info["description"] = rule.description
            if found is not None:
                field_name, evidence = found
                boost = wl.title_boost if field_name == "title" and rule.weight > 0 else 1.0
                info["contribution"] = round(rule.weight * boost, 3)
                info["field"] = field_name
                info["evidence"] = [{"group": h.group, "term": h.term, "field": h.field, "start": h.start,
                                     "end": h.end, "surface": by_field[h.field].text[h.start:h.end]}
                                    for h in evidence]
                total += info["contribution"]
                if rule.veto:
                    info["veto"] = True
                    vetoed = True
            else:
                info["missing"] = _missing(rule, hits)
            rules.append(info)
        matches = [Match(h.term, h.group, h.start, h.end, h.field,
                         by_field[h.field].snippet(h.start, h.end)) for h in hits]
        score = round(total, 3)
        return Flag(watchlist=wl.name, version=wl.version, score=score,
                    flagged=(score >= wl.threshold and not vetoed), matches=matches,
                    entities=list(entities), rules=rules)


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


def _check(rule: Rule, unit: list[Hit]) -> list[Hit] | None:
    """Evidence when ``unit`` satisfies the rule's group conditions, else None."""
    present: dict[str, list[Hit]] = {}
    for h in unit:
        present.setdefault(h.group, []).append(h)
    if any(g in present for g in rule.none_of):
        return None
    if any(g not in present for g in rule.all_of):
        return None
    evidence = [h for g in rule.all_of for h in present[g][:_EVIDENCE_PER_GROUP]]
    if rule.any_of:
        distinct: dict[tuple[str, str], Hit] = {}
        for g in rule.any_of:
            for h in present.get(g, []):
                distinct.setdefault((g, h.term), h)
        if sum(h.weight for h in distinct.values()) < rule.min_weight:
            return None
        evidence += list(distinct.values())[:2 * _EVIDENCE_PER_GROUP]
    return evidence


def _evaluate(rule: Rule, hits: list[Hit]) -> tuple[str, list[Hit]] | None:
    """Find a scope satisfying ``rule``: returns (field, evidence) or None. Title first."""
    wanted = set(rule.all_of) | set(rule.any_of)
    if rule.context:
        present = {h.group for h in hits}
        if any(g not in present for g in rule.context):
            return None
    if rule.within is None and rule.same is None:
        title = [h for h in hits if h.field == "title"]
        ev = _check(rule, title) if title and wanted else None
        if ev is not None:
            return "title", ev
        ev = _check(rule, hits)
        return ("body", ev) if ev is not None else None
    for fname in ("title", "body"):
        fhits = [h for h in hits if h.field == fname]
        if rule.same == "field":
            ev = _check(rule, fhits)
            if ev is not None:
                return fname, ev
        elif rule.same == "paragraph":
            paras: dict[int, list[Hit]] = {}
            for h in fhits:
                paras.setdefault(h.para, []).append(h)
            for p in sorted(paras):
                ev = _check(rule, paras[p])
                if ev is not None:
                    return fname, ev
        else:
            ev = _window(rule, fhits, wanted)
            if ev is not None:
                return fname, ev
    return None


def _window(rule: Rule, fhits: list[Hit], wanted: set[str]) -> list[Hit] | None:
    """First window of ``rule.within`` words holding the wanted groups and no none_of hit."""
    rel = sorted((h for h in fhits if h.group in wanted), key=lambda h: (h.wfirst, h.wlast))
    barriers = [h for h in fhits if h.group in rule.none_of]
    n = rule.within or 1
    for i, first in enumerate(rel):
        unit: list[Hit] = []
        last = first.wlast
        for h in rel[i:]:
            if h.wlast - first.wfirst >= n:
                if h.wfirst - first.wfirst >= n:
                    break
                continue
            unit.append(h)
            last = max(last, h.wlast)
            if any(b.wfirst <= last and b.wlast >= first.wfirst for b in barriers):
                break
            ev = _check(rule, unit)
            if ev is not None:
                return ev
    return None


def _missing(rule: Rule, hits: list[Hit]) -> list[str]:
    present = {h.group for h in hits}
    missing = [g for g in (*rule.all_of, *rule.context) if g not in present]
    if rule.any_of and not any(g in present for g in rule.any_of):
        missing.append("any of: " + ", ".join(rule.any_of))
    return missing


def _scope_label(rule: Rule) -> str:
    if rule.within is not None:
        return f"within {rule.within} words"
    if rule.same is not None:
        return f"same {rule.same}"
    return "article"


def explain(flag: Flag) -> str:
    """Human-readable lines, rule by rule, from a flag alone (no recomputation)."""
    verdict = "FLAGGED" if flag.flagged else "not flagged"
    lines = [f"{flag.watchlist} (version {flag.version}): {verdict}, score {flag.score:g}"]
    for r in flag.rules:
        mark = "✓" if r.get("satisfied") else "✗"
        head = f"  {mark} {r['name']} [{r.get('scope', '')}] weight {r.get('weight', 0):g}"
        if r.get("satisfied"):
            head += f" → +{r['contribution']:g}" if r["contribution"] >= 0 else f" → {r['contribution']:g}"
            if r.get("field") == "title":
                head += " (in title)"
            if r.get("veto"):
                head += " VETO"
            lines.append(head)
            for ev in r.get("evidence", []):
                lines.append(f"      {ev['group']}: {ev['surface']} ({ev['field']} {ev['start']}–{ev['end']})")
        else:
            missing = r.get("missing") or []
            why = ("missing " + "; ".join(missing)) if missing else "groups present but not together in scope"
            lines.append(f"{head} → 0 ({why})")
    if flag.entities:
        names = sorted({f"{e.name} ({e.role})" for e in flag.entities})
        lines.append("  entities: " + "، ".join(names))
    return "\n".join(lines)
