"""Fault injection at crawl level (part of issue 7): misbehaving sites never crash the
crawl, errors are recorded for their source, the other sources complete, and every
article is stored once — none lost, none duplicated.

Elsewhere: a broken or failing feed on its own (test_crawl_e2e.py), update in place at
storage level (test_storage.py), a hanging source cut by the crawl timeout
(test_daemon.py)."""

from __future__ import annotations

import json
import re
import resource
from urllib.parse import urlsplit

import pytest

from fixturesite.server import FixtureSite
from raqib.urls import url_key
from storage.articles import changes, get_article
from storage.db import open_db
from storage.reviews import get_review, mark
from tests.conftest import crawl_site


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
        db_path, proc = crawl_site(tmp, site.sources_toml(), timeout=240,
                                   env={"RAQIB_RETRY_TIMES": "1", "RAQIB_DOWNLOAD_TIMEOUT": "10",
                                        "RAQIB_MAX_RESPONSE_BYTES": "5000000"})
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


# -- timeouts, size limit, broken feed, big sitemap index, URL forms, updates --------------
#
# Two crawls of one site into one database.  Crawl 1 meets the faults below; between
# the crawls an analyst reviews a story, its outlet rewrites it and the faults are
# gone; crawl 2 must update that story in place and pick up what crawl 1 could not
# fetch, while re-downloading nothing else.

FRENCH = [
    "Le Maroc et l'Espagne ont convenu de renforcer leur coopération sécuritaire en vue de la "
    "Coupe du monde 2030, lors d'une réunion tenue à Rabat entre les responsables des deux pays.",
    "Les deux parties ont examiné les moyens d'intensifier l'échange d'informations, la lutte contre "
    "le terrorisme et la criminalité organisée, ainsi que la formation des agents de sécurité.",
    "Cette rencontre s'inscrit dans le cadre du partenariat stratégique qui lie les deux royaumes et "
    "de la préparation conjointe des grands événements sportifs que les deux pays accueilleront.",
]
UPDATED = [
    "تحديث: أعلنت السلطات المغربية والإسبانية عن توقيع اتفاق جديد لتبادل المعلومات الأمنية "
    "وتنسيق عمليات مكافحة الإرهاب والجريمة المنظمة العابرة للحدود بين البلدين. " * 2,
    "وأوضح بلاغ مشترك أن الاتفاق يشمل تكوين عناصر الأمن وتنظيم تمارين مشتركة استعدادا "
    "لتأمين التظاهرات الرياضية الكبرى التي سيحتضنها البلدان خلال السنوات المقبلة. " * 2,
]
TIMEOUT = 3     # RAQIB_DOWNLOAD_TIMEOUT for these crawls: a hang costs 2 × TIMEOUT (one retry)


def _glob(url: str) -> str:
    """The exact path (and query) of `url` as a fault glob: ? * [ match themselves."""
    return re.sub(r"([*?\[])", r"[\1]", _path(url))


def _article_fetches(log: list[dict], site: FixtureSite) -> dict[str, int]:
    """Successful (200) downloads per article URL key, whatever URL form was asked for."""
    keys = {url_key(a["url"]) for a in site.expected_articles()}
    out: dict[str, int] = {}
    for r in log:
        key = url_key(site.base_url(r["outlet"]) + r["path"])
        if key in keys and r["status"] == 200 and r["method"] == "GET":
            out[key] = out.get(key, 0) + 1
    return out


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults2")
    with FixtureSite() as site:
        arts = {o: site.expected_articles(o) for o in ("akhbar", "bawaba", "wakala", "qadim")}
        faults = {
            "hang": (arts["akhbar"][2], "hang", {}),
            "drip_cut": (arts["qadim"][2], "drip", {"chunk": 64, "interval": 0.5}),   # minutes to finish
            "drip_ok": (arts["bawaba"][2], "drip", {"chunk": 8192, "interval": 0.2}),  # about a second
            "huge": (arts["wakala"][2], "huge", {"size_mb": 20}),
        }
        for art, mode, params in faults.values():
            for u in {art["url"], art.get("amp_url") or art["url"]}:
                site.set_fault(art["outlet"], _glob(u), mode, **params)
        site.set_fault("bawaba", "/rss.xml", "broken_xml")
        # a dispatch whose AMP copy is gone (404); its sitemap names it by that URL only, and
        # the pages naming its canonical URL are served only once the AMP copy was asked for
        # (an event, not a one-second head start a busy machine can eat): the 404 must not lose it
        amp_gone = arts["wakala"][16]
        site.set_fault("wakala", _glob(amp_gone["amp_url"]), "status", code=404)
        for later in ("/ar/latest", "/bulk/sitemap-1.xml"):
            site.set_fault("wakala", later, "delay", after=urlsplit(amp_gone["amp_url"]).path, seconds=60)
        french = site.add_article("akhbar", "Le Maroc et l'Espagne renforcent leur coopération sécuritaire",
                                  FRENCH, "2026-11-20T10:00:00+00:00")
        site.add_bulk_sitemaps("wakala", total=50_000, per_sitemap=10_000)
        # akhbar's stories also linked as partners do: tracking parameters, no trailing slash,
        # and for some an AMP URL akhbar does not serve (404: another form must be fetched)
        forms = {a["url"]: [a["url"] + "?utm_source=facebook&utm_medium=social&fbclid=x1", a["url"].rstrip("/")]
                 + ([a["url"] + "amp/"] if 5 <= i < 10 else []) for i, a in enumerate(arts["akhbar"])}
        partner_links = [(f, a["published"]) for a in arts["akhbar"] for f in forms[a["url"]]]
        site.add_feed("akhbar", "/partners.xml", partner_links)
        env = {"RAQIB_RETRY_TIMES": "1",
               "RAQIB_DOWNLOAD_TIMEOUT": str(TIMEOUT)}   # max_response_bytes: the default 10 MiB

        db_path, _ = crawl_site(tmp, site.sources_toml(), env=env, timeout=120)
        first_log = site.request_log
        peak_rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss   # an upper bound
        db = open_db(db_path)
        first_runs = {r["source"]: r for r in db.query("SELECT * FROM runs")}

        # between the crawls: a review, an edit by the outlet, faults gone, mobile links
        target = arts["wakala"][-1]          # oldest dispatch: listed by the sitemaps only
        before = get_article(db, target["url"])
        mark(db, [before["id"]], "relevant", note="تعاون أمني مغربي إسباني")
        site.update_article(target["url"], UPDATED)
        site.clear_faults()
        site.clear_log()
        broken = {url_key(a["url"]) for a, _, _ in faults.values()} - {url_key(faults["drip_ok"][0]["url"])}
        mobile = [(a["url"].replace("://127.0.0.1", "://m.127.0.0.1"), a["published"]) for a in arts["akhbar"]
                  if url_key(a["url"]) not in broken]
        site.add_feed("akhbar", "/partners.xml", partner_links + mobile)
        crawl_site(tmp, env=env, timeout=120)      # the same sources.toml, database and cache
        second_log = site.request_log
        expected = site.expected_articles()
    return {"db": db, "site": site, "faults": faults, "french": french, "forms": forms,
           "target": target, "before": before, "expected": expected, "first_log": first_log,
           "second_log": second_log, "first_runs": first_runs,
           "peak_rss_kib": peak_rss_kib, "broken": broken, "amp_gone": amp_gone, "mobile": [u for u, _ in mobile],
           "second_runs": {r["source"]: r for r in db.query(
               "SELECT * FROM runs WHERE id > ?", [max(r["id"] for r in first_runs.values())])}}


def _errors(run: dict) -> list[dict]:
    return json.loads(run["errors"])


@pytest.mark.parametrize("case, message, tries", [
    ("hang", "TimeoutError", 2),          # never answers: cut by download_timeout, retried once
    ("drip_cut", "TimeoutError", 2),      # drips for minutes: the same timeout cuts it
    ("huge", "max size", 1),              # 20 MiB announced: cancelled by max_response_bytes
], ids=["hang", "slow-drip", "20MB-page"])
def test_first_crawl_records_the_error_and_stores_nothing(two_crawls, case, message, tries):
    art, mode, _ = two_crawls["faults"][case]
    errors = [e for e in _errors(two_crawls["first_runs"][art["outlet"]])
              if url_key(e["url"]) == url_key(art["url"])]
    assert errors and all(message in e["error"] for e in errors), errors
    assert two_crawls["first_runs"][art["outlet"]]["status"] in ("ok", "partial")
    assert len([r for r in two_crawls["first_log"] if r["fault"] == mode and r["outlet"] == art["outlet"]
                and url_key(two_crawls["site"].base_url(art["outlet"]) + r["path"]) == url_key(art["url"])]) == tries
    # nothing half-downloaded was stored: the next crawl (faults gone) fetched and stored it
    row = two_crawls["db"].execute("SELECT revision FROM articles WHERE canonical_url = ?",
                                   [url_key(art["canonical_url"])]).fetchone()
    assert row == (1,)
    assert url_key(art["url"]) in _article_fetches(two_crawls["second_log"], two_crawls["site"])


def test_slow_drip_within_the_timeout_is_stored(two_crawls):
    art = two_crawls["faults"]["drip_ok"][0]
    assert _article_fetches(two_crawls["first_log"], two_crawls["site"]).get(url_key(art["url"])) == 1
    assert not [e for e in _errors(two_crawls["first_runs"]["bawaba"]) if "news" in e["url"]]
    assert get_article(two_crawls["db"], art["url"])["revision"] == 1


def test_broken_url_form_does_not_lose_the_article(two_crawls):
    art, site = two_crawls["amp_gone"], two_crawls["site"]
    errors = _errors(two_crawls["first_runs"]["wakala"])
    assert {"url": art["amp_url"], "error": "HTTP 404"} in errors, errors
    assert any(r["path"] == _path(art["amp_url"]) and r["status"] == 404 for r in two_crawls["first_log"])
    assert _article_fetches(two_crawls["first_log"], site).get(url_key(art["url"])) == 1
    assert get_article(two_crawls["db"], art["url"])["url"] == art["url"]


def test_huge_page_was_not_downloaded_whole(two_crawls):
    art = two_crawls["faults"]["huge"][0]
    sent = sum(r["bytes"] for r in two_crawls["first_log"] if r["fault"] == "huge")
    assert sent < 20 * 1024 * 1024, f"{sent} bytes of the 20 MiB page were sent"


def test_broken_feed_recorded_other_entry_points_store_its_articles(two_crawls):
    run = two_crawls["first_runs"]["bawaba"]
    feed_errors = [e for e in _errors(run) if e.get("kind") == "feed"]
    assert feed_errors and "unreadable feed" in feed_errors[0]["error"], _errors(run)
    assert run["status"] == "partial"
    keys = set(stored_keys(two_crawls["db"]))
    missing = [a["url"] for a in two_crawls["expected"] if a["outlet"] == "bawaba"
               and url_key(a["canonical_url"]) not in keys]
    assert not missing, "the sitemap and listing should have found these"


def test_sitemap_index_with_50000_urls_fetches_only_fresh_ones(two_crawls):
    """The index (no <lastmod>, like WordPress core's) names 5 sitemaps of 10,000 URLs:
    each is downloaded once and read whole, but only entries inside the freshness window
    (the outlet's real stories) are requested; the 49,982 archive URLs are counted as
    stale.  Undated entries would count as fresh (see `is_fresh`)."""
    log, site = two_crawls["first_log"], two_crawls["site"]
    paths = [r["path"] for r in log if r["outlet"] == "wakala"]
    assert sorted(p for p in paths if p.startswith("/bulk/sitemap-")) == \
        ["/bulk/sitemap-1.xml", "/bulk/sitemap-2.xml", "/bulk/sitemap-3.xml", "/bulk/sitemap-4.xml",
         "/bulk/sitemap-5.xml", "/bulk/sitemap-index.xml"]
    assert not [p for p in paths if p.startswith("/bulk/archive/")], "archive (stale) URLs were requested"
    run = two_crawls["first_runs"]["wakala"]
    real = len(site.expected_articles("wakala"))
    assert json.loads(run["skipped"]).get("stale_sitemap_entry") == 50_000 - real
    assert not [e for e in _errors(run) if e.get("kind")], _errors(run)
    assert two_crawls["peak_rss_kib"] < 1024 * 1024, "a crawl process went over 1 GiB"
    # second crawl: revalidated with conditional GET; only sitemap 1 (it lists the edited
    # story with a new lastmod) comes back whole
    bulk = {r["path"]: r["status"] for r in two_crawls["second_log"] if r["path"].startswith("/bulk/")}
    assert bulk == {"/bulk/sitemap-index.xml": 304, "/bulk/sitemap-1.xml": 200, "/bulk/sitemap-2.xml": 304,
                    "/bulk/sitemap-3.xml": 304, "/bulk/sitemap-4.xml": 304, "/bulk/sitemap-5.xml": 304}


def test_non_arabic_page_skipped_with_reason(two_crawls):
    db = two_crawls["db"]
    row = db.execute("SELECT reason, detail FROM skipped WHERE url = ?", [url_key(two_crawls["french"])]).fetchone()
    assert row and row[0] == "not_arabic", row
    assert get_article(db, two_crawls["french"]) is None
    assert json.loads(two_crawls["first_runs"]["akhbar"]["skipped"]).get("not_arabic", 0) >= 1
    # not fetched again by the next crawl
    assert url_key(two_crawls["french"]) not in {
        url_key(two_crawls["site"].base_url(r["outlet"]) + r["path"]) for r in two_crawls["second_log"]}


def test_one_article_under_several_urls_is_fetched_and_stored_once(two_crawls):
    db, site = two_crawls["db"], two_crawls["site"]
    fetched = _article_fetches(two_crawls["first_log"] + two_crawls["second_log"], site)
    again = two_crawls["broken"] | {url_key(two_crawls["target"]["url"])}   # meant to be fetched again
    twice = {k: n for k, n in fetched.items() if n > 1 and k not in again}
    assert not twice, f"downloaded more than once: {twice}"
    keys = stored_keys(db)
    assert len(keys) == len(set(keys))
    cases = [(url, form) for url, fs in two_crawls["forms"].items() for form in fs]        # utm, no slash
    cases += [(a["url"], a["amp_url"]) for a in two_crawls["expected"] if a.get("amp_url")]  # AMP
    cases += [(u.replace("://m.", "://"), u) for u in two_crawls["mobile"]]                  # mobile host
    for url, form in cases:
        article = get_article(db, form)
        assert article and article["id"] == get_article(db, url)["id"], form
    # mobile-host links were known aliases: dropped before any request (they cannot even resolve)
    assert not [e for r in two_crawls["second_runs"].values() for e in _errors(r) if "m.127" in e["url"]]


def test_updated_article_changed_in_place_review_kept(two_crawls):
    db, before = two_crawls["db"], two_crawls["before"]
    after = get_article(db, two_crawls["target"]["url"])
    assert after["id"] == before["id"] and after["revision"] == 2
    assert "اتفاق جديد لتبادل المعلومات" in after["body"] and after["body"] != before["body"]
    assert get_review(db, after["id"])["status"] == "relevant"
    assert get_review(db, after["id"])["note"] == "تعاون أمني مغربي إسباني"
    history = changes(db, after["id"])
    assert len(history) == 1 and history[0]["old_body"] == before["body"]
    assert two_crawls["second_runs"]["wakala"]["updated_articles"] == 1


def test_second_crawl_fetches_only_the_changed_and_the_missing(two_crawls):
    fetched = set(_article_fetches(two_crawls["second_log"], two_crawls["site"]))
    assert fetched == two_crawls["broken"] | {url_key(two_crawls["target"]["url"])}
    for name, run in two_crawls["second_runs"].items():
        assert run["status"] == "ok" and not _errors(run), (name, _errors(run))


def test_after_both_crawls_every_article_stored_once(two_crawls):
    keys = stored_keys(two_crawls["db"])
    assert len(keys) == len(set(keys))
    expected = {url_key(a["canonical_url"]) for a in two_crawls["expected"]} - {url_key(two_crawls["french"])}
    assert set(keys) == expected
