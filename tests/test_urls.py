import pytest

from raqib.urls import clean_url, url_key

SAME = [
    ("tracking", "https://ex.ma/news/12.html?utm_source=home&utm_medium=block", "https://ex.ma/news/12.html"),
    ("fbclid", "https://ex.ma/news/12.html?fbclid=abc", "https://ex.ma/news/12.html"),
    ("trailing-slash", "https://ex.ma/2025/01/02/slug-3/", "https://ex.ma/2025/01/02/slug-3"),
    ("amp-path", "https://ex.ma/ar/amp/news/5", "https://ex.ma/ar/news/5"),
    ("amp-suffix", "https://ex.ma/news/5/amp/", "https://ex.ma/news/5"),
    ("amp-query", "https://ex.ma/news/5?amp=1", "https://ex.ma/news/5"),
    ("mobile-host", "https://m.ex.ma/news/5", "https://www.ex.ma/news/5"),
    ("www", "https://www.ex.ma/news/5", "https://ex.ma/news/5"),
    ("scheme", "http://ex.ma/news/5", "https://ex.ma/news/5"),
    ("fragment", "https://ex.ma/news/5#comments", "https://ex.ma/news/5"),
    ("query-order", "https://ex.ma/a.asp?id=5&cat=1", "https://ex.ma/a.asp?cat=1&id=5"),
    ("arabic-path", "https://ex.ma/ar/المغرب-1", "https://ex.ma/ar/%D8%A7%D9%84%D9%85%D8%BA%D8%B1%D8%A8-1"),
    ("host-case", "https://EX.ma/news/5", "https://ex.ma/news/5"),
]

DIFFERENT = [
    ("other-id", "https://ex.ma/a.asp?id=5", "https://ex.ma/a.asp?id=6"),
    ("other-port", "http://127.0.0.1:8001/news/1", "http://127.0.0.1:8002/news/1"),
    ("other-path", "https://ex.ma/news/5", "https://ex.ma/news/50"),
]


@pytest.mark.parametrize("a,b", [(a, b) for _, a, b in SAME], ids=[i for i, _, _ in SAME])
def test_same_article_same_key(a, b):
    assert url_key(a) == url_key(b)


@pytest.mark.parametrize("a,b", [(a, b) for _, a, b in DIFFERENT], ids=[i for i, _, _ in DIFFERENT])
def test_different_articles_different_keys(a, b):
    assert url_key(a) != url_key(b)


def test_clean_url_keeps_meaningful_query():
    assert clean_url("https://ex.ma/a.asp?id=5&utm_campaign=x#top") == "https://ex.ma/a.asp?id=5"


@pytest.mark.parametrize("url,expected", [
    ("https://a.ma/amp/news/1", True),
    ("https://amp.a.ma/news/1", True),
    ("https://m.a.ma/news/1", True),
    ("https://mobile.a.ma/news/1", True),
    ("https://a.ma/news/1.amp", True),
    ("https://a.ma/news/1/amp/", True),
    ("https://a.ma/news/1", False),
    ("https://www.a.ma/news/1", False),
    ("https://a.ma/ampersand-story", False),
    ("https://a.ma/news/1?amp=1", False),     # a query flag: the key drops it, the page is the canonical
])
def test_is_alternate_form(url, expected):
    from raqib.urls import is_alternate_form

    assert is_alternate_form(url) is expected
