"""Composed actors, sense rules and graded proximity: table-driven cases on pure text code."""

from __future__ import annotations

from pathlib import Path

import pytest

from filters.gazetteer import load_gazetteer, parse_gazetteer
from filters.loading import load_matcher
from filters.matcher import Matcher, explain
from filters.normalize import normalize
from filters.watchlist import parse_watchlist

ROOT = Path(__file__).resolve().parent.parent
GAZ = ROOT / "config" / "default" / "gazetteer.yaml"
WL_DIR = ROOT / "config" / "default" / "watchlists"


@pytest.fixture(scope="module")
def default():
    return load_matcher(WL_DIR, GAZ)[0]


# (id, text, expected [(surface, role)] of the composed actors)
COMPOSED = [
    ("adjective-after-attribute", "تسلم فريق من الشرطة الوطنية الهولندية المتهم",
     [("الشرطة الوطنية الهولندية", "foreign_partner")]),
    ("counterpart-feminine", "سلمته إلى نظيرتها الإسبانية", [("نظيرتها الإسبانية", "foreign_partner")]),
    # a counterpart is a body of the same kind as the noun it answers: a Moroccan one is
    # only an authority (it may be a tourism ministry)
    ("counterpart-moroccan-is-an-authority", "التقت الوزيرة البريطانية نظيرتها المغربية",
     [("نظيرتها المغربية", "moroccan_authority")]),
    ("counterpart-masculine", "استقبل نظيره المغربي", [("نظيره المغربي", "moroccan_authority")]),
    ("counterparts-broken-plural", "بحث مع نظرائه الإسبان", [("نظرائه الإسبان", "foreign_partner")]),
    ("moroccan-generic-noun", "أعلنت مصالح الشرطة المغربية", [("مصالح الشرطة المغربية", "moroccan_actor")]),
    ("moroccan-city-with-ba", "أوقفت عناصر الأمن الوطني بأكادير شخصا",
     [("عناصر الأمن الوطني بأكادير", "moroccan_actor")]),
    ("moroccan-city-two-words", "الشرطة القضائية بالدار البيضاء", [("الشرطة القضائية بالدار البيضاء", "moroccan_actor")]),
    ("coordinated-adjectives", "أجهزة الأمن الإسبانية والمغربية",
     [("أجهزة الأمن الإسبانية", "foreign_partner"), ("والمغربية", "moroccan_actor")]),
    ("construct-country", "مسؤولون من شرطة هولندا", [("شرطة هولندا", "foreign_partner")]),
    ("clitic-on-noun", "بتنسيق مع والشرطة البلجيكية", [("والشرطة البلجيكية", "foreign_partner")]),
    ("indefinite-accusative-stays-adjective", "قوات الأمن الإسبانية", [("قوات الأمن الإسبانية", "foreign_partner")]),
    ("generic-authorities", "السلطات المغربية والهولندية",
     [("السلطات المغربية", "moroccan_authority"), ("والهولندية", "foreign_partner")]),
    # not composed
    ("abstract-head-needs-adjective", "تهديد أمن إسبانيا", []),
    ("verb-between-breaks", "اعتقلت الشرطة مواطنا هولنديا", []),
    ("comma-breaks", "السلطات الأمنية البلجيكية، المغربية", [("السلطات الأمنية البلجيكية", "foreign_partner")]),
    ("non-security-attribute-breaks", "المصالح الاقتصادية الفرنسية", []),
    ("person-noun-is-no-head", "المواطنون المغاربة", []),
    # إلى جانب is "alongside", not "the side"
    ("alongside-is-no-side", "أغلبهم من دول جنوب الصحراء إلى جانب تونسيين ومغاربة", []),
    ("alongside-with-waw", "وإلى جانب إسبان ومغاربة", []),
    ("the-side-still-composes", "أكد الجانب المغربي", [("الجانب المغربي", "moroccan_authority")]),
    # a second noun coordinated before the adjective shares it
    ("coordinated-nouns-share-adjective", "أمضى الطيارين والتقنيين المغاربة أشهرا في التدريب",
     [("الطيارين والتقنيين المغاربة", "moroccan_actor")]),
    ("listed-name-is-not-coordinated", "تنظمه القوات المسلحة الملكية والقيادة الأمريكية لإفريقيا", []),
    ("one-coordinated-noun-only", "الشرطة والجمارك والتقنيين الإسبان",
     [("والجمارك والتقنيين الإسبان", "foreign_partner")]),
    # a singular adjective after a second security noun is that noun's alone; a dual is both's
    ("second-body-keeps-its-singular-adjective", "تنسيق بين الفرقة الوطنية للشرطة القضائية والشرطة الإسبانية",
     [("والشرطة الإسبانية", "foreign_partner")]),
    ("second-head-singular", "بين الشرطة القضائية والحرس الإسباني", [("والحرس الإسباني", "foreign_partner")]),
    ("dual-adjective-shared", "الجمارك والشرطة المغربيتين", [("الجمارك والشرطة المغربيتين", "moroccan_actor")]),
    # a place after a listed name says where the body is, not whose it is
    ("listed-moroccan-name-abroad", "مستشفى أقامته القوات المسلحة الملكية ببيروت", []),
    ("listed-foreign-name-in-tangier", "عناصر الحرس المدني بطنجة", []),
    ("listed-name-then-adjective-still-composes", "القوات المسلحة الملكية المغربية",
     [("القوات المسلحة الملكية المغربية", "moroccan_actor")]),
    # "law enforcement", as stories relayed from English name police and customs together
    ("law-enforcement-moroccan", "استفادت أجهزة إنفاذ القانون المغربية من دورات تكوينية",
     [("أجهزة إنفاذ القانون المغربية", "moroccan_actor")]),
    # a list after a preposition: في كل من X وY
    ("list-after-preposition", "متدربا من أجهزة الشرطة في كل من غينيا والسنغال",
     [("الشرطة في كل من غينيا", "foreign_partner")]),
    ("list-needs-kull-min", "الشرطة في كل شيء من إسبانيا", []),
    # a venue noun between the noun and the place
    ("venue-plural-after-participle", "موظفا من شرطة الحدود العاملين بمطارات فاس ومراكش",
     [("شرطة الحدود العاملين بمطارات فاس", "moroccan_actor")]),
    ("venue-border-post", "عناصر الجمارك بمعبر الكركرات", [("الجمارك بمعبر الكركرات", "moroccan_actor")]),
    ("venue-after-fi", "حرس الحدود في ميناء الناظور", [("حرس الحدود في ميناء الناظور", "moroccan_actor")]),
    ("venue-only-once", "الشرطة بمطار ميناء طنجة", []),
    ("venue-unknown-place", "رجال الأمن بمطار المدينة", []),
    # possessed: the owner named before the noun, in the same sentence
    ("possessed-morocco-masculine", "اخترنا المغرب لأن أجهزته الأمنية تملك تجربة",
     [("أجهزته الأمنية", "moroccan_actor")]),
    ("possessed-foreign-feminine", "أعلنت إسبانيا أن شرطتها اعتقلت مشتبها", [("شرطتها", "foreign_partner")]),
    ("possessed-with-clitic", "قالت فرنسا إن ولأجهزة استخباراتها دورا", [("ولأجهزة استخباراتها", "foreign_partner")]),
    ("possessed-nearest-owner-wins", "بين المغرب وإسبانيا التي نشرت قواتها المسلحة",
     [("قواتها المسلحة", "foreign_partner")]),
    ("possessed-moroccan-city", "في طنجة أوقفت شرطتها رجلا", [("شرطتها", "moroccan_actor")]),
    ("possessed-owner-in-previous-sentence", "زار الوفد المغرب. وأشاد بأجهزته الأمنية", []),
    ("venue-city-noun", "أوقفت الشرطة القضائية بمدينة وجدة شابا", [("الشرطة القضائية بمدينة وجدة", "moroccan_actor")]),
    ("prefecture-squad", "أوقفت الفرقة الولائية بوجدة شابا", [("الفرقة الولائية بوجدة", "moroccan_actor")]),
    ("possessed-no-owner", "عززت أجهزتها الأمنية حضورها", []),
    ("possessed-adjective-is-no-owner", "قال الوزير الفرنسي إن جيشه مستعد", []),
    ("possessed-abstract-noun-not-listed", "أكد المغرب أن أمنه خط أحمر", []),
    # envoys: people sent from a country also take من before it
    ("envoy-from-country", "تسلم المتهم وفد أمني من المملكة المغربية", [("وفد أمني من المملكة المغربية", "moroccan_actor")]),
    ("envoy-with-clitic-from-country", "ووفد عسكري من إسبانيا يزور الرباط", [("ووفد عسكري من إسبانيا", "foreign_partner")]),
    ("envoy-officers-from-country", "شارك الضباط من فرنسا في الدورة", [("الضباط من فرنسا", "foreign_partner")]),
    ("body-does-not-take-min", "طلبت الشرطة من إسبانيا تسليمه", []),
    # framed: a sentence opened by a place and a comma names that place's bodies bare
    ("framed-by-morocco", "أما في المغرب، فقد أوقفت مصالح الشرطة القضائية 12 شخصا",
     [("الشرطة القضائية", "moroccan_actor")]),
    ("framed-by-a-foreign-country", "وفي إسبانيا، فككت الشرطة شبكة", [("الشرطة", "foreign_partner")]),
    ("framed-with-b", "وبإيطاليا، أوقفت الشرطة ثلاثة أشخاص", [("الشرطة", "foreign_partner")]),
    ("frame-not-opening-the-sentence", "قال الوزير في المغرب، إن الشرطة أوقفت شخصا", []),
    ("frame-without-a-comma", "وفي المغرب أوقفت الشرطة شخصا", []),
    ("framed-head-keeps-its-own-adjective", "وفي المغرب، أشادت الشرطة الإسبانية بالتعاون",
     [("الشرطة الإسبانية", "foreign_partner")]),
    ("framed-head-too-far", "وفي المغرب، " + "كلمة " * 13 + "الشرطة", []),
    ("frame-ends-with-its-sentence", "وفي المغرب، تراجعت الجريمة. وأوقفت الشرطة شخصا", []),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in COMPOSED], ids=[c[0] for c in COMPOSED])
def test_composed_actors(default, text, expected):
    got = [(e.surface, e.role) for e in default.find_entities(text) if e.type == "organisation" and "(" in e.name]
    assert got == expected


def test_composed_actor_explains_its_parts(default):
    flag = default.score("", "سلمت المصالح الأمنية بطنجة المطلوب إلى نظيرتها الإسبانية في إطار التعاون الأمني.")[0]
    assert flag.flagged, explain(flag)
    made = {ev.get("made_of") for r in flag.rules for ev in r.get("evidence", [])}
    assert "نظيرتها + الإسبانية" in made and "المصالح الأمنية + بطنجة" in made
    assert "= نظيرتها + الإسبانية" in explain(flag)


@pytest.mark.parametrize("text", [
    "فككت السلطات الأمنية المغربية والإسبانية شبكة لتهريب الحشيش في إطار التعاون الأمني.",
    # the coordinated adjective is the field's last word: its head lies far before the end
    "في إطار التعاون الأمني فككت شبكة لتهريب الحشيش السلطات الأمنية المغربية والإسبانية",
])
def test_coordinated_adjective_explains_the_shared_head(default, text):
    """The second actor of «X المغربية والإسبانية» spans only its adjective; its
    explanation still names the shared head, read where the head is."""
    flag = default.score("", text)[0]
    made = {ev.get("made_of") for r in flag.rules for ev in r.get("evidence", [])}
    assert "السلطات الأمنية + والإسبانية" in made, explain(flag)


def test_possessed_actor_explains_its_owner(default):
    flag = default.score("", "قال الوزير النمساوي إن بلاده تعول على المغرب لأن أجهزته الأمنية تتبادل المعلومات مع "
                             "الشرطة النمساوية.")[0]
    assert flag.flagged, explain(flag)
    assert "= أجهزته الأمنية ← المغرب" in explain(flag)


def test_adjective_form_equal_to_a_name_stays_a_name():
    gaz, problems = parse_gazetteer("entities:\n  - {name: إسبانيا, type: country, role: foreign_partner,"
                                    " adjectives: [إسباني]}\n")
    assert problems == []
    assert "إسبانيا" not in gaz.entities[0].adjectives and "إسبانيه" in gaz.entities[0].adjectives


# (id, text, sense that removes a match, or None)
SENSES = [
    ("sunset-prayer", "وقع الحادث بعد صلاة المغرب قرب مقر الأمن", "sunset-prayer"),
    ("iftar", "موعد إفطار المغرب في رمضان", "sunset-prayer"),
    ("maghreb-region-after", "التعاون الأمني بين دول المغرب العربي", "maghreb-region"),
    ("maghreb-islamic", "تنظيم القاعدة في بلاد المغرب الإسلامي", "maghreb-region"),
    ("person-nationality", "أوقفت الشرطة ثلاثة مواطنين فرنسيين", "person-nationality"),
    ("origin", "أحدهم من أصل جزائري", "person-nationality"),
    ("victims-from", "مقتل سائحتين من النرويج والدنمارك", "person-origin"),
    ("dual-nationality", "شخص يحمل الجنسيتين الإسبانية والسويسرية", "person-origin"),
    ("destination", "قارب متجه نحو السواحل الإسبانية", "destination"),
    ("origin-of-a-shipment", "شحنات الحشيش القادمة من المغرب", "destination"),
    ("another-one-is-a-person", "توقيف مواطن هولندي وآخر إسباني", "person-nationality"),
    ("led-by-a-national", "شبكة يتزعمها هولندي", "person-nationality"),
    ("he-is-a-national", "زعيم الشبكة، وهو مغربي يحمل الجنسية الإسبانية", "person-nationality"),
    ("nationality-of-a-gang", "عصابات المافيا المغربية في بلجيكا", "object-nationality"),
    ("cannabis-is-not-india", "حجز أطنان من القنب الهندي", "object-nationality"),
    ("arrest-of-a-national", "حجز الكوكايين وتوقيف هولندي", "person-nationality"),
    ("football-club", "استعد فريق الجيش الملكي المغربي لمواجهة الأهلي", "sports-club"),
    ("domestic-coordination", "الفرقة الوطنية للشرطة القضائية بتنسيق مع المديرية العامة لمراقبة التراب الوطني",
     "domestic-coordination"),
    ("coordination-with-suspects", "التنسيق مع المنتمين إلى داعش", "coordination-among-suspects"),
    ("dateline-wire", "الرباط (و م ع) - أعلنت الشرطة الإسبانية تفكيك شبكة", "dateline"),
    ("dateline-reuters", "الرباط - رويترز: قالت الشرطة الفرنسية", "dateline"),
    ("foreign-dateline", "مدريد (إفي) - أعلنت الشرطة المغربية تفكيك خلية", "dateline"),
    # the sense does not apply
    ("state-morocco", "وقع المغرب اتفاقية مع فرنسا", None),
    ("partner-police", "بتنسيق مع الشرطة الفرنسية", None),
    ("coordination-across-partner", "تعاون الشرطة الإسبانية مع المديرية العامة لمراقبة التراب الوطني", None),
    ("punctuation-breaks", "صلاة، المغرب", None),
    # a source named between two commas is a parenthesis, not a break (origin-verb's window)
    ("origin-across-a-source", "وينحدر المهاجرون، حسب المصدر ذاته، من السنغال", "origin-verb"),
    ("origin-across-a-clause-stays-broken", "وينحدر المهاجرون، وقد سلموا للأمن، من السنغال", None),
    ("origin-across-a-new-kama-clause-stays-broken", "وينحدر المهاجرون، كما تم حجز القارب، من السنغال", None),
    ("origin-across-kama-a-source", "وينحدر المهاجرون، كما أفاد المصدر، من السنغال", "origin-verb"),
    # quote marks open or close a quotation, they end no phrase: the call's object is often quoted
    ("a-call-across-a-quote", 'خبراء يدعون إلى "منظومة إفريقية للتعاون الأمني"', "call-or-absence"),
    ("a-call-across-guillemets", "دعا الخبراء إلى «تعزيز التعاون الأمني»", "call-or-absence"),
    ("and-with-is-not-a-dateline", "تعاون أمني مع المغرب ومع إسبانيا", None),
    ("extradition-to-is-no-route", "تسليمه إلى المغرب", None),
    ("continued-is-not-origin", "واصل المغرب جهوده لتفكيك الخلايا الإرهابية", None),
    ("partner-leads-the-sentence",
     "ذكرت الداخلية الإسبانية أن التحقيق جرى بتعاون وثيق مع المديرية العامة لمراقبة التراب الوطني", None),
    ("demanded-is-not-a-student", "وطالب المغرب بتسليم المتهم", None),
    ("a-student-is-a-person", "اعتقلت الشرطة طالبا مغربيا", "person-nationality"),
    ("army-in-an-exercise", "شارك الجيش الملكي في مناورات الأسد الإفريقي", None),
    ("a-team-of-gendarmes", "حل فريق من الدرك الملكي المغربي بمدريد", None),
    ("in-order-to-is-no-goal", "عقدت القوات المسلحة الملكية اجتماعا بهدف تعزيز التنسيق", None),
]


@pytest.mark.parametrize("text,sense", [c[1:] for c in SENSES], ids=[c[0] for c in SENSES])
def test_sense_rules(default, text, sense):
    flag = default.score("", text)[0]
    senses = {r["name"] for r in flag.rules if r.get("sense")}
    assert senses == ({sense} if sense else set()), explain(flag)


# (id, title, body, sense that removes a match, or None): unless_lead reads the story's teller
TITLED_SENSES = [
    ("domestic-story", "تفكيك شبكة بطنجة", "جرت العملية بتنسيق مع المديرية العامة لمراقبة التراب الوطني",
     "domestic-coordination"),
    ("foreign-body-tells-the-story", "الحرس المدني يفكك شبكة في قادس",
     "جرت العملية بتنسيق مع المديرية العامة لمراقبة التراب الوطني", None),
    ("a-country-in-the-title-is-not-a-body", "إسبانيا: تفكيك شبكة في قادس",
     "جرت العملية بتنسيق مع المديرية العامة لمراقبة التراب الوطني", "domestic-coordination"),
    # the lead is the title and the first paragraph; a name a sense took away tells nothing
    ("foreign-body-in-the-first-paragraph", "حجز طنين من الحشيش",
     "حجزت عناصر الدرك الفرنسي شحنة قرب بربينيان.\nوجرى التحقيق بتنسيق مع الدرك الملكي", None),
    ("foreign-body-only-in-a-later-paragraph", "حجز طنين من الحشيش",
     "حجزت عناصر الأمن شحنة بطنجة.\nوجرى التحقيق بتنسيق مع الدرك الملكي.\nوأشادت الشرطة الإسبانية بالعملية",
     "domestic-coordination"),
    ("a-destination-in-the-lead-is-not-a-teller", "إحباط تهريب شحنة",
     "أحبطت مصالح الأمن الوطني، بتعاون مع أعوان إدارة الجمارك، تهريب شحنة متجهة نحو الدول الأوروبية",
     "domestic-coordination+destination"),
    # unless_after: a foreign body joined to the Moroccan one is the other side of the work
    ("pair-with-a-foreign-body", "تفكيك شبكة بطنجة",
     "جرت العملية بتنسيق بين المديرية العامة لمراقبة التراب الوطني والشرطة الإسبانية", None),
    ("pair-of-two-moroccan-bodies", "تفكيك شبكة بطنجة",
     "جرت العملية بتنسيق بين المديرية العامة لمراقبة التراب الوطني والدرك الملكي", "domestic-coordination"),
    # context_not_ending: a body named by its country is the foreign teller's wording
    ("moroccan-body-named-by-its-country", "تفكيك شبكة في ألميريا",
     "جرت العملية بتعاون وثيق مع الشرطة المغربية", None),
    ("moroccan-body-named-by-its-country-coordinated", "تفكيك شبكة في ألميريا",
     "جرت العملية بتنسيق مع الجمارك والشرطة المغربيتين", None),
    ("foreign-body-after-punctuation", "تفكيك شبكة بطنجة",
     "أوقفت عناصر الأمن بطنجة مشتبها فيه.\n"
     "جرت العملية بتنسيق مع المديرية العامة لمراقبة التراب الوطني، والشرطة الإسبانية أشادت بها",
     "domestic-coordination"),
]


@pytest.mark.parametrize("title,body,sense", [c[1:] for c in TITLED_SENSES], ids=[c[0] for c in TITLED_SENSES])
def test_sense_rules_with_a_title(default, title, body, sense):
    flag = default.score(title, body)[0]
    senses = {r["name"] for r in flag.rules if r.get("sense")}
    assert senses == (set(sense.split("+")) if sense else set()), explain(flag)


def test_sense_removes_the_match_and_says_so(default):
    body = "أوقفت الشرطة ثلاثة مواطنين فرنسيين والأمن المغربي يتعاون مع فرنسا"
    flag = default.score("", body)[0]
    partners = [m for m in flag.matches if m.group == "partner"]
    assert [body[m.start:m.end] for m in partners] == ["فرنسا"]       # فرنسيين removed, فرنسا kept
    text = explain(flag)
    assert "⊘ sense person-nationality: removed 1 match(es)" in text and "context «مواطنين»" in text


_GRADED = """
name: graded
threshold: 3
proximity: {sentence: 1, paragraph: 0.5, article: 0.25}
groups:
  a: {terms: [ألفا]}
  b: {terms: [باء]}
rules:
  - {name: ab, all_of: [a, b], graded: true, weight: 4}
"""


# (id, title, body, contribution, reach)
GRADED = [
    ("sentence", "", "ألفا باء.", 4.0, "sentence"),
    ("title-boost-not-set", "ألفا باء", "", 4.0, "sentence"),
    ("paragraph", "", "ألفا هنا. ثم باء هناك", 2.0, "paragraph"),
    ("article", "", "ألفا هنا. " + "كلمة " * 30 + "\nوفي فقرة أخرى باء", 1.0, "article"),
    # one-sentence paragraphs are read together as one passage (PASSAGE_WORDS)
    ("short-paragraphs-passage", "", "ألفا هنا.\nوفي فقرة أخرى باء", 2.0, "paragraph"),
    ("passage-closed", "", "ألفا " + "كلمة " * 30 + "\nباء هنا", 1.0, "article"),
    ("title-and-body", "ألفا", "باء", 1.0, "article"),
    ("missing", "", "ألفا وحدها", 0.0, None),
]


@pytest.mark.parametrize("title,body,contribution,reach", [g[1:] for g in GRADED], ids=[g[0] for g in GRADED])
def test_graded_proximity(title, body, contribution, reach):
    wl, problems = parse_watchlist(_GRADED)
    assert problems == []
    flag = Matcher([wl], load_gazetteer(GAZ)).score(title, body)[0]
    rule = flag.rules[0]
    assert rule["contribution"] == contribution and rule.get("reach") == reach
    if reach:
        assert rule["scope"] == "graded: sentence ×1 > paragraph ×0.5 > article ×0.25"


@pytest.mark.parametrize("snippet,message", [
    ("proximity: {sentence: 2}", "proximity.sentence: a proximity factor is between 0 and 1, got 2"),
    ("senses: [{name: s, removes: [zzz], before: [صلاة]}]", "senses[0].removes: unknown group 'zzz'"),
    ("senses: [{name: s, removes: [a]}]", "a sense rule needs context"),
    ("senses: [{name: s, removes: [a], before: [صلاة], not_title: [دال]}]", "not_title only qualifies title"),
    ("senses: [{name: s, removes: [a], before: [صلاة], unless_before: [zzz]}]",
     "senses[0].unless_before: unknown group 'zzz'"),
    ("senses: [{name: s, removes: [a], before: [صلاة], unless_lead: [zzz]}]",
     "senses[0].unless_lead: unknown group 'zzz'"),
    ("senses: [{name: s, removes: [a], before: [صلاة], unless_after: [zzz]}]",
     "senses[0].unless_after: unknown group 'zzz'"),
    ("senses: [{name: s, removes: [a], before: [صلاة], context_not_ending: 3}]",
     "senses[0].context_not_ending"),
    ("entities: {c: {roles: [moroccan_authority], heads: [counterpart]}}",
     "entities.c.heads: unknown composition list 'counterpart' (did you mean 'counterparts'?)"),
], ids=["factor-range", "unknown-group", "no-context", "not-title-alone", "unless-before-group", "unless-lead-group",
        "unless-after-group", "context-not-ending-list", "heads-unknown-list"])
def test_new_keys_are_validated(snippet, message):
    text = _GRADED.replace("proximity: {sentence: 1, paragraph: 0.5, article: 0.25}\n", "")
    text = text.replace("rules:", snippet + "\nrules:")
    wl, problems = parse_watchlist(text)
    assert wl is None and any(message in p.format("x") for p in problems), problems



_HEADS = """
name: heads
threshold: 1
groups:
  cooperation: {terms: [بالتنسيق مع]}
entities:
  counterparts: {roles: [moroccan_authority], heads: [counterparts]}
  authority: {roles: [moroccan_authority]}
  actor: {roles: [moroccan_actor], heads: [heads]}
rules:
  - {name: with-counterparts, all_of: [counterparts, cooperation], within: 6, weight: 1}
"""


# (id, text, {reference: [surfaces]}): a reference with heads: keeps only the actors
# composed on those gazetteer lists' nouns, and no listed entity
HEADS_FILTER = [
    ("plural-counterparts", "عملت الشرطة بالتنسيق مع نظرائها المغاربة",
     {"counterparts": ["نظرائها المغاربة"], "authority": ["نظرائها المغاربة"], "actor": []}),
    ("colleagues", "قال الضابط إنهم يعملون بالتنسيق مع زملائهم المغاربة",
     {"counterparts": ["زملائهم المغاربة"], "authority": ["زملائهم المغاربة"], "actor": []}),
    ("authorities-are-not-counterparts", "عملت الشرطة بالتنسيق مع السلطات المغربية",
     {"counterparts": [], "authority": ["السلطات المغربية"], "actor": []}),
    ("singular-is-not-a-counterparts-head", "عملت الشرطة بالتنسيق مع نظيرتها المغربية",
     {"counterparts": [], "authority": ["نظيرتها المغربية"], "actor": []}),
    ("listed-entity-is-not-composed", "عملت الشرطة بالتنسيق مع المديرية العامة للأمن الوطني",
     {"counterparts": [], "authority": [], "actor": []}),
    ("composed-security-head", "عملت مصالح الأمن بطنجة بالتنسيق مع نظرائها",
     {"counterparts": [], "authority": [], "actor": ["مصالح الأمن بطنجة"]}),
    ("listed-variant-is-not-composed", "عملت الشرطة المغربية بالتنسيق مع نظرائها",
     {"counterparts": [], "authority": [], "actor": []}),
]


@pytest.mark.parametrize("text,expected", [h[1:] for h in HEADS_FILTER], ids=[h[0] for h in HEADS_FILTER])
def test_entity_reference_heads_filter(text, expected):
    wl, problems = parse_watchlist(_HEADS)
    assert problems == []
    flag = Matcher([wl], load_gazetteer(GAZ)).score("", text)[0]
    got = {ref: [text[m.start:m.end] for m in flag.matches if m.group == ref] for ref in expected}
    assert got == expected
    assert flag.flagged == bool(expected["counterparts"])


def test_graded_rule_rejects_a_window():
    wl, problems = parse_watchlist(_GRADED.replace("graded: true,", "graded: true, within: 5,"))
    assert wl is None and any("a graded rule finds its own scope" in p.message for p in problems)


_LEAD = """
name: lead
threshold: 1
groups:
  a: {terms: [ألفا]}
  b: {terms: [باء]}
rules:
  - {name: ab, all_of: [a, b], lead: [a], graded: true, weight: 4}
"""


@pytest.mark.parametrize("title,body,contribution", [
    # short paragraphs make one passage: paragraph reach ×0.75
    ("", "ألفا هنا.\nفقرة ثانية.\nوفي الأخيرة باء", 3.0),      # a leads
    ("ألفا", "فقرة.\nباء", 2.0),                               # a in the title: article reach ×0.5
    ("", "فقرة أولى.\nألفا ثانية.\nباء هناك", 3.0),             # one-sentence paragraphs: two lead
    ("", "فقرة أولى.\nثانية.\nألفا هنا.\nباء هناك", 0.0),      # a only further down
    ("", "\n\nألفا هنا.\nباء هناك", 3.0),                      # blank lines before the lead
], ids=["first-paragraph", "title", "second-paragraph", "not-in-lead", "leading-blank-lines"])
def test_lead_groups_must_open_the_story(title, body, contribution):
    wl, problems = parse_watchlist(_LEAD)
    assert problems == []
    flag = Matcher([wl], load_gazetteer(GAZ)).score(title, body)[0]
    assert flag.rules[0]["contribution"] == contribution
    if not contribution:
        assert flag.rules[0]["missing"] == ["a in the title or first 2 paragraphs"]


@pytest.mark.parametrize("counts,expected", [
    ([], []),
    ([40, 40], [0, 1]),                 # full paragraphs stand alone
    ([10, 10, 10, 40], [0, 0, 0, 1]),   # one-sentence paragraphs join until 30 words
    ([10, 40, 5], [0, 0, 1]),           # a short paragraph joins the next one
    ([0, 12, 0, 20, 31], [0, 0, 0, 0, 1]),   # blank lines do not split a passage
], ids=["empty", "full", "short-run", "short-then-full", "blank-lines"])
def test_passages(counts, expected):
    from filters.scoring import passages
    assert passages(counts, 30) == expected


_TITLE_SENSE = _GRADED.replace("rules:", """senses:
  - {name: elsewhere, removes: [a], title: [جيم], not_title: [دال]}
rules:""")


@pytest.mark.parametrize("title,body,removed", [
    ("خبر جيم", "ألفا باء.", True),          # the title is about جيم: a is another sense
    ("خبر جيم ودال", "ألفا باء.", False),     # ... unless the title also names دال
    ("خبر", "جيم ألفا باء.", False),          # a title sense reads the title only
], ids=["title-word", "not-title-word", "body-only"])
def test_title_sense(title, body, removed):
    wl, problems = parse_watchlist(_TITLE_SENSE)
    assert problems == []
    flag = Matcher([wl], load_gazetteer(GAZ)).score(title, body)[0]
    senses = [r for r in flag.rules if r.get("sense")]
    assert bool(senses) == removed
    rule = next(r for r in flag.rules if r.get("name") == "ab" and not r.get("sense"))
    assert rule["satisfied"] == (not removed)
    if removed:
        assert "⊘ sense elsewhere: removed 1 match(es)" in explain(flag) and "context «جيم»" in explain(flag)


@pytest.mark.parametrize("body,kept", [
    # مالي is not listed (مالي is also "financial"): the list goes on past it
    ("بمشاركة فنانين من المغرب ومالي والسنغال والولايات المتحدة، والأمن المغربي يتعاون مع فرنسا", ["فرنسا"]),
    # a comma ends the list: what follows is not coordinated with it
    ("بمشاركة فنانين من المغرب ومالي، والسنغال تتعاون مع فرنسا", ["والسنغال", "فرنسا"]),
    # the list's first item is no listed name (الإنجليزية): its coordinated items are read from
    # where the list starts, right after the context
    ("عناصر يتقنون الإنجليزية والإسبانية والألمانية، والأمن المغربي يتعاون مع فرنسا", ["فرنسا"]),
    # ... but a coordinated name after an unrelated word is not in a list with the context
    ("عناصر يتقنون العمل الميداني والإسبانية تتعاون مع فرنسا", ["والإسبانية", "فرنسا"]),
])
def test_removed_list_runs_past_an_unlisted_coordinated_item(default, body, kept):
    """A sense removes a whole coordinated list (من المغرب ومالي والسنغال), even when one
    item of the list is not a listed name."""
    flag = default.score("", body)[0]
    partners = [body[m.start:m.end] for m in flag.matches if m.group == "partner"]
    assert partners == kept, explain(flag)


@pytest.mark.parametrize("head,expected", [
    ("وفد أمني", True), ("ووفد أمني", True), ("لوفد أمني", True), ("وبالوفد الأمني", True),
    ("بالوفد الأمني", True), ("فد أمني", False), ("وفد تجاري", False),
])
def test_envoy_heads_with_proclitics(head, expected):
    from filters.compose import _is_envoy
    envoys = frozenset(normalize(x) for x in ("وفد أمني", "الوفد الأمني"))
    assert _is_envoy(normalize(head), envoys) is expected
