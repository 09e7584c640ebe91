"""wakala: a news agency — plain sitemap, canonical and AMP versions of each
dispatch, and a sitemap that names some dispatches only by their AMP URL and one
by both, so one story is reachable by two URLs."""

from __future__ import annotations

import re

from fixturesite.content import Story, arabic_date
from fixturesite.outlets import Outlet, Resource, html, newest, render, xml

_ARTICLE = re.compile(r"^/ar/(amp/)?news/(\d+)$")
LATEST_ITEMS = 15
ARTICLE_PATTERN = r"/ar/(?:amp/)?news/\d+$"


class Wakala(Outlet):
    name = "wakala"
    display_name = "وكالة المغرب العربي للأنباء الإلكترونية"

    def article_path(self, story: Story) -> str:
        return f"/ar/news/{story.id}"

    def amp_path(self, story: Story) -> str:
        return f"/ar/amp/news/{story.id}"

    def sitemap_paths(self) -> list[str]:
        return ["/sitemap.xml"]

    def non_article_paths(self) -> list[str]:
        return ["/ar/about", "/en/news/1"]

    def expected(self, story: Story) -> dict:
        return {**super().expected(story), "amp_url": self.url(self.amp_path(story))}

    def date_display(self, story: Story) -> str:
        return arabic_date(story.published, time=True)

    def source_entry(self) -> dict:
        return {"feeds": [], "sitemaps": [self.url("/sitemap.xml")],
                "listings": [{"url": self.url("/ar/latest"), "article_pattern": ARTICLE_PATTERN}]}

    def sitemap_locs(self, story: Story, index: int) -> list[str]:
        """The newest dispatch by both URLs, every third by its AMP URL only."""
        if index == 0:
            return [self.url(self.article_path(story)), self.url(self.amp_path(story))]
        if index % 3 == 1:
            return [self.url(self.amp_path(story))]
        return [self.url(self.article_path(story))]

    def route(self, path: str, params: dict[str, str]) -> Resource | None:
        stories = self.stories()
        if path in ("/", "/ar", "/ar/", "/ar/latest"):
            return html(render("wakala/latest.html", **self.context(stories=stories[:LATEST_ITEMS])),
                        last_modified=newest(stories))
        if m := _ARTICLE.match(path):
            story = self.store.get(int(m.group(2)))
            if story is None or story.outlet != self.name:
                return None
            amp = bool(m.group(1))
            ctx = self.context(story=story, url=self.url(self.article_path(story)),
                               amp_url=self.url(self.amp_path(story)), date_display=self.date_display(story),
                               related=self.related(story, 4))
            return html(render("wakala/amp.html" if amp else "wakala/article.html", **ctx),
                        last_modified=story.modified or story.published)
        if path == "/sitemap.xml":
            urls = [(loc, (s.modified or s.published).isoformat())
                    for i, s in enumerate(stories) for loc in self.sitemap_locs(s, i)]
            urls += [(self.url(p), "2024-06-01T08:00:00+00:00") for p in self.non_article_paths()]
            return xml(render("sitemap_plain.xml", urls=urls), "application/xml", last_modified=newest(stories))
        if path == "/ar/about":
            return html(render("wakala/about.html", **self.context()))
        if path == "/en/news/1":
            return html(render("wakala/english.html", **self.context()))
        return None
