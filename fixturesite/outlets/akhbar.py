"""akhbar: a WordPress theme — date-based permalinks, RSS at /feed/, category
archives with /page/N/, and the usual clutter inside the article (related links,
share buttons, a pull-quote) and under it (comments, comment form, sidebar)."""

from __future__ import annotations

import re
import zlib

from fixturesite.content import SECTION_NAMES, Story
from fixturesite.outlets import (COMMENT_FORM_DEFAULT, Outlet, Resource, comments_for, html, newest,
                                 pull_quote, render, xml)

PER_PAGE = 10
FEED_ITEMS = 20
_ARTICLE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([^/]+)-(\d+)/$")
_CATEGORY = re.compile(r"^/category/([a-z-]+)/(?:page/(\d+)/)?$")
_TAG = re.compile(r"^/tag/([a-z0-9-]+)/$")
ARTICLE_PATTERN = r"/\d{4}/\d{2}/\d{2}/[^/]+-\d+/$"


class Akhbar(Outlet):
    name = "akhbar"
    display_name = "أخبار اليوم"
    disallow = "/wp-admin/"

    def article_path(self, story: Story) -> str:
        return f"/{story.published:%Y/%m/%d}/{story.slug}-{story.id}/"

    def section_stories(self, section: str) -> list[Story]:
        return [s for s in self.stories() if s.section == section]

    def sections(self) -> list[str]:
        return [s for s in SECTION_NAMES if self.section_stories(s)]

    def non_article_paths(self) -> list[str]:
        return ["/a-propos/", "/tag/amn/"]

    def source_entry(self) -> dict:
        listings = []
        for section in self.sections():
            pages = -(-len(self.section_stories(section)) // PER_PAGE)
            # the crawler follows one /page/N+1/ link per listing (max_pages_per_listing=2)
            for page in range(1, pages + 1, 2):
                path = f"/category/{section}/" + (f"page/{page}/" if page > 1 else "")
                listings.append({"url": self.url(path), "article_pattern": ARTICLE_PATTERN})
        return {"feeds": [self.url("/feed/")], "sitemaps": [], "listings": listings}

    def route(self, path: str, params: dict[str, str]) -> Resource | None:
        if path == "/":
            stories = self.stories()
            return html(render("akhbar/home.html", **self.context(stories=stories[:PER_PAGE],
                                                                  most_read=self.most_read())),
                        last_modified=newest(stories))
        if path in ("/feed", "/feed/"):
            return self.feed()
        if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            return Resource(b"", "text/html; charset=utf-8", 301, {"Location": self.url(path + "/")})
        if m := _ARTICLE.match(path):
            story = self.store.get(int(m.group(5)))
            if story is None or story.outlet != self.name or self.article_path(story) != path:
                return None
            return self.article(story)
        if m := _CATEGORY.match(path):
            section, page = m.group(1), int(m.group(2) or 1)
            stories = self.section_stories(section)
            chunk = stories[(page - 1) * PER_PAGE: page * PER_PAGE]
            if section not in SECTION_NAMES or (page > 1 and not chunk):
                return None
            has_next = len(stories) > page * PER_PAGE
            return html(render("akhbar/category.html", **self.context(
                section=section, page=page, stories=chunk, has_next=has_next, most_read=self.most_read())),
                last_modified=newest(stories))
        if path == "/a-propos/":
            return html(render("akhbar/about.html", **self.context(most_read=self.most_read())))
        if m := _TAG.match(path):
            return html(render("akhbar/tag.html", **self.context(tag=m.group(1), stories=self.stories()[:15],
                                                                 most_read=self.most_read())),
                        last_modified=newest(self.stories()))
        return None

    def article(self, story: Story) -> Resource:
        paras = story.blocks
        half = max(1, len(paras) // 2)
        ctx = self.context(
            story=story, url=self.url(self.article_path(story)), head_blocks=paras[:2],
            mid_blocks=paras[2:half] if half > 2 else [], tail_blocks=paras[max(2, half):],
            quote=pull_quote(story), related=self.related(story), comments=comments_for(story),
            form=story.comment_form or COMMENT_FORM_DEFAULT, most_read=self.most_read(),
            author_slug=f"author-{zlib.crc32(story.author.encode()) % 1000}",
        )
        return html(render("akhbar/article.html", **ctx), last_modified=story.modified or story.published)

    def feed(self) -> Resource:
        stories = self.stories()[:FEED_ITEMS]
        items = [(s, self.url(self.article_path(s))) for s in stories]
        return xml(render("akhbar/feed.xml", **self.context(items=items, updated=newest(stories))),
                   "application/rss+xml", last_modified=newest(stories))
