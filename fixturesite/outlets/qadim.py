"""qadim: a legacy ASP site in windows-1256 — table layout, the charset declared
only in a <meta http-equiv> (never in the HTTP header), an RSS feed encoded in
windows-1256, and dates printed as "الخميس 29 ماي 2025"."""

from __future__ import annotations

from fixturesite.content import SECTION_NAMES, Story, arabic_date
from fixturesite.outlets import Outlet, Resource, html, newest, render, xml

CHARSET = "windows-1256"
CATS = {section: i for i, section in enumerate(SECTION_NAMES, 1)}   # national=1, economie=2, ...
PER_PAGE = 10
FEED_ITEMS = 20


class Qadim(Outlet):
    name = "qadim"
    display_name = "جريدة القديم"
    charset = CHARSET

    def article_path(self, story: Story) -> str:
        return f"/article.asp?id={story.id}"

    def date_display(self, story: Story) -> str:
        return arabic_date(story.published, weekday=True)

    def non_article_paths(self) -> list[str]:
        return ["/english.asp"]

    def cat_stories(self, cat: int) -> list[Story]:
        return [s for s in self.stories() if CATS.get(s.section) == cat]

    def source_entry(self) -> dict:
        listings = []
        for section, cat in CATS.items():
            pages = -(-len(self.cat_stories(cat)) // PER_PAGE)
            for page in range(1, pages + 1, 2):
                path = f"/list.asp?cat={cat}" + (f"&page={page}" if page > 1 else "")
                listings.append({"url": self.url(path), "article_pattern": r"/article\.asp\?id=\d+$"})
        return {"feeds": [self.url("/rss.asp")], "sitemaps": [], "listings": listings}

    def page(self, template: str, last_modified=None, **ctx) -> Resource:
        text = render(template, **self.context(charset=CHARSET, cats=CATS, **ctx))
        return html(text, CHARSET, declare_in_header=False, **({"last_modified": last_modified}
                                                                if last_modified else {}))

    def route(self, path: str, params: dict[str, str]) -> Resource | None:
        stories = self.stories()
        if path in ("/", "/default.asp"):
            return self.page("qadim/list.html", newest(stories), heading="آخر الأخبار", stories=stories[:PER_PAGE],
                             next_url=None)
        if path == "/list.asp":
            try:
                cat, page = int(params.get("cat", "1")), int(params.get("page", "1"))
            except ValueError:
                return None
            chosen = self.cat_stories(cat)
            chunk = chosen[(page - 1) * PER_PAGE: page * PER_PAGE]
            if cat not in CATS.values() or (page > 1 and not chunk):
                return None
            section = next(s for s, c in CATS.items() if c == cat)
            next_url = f"/list.asp?cat={cat}&page={page + 1}" if len(chosen) > page * PER_PAGE else None
            return self.page("qadim/list.html", newest(chosen), heading=SECTION_NAMES[section], stories=chunk,
                             next_url=next_url)
        if path == "/article.asp":
            story = self.store.get(int(params["id"])) if params.get("id", "").isdigit() else None
            if story is None or story.outlet != self.name:
                return None
            return self.page("qadim/article.html", story.modified or story.published, story=story,
                             date_display=self.date_display(story), related=self.related(story, 5))
        if path == "/rss.asp":
            items = [(s, self.url(self.article_path(s))) for s in stories[:FEED_ITEMS]]
            text = render("qadim/rss.xml", **self.context(items=items, updated=newest(stories)))
            return xml(text, "application/rss+xml", CHARSET, declare_in_header=False,
                       last_modified=newest(stories))
        if path == "/english.asp":
            return self.page("qadim/english.html")
        return None
