"""Decoding page bytes: declared encodings first, detection for undeclared windows-1256."""

import pytest

from pipelines.decode import arabic_ratio, decode_html

TEXT = "تعزيز التعاون الأمني بين المغرب وإسبانيا في مجال مكافحة الإرهاب وتبادل المعلومات"


def page(charset_meta: str = "") -> str:
    return f"<html><head>{charset_meta}<title>خبر</title></head><body><p>{TEXT}</p></body></html>"


CASES = [
    ("utf8-meta", page('<meta charset="utf-8">').encode("utf-8"), None),
    ("utf8-undeclared", page().encode("utf-8"), None),
    ("utf8-bom", b"\xef\xbb\xbf" + page().encode("utf-8"), None),
    ("cp1256-meta", page('<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">')
     .encode("cp1256"), None),
    ("cp1256-header", page().encode("cp1256"), "text/html; charset=windows-1256"),
    ("cp1256-undeclared", page().encode("cp1256"), None),
    ("cp1256-undeclared-long", (page() * 20).encode("cp1256"), "text/html"),
]


@pytest.mark.parametrize("body,content_type", [(b, c) for _, b, c in CASES], ids=[i for i, _, _ in CASES])
def test_decode_recovers_arabic(body, content_type):
    text, _ = decode_html(body, content_type)
    assert TEXT in text


def test_forced_encoding_wins():
    text, enc = decode_html(page().encode("cp1256"), "text/html; charset=utf-8", forced="windows-1256")
    assert TEXT in text


@pytest.mark.parametrize("text,low,high", [
    ("المغرب", 1.0, 1.0), ("Morocco", 0.0, 0.0), ("المغرب Morocco", 0.4, 0.6), ("123 !!", 0.0, 0.0),
], ids=["arabic", "latin", "mixed", "no-letters"])
def test_arabic_ratio(text, low, high):
    assert low <= arabic_ratio(text) <= high
