"""The sentence(s) that made a flag, cut from the stored text by the stored offsets.

An alert, an e-mail or a feed entry that carries only a title cannot be triaged
without opening the article.  The flag already records where its evidence is
(house rule 7: matches, entities and each satisfied rule's evidence with offsets
into the stored title/body), so the strongest sentence is found by *weighing
stored spans per sentence* — never by matching the text again.

Weights: a satisfied rule adds its contribution for every sentence that holds part
of its evidence (a rule whose terms sit in one sentence is the strongest single
piece of evidence), each distinct term group matched in the sentence adds 1, each
distinct foreign partner or Moroccan actor entity adds 0.5.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from markupsafe import Markup, escape

from review.highlight import Span, segments

# Sentence ends: Latin and Arabic full stop/question/exclamation, Arabic semicolon,
# and line breaks (stored bodies keep one paragraph per line).
_END = re.compile(r"[.!?؟؛…]+[\"'»”)]*\s*|\n+")
MAX_SENTENCE_CHARS = 400
STRONG_ROLES = ("foreign_partner", "moroccan_actor")
# inline style: mail clients drop <style> blocks and classes
MARK = '<mark style="background:#ffe38a;font-weight:bold">{}</mark>'


@dataclass
class Sentence:
    """One evidence sentence: its text, where it is, why it was chosen."""

    field: str                 # "title" or "body"
    start: int                 # offsets of ``text`` in the stored field
    end: int
    text: str
    weight: float
    terms: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)   # matched terms, relative to ``text``

    def as_dict(self) -> dict:
        d = asdict(self)
        d["spans"] = [list(s) for s in self.spans]
        return d


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, surrounding spaces trimmed."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _END.finditer(text):
        _add(out, text, pos, m.end())
        pos = m.end()
    _add(out, text, pos, len(text))
    return out


def _add(out: list, text: str, a: int, b: int) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        out.append((a, b))


def _inside(item: dict, fld: str, a: int, b: int) -> bool:
    try:
        return item.get("field", "body") == fld and a <= int(item["start"]) < b
    except (KeyError, TypeError, ValueError):
        return False


def _satisfied(rule: dict) -> bool:
    return bool(rule.get("satisfied", rule.get("matched")))


def _weigh(fld: str, a: int, b: int, flags: list[dict]) -> tuple[float, list[str], list[tuple[int, int]]]:
    weight = 0.0
    groups: set[str] = set()
    terms: list[str] = []
    spans: list[tuple[int, int]] = []
    ents: set[str] = set()
    for f in flags:
        for rule in f.get("rules") or []:
            if _satisfied(rule) and any(_inside(e, fld, a, b) for e in rule.get("evidence") or []):
                weight += float(rule.get("contribution") or rule.get("weight") or 1.0)
        for m in f.get("matches") or []:
            if _inside(m, fld, a, b):
                groups.add(m.get("group", ""))
                if m.get("term") and m["term"] not in terms:
                    terms.append(m["term"])
                spans.append((int(m["start"]) - a, min(int(m["end"]), b) - a))
        for e in f.get("entities") or []:
            if _inside(e, fld, a, b) and e.get("role") in STRONG_ROLES:
                ents.add(e.get("name", ""))
    weight += len(groups) + 0.5 * len(ents)
    return weight, terms, sorted(set(spans))


def _clip(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """Keep a run-on "sentence" (a paragraph without stops) short, centred on its spans."""
    if b - a <= MAX_SENTENCE_CHARS:
        return a, b
    first = a + (spans[0][0] if spans else 0)
    lo = max(a, first - MAX_SENTENCE_CHARS // 3)
    hi = min(b, lo + MAX_SENTENCE_CHARS)
    while lo > a and not text[lo - 1].isspace():   # whole words only
        lo -= 1
    while hi < b and not text[hi].isspace():
        hi += 1
    return lo, hi


def strongest(title: str, body: str, flags: list[dict], *, n: int = 2) -> list[Sentence]:
    """The ``n`` sentences of ``title``/``body`` carrying the most stored evidence of
    ``flags`` (stored flag dicts with decoded matches/entities/rules), in reading
    order; the title counts only when no body sentence carries any evidence."""
    found: list[Sentence] = []
    for fld, text in (("body", body or ""), ("title", title or "")):
        if fld == "title" and found:
            break
        for a, b in sentence_bounds(text):
            weight, terms, spans = _weigh(fld, a, b, flags)
            if weight <= 0:
                continue
            lo, hi = _clip(text, a, b, spans)
            rel = [(s + a - lo, e + a - lo) for s, e in spans if s + a >= lo and e + a <= hi]
            found.append(Sentence(fld, lo, hi, text[lo:hi], weight, terms, rel))
    best = sorted(found, key=lambda s: (-s.weight, s.field != "title", s.start))[:n]
    return sorted(best, key=lambda s: (s.field != "title", s.start))


def as_plain(sentence: dict) -> str:
    """A sentence for plain text: matched terms between ⟨ ⟩ (no markup to escape)."""
    text, out, pos = sentence["text"], [], 0
    for s, e in _merged(sentence.get("spans") or []):
        out += [text[pos:s], "⟨", text[s:e], "⟩"]
        pos = e
    out.append(text[pos:])
    return "".join(out)


def as_html(sentence: dict) -> Markup:
    """A sentence as escaped HTML with matched terms in ``<mark>`` (review.highlight's
    cutting: every segment escaped on its own, so scraped text cannot inject markup)."""
    spans = [Span(int(s), int(e), "term", "") for s, e in sentence.get("spans") or []]
    return Markup("").join(Markup(MARK).format(seg) if cover else escape(seg)
                           for seg, cover in segments(sentence["text"], spans))


def _merged(spans) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted((int(s), int(e)) for s, e in spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def evidence_for(db, article_id: int, watchlist: str | None = None, *, n: int = 2) -> list[dict]:
    """The evidence sentences of a stored article's flag(s), as JSON-ready dicts."""
    from storage.evidence import flag_texts

    got = flag_texts(db, article_id, watchlist)
    if got is None:
        return []
    title, body, flags = got
    return [s.as_dict() for s in strongest(title, body, flags, n=n)]
