"""Plain-text tables for crawl summaries (the CLI's only job is formatting)."""

from __future__ import annotations

import json

import click

from raqib.redact import redact_text
from review.sanitize import BIDI_CONTROLS


def summary_table(summary) -> str:
    lines = [f"{'source':<16} {'status':<8} {'pages':>6} {'new':>5} {'upd':>4} {'flag':>5} {'skip':>5} {'err':>4}  seconds"]
    for r in summary.sources:
        lines.append(f"{r.source:<16} {r.status:<8} {r.pages:>6} {r.new_articles:>5} {r.updated_articles:>4}"
                     f" {r.flagged:>5} {sum(r.skipped.values()):>5} {len(r.errors):>4}  {r.seconds:.1f}")
    t = summary.totals
    lines.append(f"{'TOTAL':<16} {'':<8} {t['pages']:>6} {t['new_articles']:>5} {t['updated_articles']:>4}"
                 f" {t['flagged']:>5} {t['skipped']:>5} {t['errors']:>4}  {summary.seconds:.1f}")
    reasons: dict[str, int] = {}
    for r in summary.sources:
        for k, v in r.skipped.items():
            reasons[k] = reasons.get(k, 0) + v
    if reasons:
        lines.append("skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    for r in summary.sources:
        for e in r.errors[:5]:
            lines.append(redact_text(f"  ! {r.source}: {e.get('url', '')} — {e.get('error', '')}"))
        if len(r.errors) > 5:
            lines.append(f"  ! {r.source}: … and {len(r.errors) - 5} more errors (raqib status {r.source})")
    return "\n".join(lines)


def echo_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


_CONTROLS = {c: "\ufffd" for c in (*range(0, 9), *range(11, 32), 127, *range(0x80, 0xA0))} | BIDI_CONTROLS


def inert(text: str | None) -> str:
    """Scraped text with terminal control characters (ANSI escapes…) and bidi controls
    replaced one for one, so a hostile article cannot drive the terminal or reverse the
    text around it (a U+202E inside our own RLE…PDF wrapping), and stored offsets stay valid."""
    return (text or "").translate(_CONTROLS)


def rtl(text: str) -> str:
    """Wrap Arabic in RLE…PDF so terminals that do bidi show it in reading order."""
    return f"\u202b{text}\u202c"

