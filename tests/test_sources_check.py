"""`raqib sources check` against the page-family fixture sites on 127.0.0.1, including
a source whose template changed (still extracted) and then broke (exit 1)."""

from __future__ import annotations

import json

import pytest

from fixturesite.families import FAMILIES
from fixturesite.server import FixtureSite
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def site():
    with FixtureSite(outlets=FAMILIES) as s:
        yield s


@pytest.fixture
def sources_file(site, tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(site.sources_toml(), encoding="utf-8")
    return path


def _reports(proc) -> dict[str, dict]:
    return {d["source"]: d for d in (json.loads(l) for l in proc.stdout.splitlines() if l.strip())}


def test_every_family_source_passes_with_its_extraction_path(site, sources_file, cli_env):
    site.outlets["changed"].broken = False
    proc = run_cli("sources", "check", "--config", str(sources_file), "--sample", "6", "--json", env=cli_env)
    reports = _reports(proc)
    assert set(reports) == set(FAMILIES)
    for name, r in reports.items():
        assert r["pages"] == 6 and r["ok"], r
        assert r["body_share"] == 1.0 and r["title_share"] == 1.0 and r["median_body_words"] > 50, r
    assert reports["nextjs"]["extractors"] == {"app_state": 6}
    assert reports["appstate"]["extractors"] == {"app_state": 6}
    assert reports["table1256"]["extractors"] == {"text_block": 6}
    # the changed source: old and redesigned template both read; the undated datelines page
    # takes the feed's date, as the crawl does
    assert reports["changed"]["date_share"] == 1.0
    assert reports["datelines"]["date_share"] == 1.0 and reports["datelines"]["date_sources"] == {"text": 5, "feed": 1}


def test_a_source_whose_new_template_breaks_extraction_fails_the_check(site, sources_file, cli_env):
    site.outlets["changed"].broken = True      # the newer half becomes an empty client-rendered shell
    try:
        proc = run_cli("sources", "check", "--config", str(sources_file), "--source", "changed", "--sample", "4",
                       check=False, env=cli_env)
    finally:
        site.outlets["changed"].broken = False
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "changed: 4 pages, body 25%" in proc.stdout and "UNDER FLOOR" in proc.stdout
    assert "no_body 3" in proc.stdout


def test_unreachable_source_fails_with_its_problem(tmp_path, cli_env):
    import socket

    with socket.socket() as s:       # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "sources.toml"
    path.write_text(f'[[source]]\nname = "gone"\nhomepage = "http://127.0.0.1:{port}/"\n'
                    f'feeds = ["http://127.0.0.1:{port}/rss.xml"]\n', encoding="utf-8")
    proc = run_cli("sources", "check", "--config", str(path), "--json", check=False, env=cli_env)
    assert proc.returncode == 1
    report = _reports(proc)["gone"]
    assert report["pages"] == 0 and not report["ok"] and "feed http://127.0.0.1" in report["problems"][0]


def test_links_the_crawl_would_refuse_are_refused_here_too(site, tmp_path, cli_env):
    """Same rules as the crawl (raqib.netpolicy): a feed linking a local file gets a
    problem line, never a read of the file."""
    site.add_feed("wordpress", "/evil.xml", [("file:///etc/passwd", "2030-01-01T00:00:00+00:00")])
    path = tmp_path / "sources.toml"
    path.write_text(site.sources_toml(), encoding="utf-8")
    proc = run_cli("sources", "check", "--config", str(path), "--source", "wordpress", "--sample", "3", "--json",
                   env=cli_env)
    report = _reports(proc)["wordpress"]
    assert report["pages"] == 2 and report["ok"]
    assert any("etc/passwd" in p and "never fetched" in p for p in report["problems"]), report["problems"]
    assert "root:" not in proc.stdout
