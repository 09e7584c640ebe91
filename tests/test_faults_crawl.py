"""Fault injection at crawl level (part of issue 7): misbehaving article pages never
crash the crawl, errors are recorded for their source, the rest is stored once."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from fixturesite.server import FixtureSite
from raqib.urls import url_key
from storage.db import open_db
from tests.conftest import run_cli


def _path(url: str) -> str:
    p = urlsplit(url)
    return p.path + (f"?{p.query}" if p.query else "")


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    with FixtureSite() as site:
        arts = {o: site.expected_articles(o) for o in ("akhbar", "bawaba", "wakala", "qadim")}
        plan = {
            "retry_once": (arts["bawaba"][0], "status", {"code": 503, "retry_after": 1, "times": 1}),
            "reset": (arts["bawaba"][1], "reset", {}),
            "gzip_bomb": (arts["wakala"][0], "gzip_bomb", {"size_mb": 50}),
            "redirect_loop": (arts["akhbar"][0], "redirect_loop", {}),
            "no_charset": (arts["qadim"][0], "no_charset", {}),
            "truncate": (arts["akhbar"][1], "truncate", {"fraction": 0.5}),
        }
        for art, mode, params in plan.values():
            for u in {art["url"], art.get("amp_url") or art["url"]}:
                site.set_fault(art["outlet"], _path(u) + "*", mode, **params)
        config = tmp / "sources.toml"
        config.write_text(site.sources_toml(), encoding="utf-8")
        db_path = tmp / "raqib.db"
        proc = run_cli("crawl", "--config", str(config), "--db", str(db_path),
                       env={"RAQIB_HTTP_CACHE_DIR": str(tmp / "cache"), "RAQIB_RETRY_TIMES": "1",
                            "RAQIB_DOWNLOAD_TIMEOUT": "10", "RAQIB_MAX_RESPONSE_BYTES": "5000000"},
                       timeout=240)
        all_expected = site.expected_articles()
    return {"db": open_db(db_path), "plan": plan, "expected": all_expected, "proc": proc}


def stored_keys(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT canonical_url FROM articles")]


def test_no_duplicates_and_unaffected_articles_stored(faulty_crawl):
    keys = stored_keys(faulty_crawl["db"])
    assert len(keys) == len(set(keys))
    broken = {url_key(a["canonical_url"]) for name, (a, _, _) in faulty_crawl["plan"].items()
              if name in ("reset", "gzip_bomb", "redirect_loop")}
    missing = [a["url"] for a in faulty_crawl["expected"]
               if url_key(a["canonical_url"]) not in keys and url_key(a["canonical_url"]) not in broken
               and a not in [p[0] for p in faulty_crawl["plan"].values()]]
    assert not missing, missing


@pytest.mark.parametrize("case", ["retry_once", "no_charset"])
def test_recoverable_faults_still_store_the_article(faulty_crawl, case):
    art = faulty_crawl["plan"][case][0]
    row = faulty_crawl["db"].execute("SELECT body FROM articles WHERE canonical_url = ?",
                                     [url_key(art["canonical_url"])]).fetchone()
    assert row, f"{case}: article not stored"
    assert "ال" in row[0], f"{case}: body is not Arabic text"


@pytest.mark.parametrize("case", ["reset", "gzip_bomb", "redirect_loop"])
def test_unrecoverable_faults_recorded_for_their_source(faulty_crawl, case):
    art = faulty_crawl["plan"][case][0]
    db = faulty_crawl["db"]
    assert not db.execute("SELECT 1 FROM articles WHERE canonical_url = ?",
                          [url_key(art["canonical_url"])]).fetchone()
    run = db.execute("SELECT errors FROM runs WHERE source = ?", [art["outlet"]]).fetchone()
    errors = json.loads(run[0])
    assert errors, f"{case}: no error recorded for {art['outlet']}"


def test_every_source_finished(faulty_crawl):
    statuses = dict(faulty_crawl["db"].execute("SELECT source, status FROM runs").fetchall())
    assert set(statuses) == {"akhbar", "bawaba", "wakala", "qadim"}
    assert "running" not in statuses.values()
