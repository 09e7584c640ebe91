"""Token-level F1 between an extracted body and the reference text."""

from __future__ import annotations

import re
from collections import Counter

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def tokens(text: str) -> Counter:
    return Counter(t for t in _PUNCT.sub(" ", text).split() if t)


def token_f1(candidate: str, reference: str) -> float:
    c, r = tokens(candidate), tokens(reference)
    overlap = sum((c & r).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(c.values())
    recall = overlap / sum(r.values())
    return 2 * precision * recall / (precision + recall)
