"""Highlight stored matches and entities in stored text, using the stored offsets.

Flags explain themselves (house rule 7): the offsets saved with a flag index the
article's stored title/body, so highlighting is slicing, never re-matching.  The
text is cut at every span boundary and *each segment is escaped on its own* before
it is wrapped, so scraped text can never inject markup however the spans fall, and
overlapping spans (a term inside an entity) need no nesting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str       # "term" or "entity"
    label: str      # shown on hover / in the terminal legend
    css: str = ""   # extra class (safe slug)


_SLUG = re.compile(r"[^a-z0-9_-]+")


def _slug(value: str) -> str:
    return _SLUG.sub("-", str(value).lower()).strip("-")


def spans_for(flags: list[dict], field: str) -> list[Span]:
    """The spans of every stored match and entity of ``flags`` that index ``field``."""
    out: list[Span] = []
    for f in flags:
        for m in f.get("matches") or []:
            if m.get("field", "body") == field:
                label = m.get("term", "") + (f" ({m['group']})" if m.get("group") else "")
                out.append(Span(int(m["start"]), int(m["end"]), "term", label,
                                "hl-group-" + _slug(m.get("group", ""))))
        for e in f.get("entities") or []:
            if e.get("field", "body") == field:
                label = " · ".join(x for x in (e.get("name"), e.get("type"), e.get("role")) if x)
                out.append(Span(int(e["start"]), int(e["end"]), "entity", label,
                                "hl-role-" + _slug(e.get("role", ""))))
    return out


def segments(text: str, spans: list[Span], lo: int = 0, hi: int | None = None
             ) -> Iterator[tuple[str, list[Span]]]:
    """Cut ``text[lo:hi]`` at every span boundary: (segment, spans covering it).

    Offsets outside the text (stale after an in-place article update) are clamped or
    dropped rather than raising: the page must always render.
    """
    hi = len(text) if hi is None else hi
    live = [s for s in spans if s.start < s.end and s.end > lo and s.start < hi]
    cuts = {lo, hi}
    for s in live:
        cuts.add(min(max(s.start, lo), hi))
        cuts.add(min(max(s.end, lo), hi))
    points = sorted(cuts)
    for a, b in zip(points, points[1:]):
        if a == b:
            continue
        cover = [s for s in live if s.start <= a and s.end >= b]
        yield text[a:b], cover


def _wrap(segment: str, cover: list[Span]) -> Markup:
    if not cover:
        return escape(segment)
    kinds = sorted({s.kind for s in cover})
    classes = ["hl"] + [f"hl-{k}" for k in kinds] + sorted({s.css for s in cover if s.css})
    title = " | ".join(dict.fromkeys(s.label for s in cover))
    return Markup('<mark class="{}" title="{}">{}</mark>').format(" ".join(classes), title, segment)


def highlight_inline(text: str, spans: list[Span]) -> Markup:
    """Escaped ``text`` with spans wrapped in ``<mark>`` (for titles)."""
    return Markup("").join(_wrap(seg, cover) for seg, cover in segments(text or "", spans))


def highlight_paragraphs(text: str, spans: list[Span]) -> Markup:
    """Escaped body as ``<p>`` per line, spans wrapped in ``<mark>``; offsets stay those
    of the whole stored body (each paragraph is cut at its own base offset)."""
    text = text or ""
    out: list[Markup] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            inner = Markup("").join(_wrap(seg, cover) for seg, cover in segments(text, spans, pos, end))
            out.append(Markup("<p>{}</p>").format(inner))
        pos = end + 1
    return Markup("\n").join(out)


def highlight_terminal(text: str, spans: list[Span], style) -> str:
    """The same cut, for the terminal: ``style(segment, kind)`` decorates covered text."""
    parts = []
    for seg, cover in segments(text or "", spans):
        if cover:
            parts.append(style(seg, "entity" if all(s.kind == "entity" for s in cover) else "term"))
        else:
            parts.append(seg)
    return "".join(parts)
