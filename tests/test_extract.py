"""Extraction: article pages give title/body/date; non-articles are refused with a reason."""

from __future__ import annotations

import pytest

from pipelines.extract import NotAnArticle, extract

PARA = ("أكد المدير العام للأمن الوطني أن التعاون الأمني بين المغرب وإسبانيا يشمل تبادل المعلومات "
        "ومكافحة الإرهاب والجريمة المنظمة العابرة للحدود في إطار شراكة استراتيجية متينة.")


def page(body_html: str, title="عنوان الخبر", extra_head="") -> bytes:
    return (f'<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>{extra_head}</head>'
            f'<body><header><nav><a href="/">الرئيسية</a> <a href="/x">رياضة</a></nav></header>'
            f'<article><h1>{title}</h1>{body_html}</article><footer>جميع الحقوق محفوظة</footer></body></html>'
            ).encode("utf-8")


def test_article_extracted_with_paragraphs_and_date():
    html = page(f'<time datetime="2025-05-29T09:45:00+00:00">29 ماي 2025</time>'
                + "".join(f"<p>{PARA} {i}</p>" for i in range(4)),
                extra_head='<meta property="article:published_time" content="2025-05-29T09:45:00+00:00">')
    ex = extract(html, "https://ex.ma/news/1")
    assert ex.title == "عنوان الخبر"
    assert ex.body.count("\n") == 3
    assert ex.published.startswith("2025-05-29")
    assert ex.language == "ar"


def test_pullquote_duplicate_dropped():
    body = "".join(f"<p>{PARA} {i}</p>" for i in range(4)) + f"<blockquote>{PARA} 1</blockquote>"
    ex = extract(page(body), "https://ex.ma/news/2")
    assert ex.body.count(f"{PARA} 1") == 1


REFUSED = [
    ("empty", b"   ", "empty"),
    ("too-short", page("<p>خبر قصير جدا.</p>"), "too_short"),
    ("not-arabic", page("".join(f"<p>Morocco and Spain agreed to strengthen security cooperation "
                                f"against terrorism and organised crime, officials said on day {i}.</p>"
                                for i in range(5)), title="English"), "not_arabic"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, None),
]


@pytest.mark.parametrize("html,reason", [(h, r) for _, h, r in REFUSED], ids=[i for i, _, _ in REFUSED])
def test_non_articles_refused_with_reason(html, reason):
    with pytest.raises(NotAnArticle) as info:
        extract(html, "https://ex.ma/x")
    if reason:
        assert info.value.reason == reason


CONTROLS = [("soh", "\x01"), ("bel", "\x07"), ("backspace", "\x08"), ("escape", "\x1b"), ("form-feed", "\x0c"),
            ("unit-separator", "\x1f")]


@pytest.mark.parametrize("char", [c for _, c in CONTROLS], ids=[i for i, _ in CONTROLS])
def test_one_control_character_does_not_drop_the_article(char):
    """lxml stops parsing at a C0 control: one stray byte used to give no_body."""
    paras = "".join(f"<p>{PARA} {i}</p>" for i in range(3)) + f"<p>{PARA[:30]}{char}{PARA[30:]} 3</p>"
    ex = extract(page(paras), "https://ex.ma/news/3")
    assert ex.body.count("\n") == 3
    assert char not in ex.body and PARA[:30] in ex.body


def test_tabs_and_newlines_are_kept_as_whitespace():
    paras = "".join(f"<p>{PARA}\t{i}\r\n</p>" for i in range(4))
    assert extract(page(paras), "https://ex.ma/news/4").body.splitlines()[0] == f"{PARA} 0"


HEADLINE = "الشرطة الإسبانية والمغربية تفككان شبكة لتهريب المخدرات بين طنجة والجزيرة الخضراء"


def test_read_also_box_related_list_and_comment_form_stay_out_of_the_body():
    other = "المغرب وفرنسا يوقعان اتفاقا جديدا لتبادل المعلومات الاستخباراتية في مكافحة الإرهاب"
    body = (f"<p>{PARA} 0</p><p><strong>اقرأ أيضا:</strong> <a href='/1'>{other}</a></p><p>{PARA} 1</p>"
            f"<p>{PARA} 2</p><div class='x'><h3>مقالات ذات صلة</h3><ul><li><a href='/2'>{other} 2</a></li></ul></div>"
            f"<p>{PARA} 3</p>")
    extra = (f"<div id='respond'><h3>أضف تعليق</h3><p>لن يتم نشر عنوان بريدك الإلكتروني.</p></div>"
             f"<ul class='most'><li><a href='/3'>{other} 3</a></li></ul>")
    ex = extract(page(body + extra), "https://ex.ma/news/5")
    assert ex.body.count("\n") == 3 and "اقرأ" not in ex.body and "تعليق" not in ex.body
    assert "الاستخباراتية" not in ex.body


def test_script_rendered_shell_body_comes_from_app_state():
    import json as _json

    state = {"props": {"pageProps": {"article": {
        "title": HEADLINE, "publishedAt": "2025-03-04T10:00:00+01:00",
        "content": "".join(f"<p>{PARA} {i}</p>" for i in range(4))},
        "related": [{"title": "خبر آخر", "summary": PARA[:120]}]}}}
    html = (f'<html><head><meta charset="utf-8"><title>{HEADLINE} | منصة خبر</title>'
            f'<meta property="og:site_name" content="منصة خبر"></head><body><div id="__next"></div>'
            f'<script id="__NEXT_DATA__" type="application/json">{_json.dumps(state, ensure_ascii=False)}'
            f'</script></body></html>').encode("utf-8")
    ex = extract(html, "https://ex.ma/news/shell")
    assert (ex.extractor, ex.title, ex.published[:10]) == ("app_state", HEADLINE, "2025-03-04")
    assert ex.body.count("\n") == 3


def test_json_ld_article_body_when_the_markup_has_none():
    import json as _json

    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": HEADLINE,
          "datePublished": "2024-06-01T08:00:00Z", "articleBody": "\n".join(f"{PARA} {i}" for i in range(4))}
    html = (f'<html><head><meta charset="utf-8"><title>موقع - {HEADLINE}</title>'
            f'<script type="application/ld+json">{_json.dumps(ld, ensure_ascii=False)}</script></head>'
            f'<body><div id="app">يرجى تفعيل جافاسكريبت</div></body></html>').encode("utf-8")
    ex = extract(html, "https://ex.ma/news/ld")
    assert (ex.extractor, ex.title, ex.published[:10], ex.date_source) == ("jsonld", HEADLINE, "2024-06-01", "jsonld")


def test_year_in_url_or_copyright_never_becomes_january_first():
    body = "".join(f"<p>{PARA} {i}</p>" for i in range(4)) + "<footer>جميع الحقوق محفوظة 2013</footer>"
    ex = extract(page(body), "https://ex.ma/2013/politics/story.html")
    assert ex.published == "" and ex.date_source == ""
    ex = extract(page(body), "https://ex.ma/2013/politics/story.html", date_hint="2013-08-03T10:00:00+00:00")
    assert (ex.published, ex.date_source) == ("2013-08-03T10:00:00+00:00", "feed")


def test_visible_arabic_indic_date_line_and_site_prefixed_title():
    html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
            f'<title>جريدة الرأي :: {HEADLINE}</title></head><body><table><tr><td class="date">آخر تحديث ١٤/٠٥/٢٠٢٥'
            f'</td></tr><tr><td><font>' + "<br><br>".join(f"{PARA} {i}" for i in range(4))
            + '</font></td></tr></table></body></html>').encode("cp1256", errors="xmlcharrefreplace")
    ex = extract(html, "https://ex.ma/news.php?id=7")
    assert (ex.title, ex.published, ex.date_source) == (HEADLINE, "2025-05-14", "text")
    assert ex.body.count("\n") == 3


def test_site_name_that_repeats_across_a_sources_titles_is_stripped():
    """Too long to look like a site name, and no og:site_name says so: only the
    repetition across the source's pages gives it away."""
    from pipelines.extract_step import SiteAffixes

    site = "جريدة الرأي الحر المستقلة الأولى في شمال المملكة"
    affixes = SiteAffixes()
    for i in range(4):
        affixes.add("raay", f"{site} :: خبر رقم {i} عن التعاون الأمني")
    assert affixes.affix("raay") == site
    html = (f'<html><head><meta charset="utf-8"><title>{site} :: {HEADLINE}</title></head><body>'
            + "".join(f"<p>{PARA} {i}</p>" for i in range(4)) + "</body></html>").encode("utf-8")
    assert extract(html, "https://ex.ma/n/1").title == f"{site} :: {HEADLINE}"
    assert extract(html, "https://ex.ma/n/1", site_names=(affixes.affix("raay"),)).title == HEADLINE


def test_elementor_widget_holding_the_body_is_not_pruned_as_a_widget():
    comments = "".join(f"<p>تعليق رقم {i}: {PARA}</p>" for i in range(6))
    html = page(f'<div class="elementor-widget elementor-widget-theme-post-content">'
                + "".join(f"<p>{PARA} {i}</p>" for i in range(4))
                + f'</div><div class="comments-area">{comments}</div>')
    ex = extract(html, "https://ex.ma/news/el")
    assert ex.body.count("\n") == 3 and "تعليق رقم" not in ex.body


def test_published_time_element_preferred_over_updated():
    html = page('<time class="updated" datetime="2025-06-02T10:00:00+01:00">2 يونيو</time>'
                '<time class="entry-date published" datetime="2025-05-30T08:00:00+01:00">30 ماي</time>'
                + "".join(f"<p>{PARA} {i}</p>" for i in range(4)))
    ex = extract(html, "https://ex.ma/news/t")
    assert (ex.published[:10], ex.date_source) == ("2025-05-30", "time")


def test_app_state_never_replaces_a_body_the_markup_gave():
    """Server-rendered Next.js pages also ship other stories in their state."""
    import json as _json

    other = {"props": {"related": [{"body": " ".join(f"{PARA} قصة أخرى {i}." for i in range(12))}]}}
    html = page("".join(f"<p>{PARA} {i}</p>" for i in range(4))
                + f'<script id="__NEXT_DATA__" type="application/json">{_json.dumps(other, ensure_ascii=False)}</script>')
    ex = extract(html, "https://ex.ma/news/ssr")
    assert ex.extractor == "trafilatura" and "قصة أخرى" not in ex.body


def test_extract_step_records_an_unexpected_failure_and_keeps_the_page_for_the_next_crawl(tmp_path, monkeypatch):
    """A bug met on one page (any exception but NotAnArticle) is recorded for the run and
    the page is not remembered as skipped, so the next crawl tries it again; the real
    extraction of another page goes on.  The failure is injected for one URL only."""
    from scrapy.exceptions import DropItem
    from scrapy.utils.test import get_crawler

    import pipelines.extract_step as step_module
    from raqib.items import Article
    from storage.db import open_db

    db_path = tmp_path / "raqib.db"
    crawler = get_crawler(settings_dict={"RAQIB": {"db_path": str(db_path), "min_body_chars": 250,
                                                   "min_arabic_ratio": 0.5}})
    crawler.stats.open_spider()
    step = step_module.ExtractPipeline.from_crawler(crawler)
    real = step_module.extract

    def fails_on_one_page(html, url, **kw):
        if url.endswith("/broken"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(html, url, **kw)

    monkeypatch.setattr(step_module, "extract", fails_on_one_page)
    html = page("<p>" + "أعلنت المديرية العامة للأمن الوطني عن توقيف مبحوث عنه في إطار التعاون الأمني. " * 8 + "</p>")
    with pytest.raises(DropItem, match="extraction failed"):
        step.process_item(Article(url="http://127.0.0.1/broken", source="s", html=html))
    good = step.process_item(Article(url="http://127.0.0.1/fine", source="s", html=html))
    assert "المديرية العامة للأمن الوطني" in good.body
    errors = crawler.stats.get_value("raqib/errors")
    assert [e["url"] for e in errors] == ["http://127.0.0.1/broken"] and "RecursionError" in errors[0]["error"]
    assert list(open_db(db_path).execute("SELECT url FROM skipped")) == []
