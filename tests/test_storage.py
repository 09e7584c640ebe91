"""The store: schema on open, idempotent upserts keyed on the URL key, changes kept."""

from __future__ import annotations

import sqlite3

from raqib.items import Article, Flag, Match
from storage.articles import get_article, is_known, known_urls, record_skip, save_article
from storage.db import open_db
from storage.flags import flags_for, save_flags
from storage.runs import consecutive_failures, fail_running, finish_run, last_runs, start_run


def art(url="https://ex.ma/news/1?utm_source=x", body="نص المقال " * 50, **kw) -> Article:
    a = Article(url=url, source="ex", title="عنوان", body=body, content_hash=str(hash(body)), **kw)
    a.canonical_url = ""
    return a


def test_schema_created_and_wal(tmp_path):
    db = open_db(tmp_path / "r.db")
    assert {"articles", "runs", "flags", "reviews", "articles_fts"} <= set(db.table_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] >= 1
    # opens cleanly with plain sqlite3 (as Datasette would)
    sqlite3.connect(tmp_path / "r.db").execute("SELECT count(*) FROM articles_fts").fetchone()


def test_save_is_idempotent_across_url_forms(tmp_path):
    db = open_db(tmp_path / "r.db")
    id1, s1 = save_article(db, art())
    id2, s2 = save_article(db, art(url="https://www.ex.ma/amp/news/1/"))
    assert (s1, s2) == ("new", "unchanged") and id1 == id2
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert is_known(db, "https://m.ex.ma/news/1") and not is_known(db, "https://ex.ma/news/2")
    assert get_article(db, "https://ex.ma/news/1")["id"] == id1


def test_update_in_place_keeps_id_and_records_change(tmp_path):
    db = open_db(tmp_path / "r.db")
    aid, _ = save_article(db, art())
    save_flags(db, aid, [Flag("wl", "v1", 3.0, True, [Match("حموشي", "actors", 0, 5)])])
    aid2, status = save_article(db, art(body="نص محدث " * 60))
    assert aid2 == aid and status == "updated"
    row = get_article(db, aid)
    assert row["revision"] == 2 and "محدث" in row["body"]
    change = db.execute("SELECT old_body FROM article_changes WHERE article_id = ?", [aid]).fetchone()
    assert "نص المقال" in change[0]
    assert flags_for(db, aid)[0]["matches"][0]["term"] == "حموشي"


def test_flags_one_row_per_watchlist_and_newly_flagged(tmp_path):
    db = open_db(tmp_path / "r.db")
    aid, _ = save_article(db, art())
    assert save_flags(db, aid, [Flag("wl", "v1", 1.0, False)]) == []
    assert save_flags(db, aid, [Flag("wl", "v2", 5.0, True)]) == ["wl"]
    assert save_flags(db, aid, [Flag("wl", "v2", 5.0, True)]) == []
    rows = flags_for(db, aid)
    assert len(rows) == 1 and rows[0]["version"] == "v2"


def test_fts_search(tmp_path):
    db = open_db(tmp_path / "r.db")
    save_article(db, art(body="زيارة حموشي إلى مدريد " * 20))
    hits = list(db.query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", ["مدريد"]))
    assert len(hits) == 1


def test_skips_are_known(tmp_path):
    db = open_db(tmp_path / "r.db")
    record_skip(db, "https://ex.ma/tag/x/", "ex", "too_short")
    assert known_urls(db, ["https://ex.ma/tag/x", "https://ex.ma/y"]) == {"https://ex.ma/tag/x"}


def test_runs_lifecycle(tmp_path):
    db = open_db(tmp_path / "r.db")
    r1 = start_run(db, "c1", "ex")
    finish_run(db, r1, status="failed", errors=[{"error": "HTTP 500"}])
    start_run(db, "c2", "ex")
    assert fail_running(db, error="killed") == ["ex"]
    assert consecutive_failures(db, "ex") == 2
    assert last_runs(db)["ex"]["status"] == "interrupted"
    r3 = start_run(db, "c3", "ex")
    finish_run(db, r3, status="ok", pages=3)
    assert consecutive_failures(db, "ex") == 0


def test_count_and_iterate_since(tmp_path):
    """``since`` keeps articles published on/after the date, or fetched then when undated."""
    from storage.articles import count, iter_articles

    db = open_db(tmp_path / "r.db")
    save_article(db, art("https://ex.ma/a", published="2026-01-05", fetched_at="2026-02-01T00:00:00+00:00"))
    save_article(db, art("https://ex.ma/b", published="2026-03-01", fetched_at="2026-03-01T00:00:00+00:00"))
    save_article(db, art("https://ex.ma/c", published="", fetched_at="2026-04-01T00:00:00+00:00"))
    assert count(db) == 3 and len(list(iter_articles(db, batch=1))) == 3
    assert count(db, since="2026-02-15") == 2
    assert [r["url"] for r in iter_articles(db, since="2026-02-15", batch=1)] == ["https://ex.ma/b", "https://ex.ma/c"]
    assert count(db, since="2026-05-01") == 0 and list(iter_articles(db, since="2026-05-01")) == []


def test_extraction_path_and_date_source_are_stored(tmp_path):
    """Migration v6: which extractor read the body and where the date came from."""
    db = open_db(tmp_path / "x.db")
    art = Article(url="https://ex.ma/a/1", source="ex", canonical_url="https://ex.ma/a/1", title="عنوان",
                  body="نص", published="2025-05-14", content_hash="h1", extractor="app_state", date_source="url")
    article_id, status = save_article(db, art)
    row = db.execute("SELECT extractor, date_source FROM articles WHERE id = ?", [article_id]).fetchone()
    assert (status, row) == ("new", ("app_state", "url"))
    art.content_hash, art.extractor, art.date_source, art.published = "h2", "text_block", "", ""
    save_article(db, art)
    row = db.execute("SELECT extractor, date_source FROM articles WHERE id = ?", [article_id]).fetchone()
    assert row == ("text_block", "url")
