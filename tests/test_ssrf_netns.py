"""Issue 16 item 2, end to end: a hostile loopback feed cannot make the crawler reach
the metadata address or an intranet host — directly, by DNS name, by odd address
spellings, or through redirects — while an intranet source still reaches its own
network but not the metadata address.

The servers and the crawl run inside a private network namespace made by this test
(tests/ssrf_scenario.py): 169.254.169.254 and 10.255.0.1 exist only on that
namespace's ``lo``, so even the crawler of today's code, which does send those
requests, reaches nothing outside it.  The address policy itself is tested as a
table in tests/test_netpolicy.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from storage.db import open_db
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    not (shutil.which("unshare") and shutil.which("ip")),
    reason="needs `unshare` (util-linux) and `ip` (iproute2) to make a private network namespace; "
           ".ci/run installs them")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("ssrf")
    proc = subprocess.run(["unshare", "--net", "--mount", "--map-root-user", sys.executable, "-m",
                           "tests.ssrf_scenario", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0 and (out / "result.json").exists(), \
        f"scenario in the private namespace failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    result["db"] = open_db(out / "raqib.db")
    return result


def _run(db, source: str) -> tuple[str, list[dict]]:
    status, errors = db.execute("SELECT status, errors FROM runs WHERE source = ?", [source]).fetchone()
    return status, json.loads(errors)


def test_metadata_address_never_reached(scenario):
    assert scenario["metadata_requests"] == [], scenario["crawl"]["stderr"][-3000:]


def test_private_host_reached_only_by_its_intranet_source(scenario):
    # /news/3 is also what `raqib check` was given by hand.
    assert set(scenario["intranet_requests"]) <= {"/robots.txt", "/feed.xml", "/news/3"}, \
        scenario["intranet_requests"]


def test_loopback_articles_stored(scenario):
    urls = {r[0] for r in scenario["db"].execute("SELECT url FROM articles")}
    assert set(scenario["good"].values()) <= urls, scenario["crawl"]["stderr"][-3000:]
    assert "http://10.255.0.1/news/3" in urls, "the intranet source must still reach its own host"
    assert not [u for u in urls if "169.254" in u or "metadata" in u or "2852039166" in u
                or u.startswith("http://10.255.0.1/") and not u.endswith("/news/3")], urls


@pytest.mark.parametrize("case,kind", [
    ("direct", "link-local"), ("private", "private"), ("dns_name", "link-local"), ("decimal", "link-local"),
    ("mapped_v6", "link-local"), ("redirect", "link-local"), ("redirect_private", "private"),
    ("sitemap", "link-local"),
])
def test_refusal_recorded_with_url_and_reason(scenario, case, kind):
    _, errors = _run(scenario["db"], "loopback")
    url = scenario["bad"][case]
    mine = [e for e in errors if e.get("url") == url]
    assert mine, f"{case}: nothing recorded for {url}; errors: {errors}"
    assert f"is a {kind} address" in mine[0]["error"], mine[0]


def test_redirected_entry_point_refused_run_goes_on(scenario):
    status, errors = _run(scenario["db"], "loopback")
    entry = [e for e in errors if e.get("kind") == "feed" and e.get("url") == "http://169.254.169.254/feed.xml"]
    assert entry and "link-local" in entry[0]["error"], errors
    assert status == "partial"       # one feed refused; the other feed and the sitemap were read


def test_intranet_source_refused_metadata(scenario):
    status, errors = _run(scenario["db"], "intranet")
    assert status == "ok"
    assert [e["url"] for e in errors] == ["http://169.254.169.254/from-intranet"], errors
    assert "is a link-local address" in errors[0]["error"]


def test_check_refuses_redirect_to_metadata_but_reads_typed_url(scenario):
    redirected, typed = scenario["check"]
    assert redirected["error_type"] == "refused", redirected
    assert "169.254.169.254" in redirected["error"] and "link-local" in redirected["error"]
    assert "error" not in typed and typed["body"], typed
