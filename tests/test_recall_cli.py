"""`raqib search`, `raqib review mark` on an unflagged story, `raqib review misses`,
`raqib model train|status` and the back-test's miss count, as subprocesses over a
real store (tests/recall_data.py)."""

from __future__ import annotations

import json

import pytest

import recall_data
from tests.conftest import run_cli


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "recall.db"
    ids = recall_data.build(path)
    env = {"RAQIB_WATCHLISTS_DIR": str(recall_data.WATCHLISTS), "RAQIB_GAZETTEER_PATH": str(recall_data.GAZETTEER)}
    return str(path), ids, env


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_search_mark_miss_and_backtest(store):
    db, ids, env = store
    out = run_cli("search", "المخابرات", "المغربيه", "--unflagged", "--db", db, env=env).stdout
    assert f"{ids['hidden']:>5}  -" in out and "1 of 1 shown" in out
    rows = _json_lines(run_cli("search", '"معلومات دقيقة"', "--json", "--db", db, env=env).stdout)
    assert [r["id"] for r in rows] == [ids["hidden"]]
    assert {(h["field"], h["clause"]) for h in rows[0]["hits"]} == {("body", "معلومات دقيقة")}
    assert rows[0]["flagged"] is False and rows[0]["miss"] is False

    bad = run_cli("search", '"', "--db", db, env=env, check=False)
    assert bad.returncode == 1 and "unbalanced quote" in bad.stderr and "Traceback" not in bad.stderr
    assert "No stored article matches." in run_cli("search", "زلزال", "--db", db, env=env).stdout

    assert "Marked 1 story relevant" in run_cli("review", "mark", str(ids["hidden"]), "--status", "relevant",
                                                "--db", db, env=env).stdout
    rows = _json_lines(run_cli("search", "مدريد", "--json", "--db", db, env=env).stdout)
    assert rows[0]["miss"] is True and rows[0]["review_status"] == "relevant"
    assert "relevant MISS" in run_cli("search", "مدريد", "--db", db, env=env).stdout

    test = json.loads(run_cli("watchlist", "test", str(recall_data.WATCHLISTS / "watchlist.yaml"), "--json",
                              "--db", db, env=env).stdout)
    assert test["metrics"]["live"]["fn"] == 1 and test["misses"] == 1
    text = run_cli("watchlist", "test", str(recall_data.WATCHLISTS / "watchlist.yaml"), "--db", db, env=env).stdout
    assert "misses (unflagged stories marked relevant): 1" in text


def test_review_misses_and_model_commands(store):
    db, ids, env = store
    assert "No relevance model yet" in run_cli("model", "status", "--db", db, env=env).stdout
    rows = _json_lines(run_cli("review", "misses", "--json", "--limit", "2", "--db", db, env=env).stdout)
    assert len(rows) == 2 and rows[0]["id"] == ids["near"]
    assert rows[0]["nearest"]["lacked"] == [] and rows[0]["probability"] is None
    out = run_cli("review", "misses", "--db", db, env=env).stdout
    assert "actor_partner_cooperation lacked groups present but not together in scope" in out and "5 of 5 unflagged" in out

    run_cli("review", "mark", str(ids["hidden"]), "--status", "relevant", "--db", db, env=env)
    run_cli("review", "mark", str(ids["market"]), "--status", "irrelevant", "--db", db, env=env)
    out = run_cli("model", "train", "--db", db, env=env).stdout
    assert "training set: 0 relevant + 1 misses, 1 irrelevant (reviews)" in out
    assert "watchlists when trained: recall-test" in out
    st = json.loads(run_cli("model", "status", "--json", "--db", db, env=env).stdout)
    assert st["sizes"]["misses"] == 1 and st["sizes"]["weak_irrelevant"] == 3
    assert st["reviews_since"] == 0 and "precision" in st["metrics"]
    rows = _json_lines(run_cli("review", "misses", "--json", "--db", db, env=env).stdout)
    assert {r["id"] for r in rows} == {ids["near"], ids["sports"], ids["weather"]}
    inbox = _json_lines(run_cli("review", "--status", "all", "--sort", "model", "--json", "--db", db, env=env).stdout)
    assert [r["id"] for r in inbox] == [ids["flagged"]]
    assert all(r["probability"] is not None for r in rows)

    empty = run_cli("model", "train", "--db", db, env={**env, "RAQIB_MODEL_WEAK_LABELS_BELOW": "0"}, check=False)
    assert empty.returncode == 0                       # two verdicts of both kinds: trains without weak labels
    assert "weak labels from flags: 0 flagged, 0 unflagged" in empty.stdout
