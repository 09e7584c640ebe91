"""The daemon keeps recall up to date after each crawl: the search index follows the
store, and the relevance model is retrained once `model_retrain_after` new verdicts
arrived (a real daemon process against the fixture site on 127.0.0.1, as in
tests/test_daemon.py, whose helpers are reused)."""

from __future__ import annotations

import pytest

from storage.db import open_db
from storage.reviews import mark
from test_daemon import DaemonProc, daemons, query, runs, site, wait_for, write_config  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


def test_daemon_indexes_for_search_and_retrains_after_n_verdicts(site, tmp_path, daemons):  # noqa: F811
    db, config = tmp_path / "raqib.db", write_config(site, tmp_path / "sources.toml", {"akhbar": 0.05})
    d = DaemonProc(tmp_path, db, config, env={"RAQIB_MODEL_RETRAIN_AFTER": "2"})
    daemons.append(d)
    wait_for(lambda: runs(db, "akhbar", "ok"), 90, "a first akhbar crawl", d)
    stored = query(db, "SELECT count(*) FROM articles")[0][0]
    assert stored > 0
    # after the crawl: every stored article indexed for search, no model yet (nothing to learn from)
    wait_for(lambda: query(db, "SELECT count(*) FROM search_docs")[0][0] >= stored, 60, "search index", d)
    assert query(db, "SELECT count(*) FROM relevance_models")[0][0] == 0
    assert "relevance model" not in d.log

    flagged = query(db, "SELECT article_id FROM flags WHERE flagged = 1 LIMIT 1")[0][0]
    unflagged = query(db, "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM flags WHERE flagged = 1)"
                          " LIMIT 1")[0][0]
    store = open_db(db)
    try:
        mark(store, [flagged], "relevant")
        mark(store, [unflagged], "irrelevant")
    finally:
        store.conn.close()
    model = wait_for(lambda: query(db, "SELECT id, sizes FROM relevance_models"), 120, "a retrained model", d)[0]
    assert '"irrelevant": 1' in model[1] and '"relevant": 1' in model[1]
    wait_for(lambda: "relevance model 1 retrained after crawl akhbar" in d.log, 30, "the retrain log line", d)
    total = query(db, "SELECT count(*) FROM articles")[0][0]
    wait_for(lambda: query(db, "SELECT count(*) FROM relevance_scores")[0][0] >= total, 60, "scores", d)
    assert d.stop() == 0
