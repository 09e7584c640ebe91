"""Precision, recall and F1 of a watchlist against the analysts' labels.

Only labelled articles count: an unreviewed story is neither a true nor a false
positive, so the figures say how the watchlist does on what people have judged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Mapping


@dataclass(frozen=True)
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float | None:
        """None when nothing labelled was flagged (undefined, not zero)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """None when no labelled story is relevant."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        out = asdict(self)
        for key in ("precision", "recall", "f1"):
            value = getattr(self, key)
            out[key] = None if value is None else round(value, 4)
        return out


def confusion(flagged: Mapping[int, bool], labels: Mapping[int, bool]) -> Confusion:
    """Count outcomes over the labelled ids (an id missing from ``flagged`` is not flagged)."""
    tp = fp = fn = tn = 0
    for aid, relevant in labels.items():
        hit = bool(flagged.get(aid, False))
        if hit and relevant:
            tp += 1
        elif hit:
            fp += 1
        elif relevant:
            fn += 1
        else:
            tn += 1
    return Confusion(tp, fp, fn, tn)


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
