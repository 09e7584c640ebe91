"""Publication dates as Arabic news pages print them, and as their URLs carry them.

Pure text functions (no I/O): the extractor finds the date line, these read it.
Pages print dates with Latin or Arabic-Indic digits, with the Maghreb month names
(including the Moroccan spellings ماي، يوليوز، غشت، شتنبر، نونبر، دجنبر), the
Egyptian/Gulf names (مايو، يوليو، أغسطس …) or the Levantine ones (كانون الثاني …
كانون الأول), often after a day name.  Every function returns a full day or None —
never a year-level guess, because a wrong day files the story under the wrong date.
"""

from __future__ import annotations

import re
from datetime import date

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_DIACRITICS = re.compile(r"[\u064B-\u065F\u0670\u0640]")

# Month names after _fold() (hamza seats → ا, ى → ي, no diacritics/tatweel).
_MONTH_NAMES = {
    1: ("يناير", "ينير", "جانفي", "كانون الثاني"),
    2: ("فبراير", "فبرير", "فيفري", "شباط"),
    3: ("مارس", "اذار"),
    4: ("ابريل", "افريل", "نيسان"),
    5: ("مايو", "ماي", "ايار"),
    6: ("يونيو", "يونيه", "جوان", "حزيران"),
    7: ("يوليو", "يوليوز", "يوليه", "جويلية", "تموز"),
    8: ("اغسطس", "غشت", "اوت", "اب"),
    9: ("سبتمبر", "شتنبر", "ايلول"),
    10: ("اكتوبر", "تشرين الاول"),
    11: ("نوفمبر", "نونبر", "تشرين الثاني"),
    12: ("ديسمبر", "دجنبر", "كانون الاول"),
}
MONTHS = {name: num for num, names in _MONTH_NAMES.items() for name in names}
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
DAY_NAMES = ("الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعة", "السبت", "الاحد")

# "14 ماي 2025", "الخميس، 14 أيلول (سبتمبر) 2025"; the optional (…) is the other name.
_D_MONTH_Y = re.compile(rf"(?<!\d)(\d{{1,2}})[\s/.-]*(?:من\s+)?(?:شهر\s+)?({_MONTH_ALT})"
                        rf"(?:\s*[(/-]\s*(?:{_MONTH_ALT})\s*[)]?)?[\s/.-]*[،,]?\s*(\d{{4}})(?!\d)")
# "ماي 14، 2025" (English order, some CMS defaults)
_MONTH_D_Y = re.compile(rf"(?<![\w])({_MONTH_ALT})\s+(\d{{1,2}})\s*[،,]\s*(\d{{4}})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)")
# URL paths: /2025/05/14/, /20250514/, /2013/middle_east/8/3/ (CNN Arabic), /2025-05-14-
_URL_YMD = re.compile(r"(?<!\d)(20\d{2}|19\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?=[/_.-]|$)")
_URL_COMPACT = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")
_URL_SECTION = re.compile(r"/(20\d{2}|19\d{2})/[a-z_-]+/(\d{1,2})/(\d{1,2})/")


def fold(text: str) -> str:
    """Latin digits, no diacritics, one hamza-less alef, ى → ي, one space."""
    text = _DIACRITICS.sub("", text.translate(_DIGITS))
    text = re.sub("[أإآٱ]", "ا", text).replace("ى", "ي")
    return re.sub(r"\s+", " ", text)


def _day(y: int, m: int, d: int) -> date | None:
    if not 1990 <= y <= 2100:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date_text(text: str) -> date | None:
    """The first full date printed in `text` (a date line, not a whole page), or None."""
    t = fold(text)
    found: list[tuple[int, date]] = []
    for m in _D_MONTH_Y.finditer(t):
        if (d := _day(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))):
            found.append((m.start(), d))
    for m in _MONTH_D_Y.finditer(t):
        if (d := _day(int(m.group(3)), MONTHS[m.group(1)], int(m.group(2)))):
            found.append((m.start(), d))
    for m in _YMD.finditer(t):
        if (d := _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
            found.append((m.start(), d))
    for m in _DMY.finditer(t):
        # Arabic outlets write day/month/year; month/day only when the day cannot be a month
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if (d := _day(y, b, a) or (_day(y, a, b) if b > 12 else None)):
            found.append((m.start(), d))
    return min(found, key=lambda x: x[0])[1] if found else None


def parse_iso_day(value: str) -> date | None:
    """The day of an ISO 8601 / RFC 3339 timestamp ("2025-05-14T09:40:00+01:00"), as written."""
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", fold(value or ""))
    return _day(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def date_from_url(url: str) -> date | None:
    """A full day in the URL path, or None (a bare /2013/ is a year, not a date)."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url or "", flags=re.I).split("?")[0].lower()
    for rx in (_URL_SECTION, _URL_YMD, _URL_COMPACT):
        if (m := rx.search(path)) and (d := _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
            return d
    return None
