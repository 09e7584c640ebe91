"""A small review database built through the real storage API (save_article + save_flags).

Offsets are computed on the stored text with ``str.find``, exactly as the filter
stage records them, so highlighting is tested against real stored evidence.
"""

from __future__ import annotations

from pathlib import Path

from raqib.items import Article, Entity, Flag, Match
from storage.articles import save_article, set_story
from storage.db import open_db
from storage.flags import save_flags

HOSTILE_TITLE = '<script>window.pwned = 1</script> تعاون أمني <b>مغربي</b>'
HOSTILE_BODY = (
    'أعلنت المديرية العامة للأمن الوطني عن تعاون أمني جديد. <img src=x onerror="window.pwned=2">\n'
    '<script>document.body.appendChild(document.createElement("pwned-marker")); window.pwned = 3;</script>'
    ' وقال المصدر إن مكافحة الإرهاب <iframe src="javascript:alert(1)"></iframe> أولوية.\n'
    '<a href="javascript:window.pwned=4">اضغط هنا</a> لمزيد من التعاون الأمني'
)

STORY_TITLE = "المغرب وإسبانيا يعززان التعاون الأمني في مكافحة الإرهاب"
STORY_BODY = (
    "استقبل عبد اللطيف حموشي، المدير العام للأمن الوطني ولمراقبة التراب الوطني، وفدا أمنيا إسبانيا رفيع المستوى.\n"
    "وبحث الجانبان سبل تعزيز التعاون الأمني وتبادل المعلومات الاستخباراتية في مجال مكافحة الإرهاب والجريمة المنظمة.\n"
    "\n"
    "وأكد بلاغ للمديرية العامة لمراقبة التراب الوطني أن هذا اللقاء يندرج في إطار الشراكة الاستراتيجية بين البلدين."
)


def find_matches(text: str, terms: list[tuple[str, str]], field: str) -> list[Match]:
    out = []
    for term, group in terms:
        start = text.find(term)
        while start != -1:
            out.append(Match(term, group, start, start + len(term), field, text[max(0, start - 20):start + 40]))
            start = text.find(term, start + 1)
    return out


def article(url: str, source: str, title: str, body: str, published: str) -> Article:
    return Article(url=url, source=source, title=title, body=body, published=published,
                   content_hash=str(hash((title, body))), language="ar")


def build(path: Path) -> dict[str, int]:
    """Create the review test database at ``path``; returns article ids by role."""
    db = open_db(path)
    ids: dict[str, int] = {}

    ids["story"], _ = save_article(db, article("https://akhbar.example.ma/news/1", "akhbar", STORY_TITLE,
                                               STORY_BODY, "2024-06-03T10:00:00+01:00"))
    terms = [("التعاون الأمني", "cooperation"), ("مكافحة الإرهاب", "topics"), ("حموشي", "actors")]
    matches = find_matches(STORY_TITLE, terms, "title") + find_matches(STORY_BODY, terms, "body")
    ent_start = STORY_BODY.find("عبد اللطيف حموشي")
    entities = [Entity("عبد اللطيف حموشي", "person", "moroccan_actor", ent_start,
                       ent_start + len("عبد اللطيف حموشي"), "body", "عبد اللطيف حموشي")]
    rules = [{"rule": "actor_and_cooperation", "expr": "actors AND cooperation", "matched": True, "weight": 2.0},
             {"rule": "foreign_partner", "expr": "partner:*", "matched": True, "weight": 1.5}]
    save_flags(db, ids["story"], [Flag("ma_security", "v1abc", 4.5, True, matches, entities, rules)])

    ids["copy"], _ = save_article(db, article("https://wakala.example.ma/a/77", "wakala",
                                              "تعزيز التعاون الأمني بين المغرب وإسبانيا",
                                              "نقلت وكالة الأنباء أن التعاون الأمني بين البلدين يتعزز.",
                                              "2024-06-03T12:00:00+01:00"))
    set_story(db, ids["story"], ids["story"])
    set_story(db, ids["copy"], ids["story"])
    save_flags(db, ids["copy"], [Flag("ma_security", "v1abc", 2.5, True,
                                      find_matches("نقلت وكالة الأنباء أن التعاون الأمني بين البلدين يتعزز.",
                                                   [("التعاون الأمني", "cooperation")], "body"),
                                      [], [{"rule": "cooperation", "matched": True}])])

    ids["hostile"], _ = save_article(db, article("https://bawaba.example.ma/x?a=1&b=<2>", "bawaba",
                                                 HOSTILE_TITLE, HOSTILE_BODY, "2024-06-02T09:00:00+01:00"))
    hm = find_matches(HOSTILE_TITLE, [("تعاون أمني", "cooperation")], "title")
    hm += find_matches(HOSTILE_BODY, [("تعاون أمني", "cooperation"), ("مكافحة الإرهاب", "topics"),
                                      ("التعاون الأمني", "cooperation")], "body")
    # a span that straddles markup-looking text: each piece must still be escaped
    s = HOSTILE_BODY.find('<img')
    hm.append(Match('<img src=x', "weird", s, s + len('<img src=x'), "body"))
    save_flags(db, ids["hostile"], [Flag("ma_security", "v1abc", 3.0, True, hm, [],
                                         [{"rule": "<script>alert('rule')</script>", "matched": True}])])

    ids["old"], _ = save_article(db, article("https://qadim.example.ma/old/5", "qadim",
                                             "اتفاقية تعاون في مجال الحماية المدنية",
                                             "وقعت المملكة المغربية اتفاقية تعاون مع فرنسا في مجال الحماية المدنية.",
                                             "2024-05-01"))
    save_flags(db, ids["old"], [Flag("civil_protection", "v9", 1.2, True,
                                     find_matches("وقعت المملكة المغربية اتفاقية تعاون مع فرنسا في مجال الحماية المدنية.",
                                                  [("اتفاقية تعاون", "agreements")], "body"), [], [])])

    ids["unflagged"], _ = save_article(db, article("https://akhbar.example.ma/news/2", "akhbar",
                                                   "نتائج الدوري المغربي لكرة القدم", "فاز الفريق بهدفين.",
                                                   "2024-06-04"))
    save_flags(db, ids["unflagged"], [Flag("ma_security", "v1abc", 0.2, False, [], [], [])])
    db.conn.close()
    return ids
