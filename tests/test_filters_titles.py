"""Titles without the site name, reconciled from <title>, og:title, <h1> and JSON-LD."""

from __future__ import annotations

import pytest

from filters.titles import reconcile_title, repeated_affix, strip_site_name

HEAD = "حموشي يستقبل مدير مكتب التحقيقات الفيدرالي الأمريكي بالرباط"

STRIP = [
    ("suffix-pipe", f"{HEAD} | هسبريس", (), HEAD),
    ("suffix-en-dash", f"{HEAD} – أخبار اليوم", (), HEAD),
    ("suffix-em-dash", f"{HEAD} — الأفق العربي", (), HEAD),
    ("suffix-hyphen", f"{HEAD} - CNNArabic.com", (), HEAD),
    ("prefix-double-colon", f"جريدة الرأي الحر :: {HEAD}", (), HEAD),
    ("prefix-pipe-unspaced", f"الأيام 24|{HEAD}", (), HEAD),
    ("guillemets-known-site", f"{HEAD} «الأفق»", ("الأفق",), HEAD),
    ("known-site-long", f"{HEAD} - الجريدة الإلكترونية المغربية الأولى للأخبار العاجلة", (
        "الجريدة الإلكترونية المغربية الأولى للأخبار العاجلة",), HEAD),
    ("no-separator", HEAD, (), HEAD),
    ("hyphen-inside-word-kept", "أنبوب الغاز نيجيريا-المغرب: توقيع اتفاقيات جديدة", (),
     "أنبوب الغاز نيجيريا-المغرب: توقيع اتفاقيات جديدة"),
    ("colon-in-headline-kept", "مكناس: شراكة فلاحية مغربية فرنسية جديدة | موقع", (),
     "مكناس: شراكة فلاحية مغربية فرنسية جديدة"),
    ("two-long-halves-kept", "المغرب وإسبانيا يوقعان اتفاقا أمنيا - والبرتغال تنضم إلى المباحثات لاحقا", (),
     "المغرب وإسبانيا يوقعان اتفاقا أمنيا - والبرتغال تنضم إلى المباحثات لاحقا"),
]


@pytest.mark.parametrize("title,names,want", [(t, n, w) for _, t, n, w in STRIP], ids=[i for i, *_ in STRIP])
def test_strip_site_name(title, names, want):
    assert strip_site_name(title, names) == want


RECONCILE = [
    ("headline-wins", dict(headline=HEAD, h1=["شيء آخر"], og_title=f"{HEAD} | موقع"), HEAD),
    ("h1-confirmed-by-og", dict(h1=["CNN", HEAD], og_title=f"{HEAD} | موقع"), HEAD),
    ("logo-h1-not-title", dict(h1=["CNN"], html_title=f"{HEAD} - CNNArabic.com"), HEAD),
    ("no-h1-title-prefix", dict(html_title=f"جريدة الرأي :: {HEAD}"), HEAD),
    ("og-site-name", dict(og_title=f"{HEAD} - منصة خبر", site_names=["منصة خبر"]), HEAD),
    ("only-h1", dict(h1=[HEAD]), HEAD),
    ("nothing", dict(), ""),
]


@pytest.mark.parametrize("kwargs,want", [(k, w) for _, k, w in RECONCILE], ids=[i for i, *_ in RECONCILE])
def test_reconcile_title(kwargs, want):
    assert reconcile_title(**kwargs) == want


AFFIX = [
    ("suffix", [f"خبر رقم {i} عن الأمن والتعاون | الموقع" for i in range(4)], "الموقع"),
    ("prefix", [f"الموقع - خبر رقم {i} عن الأمن والتعاون" for i in range(4)], "الموقع"),
    ("too-few", ["أ | الموقع", "ب | الموقع"], ""),
    ("no-shared-part", [f"خبر {i} - تفاصيل {i}" for i in range(4)], ""),
]


@pytest.mark.parametrize("titles,want", [(t, w) for _, t, w in AFFIX], ids=[i for i, *_ in AFFIX])
def test_repeated_affix(titles, want):
    assert repeated_affix(titles) == want
