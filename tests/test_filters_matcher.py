"""The matcher: one automaton, offsets into the original strings, rules, explanations."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict
from pathlib import Path

import pytest

from filters.gazetteer import load_gazetteer
from filters.loading import load_matcher
from filters.matcher import Matcher, explain
from filters.watchlist import load_watchlist
from raqib.errors import WatchlistError
from raqib.items import Flag

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "fixturesite" / "content"
FIX = Path(__file__).parent / "fixtures" / "watchlists"
GAZ = ROOT / "config" / "default" / "gazetteer.yaml"
WL_DIR = ROOT / "config" / "default" / "watchlists"


@pytest.fixture(scope="module")
def small():
    return Matcher([load_watchlist(FIX / "valid.yaml")], load_gazetteer(GAZ))


@pytest.fixture(scope="module")
def default():
    return load_matcher(WL_DIR, GAZ)[0]


SURFACES = [
    # (id, title, body, term or entity name, expected surface)
    ("tatweel", "", "أكد حموشي أن التعـــاون مع فرنسا متين", "تعاون", "التعـــاون"),
    ("diacritics", "", "وَقَالَ حَمُّوشِي إِنَّ التَّعَاوُنَ مَعَ فَرَنْسَا", "تعاون", "التَّعَاوُنَ"),
    ("clitic", "", "حموشي وبالتعاون مع إسبانيا", "تعاون", "وبالتعاون"),
    ("pronoun_suffix", "", "حموشي: تعاوننا مع إسبانيا", "تعاون", "تعاوننا"),
    ("variant", "", "حموشي وإسبانيا وتقاسم المعلومات", "تبادل المعلومات", "وتقاسم المعلومات"),
    ("entity_diacritics", "", "استقبل عَبْدُ اللَّطِيفِ حَمُّوشِي الوفدَ", "عبد اللطيف حموشي",
     "عَبْدُ اللَّطِيفِ حَمُّوشِي"),
    ("entity_tatweel_title", "حمـــوشي في لندن", "", "عبد اللطيف حموشي", "حمـــوشي"),
    ("after_crlf_and_quotes", "", "سطر أول\r\n«الإنتربول» يتعاون", "الإنتربول", "الإنتربول"),
]


@pytest.mark.parametrize("title,body,name,surface", [s[1:] for s in SURFACES], ids=[s[0] for s in SURFACES])
def test_offsets_index_original_text(small, title, body, name, surface):
    flag = small.score(title, body)[0]
    spans = [(m.field, m.start, m.end) for m in flag.matches if m.term == name]
    spans += [(e.field, e.start, e.end) for e in flag.entities if e.name == name]
    assert spans, flag.matches
    for field, start, end in spans:
        text = title if field == "title" else body
        assert text[start:end] == surface


def test_every_match_offset_is_a_surface_form_on_seeds(default):
    for path in sorted((CONTENT / "seeds").glob("*.txt")):
        body = path.read_text(encoding="utf-8")
        flag = default.score("", body)[0]
        for m in flag.matches:
            surface = body[m.start:m.end]
            assert surface.strip() == surface and surface, (path.name, m)
            assert m.snippet and " ".join(surface.split()) in m.snippet


def test_core_rule_and_threshold(small):
    flag = small.score("", "أكد حموشي أن التعاون مع فرنسا متين")[0]
    assert flag.flagged and flag.score == 2
    core = flag.rules[0]
    assert core["name"] == "core" and core["satisfied"] and core["contribution"] == 2
    assert {e["group"] for e in core["evidence"]} == {"actor", "partner", "cooperation"}


def test_title_boost(small):
    flag = small.score("حموشي وفرنسا: تعاون", "")[0]
    assert flag.rules[0]["field"] == "title" and flag.score == 4


def test_proximity_window(small):
    far = "حموشي " + "كلمة " * 20 + "التعاون مع فرنسا"
    flag = small.score("", far)[0]
    assert not flag.flagged
    assert flag.rules[0]["missing"] == []          # all groups present, just not within 10 words


def test_veto_rule(small):
    flag = small.score("", "حموشي والتعاون مع فرنسا في الأمن الغذائي")[0]
    assert flag.score >= 2 and not flag.flagged
    assert flag.rules[1]["veto"] is True


def test_mask_hides_shorter_hits(small):
    flag = small.score("", "الأمن الغذائي")[0]
    assert [m.group for m in flag.matches] == ["food"]
    flag = small.score("", "الأمن الوطني")[0]
    assert "security" in {m.group for m in flag.matches}


def test_missing_groups_reported(small):
    flag = small.score("", "التعاون مع فرنسا")[0]
    assert flag.rules[0]["missing"] == ["actor"]


def test_score_is_pure_and_deterministic(small):
    a = small.score("حموشي", "التعاون مع فرنسا")
    b = small.score("حموشي", "التعاون مع فرنسا")
    assert [asdict(f) for f in a] == [asdict(f) for f in b]


def test_flags_are_json_serialisable(default):
    body = (CONTENT / "seeds" / "000_045d83bd72d41fab.txt").read_text(encoding="utf-8")
    json.dumps([asdict(f) for f in default.score("عنوان", body)], ensure_ascii=False)


def test_explain_lists_each_rule(default):
    body = (CONTENT / "seeds" / "003_12c15d385c45dddd.txt").read_text(encoding="utf-8")
    flag = default.score("حموشي يستقبل المديرة العامة للأمن الداخلي الفرنسي بالرباط", body)[0]
    text = explain(flag)
    lines = text.splitlines()
    assert lines[0].startswith("morocco-security-cooperation (version ") and "FLAGGED" in lines[0]
    for rule in flag.rules:
        assert any(rule["name"] in line for line in lines)
    assert "✓ actor-partner-cooperation" in text


def test_empty_article(default):
    flag = default.score("", "")[0]
    assert not flag.flagged and flag.score == 0 and flag.matches == []


def test_one_flag_per_watchlist(tmp_path):
    second = tmp_path / "second.yaml"
    second.write_text((FIX / "valid.yaml").read_text(encoding="utf-8").replace("test-cooperation", "second"),
                      encoding="utf-8")
    m, wls = load_matcher(WL_DIR, GAZ, files=[WL_DIR / "morocco-security-cooperation.yaml", second])
    flags = m.score("حموشي", "التعاون مع فرنسا")
    assert [f.watchlist for f in flags] == ["morocco-security-cooperation", "second"]
    assert all(isinstance(f, Flag) for f in flags)
    assert [f.version for f in flags] == [w.version for w in wls]


def test_duplicate_watchlist_names_rejected(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text((FIX / "valid.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(WatchlistError, match="names must be unique"):
        load_matcher(tmp_path, GAZ)


def _seeds():
    meta = tomllib.loads((CONTENT / "seeds.toml").read_text(encoding="utf-8"))["article"]
    return [(a["file"], a["title"], (CONTENT / a["file"]).read_text(encoding="utf-8")) for a in meta]


@pytest.mark.parametrize("file,title,body", _seeds(), ids=[s[0].split("/")[-1][:3] for s in _seeds()])
def test_all_seeds_flagged(default, file, title, body):
    flag = default.score(title, body)[0]
    assert flag.flagged, explain(flag)


NOT_MOROCCAN = [
    ("algerian_dgsn", "وقعت المديرية العامة للأمن الوطني الجزائرية مذكرة تفاهم للتعاون مع الشرطة التونسية"),
    ("us_national_security_council", "بحث مستشار الأمن الوطني الأمريكي التعاون مع نظيره الفرنسي في واشنطن"),
]


@pytest.mark.parametrize("body", [c[1] for c in NOT_MOROCCAN], ids=[c[0] for c in NOT_MOROCCAN])
def test_foreign_namesakes_are_not_moroccan_actors(default, body):
    flag = default.score("", body)[0]
    assert not flag.flagged, explain(flag)
    assert "moroccan_actor" not in {e.role for e in flag.entities}


def test_inside_longer_equals_the_pairwise_definition():
    import random

    from filters.matcher import Hit, _inside_longer

    def pairwise(hits):
        return {i for i, h in enumerate(hits) if any(
            o.group == h.group and o.field == h.field and o is not h and o.nstart <= h.nstart
            and h.nend <= o.nend and (o.nend - o.nstart) > (h.nend - h.nstart) for o in hits)}

    rng = random.Random(3)
    for _ in range(3000):
        hits = []
        for _ in range(rng.randint(0, 12)):
            s = rng.randint(0, 15)
            hits.append(Hit(rng.choice("ab"), "t", 1.0, rng.choice(["title", "body"]), s, s + rng.randint(1, 6),
                            0, 0, 0, 0, 0, "term"))
        assert _inside_longer(hits) == pairwise(hits)


class _FailsOnOneTitle:
    """The real matcher, except that it raises on one title (a bug met on one text)."""

    TITLE = "نص يكسر المطابق"

    def __init__(self, real):
        self.real = real

    def score(self, title, body):
        if title == self.TITLE:
            raise IndexError("list index out of range")
        return self.real.score(title, body)


def test_filter_step_keeps_an_article_the_matcher_fails_on(tmp_path):
    """A matcher bug met on one text must not drop the article (house rule: bad input
    loses nothing): the filter step stores it unflagged and records the error for the run.
    The matcher here fails on purpose for one title; every other part is the real one."""
    from scrapy.utils.test import get_crawler

    from pipelines.filter import FilterPipeline
    from raqib.items import Article

    root = Path(__file__).resolve().parent.parent
    crawler = get_crawler(settings_dict={"RAQIB": {
        "watchlists_dir": str(root / "config" / "default" / "watchlists"),
        "gazetteer_path": str(root / "config" / "default" / "gazetteer.yaml"),
        "db_path": str(tmp_path / "raqib.db")}})
    crawler.stats.open_spider()
    step = FilterPipeline.from_crawler(crawler)
    step.matcher = _FailsOnOneTitle(step.matcher)
    bad = step.process_item(Article(url="http://127.0.0.1/a", source="s", title=_FailsOnOneTitle.TITLE, body="نص"))
    good = step.process_item(Article(url="http://127.0.0.1/b", source="s", title="تعاون أمني",
                                     body="سلمت المديرية العامة للأمن الوطني مطلوبا إلى الشرطة الإسبانية "
                                          "في إطار التعاون الأمني."))
    assert bad.flags == []
    assert any(f.flagged for f in good.flags)
    errors = crawler.stats.get_value("raqib/errors")
    assert [e["url"] for e in errors] == ["http://127.0.0.1/a"]
    assert "IndexError" in errors[0]["error"] and "stored unflagged" in errors[0]["error"]


def test_scaleout_writer_keeps_an_article_the_matcher_fails_on(tmp_path):
    """The scale-out writer runs the same filter step: a matcher failure stores the
    article unflagged and lands in the writer's error list (its summary counts it),
    as in a one-process crawl.  No Redis needed: one item through the writer's steps."""
    from scaleout.writer import Counter, store_one, writer_steps
    from storage.db import open_db

    root = Path(__file__).resolve().parent.parent
    cfg = {"watchlists_dir": str(root / "config" / "default" / "watchlists"),
           "gazetteer_path": str(root / "config" / "default" / "gazetteer.yaml"),
           "db_path": str(tmp_path / "raqib.db")}
    stats = Counter()
    steps = writer_steps(cfg, stats)
    steps[1].matcher = _FailsOnOneTitle(steps[1].matcher)
    db = open_db(cfg["db_path"])
    for url, title in (("http://127.0.0.1/a", _FailsOnOneTitle.TITLE), ("http://127.0.0.1/b", "تعاون أمني")):
        article = {"url": url, "source": "s", "title": title, "language": "ar",
                   "body": "سلمت المديرية العامة للأمن الوطني مطلوبا إلى الشرطة الإسبانية في إطار التعاون الأمني."}
        store_one({"article": article}, db, steps, stats)
    stored = {r[0]: r[1] for r in db.execute(
        "SELECT url, (SELECT MAX(flagged) FROM flags WHERE article_id = articles.id) FROM articles")}
    assert set(stored) == {"http://127.0.0.1/a", "http://127.0.0.1/b"}
    assert stored["http://127.0.0.1/b"] == 1 and not stored["http://127.0.0.1/a"]
    errors = stats.get_value("raqib/errors")
    assert [e["url"] for e in errors] == ["http://127.0.0.1/a"] and "IndexError" in errors[0]["error"]
    assert "errors 1" in stats.summary()


def _texts_to_truncate() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((CONTENT / "seeds").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((CONTENT / "articles").glob("*.txt"))]
    dev = sorted((Path(__file__).parent / "fixtures" / "dev" / "texts").glob("*.txt"))
    texts += [p.read_text(encoding="utf-8") for p in dev[::24]]
    return texts


def test_truncated_texts_score_and_explain(default):
    """A truncated page ends anywhere, often right after a name: scoring every text of
    the fixture corpus and every 24th text of the development set cut right after (and right
    before) each entity it names must not raise, and every composed actor's explanation
    must name words of the text it came from.  (A coordinated second nationality ending
    the text raised IndexError until its head was read where the head is.)"""
    cuts = 0
    for text in _texts_to_truncate():
        title, _, body = text.partition("\n")
        for e in default.find_entities(body):
            for part in (body[:e.end], body[e.start:]):
                flag = default.score(title, part)[0]
                cuts += 1
                for r in flag.rules:
                    for ev in r.get("evidence", []):
                        for piece in (ev.get("made_of") or "").replace(" ← ", " + ").split(" + "):
                            assert not piece or piece in part or piece in title, (ev, part[-80:])
    assert cuts > 1000
