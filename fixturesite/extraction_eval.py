"""Score extraction against the page-family fixtures: body token-F1, title and date.

Used by ``bench/extraction_quality.py`` (prints the figures) and
``tests/test_extraction_quality.py`` (fails under the floors pinned in
``tests/eval_baseline.json``).  A date counts as right when the extracted day equals
the day the page shows (or both are empty); a date that is present but not the
page's day is *invented* — worse than none, because it files the story under the
wrong day.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Callable

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")


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


def same_title(got: str, want: str) -> bool:
    return _SPACE.sub(" ", got).strip() == _SPACE.sub(" ", want).strip()


@dataclass
class PageScore:
    family: str
    page: str
    f1: float
    title_ok: bool
    date_ok: bool
    invented: bool
    extractor: str = ""
    error: str = ""
    got_title: str = ""
    got_date: str | None = None
    want_date: str | None = None


@dataclass
class FamilyScore:
    family: str
    pages: list[PageScore] = field(default_factory=list)

    @property
    def f1(self) -> float:
        return mean(p.f1 for p in self.pages) if self.pages else 0.0

    @property
    def title_share(self) -> float:
        return sum(p.title_ok for p in self.pages) / len(self.pages) if self.pages else 0.0

    @property
    def date_share(self) -> float:
        return sum(p.date_ok for p in self.pages) / len(self.pages) if self.pages else 0.0

    @property
    def invented(self) -> int:
        return sum(p.invented for p in self.pages)

    @property
    def extractors(self) -> dict[str, int]:
        return dict(Counter(p.extractor or "-" for p in self.pages))


def load_pages(folder: Path) -> list[tuple[dict, bytes]]:
    """(expected JSON, HTML bytes) for every page under folder/<family>/, sorted."""
    out = []
    for spec in sorted(folder.glob("*/*.json")):
        out.append((json.loads(spec.read_text(encoding="utf-8")), spec.with_suffix(".html").read_bytes()))
    return out


Extractor = Callable[[bytes, str], dict]


def run_extract(data: bytes, url: str) -> dict:
    """The project's extractor as the scorer sees it: {title, body, published, extractor}."""
    from pipelines.extract import extract

    ex = extract(data, url)
    return {"title": ex.title, "body": ex.body, "published": ex.published or None,
            "extractor": getattr(ex, "extractor", "")}


def score_page(want: dict, data: bytes, extractor: Extractor = run_extract) -> PageScore:
    from pipelines.extract import NotAnArticle

    try:
        got = extractor(data, want["url"])
    except NotAnArticle as exc:
        return PageScore(want["family"], str(want["id"]), 0.0, False, want["date"] is None, False,
                         error=exc.reason, want_date=want["date"])
    day = (got.get("published") or "")[:10] or None
    return PageScore(want["family"], str(want["id"]), token_f1(got["body"], want["body"]),
                     same_title(got["title"], want["title"]), day == want["date"],
                     day is not None and day != want["date"], got.get("extractor", ""),
                     got_title=got["title"], got_date=day, want_date=want["date"])


def evaluate(folder: Path, extractor: Extractor = run_extract) -> dict[str, FamilyScore]:
    families: dict[str, FamilyScore] = {}
    for want, data in load_pages(folder):
        fam = families.setdefault(want["family"], FamilyScore(want["family"]))
        fam.pages.append(score_page(want, data, extractor))
    return families


def summary(families: dict[str, FamilyScore]) -> dict:
    pages = [p for f in families.values() for p in f.pages]
    return {
        "families": {name: {"pages": len(f.pages), "body_f1": round(f.f1, 4),
                            "title_right": round(f.title_share, 4), "date_right": round(f.date_share, 4),
                            "invented_dates": f.invented, "extractors": f.extractors}
                     for name, f in families.items()},
        "average": {"body_f1": round(mean(f.f1 for f in families.values()), 4) if families else 0.0,
                    "title_right": round(sum(p.title_ok for p in pages) / len(pages), 4) if pages else 0.0,
                    "date_right": round(sum(p.date_ok for p in pages) / len(pages), 4) if pages else 0.0,
                    "invented_dates": sum(p.invented for p in pages), "pages": len(pages)},
    }


REALNEWS_CANDIDATES = ("../shared/realnews", "../../shared/realnews")


def realnews_dir(root: Path) -> Path | None:
    """The shared real-page folder (never copied into the project), when present."""
    for rel in REALNEWS_CANDIDATES:
        path = (root / rel).resolve()
        if (path / "pages").is_dir():
            return path
    return None
