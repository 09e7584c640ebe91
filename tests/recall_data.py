"""A store for the recall tests, built through the real pipeline pieces: articles
saved with ``storage.articles.save_article`` and scored by the real matcher
(``pipelines.rescore``) with tests/fixtures/recall/watchlist.yaml, so every flag
carries the matcher's own explanation (rules, what each lacked).

Roles:

* ``flagged``: actor + partner + cooperation → flagged;
* ``near``: actor, cooperation and a foreign partner, but the partner far outside the
  rule's 40-word window → not flagged, every group present but not together in scope:
  the planted near-miss (nearer than a story lacking a whole group);
* ``hidden``: a relevant story without the watchlist's cooperation terms (the Spanish
  police, a tip from Moroccan intelligence) → not flagged, found by search;
* ``sports``, ``weather``, ``market``: unrelated stories, not flagged.
"""

from __future__ import annotations

from pathlib import Path

from filters.loading import load_matcher
from pipelines.rescore import rescore
from raqib.items import Article
from storage.articles import save_article
from storage.db import open_db

HERE = Path(__file__).resolve().parent
WATCHLISTS = HERE / "fixtures" / "recall"
GAZETTEER = HERE / "fixtures" / "gazetteers" / "recall.yaml"      # pinned, like the watchlist

STORIES = {
    "flagged": ("حموشي يبحث مع نظيره الإسباني تعزيز التعاون الأمني",
                "استقبل عبد اللطيف حموشي وفدا من الشرطة الإسبانية، وبحث الجانبان تعزيز التعاون الأمني "
                "بين المغرب وإسبانيا وتبادل المعلومات في مجال مكافحة الإرهاب."),
    "near": ("حموشي يترأس اجتماعا حول التنسيق الأمني",
             "ترأس عبد اللطيف حموشي اجتماعا موسعا خصص لتقييم التنسيق الأمني بين مختلف المصالح، "
             "وتتبع حصيلة العمليات الأخيرة التي همت عددا من المدن، وما تحقق في مجال محاربة الجريمة "
             "وتعزيز الإحساس بالأمن لدى المواطنين، إضافة إلى تقييم برامج التكوين المستمر لفائدة الأطر "
             "والموظفين، وتحديث وسائل العمل والتجهيزات التقنية في مختلف المناطق والجهات.\n"
             "وفي سياق آخر، تستعد إسبانيا لاستقبال موسم سياحي جديد."),
    "hidden": ("اعتقال متطرف قرب مدريد بناء على معلومات من المخابرات المغربية",
               "أوقفت عناصر الحرس المدني متطرفا يشتبه في انتمائه إلى تنظيم إرهابي، "
               "وذلك بفضل معلوماتٍ دقيقة قدّمتها المخابراتُ المغربية إلى السلطات.\n"
               "وأوضح بيان أن المشتبه به كان يخطط لتنفيذ هجوم."),
    "sports": ("الرجاء يفوز على الوداد في الديربي", "فاز فريق الرجاء على غريمه الوداد بهدفين دون رد في مباراة الديربي."),
    "weather": ("أمطار رعدية مرتقبة بعدد من المناطق", "توقعت مديرية الأرصاد الجوية أمطارا رعدية قوية بعدد من مناطق المملكة."),
    "market": ("ارتفاع أسعار الخضر في الأسواق", "سجلت أسعار الخضر ارتفاعا ملحوظا في عدد من الأسواق خلال الأسبوع الجاري."),
}


def build(path: Path) -> dict[str, int]:
    """Create the store at ``path``; returns article ids by role."""
    db = open_db(path)
    ids = {}
    for i, (role, (title, body)) in enumerate(STORIES.items()):
        art = Article(url=f"https://akhbar.example.ma/recall/{role}", source="akhbar", title=title, body=body,
                      published=f"2025-03-{10 + i:02d}T10:00:00+00:00", content_hash=f"h-{role}", language="ar")
        ids[role], _ = save_article(db, art)
    matcher, watchlists = load_matcher(WATCHLISTS, GAZETTEER)
    rescore(db, matcher, watchlists)
    db.conn.close()
    return ids
