"""Page families of real Arabic outlets, rendered from the fixture stories.

The four outlets in ``fixturesite/outlets/`` are crawl fixtures; these families are
extraction fixtures: the same stories in the markup families that broke extraction
on real sites (a WordPress theme with comments and "اقرأ أيضا" boxes, a portal with
JSON-LD, AMP, a pan-Arab daily with pull-quotes and captions, an old windows-1256
table layout, script-rendered shells, a source whose template changed, pages whose
only date is a printed date line).  Each family is also an `Outlet`, so
`FixtureSite(outlets=("wordpress", ...))` serves it with an RSS feed for
`raqib sources check`.

    python -m fixturesite.families tests/fixtures/families   # regenerate pages + expected JSON

The expected JSON per page holds what an extractor should return: the title without
the site name, the publication day printed on the page (null when the page shows
none) and the body (one block per line, no captions, pull-quotes, boxes or comments).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

from fixturesite.content import Story, arabic_date, first_sentence, load_stories
from fixturesite.outlets import COMMENTS, Outlet, Resource, StoryStore, html, newest, render, xml

FAMILIES = ("wordpress", "portal", "amp", "panarab", "table1256", "nextjs", "appstate", "changed",
            "datelines")
PER_FAMILY = 6

SITE_NAMES = {
    "wordpress": "هسبريس الجديدة", "portal": "بوابة الشروق نيوز", "amp": "المشهد 24",
    "panarab": "الأفق العربي", "table1256": "جريدة الرأي الحر", "nextjs": "منصة خبر",
    "appstate": "عربي اليوم", "changed": "الأيام 24", "datelines": "مدونة الأخبار",
}
CHARSETS = {"table1256": "windows-1256"}

EG_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
             "أكتوبر", "نوفمبر", "ديسمبر")
LEV_MONTHS = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
              "تشرين الأول", "تشرين الثاني", "كانون الأول")
DAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

CAPTIONS = (
    "صورة أرشيفية لعناصر من الأمن الوطني خلال دورية بوسط العاصمة الرباط",
    "جانب من الاجتماع الذي احتضنه مقر الوزارة صباح اليوم (خاص)",
    "المسؤولون خلال الندوة الصحفية التي أعقبت توقيع الاتفاقية — تصوير: م. العلوي",
    "لقطة من الفيديو الذي تداوله رواد مواقع التواصل الاجتماعي",
    "منظر عام للميناء المتوسطي حيث تتواصل أشغال التوسعة",
)
EXTRA_COMMENTS = (
    ("عبد الرحيم", "كلام جميل لكن العبرة بالتطبيق، ننتظر النتائج على أرض الواقع."),
    ("زائر", "الله يحفظ البلاد ويوفق المسؤولين لما فيه الخير."),
    ("نادية", "أتمنى أن تنشروا تقريرا مفصلا عن هذا الموضوع في الأيام المقبلة."),
)


def indic(text: str) -> str:
    return str(text).translate(_INDIC)


def eg_date(dt: datetime, weekday: bool = False) -> str:
    text = f"{dt.day} {EG_MONTHS[dt.month - 1]} {dt.year}"
    return f"{DAYS[dt.weekday()]}، {text}" if weekday else text


def lev_date(dt: datetime, weekday: bool = True) -> str:
    text = f"{dt.day} {LEV_MONTHS[dt.month - 1]} {dt.year}"
    return f"{DAYS[dt.weekday()]} {text}" if weekday else text


def _ar_date_indic(dt: datetime) -> str:
    return indic(arabic_date(dt))


def date_line(family: str, story: Story, k: int) -> str:
    """The date as this family prints it on its k-th page (k varies the form); "" for none."""
    dt = story.published
    if family == "wordpress":
        return arabic_date(dt, weekday=True, time=k % 2 == 0)
    if family == "portal":
        return f"{eg_date(dt, weekday=True)} - {dt:%I:%M} {'م' if dt.hour >= 12 else 'ص'}"
    if family == "amp":
        return indic(eg_date(dt)) if k % 2 else _ar_date_indic(dt)
    if family == "panarab":
        return f"{lev_date(dt)} - {dt:%H:%M}" if k % 2 else lev_date(dt, weekday=False)
    if family == "table1256":
        digits = f"{dt:%d/%m/%Y}"
        return f"آخر تحديث {indic(digits) if k % 3 else digits}"
    if family == "changed":
        return eg_date(dt) if k % 2 else arabic_date(dt)
    if family == "datelines":
        return ["", f"نشر في {arabic_date(dt, weekday=True)}", f"{lev_date(dt)}",
                f"{indic(eg_date(dt, weekday=True))}", f"بتاريخ {dt:%d-%m-%Y}",
                f"الرباط في {indic(arabic_date(dt))}"][k]
    return ""


def shows_date(family: str, k: int) -> bool:
    return not (family == "datelines" and k == 0)


class FamilyOutlet(Outlet):
    """One page family as a fixture site: `/`, `/rss.xml` and one article page per story."""

    family = ""
    country = "MA"

    def __init__(self, store: StoryStore, stories: list[Story] | None = None):
        super().__init__(store)
        self.name = self.family
        self.display_name = SITE_NAMES[self.family]
        self.charset = CHARSETS.get(self.family, "utf-8")
        self._stories = stories
        self.broken = False      # True: newest pages become an empty client-rendered shell

    def stories(self) -> list[Story]:
        """PER_FAMILY stories, a different slice of the fixture stories for each family."""
        if self._stories is not None:
            return self._stories
        all_ = sorted(self.store.all(), key=lambda s: s.id)
        i = FAMILIES.index(self.family)
        chosen = all_[i::len(FAMILIES)][:PER_FAMILY]
        return sorted(chosen, key=lambda s: (s.published, s.id), reverse=True)

    def article_path(self, story: Story) -> str:
        dt = story.published
        return {
            # permalinks changed from /%year%/%monthnum%/%day%/ to /%postname%/ on half the pages
            "wordpress": (f"/{dt:%Y/%m/%d}/{story.slug}-{story.id}/" if self.variant(story) % 2 == 0
                          else f"/{story.slug}-{story.id}/"),
            "portal": f"/News/Details/{story.id}",
            "amp": f"/amp/news-{story.id}.html",
            "panarab": f"/{dt:%Y/%m/%d}/article-{story.id}",
            "table1256": f"/news.php?id={story.id}",
            "nextjs": f"/news/{story.slug}-{story.id}",
            "appstate": f"/article/{story.id}",
            "changed": f"/articles/{story.id}",
            "datelines": f"/post/{story.id}.html",
        }[self.family]

    def source_entry(self) -> dict:
        return {"feeds": [self.url("/rss.xml")], "sitemaps": [], "listings": []}

    def variant(self, story: Story) -> int:
        """0..PER_FAMILY-1: the story's rank by id, so each page of a family differs."""
        return sorted(s.id for s in self.stories()).index(story.id) % 6

    def redesigned(self, story: Story) -> bool:
        """`changed`: the newer half of the stories is served in the new template."""
        ordered = sorted(self.stories(), key=lambda s: (s.published, s.id))
        return story in ordered[len(ordered) // 2:]

    def page_text(self, story: Story) -> str:
        others = [s for s in self.store.all() if s.id != story.id]
        related = [others[(story.id * 7 + j * 13) % len(others)] for j in range(4)]
        paras = story.paragraphs
        quotes = [first_sentence(p) for p in paras[1:3]]
        comments = ([COMMENTS[(story.id + j) % len(COMMENTS)] for j in range(2)]
                    + [EXTRA_COMMENTS[story.id % len(EXTRA_COMMENTS)]])
        template = f"families/{self.family}.html"
        if self.family == "changed":
            template = "families/changed_v2.html" if self.redesigned(story) else "families/changed_v1.html"
            if self.broken and self.redesigned(story):
                template = "families/changed_broken.html"
        url = self.url(self.article_path(story))
        blocks = story.blocks
        return render(template, **self.context(
            story=story, site=self.display_name, url=url, charset=self.charset, k=self.variant(story),
            date_line=date_line(self.family, story, self.variant(story)), blocks=blocks, half=max(1, len(blocks) // 2),
            related=related, most_read=others[story.id % 5: story.id % 5 + 5], quotes=quotes,
            captions=[CAPTIONS[(story.id + j) % len(CAPTIONS)] for j in range(2)], comments=comments,
            state=self.app_state(story, related, url),
        ))

    def app_state(self, story: Story, related: list[Story], url: str) -> str:
        """The JSON a script-rendered page embeds (nextjs, appstate); '' for the others."""
        if self.family == "nextjs":
            data = {"props": {"pageProps": {
                "article": {"id": story.id, "slug": story.slug, "title": story.title,
                            "excerpt": story.paragraphs[0][:160] if story.paragraphs else "",
                            "content": "".join(f"<h2>{b.text}</h2>" if b.kind == "h" else f"<p>{b.text}</p>"
                                               for b in story.blocks),
                            "publishedAt": story.published.isoformat(), "author": {"name": story.author},
                            "tags": ["أخبار", story.section]},
                "related": [{"id": r.id, "title": r.title,
                             "summary": " ".join(r.paragraphs[:1])[:300]} for r in related],
                "menu": [{"label": "الرئيسية", "href": "/"}, {"label": "سياسة", "href": "/politics"}],
            }}, "page": "/news/[slug]", "query": {"slug": f"{story.slug}-{story.id}"}, "buildId": "b7Xk2"}
            return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        if self.family == "appstate":
            data = {"route": {"path": self.article_path(story)}, "article": {
                "data": {"headline": story.title, "lead": story.paragraphs[0][:200] if story.paragraphs else "",
                         "text": "\n\n".join(b.text for b in story.blocks),
                         "date_published": story.published.isoformat(), "writer": story.author},
                "comments": [{"user": n, "body": t} for n, t in COMMENTS[:3]]},
                "sidebar": {"mostRead": [{"title": r.title, "teaser": " ".join(r.paragraphs[:1])[:250]}
                                         for r in related]}}
            return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        return ""

    def expected_page(self, story: Story) -> dict:
        return {"family": self.family, "id": story.id, "url": self.url(self.article_path(story)),
                "title": story.title,
                "date": story.published.date().isoformat() if shows_date(self.family, self.variant(story)) else None,
                "body": story.body_text,
                "template": ("v2" if self.redesigned(story) else "v1") if self.family == "changed" else ""}

    def route(self, path: str, params: dict[str, str]) -> Resource | None:
        stories = self.stories()
        if path == "/rss.xml":
            items = [(s, self.url(self.article_path(s))) for s in stories]
            return xml(render("families/rss.xml", **self.context(items=items, updated=newest(stories),
                                                                  charset=self.charset)),
                       "application/rss+xml", self.charset, last_modified=newest(stories))
        if path == "/":
            items = "".join(f'<li><a href="{self.url(self.article_path(s))}">{s.title}</a></li>' for s in stories)
            return html(f'<html lang="ar" dir="rtl"><head><meta charset="{self.charset}"><title>{self.display_name}'
                        f'</title></head><body><ul>{items}</ul></body></html>', self.charset)
        full = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        story = next((s for s in stories if self.article_path(s) == full), None)
        if story is None:
            return None
        return html(self.page_text(story), self.charset, last_modified=story.modified or story.published)


def _outlet_class(family: str) -> type[FamilyOutlet]:
    return type(f"{family.title()}Family", (FamilyOutlet,), {"family": family})


FAMILY_CLASSES: dict[str, type[FamilyOutlet]] = {f: _outlet_class(f) for f in FAMILIES}


def write_fixtures(target: Path, base_url: str = "https://www.{family}.example") -> int:
    """Render every family's pages into target/<family>/<id>.html (in the family's own
    encoding) with <id>.json beside it; returns the number of pages written."""
    store = StoryStore(load_stories())
    count = 0
    for family in FAMILIES:
        outlet = FAMILY_CLASSES[family](store)
        outlet.base_url = base_url.format(family=family)
        folder = target / family
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*"):
            old.unlink()
        for story in outlet.stories():
            (folder / f"{story.id}.html").write_bytes(
                outlet.page_text(story).encode(outlet.charset, errors="xmlcharrefreplace"))
            (folder / f"{story.id}.json").write_text(
                json.dumps(outlet.expected_page(story), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            count += 1
    return count


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/families")
    print(f"{write_fixtures(out)} pages written under {out}")
