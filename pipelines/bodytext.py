"""Body text clean-up shared by every extraction path: whitespace, repeated paragraphs."""

from __future__ import annotations

import re

_WS = re.compile(r"[ \t\u00a0\u200f\u200e]+")


def clean_body(text: str) -> str:
    """Paragraphs kept (one per line), whitespace inside lines collapsed."""
    lines = (_WS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text)


def drop_repeated_paragraphs(body: str) -> str:
    """Pull-quotes repeat a sentence of the article: drop a paragraph that is
    contained in another (or repeats one already kept)."""
    lines = body.split("\n")
    keys = [_key(line) for line in lines]
    out, seen = [], set()
    for i, (line, key) in enumerate(zip(lines, keys)):
        if not key or key in seen:
            continue
        if len(key) < 400 and any(j != i and len(k) > len(key) and key in k for j, k in enumerate(keys)):
            continue
        seen.add(key)
        out.append(line)
    return "\n".join(out)
