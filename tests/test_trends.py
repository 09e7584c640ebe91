"""Trends: storage.stats on a database built through the real storage API, the SVG
charts, the /trends page and CSV, and `raqib stats`."""

from __future__ import annotations

import csv
import io
import json
import re
import warnings

import pytest
from click.testing import CliRunner

from raqib.items import Article, Entity, Flag
from review.charts import bar_chart, heatmap, num
from storage.articles import save_article, set_story
from storage.db import open_db
from storage.flags import save_flags
from storage.review_queries import InboxFilter
from storage.reviews import mark
from storage.stats import trends

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ES = Entity("إسبانيا", "country", "foreign_partner", 0, 3)
FR = Entity("فرنسا", "country", "foreign_partner", 0, 3)
DGST = Entity("المديرية العامة لمراقبة التراب الوطني", "organisation", "moroccan_actor", 0, 3)
HAM = Entity("عبد اللطيف حموشي", "person", "moroccan_actor", 0, 3)
MA = Entity("المغرب", "country", "moroccan_place", 0, 3)     # Morocco itself is not a partner

# (source, published, watchlist, flagged, entities, review, story of)
ROWS = [
    ("akhbar", "2024-06-03T10:00:00+01:00", "ma", True, [ES, ES, DGST, HAM, MA], "relevant", None),
    ("wakala", "2024-06-03T12:00:00+01:00", "ma", True, [ES, DGST], None, 0),   # copy of row 0
    ("bawaba", "2024-06-04", "ma", True, [FR], "irrelevant", None),
    ("bawaba", "2024-06-04", "other", True, [], None, None),
    ("qadim", "2024-06-09", "ma", True, [FR, HAM], "relevant", None),            # a Sunday
    ("qadim", "2024-06-12", "ma", False, [ES], "relevant", None),               # not flagged: not counted
    ("akhbar", "2024-06-19", "ma", True, [ES], "later", None),
]


def build(path) -> list[int]:
    db = open_db(path)
    ids = []
    for i, (source, published, wl, flagged, ents, review, of) in enumerate(ROWS):
        aid, _ = save_article(db, Article(url=f"https://{source}.example/{i}", source=source, title=f"t{i}",
                                          body="نص", published=published, content_hash=str(i)))
        set_story(db, aid, ids[of] if of is not None else aid)
        save_flags(db, aid, [Flag(wl, "v1", 3.0, flagged, [], ents, [])])
        if review:
            mark(db, [aid], review)
        ids.append(aid)
    db.conn.close()
    return ids


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "trends.db"
    build(path)
    return path


def test_weekly_series(db_path):
    s = trends(open_db(db_path), by="week")
    assert s.periods == ["2024-06-03", "2024-06-10", "2024-06-17"]   # ISO weeks by their Monday; Sunday 9th → 3rd
    assert s.flags == [5, 0, 1]
    assert s.stories == [4, 0, 1]                                     # the wakala copy is the akhbar story
    assert s.by_watchlist == {"ma": [4, 0, 1], "other": [1, 0, 0]}
    assert s.by_source == {"akhbar": [1, 0, 1], "bawaba": [2, 0, 0], "qadim": [1, 0, 0], "wakala": [1, 0, 0]}
    assert s.reviewed == [3, 0, 0] and s.relevant == [2, 0, 0]
    assert s.relevant_share == [pytest.approx(2 / 3), None, None]
    # one count per flagged article, however often the name occurs; Morocco is not a partner
    assert s.entities["partner_countries"] == {"إسبانيا": [2, 0, 1], "فرنسا": [2, 0, 0]}
    assert s.entities["agencies"] == {"المديرية العامة لمراقبة التراب الوطني": [2, 0, 0]}
    assert s.entities["people"] == {"عبد اللطيف حموشي": [2, 0, 0]}
    assert s.totals() == {"flags": 6, "stories": 5, "reviewed": 3, "relevant": 2, "relevant_share": 0.667}


def test_daily_series_fill_gaps_and_filters(db_path):
    db = open_db(db_path)
    s = trends(db, by="day")
    assert s.periods[0] == "2024-06-03" and s.periods[-1] == "2024-06-19" and len(s.periods) == 17
    assert s.flags[:2] == [2, 2] and s.flags[6] == 1 and sum(s.flags) == 6
    only = trends(db, InboxFilter(watchlist="ma", source="bawaba"), by="day")
    assert only.periods == ["2024-06-04"] and only.flags == [1]
    dated = trends(db, InboxFilter(date_from="2024-06-05", date_to="2024-06-10"), by="day")
    assert dated.periods == ["2024-06-09"] and dated.flags == [1]
    assert trends(db, InboxFilter(source="nowhere")).periods == []
    with pytest.raises(ValueError, match="expected day or week"):
        trends(db, by="month")


def test_csv_long_format(db_path):
    s = trends(open_db(db_path), by="week")
    rows = list(csv.DictReader(io.StringIO(s.to_csv())))
    assert rows[0] == {"period": "2024-06-03", "metric": "flags", "key": "", "value": "5"}
    got = {(r["period"], r["metric"], r["key"]): r["value"] for r in rows}
    assert got[("2024-06-03", "flags_by_source", "bawaba")] == "2"
    assert got[("2024-06-03", "relevant_share", "")] == "0.667"
    assert got[("2024-06-10", "relevant_share", "")] == ""
    assert got[("2024-06-17", "partner_countries", "إسبانيا")] == "1"


@pytest.mark.parametrize("value, digits, expected", [
    (2024, "arabic", "٢٠٢٤"), (2024, "latin", "2024"), ("2024-06-03", "arabic", "٢٠٢٤-٠٦-٠٣"),
    (0.5, "arabic", "٠٫٥"), ("50%", "arabic", "٥٠٪"), (1.0, "latin", "1"),
], ids=["int", "latin", "date", "decimal", "percent", "float-latin"])
def test_digits(value, digits, expected):
    assert num(value, digits) == expected


def test_bar_chart_runs_right_to_left_and_escapes():
    svg = str(bar_chart(["2024-06-03", "2024-06-10"], {"<b>x</b>": [1, 2]}, label="L", digits="latin"))
    bars = re.findall(r'<rect class="bar" x="([\d.]+)"[^>]*data-period="([\d-]+)"', svg)
    xs = {p: float(x) for x, p in bars}
    assert xs["2024-06-03"] > xs["2024-06-10"]                  # the oldest period is at the right
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
    assert 'direction="rtl"' in svg and "style=" not in svg     # the CSP forbids inline style
    cells = str(heatmap(["a", "b"], {"إسبانيا": [0, 3]}, label="L"))
    assert cells.count('class="cell"') == 1 and "٣" in cells


def test_trends_page_and_csv(db_path):
    from review.app import create_app

    client = TestClient(create_app(db_path), base_url="http://127.0.0.1:8765")
    r = client.get("/trends?by=week")
    assert r.status_code == 200 and '<html lang="ar" dir="rtl">' in r.text
    assert r.text.count("<svg") == 6                              # watchlist, source, share, 3 entity kinds
    assert "٢٠٢٤-٠٦-٠٣" in r.text and "إسبانيا" in r.text         # Arabic-Indic digits by default
    assert 'href="/trends.csv?by=week"' in r.text
    c = client.get("/trends.csv?by=week&source=bawaba")
    assert c.headers["content-type"].startswith("text/csv")
    assert c.text == trends(open_db(db_path), InboxFilter(source="bawaba"), by="week").to_csv()
    latin = TestClient(create_app(db_path, chart_digits="latin"), base_url="http://127.0.0.1:8765").get("/trends").text
    assert "2024-06-03" in latin and "٢٠٢٤-٠٦-٠٣" not in latin
    from raqib.errors import ConfigError
    with pytest.raises(ConfigError, match="chart_digits"):
        create_app(db_path, chart_digits="roman")
    # the same access-token rule as every page
    locked = TestClient(create_app(db_path, access_token="s3cret"), base_url="http://127.0.0.1:8765", follow_redirects=False)
    assert locked.get("/trends").status_code == 401 and locked.get("/trends.csv").status_code == 401
    assert locked.get("/trends", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_stats_cli(db_path):
    from cli.main import _register, cli

    _register()
    run = CliRunner().invoke
    out = run(cli, ["stats", "--db", str(db_path), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["periods"] == ["2024-06-03", "2024-06-10", "2024-06-17"] and data["flags"]["total"] == [5, 0, 1]
    out = run(cli, ["stats", "--db", str(db_path), "--by", "day", "--watchlist", "other", "--csv"])
    assert out.output.splitlines()[:2] == ["period,metric,key,value", "2024-06-04,flags,,1"]
    out = run(cli, ["stats", "--db", str(db_path)])
    assert out.exit_code == 0
    assert "6 flags in 5 stories over 3 weeks" in out.output and "relevant 67%" in out.output
    assert re.search(r"^2024-06-03 +5 +4 +2/3", out.output, re.M) and "2024-06-10" not in out.output
    assert run(cli, ["stats", "--db", str(db_path), "--json", "--csv"]).exit_code == 2
