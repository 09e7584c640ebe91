"""Rule evaluation over an article's hits, and the rule-by-rule explanation of a flag.

A rule is checked over a scope: a window of N words (``within``), a paragraph or a field
(``same``), the whole article (neither), or — for ``graded`` rules — the closest scope
that holds its evidence: one sentence counts ``weight × proximity["sentence"]``, one
paragraph ``× proximity["paragraph"]``, anywhere in the article ``× proximity["article"]``.
Graded scopes replace all-or-nothing windows: evidence spread over an article still
counts, less than evidence told in one sentence, and the explanation says which scope
was reached.

A "paragraph" for graded rules is a *passage*: news sites that print one sentence per
paragraph split what a reader takes as one paragraph over several lines, so consecutive
short paragraphs are read together until the passage holds ``PASSAGE_WORDS`` words
(the matcher gives each paragraph its passage number; ``same: paragraph`` rules and
``lead`` still count real paragraphs).
"""

from __future__ import annotations

from typing import Protocol

from filters.watchlist import Rule
from raqib.items import Flag

__all__ = ["Units", "passages", "PASSAGE_WORDS", "evaluate", "check", "missing", "scope_label", "explain", "REACH_LABELS"]

_EVIDENCE_PER_GROUP = 2
#: A rule's ``lead`` groups must be in the title or the first paragraphs: news sites that
#: print one sentence per paragraph spread the lead over two of them.
LEAD_PARAGRAPHS = 2
REACH_LABELS = ("sentence", "paragraph", "article")
#: A passage closes once it holds this many words: a one-sentence paragraph of a wire or a
#: Moroccan site (15–30 words) is read with the next one, a full paragraph stands alone.
PASSAGE_WORDS = 30


def passages(word_counts: list[int], size: int = PASSAGE_WORDS) -> list[int]:
    """The passage number of each paragraph, given the paragraphs' word counts."""
    out, passage, acc = [], 0, 0
    for n in word_counts:
        out.append(passage)
        acc += n
        if acc >= size:
            passage, acc = passage + 1, 0
    return out


class _HitLike(Protocol):
    group: str
    term: str
    weight: float
    field: str
    wfirst: int
    wlast: int
    para: int
    sent: int


def check(rule: Rule, unit: list) -> list | None:
    """Evidence when ``unit`` satisfies the rule's group conditions, else None."""
    present: dict[str, list] = {}
    for h in unit:
        present.setdefault(h.group, []).append(h)
    if any(g in present for g in rule.none_of):
        return None
    if any(g not in present for g in rule.all_of):
        return None
    evidence = [h for g in rule.all_of for h in present[g][:_EVIDENCE_PER_GROUP]]
    if rule.any_of:
        distinct: dict = {}
        for g in rule.any_of:
            for h in present.get(g, []):
                distinct.setdefault((g, h.term), h)
        if sum(h.weight for h in distinct.values()) < rule.min_weight:
            return None
        evidence += list(distinct.values())[:2 * _EVIDENCE_PER_GROUP]
    return evidence


class Units:
    """An article's hits grouped by sentence and by paragraph, once for all rules."""

    def __init__(self, hits: list, passage_of: dict[str, list[int]] | None = None):
        self.hits = hits
        self._passage_of = passage_of or {}
        self._cache: dict[str, list[tuple[str, list, frozenset]]] = {}
        self._article: dict[tuple[str, ...], list] = {}     # article_hits by none_of

    def _unit_key(self, h, reach: str) -> int:
        if reach == "sentence":
            return h.sent
        table = self._passage_of.get(h.field)
        return table[h.para] if table and h.para < len(table) else h.para

    def article_hits(self, none_of: tuple[str, ...]) -> list:
        """The hits a graded rule reads at article scope: without the written paragraphs
        that hold a hit of its ``none_of`` groups.  A paragraph on the Security Council's
        Sahara vote in a story of a joint seizure is about something else; voiding the
        whole article for it lost the story, while a sentence or a paragraph holding the
        none_of hit is still voided as before."""
        if not none_of:
            return self.hits
        if none_of not in self._article:        # rules share their none_of (not_security)
            away = {(h.field, h.para) for h in self.hits if h.group in none_of}
            self._article[none_of] = [h for h in self.hits if (h.field, h.para) not in away] if away else self.hits
        return self._article[none_of]

    def of(self, reach: str) -> list[tuple[str, list, frozenset]]:
        """``[(field, hits of one unit, their groups), ...]``: title units first, then body."""
        if reach not in self._cache:
            groups: dict[tuple[int, int], list] = {}
            for h in self.hits:
                key = (0 if h.field == "title" else 1, self._unit_key(h, reach))
                groups.setdefault(key, []).append(h)
            self._cache[reach] = [("title" if k[0] == 0 else "body", groups[k],
                                   frozenset(h.group for h in groups[k])) for k in sorted(groups)]
        return self._cache[reach]


def evaluate(rule: Rule, hits: list, proximity: dict[str, float] | None = None,
             units: Units | None = None) -> tuple[str, list, str, float] | None:
    """Find a scope satisfying ``rule``.

    Returns:
        ``(field, evidence, reach, factor)`` or None.  ``reach`` names the scope kind
        reached (``sentence``/``paragraph``/``article`` for graded rules, else the rule's
        own scope) and ``factor`` multiplies the rule's weight (1 unless graded).
    """
    wanted = set(rule.all_of) | set(rule.any_of)
    if rule.context:
        present = {h.group for h in hits}
        if any(g not in present for g in rule.context):
            return None
    if rule.lead:
        lead = _lead_groups(hits)
        if any(g not in lead for g in rule.lead):
            return None
    if rule.graded:
        return _graded(rule, units or Units(hits), proximity or {})
    if rule.within is None and rule.same is None:
        title = [h for h in hits if h.field == "title"]
        ev = check(rule, title) if title and wanted else None
        if ev is not None:
            return "title", ev, "article", 1.0
        ev = check(rule, hits)
        return ("body", ev, "article", 1.0) if ev is not None else None
    for fname in ("title", "body"):
        fhits = [h for h in hits if h.field == fname]
        if rule.same == "field":
            ev = check(rule, fhits)
            if ev is not None:
                return fname, ev, "field", 1.0
        elif rule.same == "paragraph":
            ev = _first_unit(rule, fhits, lambda h: h.para)
            if ev is not None:
                return fname, ev, "paragraph", 1.0
        else:
            ev = _window(rule, fhits, wanted)
            if ev is not None:
                return fname, ev, "window", 1.0
    return None


def _first_unit(rule: Rule, fhits: list, key) -> list | None:
    units: dict[int, list] = {}
    for h in fhits:
        units.setdefault(key(h), []).append(h)
    for k in sorted(units):
        ev = check(rule, units[k])
        if ev is not None:
            return ev
    return None


def _graded(rule: Rule, units: Units, proximity: dict[str, float]) -> tuple[str, list, str, float] | None:
    """Closest scope first: a sentence, then a paragraph (title first), then the article."""
    need = frozenset(rule.all_of)
    anyg = frozenset(rule.any_of)
    for reach in ("sentence", "paragraph"):
        for fname, unit, present in units.of(reach):
            if not need <= present or (anyg and not anyg & present):
                continue
            ev = check(rule, unit)
            if ev is not None:
                return fname, ev, reach, proximity.get(reach, 1.0)
    ev = check(rule, units.article_hits(rule.none_of))
    if ev is not None:
        return "body", ev, "article", proximity.get("article", 1.0)
    return None


def _window(rule: Rule, fhits: list, wanted: set[str]) -> list | None:
    """First window of ``rule.within`` words holding the wanted groups and no none_of hit."""
    rel = sorted((h for h in fhits if h.group in wanted), key=lambda h: (h.wfirst, h.wlast))
    barriers = [h for h in fhits if h.group in rule.none_of]
    n = rule.within or 1
    for i, first in enumerate(rel):
        unit: list = []
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
            ev = check(rule, unit)
            if ev is not None:
                return ev
    return None


def _lead_groups(hits: list) -> set[str]:
    """Groups with a hit in the title or the first ``LEAD_PARAGRAPHS`` paragraphs."""
    return {h.group for h in hits if h.field == "title" or h.para < LEAD_PARAGRAPHS}


def missing(rule: Rule, hits: list) -> list[str]:
    present = {h.group for h in hits}
    out = [g for g in (*rule.all_of, *rule.context) if g not in present]
    lead = _lead_groups(hits)
    out += [f"{g} in the title or first {LEAD_PARAGRAPHS} paragraphs" for g in rule.lead if g not in lead]
    if rule.any_of and not any(g in present for g in rule.any_of):
        out.append("any of: " + ", ".join(rule.any_of))
    return out


def scope_label(rule: Rule, proximity: dict[str, float] | None = None) -> str:
    if rule.graded:
        p = proximity or {}
        return "graded: " + " > ".join(f"{k} ×{p.get(k, 1.0):g}" for k in REACH_LABELS)
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
        if r.get("sense"):
            lines.append(f"  ⊘ sense {r['name']}: removed {len(r.get('removed', []))} match(es)"
                         + (f" — {r['description']}" if r.get("description") else ""))
            for ev in r.get("removed", []):
                lines.append(f"      {ev['group']}: {ev['surface']} ({ev['field']} {ev['start']}–{ev['end']}),"
                             f" context «{ev['context']}»")
            continue
        mark = "✓" if r.get("satisfied") else "✗"
        head = f"  {mark} {r['name']} [{r.get('scope', '')}] weight {r.get('weight', 0):g}"
        if r.get("satisfied"):
            head += f" → +{r['contribution']:g}" if r["contribution"] >= 0 else f" → {r['contribution']:g}"
            if r.get("reach") in REACH_LABELS and r.get("factor") is not None:
                head += f" (same {r['reach']} ×{r['factor']:g})" if r["reach"] != "article" \
                    else f" (spread over the article ×{r['factor']:g})"
            if r.get("field") == "title":
                head += " (in title)"
            if r.get("veto"):
                head += " VETO"
            lines.append(head)
            for ev in r.get("evidence", []):
                made = f" = {ev['made_of']}" if ev.get("made_of") else ""
                lines.append(f"      {ev['group']}: {ev['surface']}{made} ({ev['field']} {ev['start']}–{ev['end']})")
        else:
            miss = r.get("missing") or []
            why = ("missing " + "; ".join(miss)) if miss else "groups present but not together in scope"
            lines.append(f"{head} → 0 ({why})")
    if flag.entities:
        names = sorted({f"{e.name} ({e.role})" for e in flag.entities})
        lines.append("  entities: " + "، ".join(names))
    return "\n".join(lines)
