"""bawaba: a news portal — JSON-LD NewsArticle and OpenGraph, an Atom feed, a
sitemap index (Google News sitemap + yearly sitemaps), ads, and a section page
that links stories with tracking parameters (?utm_source=...) as portals do."""

from __future__ import annotations

import json
import re

from fixturesite.content import Story
from fixturesite.outlets import Outlet, Resource, html, newest, render, xml

_ARTICLE = re.compile(r"^/news/(\d+)\.html$")
_YEAR_SITEMAP = re.compile(r"^/sitemap-(\d{4})\.xml$")
NEWS_SITEMAP_ITEMS = 10
FEED_ITEMS = 20
TRACKING = "?utm_source=home&utm_medium=block"


class Bawaba(Outlet):
    name = "bawaba"
    display_name = "بوابة المغرب"

    def article_path(self, story: Story) -> str:
        return f"/news/{story.id}.html"

    def sitemap_paths(self) -> list[str]:
        return ["/sitemap.xml"]

    def years(self) -> list[int]:
        return sorted({s.published.year for s in self.stories()} | {2025})

    def non_article_paths(self) -> list[str]:
        return ["/tags/amn.html", "/about.html"]

    def date_display(self, story: Story) -> str:
        return f"{story.published:%d/%m/%Y - %H:%M}"

    def source_entry(self) -> dict:
        return {"feeds": [self.url("/rss.xml")], "sitemaps": [self.url("/sitemap.xml")],
                "listings": [{"url": self.url("/section/maghreb"), "article_pattern": r"/news/\d+\.html"}]}

    def route(self, path: str, params: dict[str, str]) -> Resource | None:
        stories = self.stories()
        if path in ("/", "/index.html"):
            return html(render("bawaba/listing.html", **self.context(
                heading="آخر الأخبار", links=[(s, self.url(self.article_path(s))) for s in stories[:12]])),
                last_modified=newest(stories))
        if path == "/section/maghreb":
            links = [(s, self.url(self.article_path(s)) + (TRACKING if i % 2 == 0 else ""))
                     for i, s in enumerate(stories[:30])]
            return html(render("bawaba/listing.html", **self.context(heading="المغرب الكبير", links=links)),
                        last_modified=newest(stories))
        if m := _ARTICLE.match(path):
            story = self.store.get(int(m.group(1)))
            if story is None or story.outlet != self.name:
                return None
            return self.article(story)
        if path == "/rss.xml":
            items = [(s, self.url(self.article_path(s))) for s in stories[:FEED_ITEMS]]
            return xml(render("bawaba/atom.xml", **self.context(items=items, updated=newest(stories))),
                       "application/atom+xml", last_modified=newest(stories))
        if path == "/sitemap.xml":
            maps = [("/sitemap-news.xml", newest(stories))]
            maps += [(f"/sitemap-{y}.xml", newest([s for s in stories if s.published.year == y]))
                     for y in self.years()]
            return xml(render("bawaba/sitemap_index.xml", **self.context(maps=maps)), "application/xml",
                       last_modified=newest(stories))
        if path == "/sitemap-news.xml":
            items = [(s, self.url(self.article_path(s))) for s in stories[:NEWS_SITEMAP_ITEMS]]
            return xml(render("bawaba/sitemap_news.xml", **self.context(items=items)), "application/xml",
                       last_modified=newest(stories))
        if m := _YEAR_SITEMAP.match(path):
            year = int(m.group(1))
            if year not in self.years():
                return None
            chosen = [s for s in stories if s.published.year == year]
            urls = [(self.url(self.article_path(s)), (s.modified or s.published).isoformat()) for s in chosen]
            if year == 2025:   # portals list their static pages in the archive sitemaps too
                urls += [(self.url(p), "2025-01-01T08:00:00+00:00") for p in self.non_article_paths()]
            return xml(render("bawaba/sitemap_plain.xml", urls=urls), "application/xml",
                       last_modified=newest(chosen))
        if path == "/tags/amn.html":
            return html(render("bawaba/tags.html", **self.context(
                links=[(s, self.url(self.article_path(s))) for s in stories[:15]])))
        if path == "/about.html":
            return html(render("bawaba/about.html", **self.context()))
        return None

    def article(self, story: Story) -> Resource:
        url = self.url(self.article_path(story))
        ld = {
            "@context": "https://schema.org", "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": story.title,
            "datePublished": story.published.isoformat(),
            "dateModified": (story.modified or story.published).isoformat(),
            "author": {"@type": "Person", "name": story.author},
            "publisher": {"@type": "Organization", "name": self.display_name,
                          "logo": {"@type": "ImageObject", "url": self.url("/static/logo.png")}},
            "articleSection": story.section, "inLanguage": "ar",
        }
        ctx = self.context(story=story, url=url, ld=json.dumps(ld, ensure_ascii=False, indent=1),
                           related=self.related(story, 4), date_display=self.date_display(story),
                           most_read=self.most_read())
        return html(render("bawaba/article.html", **ctx), last_modified=story.modified or story.published)
