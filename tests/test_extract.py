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
