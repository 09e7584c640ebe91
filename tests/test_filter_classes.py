"""Detection by class of language: table-driven development cases written for this project.

Each row is a short story of one class from issue 11 (composed actors, evidence spread
over the article, cooperation told by verbs, bodies outside the old roles, word senses)
with the verdict an analyst would give.  These are *classes*, not the blind or real
articles: the floors on those live in tests/test_filter_quality.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from filters.loading import load_matcher
from filters.matcher import explain

ROOT = Path(__file__).resolve().parent.parent
WATCHLIST = "morocco-security-cooperation"


@pytest.fixture(scope="module")
def matcher():
    m, _ = load_matcher(ROOT / "config" / "default" / "watchlists", ROOT / "config" / "default" / "gazetteer.yaml")
    return m


def _flag(matcher, title: str, body: str):
    return next(f for f in matcher.score(title, body) if f.watchlist == WATCHLIST)


# (id, title, body, flagged?)
CASES = [
    # -- 1. actors named by composition
    ("composed-handover-counterpart", "تسليم مطلوب عند المعبر",
     "سلمت المصالح الأمنية المغربية، صباح اليوم، شخصا مطلوبا إلى نظيرتها الإسبانية عند المعبر الحدودي.", True),
    ("composed-dutch-team-receives", "ترحيل متهم إلى أمستردام",
     "تسلم فريق من الشرطة الوطنية الهولندية بمطار محمد الخامس متهما في قضية قتل، كانت عناصر الأمن بالدار البيضاء "
     "قد أوقفته الشهر الماضي.", True),
    ("composed-city-police-belgian", "توقيف مبحوث عنه",
     "أوقفت عناصر الأمن الوطني بأكادير رجلا في الأربعين من عمره، تبين أنه مبحوث عنه من طرف السلطات الأمنية البلجيكية "
     "في قضية اتجار دولي بالمخدرات، وذلك بعد تبادل المعطيات بين الجانبين.", True),
    ("composed-coordinated-adjectives", "ضربة مشتركة لشبكة تهريب",
     "فككت السلطات الأمنية المغربية والإسبانية شبكة لتهريب الحشيش عبر مضيق جبل طارق في عملية منسقة.", True),
    ("composed-construct-country", "اجتماع أمني",
     "عقد مسؤولون من شرطة هولندا ومن المصالح الأمنية المغربية اجتماعا لتنسيق مكافحة شبكات الكوكايين.", True),
    # -- 2. evidence spread over the article
    ("spread-over-paragraphs", "حصيلة عملية دولية ضد الاتجار في الكوكايين",
     "أعلنت المديرية العامة للأمن الوطني عن حجز كميات كبيرة من الكوكايين في ميناء طنجة المتوسط.\n"
     "وأوضح المصدر أن الشحنة كانت قادمة من أمريكا اللاتينية على متن حاوية تجارية، وأن التحقيق ما زال جاريا.\n"
     "وكانت الشرطة البرتغالية قد رصدت الحاوية قبل إبحارها نحو المتوسط.\n"
     "وتم تفكيك الشبكة في إطار عمل مشترك امتد لعدة أشهر.", True),
    # -- 3. cooperation told by verbs and events
    ("verbs-mixed-patrols", "دوريات في المتوسط",
     "انطلقت دوريات مختلطة بين الدرك الملكي والحرس المدني لمراقبة السواحل في إطار مكافحة الهجرة غير النظامية.", True),
    ("verbs-joint-investigation-team", "تحقيق في شبكة",
     "أعلنت الشرطة الفرنسية عن تشكيل فريق تحقيق مشترك مع المكتب المركزي للأبحاث القضائية لتعقب شبكة تمويل الإرهاب.",
     True),
    ("verbs-liaison-officer", "ضابط اتصال",
     "عينت المديرية العامة للأمن الوطني ضابط اتصال لدى الشرطة الإيطالية لتسهيل ملاحقة المطلوبين.", True),
    ("verbs-tip-foreign-arrest", "إحباط هجوم في فيينا",
     "أحبطت الشرطة النمساوية هجوما إرهابيا بفضل معلومات قدمتها المديرية العامة لمراقبة التراب الوطني.", True),
    ("verbs-request", "توقيف بطلب من الإنتربول",
     "أوقفت عناصر الشرطة بمطار محمد الخامس الدولي مواطنا فرنسيا يشكل موضوع نشرة حمراء صادرة عن الإنتربول "
     "بطلب من السلطات القضائية الفرنسية.", True),
    # -- 4. bodies outside the old roles
    ("bodies-civil-protection-abroad", "الوقاية المدنية في تركيا",
     "وصلت فرق الوقاية المدنية المغربية إلى تركيا للمشاركة في عمليات الإنقاذ بتنسيق مع الحماية المدنية التركية.",
     True),
    ("bodies-customs", "حجز مشترك",
     "حجزت الجمارك المغربية بتعاون مع نظيرتها الفرنسية شحنة من الأسلحة المهربة بميناء طنجة المتوسط.", True),
    ("bodies-royal-navy-exercise", "مناورات بحرية",
     "أجرت البحرية الملكية والبحرية الأمريكية تمرينا مشتركا قبالة سواحل أكادير.", True),
    ("bodies-unoct-rabat", "تكوين في مكافحة الإرهاب",
     "نظم مكتب الأمم المتحدة لمكافحة الإرهاب بالرباط دورة تكوينية لفائدة ضباط من المديرية العامة للأمن الوطني.",
     True),
    ("bodies-afripol", "أفريبول",
     "شارك وفد عن المديرية العامة للأمن الوطني في اجتماع آلية الاتحاد الإفريقي للتعاون الشرطي أفريبول بالجزائر.",
     True),
    # -- 5. word senses: negatives
    ("sense-sunset-prayer", "حادث سير بعد صلاة المغرب",
     "وقع الحادث بعد صلاة المغرب بقليل، وتدخلت عناصر الأمن الوطني والوقاية المدنية لنقل المصابين. "
     "وقال شهود إن سائق شاحنة إسبانية فقد السيطرة على مركبته.", False),
    ("sense-maghreb-region", "اتحاد المغرب العربي",
     "دعا خبراء إلى تعزيز التعاون الأمني بين دول المغرب العربي لمواجهة الإرهاب في الساحل، دون حضور رسمي.", False),
    ("sense-domestic-interagency", "تفكيك خلية",
     "تمكنت الفرقة الوطنية للشرطة القضائية بتنسيق مع المديرية العامة لمراقبة التراب الوطني من توقيف ثلاثة مواطنين "
     "فرنسيين بمدينة سلا، أحدهم من أصل جزائري، للاشتباه في تمويل الإرهاب.", False),
    ("sense-victims-nationality", "جريمة قتل",
     "أوقفت المصالح الأمنية بمراكش المشتبه فيهم في مقتل سائحتين من النرويج والدنمارك، دون تنسيق مع أي تنظيم.",
     False),
    ("sense-migrants-destination", "إنقاذ مهاجرين",
     "أنقذت البحرية الملكية 60 مهاجرا من جنسيات إفريقية كانوا على متن قارب مطاطي متجه نحو السواحل الإسبانية، "
     "وتم نقلهم إلى ميناء الحسيمة.", False),
    # -- other hard negatives
    ("neg-foreign-police-only", "الشرطة الإسبانية تعتقل عصابة",
     "اعتقلت الشرطة الوطنية الإسبانية في مدريد أفراد عصابة للسرقة بالتعاون مع الشرطة الفرنسية.", False),
    ("neg-trade-cooperation", "تعاون تجاري",
     "وقع المغرب وإسبانيا اتفاقية تعاون لتعزيز المبادلات التجارية وتسهيل عبور الشاحنات في ميناء طنجة المتوسط.",
     False),
    ("neg-domestic-drugs", "حجز مخدرات",
     "حجزت عناصر الدرك الملكي بإقليم العرائش طنا من الشيرا وأوقفت ثلاثة أشخاص، بناء على معلومات دقيقة.", False),
    ("neg-moroccan-abroad-crime", "اعتقال مغربي في إيطاليا",
     "اعتقلت الشرطة الإيطالية مواطنا مغربيا في ميلانو للاشتباه في تورطه في سرقة.", False),
    # -- more kinds of cooperation stories
    ("extradition-foreign-court", "القضاء الإسباني يوافق على تسليم مطلوب للمغرب",
     "وافقت المحكمة الوطنية الإسبانية على تسليم مواطن مطلوب للعدالة المغربية في قضية تهريب دولي للمخدرات، "
     "بعد أن توصلت مدريد بطلب رسمي من الرباط.", True),
    ("extradition-handed-over", "ترحيل مبحوث عنه",
     "تسلمت عناصر من الشرطة القضائية بمطار محمد الخامس مواطنا مبحوثا عنه، رحلته السلطات الفرنسية بعد توقيفه "
     "بموجب أمر دولي بإلقاء القبض.", True),
    ("red-notice-arrest-in-morocco", "توقيف أجنبي مطلوب دوليا",
     "أوقفت مصالح الشرطة بطنجة مواطنا يحمل الجنسية الألمانية، صدرت في حقه نشرة حمراء من طرف الأنتربول بناء على "
     "طلب من السلطات الألمانية للاشتباه في تورطه في النصب.", True),
    ("training-programme", "دورة تدريبية لضباط الشرطة",
     "اختتمت بالمعهد الملكي للشرطة بالقنيطرة دورة تدريبية في مجال التحقيق في الجرائم الإلكترونية، أطرها خبراء من "
     "مكتب التحقيقات الفيدرالي لفائدة ضباط مغاربة.", True),
    ("agreement-memorandum", "توقيع مذكرة تفاهم",
     "وقع المدير العام للأمن الوطني ونظيره البرتغالي بلشبونة مذكرة تفاهم لتعزيز التعاون في مكافحة الجريمة "
     "المنظمة والإرهاب.", True),
    ("forum-participation", "المغرب يشارك في اجتماع حول الإرهاب",
     "شارك وفد أمني مغربي يقوده مسؤول من المديرية العامة للدراسات والمستندات في اجتماع المنتدى العالمي لمكافحة "
     "الإرهاب بنيويورك، حيث قدم التجربة المغربية في تفكيك الخلايا.", True),
    ("major-event-security", "تأمين المونديال",
     "تعمل المديرية العامة للأمن الوطني مع الشرطة الإسبانية والبرتغالية على خطة مشتركة لتأمين كأس العالم 2030.",
     True),
    ("naval-exercise-spread", "مناورات الأسد الإفريقي",
     "انطلقت بمنطقة طانطان مناورات الأسد الإفريقي.\n"
     "وتشارك فيها وحدات من القوات المسلحة الملكية.\n"
     "كما يشارك جنود من الجيش الأمريكي وعدد من الجيوش الإفريقية في تمارين ميدانية مشتركة.", True),
    # -- more hard negatives
    ("neg-interpol-no-morocco", "الإنتربول يطيح بشبكة",
     "أعلنت منظمة الإنتربول عن توقيف 200 شخص في عملية مشتركة شملت الشرطة الإيطالية والشرطة الإسبانية والبرتغالية.",
     False),
    ("neg-foreign-terror-conference", "مؤتمر في باريس",
     "احتضنت باريس مؤتمرا دوليا حول التعاون الأمني لمكافحة الإرهاب بمشاركة وزراء داخلية أوروبيين.", False),
    ("neg-ambassador", "تعيين سفير",
     "عين الملك محمد السادس سفيرا جديدا للمغرب لدى إسبانيا، ودعا إلى تعزيز التعاون الاقتصادي بين البلدين.", False),
    ("neg-dgsn-anniversary", "ذكرى تأسيس الأمن الوطني",
     "احتفلت المديرية العامة للأمن الوطني بالذكرى 69 لتأسيسها، واستعرضت حصيلة عملها في مكافحة الجريمة داخل المملكة.",
     False),
    ("neg-foreign-military-algeria", "مناورات جزائرية",
     "أجرى الجيش الجزائري مناورات عسكرية بالذخيرة الحية قرب الحدود، بحضور قائد أركان الجيش.", False),
    ("neg-sahel-jihadism", "هجوم في الساحل",
     "قتل عشرات الجنود في هجوم إرهابي شنته جماعة متطرفة في شمال مالي، وسط مخاوف من تمدد الإرهاب نحو دول الجوار.",
     False),
    ("neg-domestic-foreigner", "توقيف أجنبي",
     "أوقفت عناصر الأمن بمراكش مواطنا بريطانيا للاشتباه في حيازة المخدرات، ووضعته تحت الحراسة النظرية.", False),
    ("neg-sport-training-camp", "معسكر المنتخب",
     "يخوض المنتخب المغربي معسكرا تدريبيا في إسبانيا استعدادا للمباراة الودية أمام منتخب البرتغال.", False),
]


#: Known limits, kept visible (strict: they fail the suite once they pass, so the mark goes).
KNOWN_MISSES = {
    "spread-over-paragraphs": "actor, partner and joint work each in a different paragraph score 2.0 < 3",
    "naval-exercise-spread": "one-sentence paragraphs: actor and partner in neighbouring paragraphs score 1.5",
}


def _param(case):
    cid, title, body, expected = case
    marks = [pytest.mark.xfail(reason=KNOWN_MISSES[cid], strict=True)] if cid in KNOWN_MISSES else []
    return pytest.param(title, body, expected, id=cid, marks=marks)


@pytest.mark.parametrize("title,body,expected", [_param(c) for c in CASES])
def test_class_verdict(matcher, title, body, expected):
    flag = _flag(matcher, title, body)
    assert flag.flagged == expected, explain(flag)
