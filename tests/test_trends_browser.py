"""The trends page in headless Chromium on a database made by `raqib demo` (the fixture
sites with their wire copies), after reviewing a few stories: the SVG charts render
right to left with Arabic-Indic digits and carry the stored figures; the CSV link
downloads the same figures.  Set RAQIB_SHOTS=DIR to keep the screenshot there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from storage.db import open_db
from storage.review_queries import InboxFilter
from storage.reviews import mark
from storage.stats import trends
from storage.stories import story_article_ids, story_page
from test_review_browser import browser, serving  # noqa: F401  (the chromium fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    path = tmp / "demo.db"
    run_cli("demo", "--db", str(path), env={"RAQIB_HTTP_CACHE_DIR": str(tmp / "cache")}, timeout=300)
    db = open_db(path)
    stories = story_page(db, InboxFilter(), limit=12)
    for i, s in enumerate(stories):       # an analyst's first pass: most relevant, some not
        mark(db, story_article_ids(db, [s["story_id"]]), "irrelevant" if i % 4 == 3 else "relevant")
    db.conn.close()
    return path


def test_trends_page_in_chromium(demo_db, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By

    from review.app import create_app

    stats = trends(open_db(demo_db), by="week")
    assert stats.totals()["flags"] > 30 and stats.totals()["reviewed"] > 0
    with serving(create_app(demo_db)) as base:
        browser.get(base + "/trends?by=week")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
        svgs = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
        assert len(svgs) == 6
        # every non-zero (period, source) figure is one bar, with the stored value
        bars = browser.find_elements(By.CSS_SELECTOR, "#chart-source rect.bar")
        expected = {(p, s, v) for s, vals in stats.by_source.items() for p, v in zip(stats.periods, vals) if v}
        assert {(b.get_attribute("data-period"), b.get_attribute("data-series"), int(b.get_attribute("data-value")))
                for b in bars} == expected
        # right to left: the oldest week is drawn right of the newest
        first = [b for b in bars if b.get_attribute("data-period") == stats.periods[0]][0]
        last = [b for b in bars if b.get_attribute("data-period") == stats.periods[-1]][0]
        assert first.rect["x"] > last.rect["x"]
        labels = browser.find_elements(By.CSS_SELECTOR, "#chart-source text.xlabel")
        assert labels and all(set(t.text) <= set("٠١٢٣٤٥٦٧٨٩-") for t in labels)   # Arabic-Indic digits
        ylabel = browser.find_element(By.CSS_SELECTOR, "#chart-source text.ylabel")
        assert browser.execute_script("return getComputedStyle(arguments[0]).direction", ylabel) == "rtl"
        dots = browser.find_elements(By.CSS_SELECTOR, "#chart-share circle.dot")
        assert len(dots) == sum(1 for n in stats.reviewed if n)
        rows = browser.find_elements(By.CSS_SELECTOR, "#chart-partner_countries text.rowlabel")
        assert [r.text.split(" (")[0] for r in rows] == list(stats.entities["partner_countries"])
        assert browser.execute_script("return document.querySelectorAll('script:not([src])').length") == 0
        shot = tmp_path / "trends.png"
        browser.set_window_size(1280, 2400)
        browser.save_screenshot(str(shot))
        if os.environ.get("RAQIB_SHOTS"):
            Path(os.environ["RAQIB_SHOTS"]).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, Path(os.environ["RAQIB_SHOTS"]) / "trends.png")
        print(f"\nscreenshot: {shot}")
        csv_href = browser.find_element(By.ID, "csv").get_attribute("href")
        assert csv_href == base + "/trends.csv?by=week"
