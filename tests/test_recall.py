"""Recall over a real store (tests/recall_data.py): search over unflagged articles,
misses recorded by verdicts and counted by the back-test, near-miss closeness from the
matcher's own explanations, and the relevance model trained, stored and explained."""

from __future__ import annotations

import re

import pytest

import recall_data
from filters.search_query import parse_query
from filters.watchlist import parse_watchlist
from raqib.errors import NotFound
from raqib.items import Article
from relevance import near_miss, train as relevance
from storage.articles import save_article
from storage.db import open_db
from storage.misses import get_miss
from storage.reviews import mark
from storage.search import search
from tuning.backtest import backtest_file


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "recall.db"
    ids = recall_data.build(path)
    db = open_db(path)
    yield db, ids
    db.conn.close()


def test_search_reaches_unflagged_articles_and_follows_updates(store):
    db, ids = store
    rows, total = search(db, parse_query("مدريد"))
    assert [r["id"] for r in rows] == [ids["hidden"]] and total == 1
    assert rows[0]["flagged"] is False and rows[0]["review_status"] is None
    rows, _ = search(db, parse_query("حموشي"), unflagged=True)
    assert [r["id"] for r in rows] == [ids["near"]]                      # the flagged one is filtered out
    all_rows, total = search(db, [])
    assert total == len(ids) and {r["id"] for r in all_rows} == set(ids.values())

    # an article updated in place is re-indexed (new hash): the new word is found, the old one not
    art = Article(url="https://akhbar.example.ma/recall/sports", source="akhbar", title="الرجاء يتعادل مع الجيش",
                  body="تعادل فريق الرجاء مع الجيش الملكي في البطولة.", content_hash="h-sports-2", language="ar")
    assert save_article(db, art) == (ids["sports"], "updated")
    assert [r["id"] for r in search(db, parse_query("يتعادل"))[0]] == [ids["sports"]]
    assert search(db, parse_query("الوداد"))[1] == 0


def test_marking_an_unflagged_story_relevant_records_a_miss_the_backtest_counts(store):
    db, ids = store
    wl = recall_data.WATCHLISTS / "watchlist.yaml"
    before = backtest_file(db, wl, recall_data.GAZETTEER, recall_data.WATCHLISTS)
    assert (before.live.tp, before.live.fn, before.misses) == (0, 0, 0)

    mark(db, [ids["hidden"], ids["flagged"]], "relevant")
    miss = get_miss(db, ids["hidden"])
    assert miss is not None and miss["flags"][0]["watchlist"] == "recall-test"
    assert get_miss(db, ids["flagged"]) is None                          # flagged: not a miss
    rows, _ = search(db, [], missed=True)
    assert [r["id"] for r in rows] == [ids["hidden"]] and rows[0]["miss"] is True

    after = backtest_file(db, wl, recall_data.GAZETTEER, recall_data.WATCHLISTS)
    assert (after.live.tp, after.live.fn, after.live.recall) == (1, 1, 0.5)
    assert after.misses == 1 and after.misses_caught == {"live": 0, "candidate": 0}
    assert after.to_dict()["misses"] == 1

    mark(db, [ids["hidden"]], "irrelevant")                              # a change of mind clears it
    assert get_miss(db, ids["hidden"]) is None


WL = parse_watchlist((recall_data.WATCHLISTS / "watchlist.yaml").read_text(encoding="utf-8"))[0]
RULES = {"a": {"name": "actor_partner_cooperation", "weight": 3}, "b": {"name": "partner_cooperation", "weight": 1}}
CLOSENESS = [
    # id, score, rule states (satisfied, missing) for rules a and b, expected closeness, expected rule
    ("nothing present", 0.0, [(False, ["moroccan_actor", "partner", "cooperation"]), (False, ["partner", "cooperation"])],
     0.0, None),
    # a rule that lacked groups gets half the share it had (MISSING_GROUP_FACTOR)
    ("one group lacking", 0.0, [(False, ["partner"]), (False, ["partner"])], 0.3333, "actor_partner_cooperation"),
    ("all groups, out of scope", 0.0, [(False, []), (False, ["partner"])], 0.75, "actor_partner_cooperation"),
    ("small rule fired", 1.0, [(False, ["moroccan_actor"]), (True, None)], 0.3333, "actor_partner_cooperation"),
    ("score alone", 2.0, [(False, ["moroccan_actor", "partner", "cooperation"]), (True, None)], 0.6667, None),
    # the real score beats a rule that lacked a group
    ("score beats a lacking rule", 2.0, [(False, ["partner"]), (True, None)], 0.6667, None),
]


@pytest.mark.parametrize("score,states,expected,rule", [c[1:] for c in CLOSENESS], ids=[c[0] for c in CLOSENESS])
def test_closeness_from_stored_explanations(score, states, expected, rule):
    rules = []
    for (satisfied, missing), info in zip(states, RULES.values()):
        rules.append({**info, "satisfied": satisfied, **({"missing": missing} if missing is not None else {})})
    got = near_miss.closeness({"watchlist": "recall-test", "score": score, "rules": rules}, WL)
    assert (round(got.closeness, 4), got.rule) == (expected, rule)


def test_vetoed_article_is_near():
    got = near_miss.closeness({"watchlist": "w", "score": 3.0, "rules": [
        {"name": "sports", "satisfied": True, "veto": True, "weight": 0}]}, WL)
    assert got.vetoed_by == "sports" and got.closeness >= 0.9
    assert "vetoed by sports" in got.describe()


def test_queue_without_model_puts_the_planted_near_miss_first(store):
    db, ids = store
    rows, total = near_miss.queue(db)
    assert rows[0].id == ids["near"] and rows[0].nearest.lacked == []
    assert rows[0].closeness == near_miss.SCOPE_MISS_CREDIT
    assert ids["flagged"] not in {r.id for r in rows} and total == len(ids) - 1
    assert rows[0].probability is None and rows[0].rank_score == rows[0].closeness
    mark(db, [ids["near"]], "later")                                     # "later" stays in the queue
    assert near_miss.queue(db)[0][0].id == ids["near"]
    mark(db, [ids["near"]], "irrelevant")
    assert ids["near"] not in {r.id for r in near_miss.queue(db)[0]}


def test_model_trains_on_reviews_and_weak_labels_scores_and_explains(store):
    db, ids = store
    with pytest.raises(NotFound, match="nothing to learn from"):
        relevance.train(db, weak_below=0)                                # no verdicts, weak labels off
    mark(db, [ids["hidden"]], "relevant")
    mark(db, [ids["sports"]], "irrelevant")
    st = relevance.train(db, weak_below=200, cv_folds=2)
    assert st["sizes"] == {"relevant": 0, "misses": 1, "irrelevant": 1, "weak_relevant": 1, "weak_irrelevant": 3}
    assert st["watchlists"] == {"recall-test": st["watchlists_now"]["recall-test"]}
    assert st["reviews_since"] == 0 and st["metrics"]["graded_on"] == "weak labels"
    probs = relevance.scores(db)
    assert set(probs) == set(ids.values())
    assert probs[ids["hidden"]] > probs[ids["sports"]]
    why = relevance.explain_article(db, {"id": ids["hidden"], "title": recall_data.STORIES["hidden"][0],
                                         "body": recall_data.STORIES["hidden"][1]})
    assert why["probability"] == pytest.approx(probs[ids["hidden"]], abs=1e-3)
    assert why["for"] and all(c["weight"] > 0 for c in why["for"])
    assert {c["kind"] for c in why["for"]} <= {"word", "evidence"}

    # the article page shows the probability and the n-grams that weighed most
    from starlette.testclient import TestClient

    from review.app import create_app

    db_file = next(r[2] for r in db.execute("PRAGMA database_list") if r[1] == "main")
    html = TestClient(create_app(db_file), base_url="http://127.0.0.1:8765").get(f"/article/{ids['hidden']}").text
    assert 'id="model-why"' in html and f"{why['probability']:.2f}" in html
    assert f'>{why["for"][0]["label"]}</span>' in html and 'id="miss-box"' in html

    # the queue now mixes both signals; the order of everything is explained by rank_score
    rows, _ = near_miss.queue(db, model_weight=0.5)
    assert all(r.probability is not None for r in rows)
    assert [r.rank_score for r in rows] == sorted((r.rank_score for r in rows), reverse=True)


def test_scores_follow_the_rules_evidence_and_an_old_model_is_replaced(store):
    """The model reads the stored flags: a changed flag drops the article's cached score
    (recomputed on the next read), an unchanged re-score keeps it; a model of an older
    feature set is not used and is retrained at once."""
    from filters.loading import load_matcher
    from pipelines.rescore import rescore
    from raqib.items import Flag
    from storage.flags import save_flags
    from storage.relevance import score_of

    db, ids = store
    mark(db, [ids["hidden"]], "relevant")
    mark(db, [ids["sports"]], "irrelevant")
    relevance.train(db, weak_below=200, cv_folds=2)
    before = relevance.scores(db)[ids["hidden"]]
    rescore(db, *load_matcher(recall_data.WATCHLISTS, recall_data.GAZETTEER))   # same rules, same evidence
    assert score_of(db, ids["hidden"]) == before
    save_flags(db, ids["hidden"], [Flag("recall-test", "v-test", 0.0, False, [], [], [])])
    assert score_of(db, ids["hidden"]) is None and score_of(db, ids["sports"]) is not None
    after = relevance.scores(db)[ids["hidden"]]
    assert after != before and score_of(db, ids["hidden"]) == after

    db.execute("UPDATE relevance_models SET params = json_remove(params, '$.features')")
    db.conn.commit()
    assert relevance.load(db) == (None, None) and relevance.status(db)["outdated"] is True
    cfg = {"model_retrain_after": 5, "model_weak_labels_below": 200}
    again = relevance.retrain_if_due(db, cfg)                          # no new verdict, but outdated
    assert again is not None and again["outdated"] is False and relevance.retrain_if_due(db, cfg) is None


def test_retrain_when_due_and_model_flags_only_when_asked(store):
    db, ids = store
    cfg = {"model_retrain_after": 2, "model_weak_labels_below": 200}
    mark(db, [ids["hidden"]], "relevant")
    assert relevance.retrain_if_due(db, cfg) is None                     # 1 verdict < 2
    mark(db, [ids["weather"]], "irrelevant")
    first = relevance.retrain_if_due(db, cfg)
    assert first is not None
    assert relevance.retrain_if_due(db, cfg) is None                     # nothing new since
    assert relevance.retrain_if_due(db, {**cfg, "model_retrain_after": 0}) is None

    assert relevance.apply_flags(db, 0.0) == 0
    assert db.execute("SELECT count(*) FROM flags WHERE watchlist = ?", [relevance.MODEL_WATCHLIST]).fetchone()[0] == 0
    probs = relevance.scores(db)
    cut = sorted(probs.values())[-2]                                     # the top two articles
    newly = relevance.apply_flags(db, cut)
    flagged = {r[0] for r in db.execute("SELECT article_id FROM flags WHERE watchlist = ? AND flagged = 1",
                                        [relevance.MODEL_WATCHLIST])}
    assert newly == len(flagged) and flagged == {a for a, p in probs.items() if p >= cut}


BAD_REQUESTS = [
    ("lone quote", '/articles?q="', 400, "unbalanced quote"),
    ("punctuation only", "/articles?q=%D8%9F%D8%9F", 400, "nothing to search for"),
    ("page beyond SQLite", "/articles?page=99999999999999999999", 400, "رقم الصفحة"),
    ("queue page beyond SQLite", "/misses?page=99999999999999999999", 400, "رقم الصفحة"),
    ("junk page", "/articles?page=abc&unflagged=1", 200, "search-summary"),
]


@pytest.mark.parametrize("url,status,text", [b[1:] for b in BAD_REQUESTS], ids=[b[0] for b in BAD_REQUESTS])
def test_recall_pages_answer_bad_input_with_a_message(tmp_path, url, status, text):
    from starlette.testclient import TestClient

    from review.app import create_app

    path = tmp_path / "recall.db"
    recall_data.build(path)
    client = TestClient(create_app(path), base_url="http://127.0.0.1:8765")
    resp = client.get(url)
    assert resp.status_code == status and text in resp.text


def test_inbox_sorted_by_the_model_keeps_neighbours_in_the_same_order(tmp_path):
    import review_data
    from starlette.testclient import TestClient

    from review.app import create_app
    from storage.relevance import put_scores
    from storage.review_queries import InboxFilter, inbox, neighbours

    path = tmp_path / "review.db"
    ids = review_data.build(path)
    db = open_db(path)
    probs = {ids["old"]: 0.9, ids["hostile"]: 0.7, ids["copy"]: 0.2}            # "story" unscored: last
    put_scores(db, 1, [(aid, "h", p) for aid, p in probs.items()])
    want = [ids["old"], ids["hostile"], ids["copy"], ids["story"]]
    flt = InboxFilter(sort="model")
    assert [r["id"] for r in inbox(db, flt)] == want
    assert [r["id"] for r in inbox(db, InboxFilter())][0] == ids["copy"]        # newest first by default
    assert neighbours(db, ids["hostile"], flt) == (ids["old"], ids["copy"])
    client = TestClient(create_app(path), base_url="http://127.0.0.1:8765")
    html = client.get("/?status=all&sort=model").text
    # the web inbox lists stories: the wakala copy sits in its story's row, which ranks by the copy's 0.2
    rows = [int(x) for x in re.findall(r'<tr class="item" data-id="(\d+)"', html)]
    assert rows == [ids["old"], ids["hostile"], ids["story"]]
    db.conn.close()
