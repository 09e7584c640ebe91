"""Watchlist tuning end to end: a crawled fixture store, labels, a changed watchlist.

The site gets three planted stories (tests/fixtures/tuning/planted.toml) whose fate
under the candidate (the ``candidate`` fixture: the default watchlist with the term
الأمن الروحي dropped and a festival exclusion added, derived from the live file at run
time so the two never drift apart) is known by construction;
no other fixture story mentions the festival or spiritual security, so the expected
change lists and figures below are exact.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from fixturesite.server import FixtureSite
from raqib.urls import url_key
from review.app import create_app
from storage.db import open_db
from tests.conftest import crawl_site, run_cli

HERE = Path(__file__).parent
TUNING = HERE / "fixtures" / "tuning"
LIVE = HERE.parent / "config" / "default" / "watchlists" / "morocco-security-cooperation.yaml"
NAME = "morocco-security-cooperation"
PLANTED = tomllib.loads((TUNING / "planted.toml").read_text(encoding="utf-8"))["story"]


def _candidate_text(live: str) -> str:
    """The live watchlist as an analyst would tune it: one term dropped, one exclusion added."""
    assert "      - {term: الأمن الروحي}\n" in live and "\nentities:\n" in live
    text = live.replace("      - {term: الأمن الروحي}\n", "")
    text = text.replace("\nentities:\n", """
  festival:
    description: Festival coverage (tuning test - an analyst's exclusion).
    terms:
      - مهرجان موازين

entities:
""", 1)
    return text.rstrip("\n") + """

  - name: festival-exclusion
    description: Festival coverage is never flagged (tuning test).
    any_of: [festival]
    veto: true
"""


@pytest.fixture(scope="module")
def candidate(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("candidate") / "tuned.yaml"
    path.write_text(_candidate_text(LIVE.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def _id(db, url: str) -> int:
    row = db.execute("SELECT article_id FROM url_aliases WHERE url = ?", [url_key(url)]).fetchone()
    if row is None:
        row = db.execute("SELECT id FROM articles WHERE canonical_url = ?", [url_key(url)]).fetchone()
    assert row, f"not stored: {url}"
    return row[0]


def _copy_db(src: Path, dst: Path) -> Path:
    """A consistent copy of a WAL database (the backup API), for tests that write."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Crawl the fixture site plus the planted stories; label a few stories via the CLI."""
    tmp = tmp_path_factory.mktemp("tuning")
    with FixtureSite() as site:
        now = datetime.now(timezone.utc).replace(microsecond=0)
        planted = {}
        for i, s in enumerate(PLANTED):
            url = site.add_article(s["outlet"], s["title"], s["paragraphs"], now - timedelta(hours=i + 1),
                                   label=s["label"])
            planted[s["key"]] = url
        db_path, _ = crawl_site(tmp, site.sources_toml(), cache="httpcache", timeout=240)
        fixture = [a for a in site.expected_articles() if a["url"] not in planted.values()]
    db = open_db(db_path)
    ids = {k: _id(db, u) for k, u in planted.items()}
    pos = [_id(db, a["canonical_url"]) for a in fixture if a["label"] == "positive"]
    neg = [_id(db, a["canonical_url"]) for a in fixture if a["label"] == "negative"]
    relevant = [ids["festival_security"], *pos[:3]]
    irrelevant = [ids["festival_programme"], ids["spiritual_security"], *neg[:2]]
    run_cli("review", "mark", *map(str, relevant), "--status", "relevant", "--db", str(db_path))
    run_cli("review", "mark", *map(str, irrelevant), "--status", "irrelevant", "--db", str(db_path))
    return {"db": db_path, "ids": ids, "pos": pos, "neg": neg, "tmp": tmp, "fixture": fixture,
            "articles": db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]}


# live: relevant {festival_security + 3 positives} all flagged -> tp 4, fn 0;
#       irrelevant: festival_programme flagged (fp), spiritual + 2 negatives not (tn 3)
# candidate: festival_security excluded (fn), festival_programme excluded (tn),
#       spiritual_security now flagged (fp)
EXPECTED_METRICS = {
    "live": {"tp": 4, "fp": 1, "fn": 0, "tn": 3, "precision": 0.8, "recall": 1.0, "f1": 0.8889},
    "candidate": {"tp": 3, "fp": 1, "fn": 1, "tn": 3, "precision": 0.75, "recall": 0.75, "f1": 0.75},
}


def test_backtest_lists_exact_changes_and_figures(store, candidate):
    proc = run_cli("watchlist", "test", str(candidate), "--db", str(store["db"]), "--json")
    out = json.loads(proc.stdout)
    ids = store["ids"]
    assert out["watchlist"] == NAME
    assert out["live_origin"] == "store"            # the version the crawl recorded
    assert out["articles"] == store["articles"] and out["labelled"] == 8
    assert [c["id"] for c in out["newly_flagged"]] == [ids["spiritual_security"]]
    assert sorted(c["id"] for c in out["no_longer_flagged"]) == sorted(
        [ids["festival_security"], ids["festival_programme"]])
    by_id = {c["id"]: c for c in out["newly_flagged"] + out["no_longer_flagged"]}
    assert by_id[ids["festival_security"]]["label"] == "relevant"
    assert by_id[ids["spiritual_security"]]["label"] == "irrelevant"
    assert by_id[ids["spiritual_security"]]["title"] == PLANTED[2]["title"]
    assert by_id[ids["spiritual_security"]]["source"] == "wakala"
    assert out["metrics"] == EXPECTED_METRICS
    # the candidate's only false positive is the spiritual-security story: its evidence
    fp_terms = {(t["group"], t["term"]) for t in out["terms"]["candidate"]["fp"]}
    assert ("partner", "السنغال") in fp_terms
    assert all(t["articles"] == 1 for t in out["terms"]["candidate"]["fp"])
    tp_terms = out["terms"]["candidate"]["tp"]
    assert tp_terms and tp_terms[0]["articles"] <= 3


def test_backtest_text_output_shows_titles_rtl_and_figures(store, candidate):
    out = run_cli("watchlist", "test", str(candidate), "--db", str(store["db"])).stdout
    assert "Newly flagged: 1" in out and "No longer flagged: 2" in out
    assert f"\u202b{PLANTED[2]['title']}\u202c" in out
    assert "0.800" in out and "0.750" in out


def test_backtest_writes_nothing(store, candidate):
    db = open_db(store["db"])
    before = list(db.query("SELECT article_id, version, flagged, score FROM flags ORDER BY article_id"))
    run_cli("watchlist", "test", str(candidate), "--db", str(store["db"]), "--json")
    after = list(db.query("SELECT article_id, version, flagged, score FROM flags ORDER BY article_id"))
    assert before == after


def test_deploy_records_version_history_and_diff(store, candidate, tmp_path):
    db_path = _copy_db(store["db"], tmp_path / "deployed.db")
    wdir = tmp_path / "watchlists"
    wdir.mkdir()
    shutil.copy(candidate, wdir / "morocco-security-cooperation.yaml")
    env = {"RAQIB_WATCHLISTS_DIR": str(wdir)}
    run_cli("rescore", "--db", str(db_path), env=env)
    hist = json.loads(run_cli("watchlist", "history", NAME, "--db", str(db_path), "--json").stdout)
    versions = [v["version"] for v in hist["versions"]]
    assert len(versions) == 2 and versions[1] != versions[0]
    assert hist["versions"][1]["flags"] == store["articles"]   # every flag now cites the new version
    assert hist["versions"][0]["flags"] == 0
    diff = json.loads(run_cli("watchlist", "history", NAME, "--diff", "--db", str(db_path), "--json").stdout)
    assert diff["terms_removed"] == {"not_security": ["الأمن الروحي"]}
    assert diff["terms_added"] == {"festival": ["مهرجان موازين"]}
    assert diff["groups_added"] == ["festival"] and diff["rules_added"] == ["festival-exclusion"]
    assert not diff["rules_removed"] and not diff["rules_changed"] and not diff["settings"]
    # explicit versions by prefix, reversed
    text = run_cli("watchlist", "history", NAME, "--diff", versions[1][:6], versions[0][:6],
                   "--db", str(db_path)).stdout
    assert "+ not_security: الأمن الروحي" in text and "- festival: مهرجان موازين" in text
    # reviews survive, and the back-test of the old file now shows the reverse change
    db = open_db(db_path)
    assert db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 8
    back = json.loads(run_cli("watchlist", "test", str(LIVE), "--db", str(db_path), "--json", env=env).stdout)
    assert back["live_version"] == versions[1]
    assert sorted(c["id"] for c in back["newly_flagged"]) == sorted(
        [store["ids"]["festival_security"], store["ids"]["festival_programme"]])
    assert back["metrics"]["live"] == EXPECTED_METRICS["candidate"]
    assert back["metrics"]["candidate"] == EXPECTED_METRICS["live"]
    # redeploying the first version is a new go-live of an old version
    run_cli("rescore", "--db", str(db_path))
    hist = json.loads(run_cli("watchlist", "history", NAME, "--db", str(db_path), "--json").stdout)
    assert [v["version"] for v in hist["versions"]] == [versions[0], versions[1], versions[0]]


def test_history_unknown_name_and_version(store):
    proc = run_cli("watchlist", "history", "nope", "--db", str(store["db"]), check=False)
    assert proc.returncode == 1 and NAME in proc.stderr
    proc = run_cli("watchlist", "history", NAME, "--diff", "--db", str(store["db"]), check=False)
    assert proc.returncode == 1 and "only one live version" in proc.stderr
    proc = run_cli("watchlist", "history", NAME, "--diff", "ffffff", "000000", "--db", str(store["db"]),
                   check=False)
    assert proc.returncode == 1 and "no stored version 'ffffff'" in proc.stderr


def test_suggest_finds_known_separating_terms(store, tmp_path):
    """Label the whole fixture corpus; the hard negatives are built around food and water
    security, the positives around Moroccan security bodies: suggest must find both."""
    db_path = _copy_db(store["db"], tmp_path / "labelled.db")
    run_cli("review", "mark", *map(str, store["pos"]), "--status", "relevant", "--db", str(db_path))
    run_cli("review", "mark", *map(str, store["neg"]), "--status", "irrelevant", "--db", str(db_path))
    out = json.loads(run_cli("watchlist", "suggest", "--db", str(db_path), "--json", "--top", "40").stdout)
    n_rel, n_irr = out["relevant_stories"], out["irrelevant_stories"]
    assert (n_rel, n_irr) == (len(store["pos"]) + 1, len(store["neg"]) + 2)   # + planted stories
    excl = {s["phrase"]: s for s in out["exclude"]}
    assert "الأمن الغذائي" in excl
    food = excl["الأمن الغذائي"]
    assert food["relevant"] == 0 and food["irrelevant"] >= 3
    assert food["in_watchlist"] == f"{NAME}/not_security"
    add = {s["phrase"]: s for s in out["add"]}
    assert "الأمن الوطني" in add or "المديرية العامة" in add
    # the counts are real: check them against the stored texts
    db = open_db(db_path)
    from filters.clitics import term_matches
    texts = {r[0]: f"{r[1]}\n{r[2]}" for r in db.execute(
        "SELECT a.id, a.title, a.body FROM articles a JOIN reviews r ON r.article_id = a.id"
        " WHERE r.status = 'relevant'")}
    for s in out["add"][:5]:
        assert sum(term_matches(s["phrase"], t) for t in texts.values()) == s["relevant"], s
        assert s["relevant"] / n_rel - s["irrelevant"] / n_irr >= 0.3


def test_suggest_needs_both_labels(tmp_path):
    db_path = tmp_path / "empty.db"
    open_db(db_path)
    proc = run_cli("watchlist", "suggest", "--db", str(db_path), check=False)
    assert proc.returncode == 1 and "need stories marked both relevant and irrelevant" in proc.stderr


def test_tune_view_shows_the_same_backtest(store, candidate, tmp_path):
    cand_dir = tmp_path / "candidates"
    cand_dir.mkdir()
    shutil.copy(candidate, cand_dir / "tuned.yaml")
    (cand_dir / "broken.yaml").write_text("name: x\nthreshold: [\n", encoding="utf-8")
    client = TestClient(create_app(store["db"], candidates_dir=cand_dir), follow_redirects=False,
                        base_url="http://127.0.0.1:8765")
    page = client.get("/tune")
    assert page.status_code == 200
    assert 'value="candidates/tuned.yaml"' in page.text and 'value="live/morocco-security-cooperation.yaml"' in page.text
    page = client.get("/tune", params={"file": "candidates/tuned.yaml"})
    assert page.status_code == 200
    html = page.text
    newly = html.split('class="tune-changes newly"')[1].split("</section>")[0]
    gone = html.split('class="tune-changes no-longer"')[1].split("</section>")[0]
    ids = store["ids"]
    assert f'href="/article/{ids["spiritual_security"]}"' in newly
    assert f'href="/article/{ids["festival_security"]}"' in gone and f'href="/article/{ids["festival_programme"]}"' in gone
    assert newly.count("<tr data-id=") == 1 and gone.count("<tr data-id=") == 2
    cand_row = html.split('class="metrics-candidate"')[1].split("</tr>")[0]
    assert '<td class="num precision">0.750</td>' in cand_row and '<td class="num recall">0.750</td>' in cand_row
    live_row = html.split('class="metrics-live"')[1].split("</tr>")[0]
    assert '<td class="num precision">0.800</td>' in live_row
    # an invalid file shows its problems; a key not in the listing is refused
    broken = client.get("/tune", params={"file": "candidates/broken.yaml"})
    assert broken.status_code == 200 and "broken.yaml:3" in broken.text and "invalid YAML" in broken.text
    for key in ("../../etc/passwd", "candidates/../tuned.yaml", str(candidate)):
        assert client.get("/tune", params={"file": key}).status_code == 404


VALIDATE_CASES = ["bad_syntax", "unknown_group", "empty_term", "regex_term", "duplicates"]


def test_validate_cli_lists_every_problem_with_its_line(candidate):
    from tests.test_filters_watchlist import CASES

    fixtures = HERE / "fixtures" / "watchlists"
    expected = [line for name, lines in CASES if name in VALIDATE_CASES for line in lines]
    expected += [
        "bad_toml.toml:2: invalid TOML: Invalid value; note that watchlists are YAML files (.yaml): "
        "see config/default/watchlists/ for the format",
        "same_name.yaml:1: name: watchlist name 'test-cooperation' is also used by valid.yaml; names must be unique",
    ]
    files = [f"{n}.yaml" for n in VALIDATE_CASES] + ["bad_toml.toml", "valid.yaml", "same_name.yaml"]
    proc = run_cli("watchlist", "validate", *files, cwd=fixtures, check=False)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert [ln for ln in lines if not ln.endswith(": OK")] == expected
    assert "valid.yaml: OK" in lines
    assert "7 of 8 file(s) have problems." in proc.stderr
    ok = run_cli("watchlist", "validate", str(LIVE), str(candidate),
                 check=False)
    assert ok.returncode == 1 and "is also used by" in ok.stdout   # same name twice
    assert run_cli("watchlist", "validate", str(candidate)).stdout.strip().endswith(": OK")
