"""The fixture stories: seeds and written articles, loaded once into `Story` records.

The files under ``content/`` are written by people (and other helpers) in a plain
format; this module turns them into what every outlet renders — blocks of body text
(paragraphs and subheadings), a date, an author, an outlet and a numeric id — so the
four outlets show exactly the same truth in four different markups.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
OUTLETS = ("akhbar", "bawaba", "wakala", "qadim")
FIRST_ID = 101

# A line without final punctuation and at most this many words is a subheading.
_HEADING_MAX_WORDS = 20
_FINAL_PUNCT = tuple(".!?؟:…\"”»)'’;؛،,")
_COMMENT_FORM_START = "اترك تعليق"

# Fine-grained content categories → the section an outlet files a story under.
SECTIONS = {
    "food_security": "economie", "water_security": "economie", "trade_spain": "economie",
    "football": "sport", "un_security_council": "monde", "other_country_security": "monde",
}
DEFAULT_SECTION = "national"
SECTION_NAMES = {"national": "وطني", "economie": "اقتصاد", "monde": "دولي", "sport": "رياضة"}


@dataclass
class Block:
    kind: str    # "p" or "h"
    text: str


@dataclass
class Story:
    """One article as every outlet shows it; `file` is relative to content/ ('' if added live)."""

    id: int
    outlet: str
    title: str
    blocks: list[Block]
    published: datetime
    author: str
    label: str
    category: str
    file: str = ""
    forms: list[str] = field(default_factory=list)
    comment_form: list[str] = field(default_factory=list)   # seed text that belongs to the comment form
    modified: datetime | None = None
    version: int = 0             # bumped by update_article so validators change
    copy_of: int = 0             # a wire copy: the id of the story it copies (fixturesite/copies.py)
    copy_kind: str = ""          # how the copy was edited (copies.KINDS)

    @property
    def section(self) -> str:
        return SECTIONS.get(self.category, DEFAULT_SECTION)

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "p"]

    @property
    def body_text(self) -> str:
        """The text an extractor should recover: every block, one per line."""
        return "\n".join(b.text for b in self.blocks)

    @property
    def slug(self) -> str:
        return (self.category or "news").replace("_", "-")


def is_subheading(line: str) -> bool:
    """Seed texts carry section titles as short lines with no final punctuation."""
    line = line.strip()
    return bool(line) and not line.endswith(_FINAL_PUNCT) and len(line.split()) <= _HEADING_MAX_WORDS


def blocks_from_lines(lines: list[str]) -> list[Block]:
    return [Block("h" if is_subheading(l) else "p", l.strip()) for l in lines if l.strip()]


def _split_seed(text: str, entry: dict) -> tuple[list[str], list[str]]:
    """(body lines, comment-form lines) of a seed text, without title/byline lines."""
    lines = [l.strip() for l in text.splitlines()]
    lines = [l for l in lines if l]
    if entry.get("title_in_text"):
        title = entry["title"].strip()
        if lines and lines[0] == title:
            lines = lines[1:]
        author = entry.get("author", "").strip()
        # seed 002 repeats a byline ("<author><date>") and the title before the body
        if lines and author and lines[0].startswith(author) and len(lines[0].split()) <= 8:
            lines = lines[1:]
        if lines and lines[0] == title:
            lines = lines[1:]
    form: list[str] = []
    if _COMMENT_FORM_START in lines:
        cut = lines.index(_COMMENT_FORM_START)
        lines, form = lines[:cut], lines[cut:]
    return lines, form


def _read_toml(path: Path) -> list[dict]:
    if not path.exists():
        return []
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("article", [])
    except tomllib.TOMLDecodeError as exc:
        log.warning("%s: invalid TOML, skipped: %s", path, exc)
        return []


def load_stories(content_dir: Path = CONTENT_DIR) -> list[Story]:
    """Seeds first, then positives, then negatives; ids are assigned in that order.

    Articles without an `outlet` go round-robin over the four outlets in file order,
    so a story's outlet (and URL) only changes when a file is added before it.
    """
    stories: list[Story] = []
    next_id = FIRST_ID
    rr = 0
    sources = [(e, True) for e in _read_toml(content_dir / "seeds.toml")]
    for name in ("positives.toml", "negatives.toml"):
        sources += [(e, False) for e in _read_toml(content_dir / "articles" / name)]
    for entry, is_seed in sources:
        path = content_dir / entry.get("file", "")
        if not entry.get("file") or not path.is_file():
            log.warning("%s: file %r missing, story skipped", content_dir, entry.get("file"))
            continue
        text = path.read_text(encoding="utf-8")
        form: list[str] = []
        if is_seed:
            title = entry["title"].strip()
            body_lines, form = _split_seed(text, entry)
        else:
            lines = [l.strip() for l in text.splitlines() if l.strip()]
            if not lines:
                continue
            title, body_lines = entry.get("title", lines[0]).strip(), lines[1:]
        outlet = entry.get("outlet")
        if outlet not in OUTLETS:
            outlet = OUTLETS[rr % len(OUTLETS)]
            rr += 1
        try:
            published = datetime.fromisoformat(entry["published"])
        except (KeyError, ValueError):
            log.warning("%s: bad or missing published %r", entry["file"], entry.get("published"))
            continue
        stories.append(Story(
            id=next_id, outlet=outlet, title=title, blocks=blocks_from_lines(body_lines),
            published=published, author=entry.get("author", "هيئة التحرير"),
            label=entry.get("label", ""), category=entry.get("category", ""), file=entry["file"],
            forms=list(entry.get("forms", [])), comment_form=form,
        ))
        next_id += 1
    return stories


_AR_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر",
              "أكتوبر", "نونبر", "دجنبر")
_AR_DAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")


def arabic_date(dt: datetime, *, weekday: bool = False, time: bool = False) -> str:
    """Moroccan-style date as outlets print it: "الخميس 29 ماي 2025 - 09:45"."""
    text = f"{dt.day} {_AR_MONTHS[dt.month - 1]} {dt.year}"
    if weekday:
        text = f"{_AR_DAYS[dt.weekday()]} {text}"
    if time:
        text += f" - {dt:%H:%M}"
    return text


def rfc822(dt: datetime) -> str:
    from email.utils import format_datetime
    return format_datetime(dt)


def first_sentence(text: str, min_words: int = 6, max_words: int = 14) -> str:
    """A short sentence (or clause) of the body for pull-quotes: deliberately duplicated
    text that an extractor should not count twice."""
    for part in re.split(r"[.!؟?،,؛]\s*", text):
        if min_words <= len(part.split()) <= max_words:
            return part.strip()
    return " ".join(text.split()[:max_words])
