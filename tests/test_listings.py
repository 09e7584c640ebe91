"""Listing pagination: which page comes next."""

from __future__ import annotations

import pytest

from spiders.listings import page_number


@pytest.mark.parametrize("url,expected", [
    ("https://a.ma/politics/", 1),
    ("https://a.ma/politics/page/2/", 2),
    ("https://a.ma/politics/page/3", 3),
    ("https://a.ma/list.php?cat=4&page=5", 5),
    ("https://a.ma/list.php?page=12", 12),
    ("/section/page/7/", 7),
    ("https://a.ma/page/2/story-123.html", 1),     # a page segment inside the path is not pagination
    ("https://a.ma/list.php?pages=3", 1),
])
def test_page_number(url, expected):
    assert page_number(url) == expected
