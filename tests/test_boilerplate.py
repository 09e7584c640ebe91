"""Body lines that are boxes, comment forms or other stories' headlines are dropped;
news sentences that merely share a word with them are kept."""

from __future__ import annotations

import pytest

from pipelines.boilerplate import clean_lines

OTHER = "المغرب وفرنسا يوقعان اتفاقا جديدا لتبادل المعلومات الاستخباراتية"

LINES = [
    ("read-also-colon", f"اقرأ أيضا: {OTHER}", False),
    ("read-also-hamza-tanwin", f"إقرأ أيضًا {OTHER}", False),
    ("see-also", "شاهد أيضا", False),
    ("related-heading", "مقالات ذات صلة", False),
    ("related-news", "أخبار متعلقة", False),
    ("most-read", "الأكثر قراءة", False),
    ("more-from-section", "المزيد من دوليات", False),
    ("comment-form-title", "أضف تعليق", False),
    ("leave-comment", "اترك تعليقا", False),
    ("email-notice", "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *", False),
    ("comment-rules", "شروط التعليق :", False),
    ("comments-count", "3 تعليقات على “عنوان الخبر”", False),
    ("cnn-disclaimer", "الآراء الواردة أدناه لا تعبر عن رأي موقع CNN بالعربية، بل تعكس وجهات نظر أصحابها فقط.", False),
    ("cnn-policy", "ترحب شبكة CNN بالنقاش الحيوي والمفيد، وكي لا نضطر إلى مراجعة التعليقات قبل نشرها.", False),
    ("headline-of-another-story", OTHER, False),
    ("news-more-from", "المزيد من الإجراءات الأمنية ستتخذ خلال الأيام المقبلة لتأمين الحدود الشمالية.", True),
    ("news-comments", "ونشر رواد مواقع التواصل آلاف التعليقات على الفيديو الذي وثق عملية التوقيف.", True),
    ("news-disclaimer-words", "وقال المتحدث إن البيان لا يعبر عن رأي الحكومة بل عن موقف الحزب وحده.", True),
    ("news-read", "وأكد أن على المواطنين أن يقرأوا التعليمات بعناية قبل السفر إلى الخارج.", True),
    ("news-comment-verb", "ورفض الوزير التعليق على الأنباء التي تحدثت عن تعديل حكومي قريب.", True),
]


@pytest.mark.parametrize("line,kept", [(l, k) for _, l, k in LINES], ids=[i for i, _, _ in LINES])
def test_clean_lines(line, kept):
    from pipelines.boilerplate import _key

    body = f"فقرة أولى من الخبر.\n{line}\nفقرة أخيرة من الخبر."
    out = clean_lines(body, {_key(OTHER)})
    assert (line in out.split("\n")) is kept
