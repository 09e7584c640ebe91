"""What the four fixture outlets share: the story store, rendering helpers and routing.

Each outlet is one module (akhbar, bawaba, wakala, qadim) with its own markup, like
real sites differ; they all render the same `Story` records so a test can compare
what a crawler stored with `expected()`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs

import jinja2

from fixturesite.content import (SECTION_NAMES, Story, arabic_date, first_sentence, load_stories, rfc822)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Pages that are not stories (about, tags) carry this fixed date.
SITE_EPOCH = datetime(2024, 1, 1, 8, 0, tzinfo=timezone.utc)

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
_env.filters.update(ar_date=arabic_date, rfc822=rfc822,
                    iso=lambda dt: dt.isoformat(timespec="seconds"),
                    section_name=lambda s: SECTION_NAMES.get(s, s))


def render(template: str, **ctx) -> str:
    return _env.get_template(template).render(**ctx)


@dataclass
class Resource:
    """One HTTP answer before encoding/validators are applied by the server."""

    body: bytes
    content_type: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime = SITE_EPOCH


def html(text: str, charset: str = "utf-8", *, declare_in_header: bool = True,
         last_modified: datetime = SITE_EPOCH, status: int = 200) -> Resource:
    ctype = f"text/html; charset={charset}" if declare_in_header else "text/html"
    return Resource(text.encode(charset, errors="xmlcharrefreplace"), ctype, status,
                    last_modified=last_modified)


def xml(text: str, ctype: str, charset: str = "utf-8", *, declare_in_header: bool = True,
        last_modified: datetime = SITE_EPOCH) -> Resource:
    return Resource(text.encode(charset, errors="xmlcharrefreplace"),
                    f"{ctype}; charset={charset}" if declare_in_header else ctype,
                    last_modified=last_modified)


def text_resource(text: str) -> Resource:
    return Resource(text.encode("utf-8"), "text/plain; charset=utf-8")


class StoryStore:
    """All stories of all outlets; add/update are thread-safe and visible at once."""

    def __init__(self, stories: list[Story] | None = None):
        self._lock = threading.Lock()
        self._stories = list(stories if stories is not None else load_stories())

    def all(self) -> list[Story]:
        with self._lock:
            return list(self._stories)

    def for_outlet(self, outlet: str) -> list[Story]:
        """Newest first, ties broken by id so the order is stable."""
        return sorted((s for s in self.all() if s.outlet == outlet),
                      key=lambda s: (s.published, s.id), reverse=True)

    def get(self, story_id: int) -> Story | None:
        return next((s for s in self.all() if s.id == story_id), None)

    def add(self, story: Story) -> Story:
        with self._lock:
            story.id = max((s.id for s in self._stories), default=100) + 1
            self._stories.append(story)
        return story


def newest(stories: list[Story]) -> datetime:
    return max((s.modified or s.published for s in stories), default=SITE_EPOCH)


def query_params(query: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query).items()}


# Reader comments for the outlets that show them (picked per story by id).
COMMENTS = [
    ("أبو ياسين", "مقال مهم، نتمنى أن يستمر هذا التعاون لما فيه خير للبلاد والعباد."),
    ("سعاد من فاس", "شكرا على المتابعة، لكن نريد تفاصيل أكثر عن النتائج الملموسة على أرض الواقع."),
    ("مواطن غيور", "تحية لرجال الأمن على مجهوداتهم الكبيرة في حماية الوطن."),
    ("كريم", "أين الحديث عن الأسعار والبطالة؟ هذا ما يهم المواطن البسيط أولا."),
    ("ليلى ب.", "تغطية جيدة كالعادة، واصلوا العمل."),
    ("Hamid", "متى ستنشرون الجزء الثاني من التحقيق؟"),
]

COMMENT_FORM_DEFAULT = [
    "اترك تعليق",
    "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
    "شروط التعليق :",
    "عدم الإساءة للكاتب أو للأشخاص أو للمقدسات أو مهاجمة الأديان أو الذات الالهية. والابتعاد عن التحريض الطائفي والعنصري والشتائم.",
]


def comments_for(story: Story, n: int = 3) -> list[tuple[str, str]]:
    count = 2 + story.id % 2 if n == 3 else n
    start = story.id % len(COMMENTS)
    return [COMMENTS[(start + i) % len(COMMENTS)] for i in range(count)]


def pull_quote(story: Story) -> str:
    paras = story.paragraphs
    return first_sentence(paras[min(1, len(paras) - 1)]) if paras else ""


class Outlet:
    """One fixture site.  Subclasses set `name`, `display_name` and implement `route`."""

    name = ""
    display_name = ""
    charset = "utf-8"
    disallow = "/admin/"
    country = "MA"

    def __init__(self, store: StoryStore):
        self.store = store
        self.base_url = ""      # "http://127.0.0.1:PORT" once bound

    # -- URLs ------------------------------------------------------------------
    def article_path(self, story: Story) -> str:
        raise NotImplementedError

    def canonical_path(self, story: Story) -> str:
        return self.article_path(story)

    def url(self, path: str) -> str:
        return self.base_url + path

    def stories(self) -> list[Story]:
        return self.store.for_outlet(self.name)

    def story_for_path(self, path: str) -> Story | None:
        return next((s for s in self.stories() if self.article_path(s) == path), None)

    # -- truth for tests -------------------------------------------------------
    def expected(self, story: Story) -> dict:
        return {
            "outlet": self.name, "id": story.id, "url": self.url(self.article_path(story)),
            "canonical_url": self.url(self.canonical_path(story)), "title": story.title,
            "published": story.published.isoformat(), "published_display": self.date_display(story),
            "author": story.author, "label": story.label, "category": story.category,
            "section": story.section, "file": story.file, "body": story.body_text,
            "forms": list(story.forms),
        }

    def date_display(self, story: Story) -> str:
        return arabic_date(story.published)

    def non_article_paths(self) -> list[str]:
        """Pages a crawler can reach from this outlet's entry points but must not store."""
        return []

    # -- config ----------------------------------------------------------------
    def source_entry(self) -> dict:
        raise NotImplementedError

    def robots(self) -> Resource:
        lines = ["User-agent: *", f"Disallow: {self.disallow}", "Allow: /"]
        lines += [f"Sitemap: {self.url(p)}" for p in self.sitemap_paths()]
        return text_resource("\n".join(lines) + "\n")

    def sitemap_paths(self) -> list[str]:
        return []

    # -- HTTP ------------------------------------------------------------------
    def handle(self, path: str, query: str) -> Resource | None:
        if path == "/robots.txt":
            return self.robots()
        return self.route(path, query_params(query))

    def route(self, path: str, params: dict[str, str]) -> Resource | None:
        raise NotImplementedError

    def context(self, **extra) -> dict:
        return {"outlet": self, "sections": list(SECTION_NAMES.items()), **extra}

    def related(self, story: Story, n: int = 3) -> list[Story]:
        others = [s for s in self.stories() if s.id != story.id]
        return others[:n]

    def most_read(self, n: int = 5) -> list[Story]:
        stories = self.stories()
        return sorted(stories, key=lambda s: (s.id * 7919) % 97)[:n]
