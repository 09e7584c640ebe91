"""Printed dates, ISO timestamps and URL paths → a full day, never a year-level guess."""

from __future__ import annotations

from datetime import date

import pytest

from filters.dates import date_from_url, parse_date_text, parse_iso_day

TEXT = [
    ("moroccan-weekday-time", "الخميس 29 ماي 2025 - 09:45", date(2025, 5, 29)),
    ("moroccan-yulyuz", "نشر في 3 يوليوز 2024", date(2024, 7, 3)),
    ("moroccan-ghusht", "الرباط: 12 غشت 2025", date(2025, 8, 12)),
    ("moroccan-shutanbir", "الاثنين 1 شتنبر 2025", date(2025, 9, 1)),
    ("moroccan-nunbir", "27 نونبر 2024", date(2024, 11, 27)),
    ("moroccan-dujanbir", "31 دجنبر 2024", date(2024, 12, 31)),
    ("egyptian-weekday-comma", "الأحد، 14 سبتمبر 2025 - 10:30 م", date(2025, 9, 14)),
    ("egyptian-mayo", "5 مايو 2026", date(2026, 5, 5)),
    ("egyptian-aghustus-no-hamza", "20 اغسطس 2023", date(2023, 8, 20)),
    ("levantine-tishrin-awwal", "الثلاثاء 14 تشرين الأول 2025", date(2025, 10, 14)),
    ("levantine-kanun-thani", "2 كانون الثاني 2026", date(2026, 1, 2)),
    ("levantine-kanun-awwal", "9 كانون الأول 2025", date(2025, 12, 9)),
    ("levantine-ab-with-gulf-name", "الأربعاء، 28 آب/اغسطس 2013", date(2013, 8, 28)),
    ("levantine-ayloul-paren", "14 أيلول (سبتمبر) 2025", date(2025, 9, 14)),
    ("arabic-indic-month-name", "١٤ سبتمبر ٢٠٢٥", date(2025, 9, 14)),
    ("arabic-indic-slashes", "آخر تحديث ١٤/٠٥/٢٠٢٥", date(2025, 5, 14)),
    ("latin-dashes-dmy", "بتاريخ 03-08-2013", date(2013, 8, 3)),
    ("iso-ymd", "2025/05/14", date(2025, 5, 14)),
    ("mdy-when-day-over-12", "05/14/2025", date(2025, 5, 14)),
    ("english-order", "ماي 14، 2025", date(2025, 5, 14)),
    ("diacritics", "١٢ يَنَايِر ٢٠٢٥", date(2025, 1, 12)),
    ("hyphenated", "14-مايو-2025", date(2025, 5, 14)),
    ("comma-before-year", "14 مايو، 2025", date(2025, 5, 14)),
    ("levantine-slash-egyptian", "29 أيار/مايو 2025", date(2025, 5, 29)),
    ("hijri-then-gregorian", "الخميس 15 ذو القعدة 1446 هـ - 29 مايو 2025 م", date(2025, 5, 29)),
    ("publication-before-update", "نشر في 12 ماي 2025 | آخر تحديث 14 ماي 2025", date(2025, 5, 12)),
    ("month-and-year-only", "كانون الأول 2025", None),
    ("year-only", "جميع الحقوق محفوظة 2024", None),
    ("impossible-day", "31 فبراير 2025", None),
    ("relative", "منذ ساعتين", None),
]


@pytest.mark.parametrize("text,want", [(t, w) for _, t, w in TEXT], ids=[i for i, _, _ in TEXT])
def test_parse_date_text(text, want):
    assert parse_date_text(text) == want


URLS = [
    ("wordpress", "https://x.ma/2025/05/14/slug-12/", date(2025, 5, 14)),
    ("cnn-section-between", "http://arabic.cnn.com/2013/middle_east/8/3/egypt.x/index.html", date(2013, 8, 3)),
    ("compact", "https://x.com/news/20250514-story", date(2025, 5, 14)),
    ("dashes", "https://x.com/2024-11-02-story.html", date(2024, 11, 2)),
    ("year-only", "https://x.com/2013/politics/story.html", None),
    ("year-month-only", "https://x.com/2013/08/story.html", None),
    ("id-not-date", "https://x.com/news/12345678", None),
    ("query-ignored", "https://x.com/news.php?d=2025/05/14", None),
]


@pytest.mark.parametrize("url,want", [(u, w) for _, u, w in URLS], ids=[i for i, _, _ in URLS])
def test_date_from_url(url, want):
    assert date_from_url(url) == want


ISO = [
    ("offset", "2025-05-14T09:40:00+01:00", date(2025, 5, 14)),
    ("zulu", "2025-05-14T23:40:00Z", date(2025, 5, 14)),
    ("day", "2025-05-14", date(2025, 5, 14)),
    ("arabic-indic", "٢٠٢٥-٠٥-١٤", date(2025, 5, 14)),
    ("garbage", "yesterday", None),
    ("empty", "", None),
]


@pytest.mark.parametrize("value,want", [(v, w) for _, v, w in ISO], ids=[i for i, _, _ in ISO])
def test_parse_iso_day(value, want):
    assert parse_iso_day(value) == want
