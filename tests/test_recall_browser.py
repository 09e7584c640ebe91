"""Recall pages in headless Chromium: every stored article reachable by search, a
marked miss counted by the back-test, the near-miss queue's order.

The store is tests/recall_data.py (real save_article + real matcher scores with the
tests' own watchlist); the app is served by uvicorn on 127.0.0.1 as in
tests/test_review_browser.py, whose fixtures are reused.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import recall_data
from test_review_browser import browser, serving  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def _shot(driver, tmp_path: Path, name: str) -> None:
    """Screenshots for humans: into $RAQIB_SHOTS when set, else the test's folder."""
    folder = Path(os.environ.get("RAQIB_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(folder / name))
    print(f"screenshot: {folder / name}")


def test_search_mark_miss_backtest_and_queue(browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from review.app import create_app

    path = tmp_path / "recall.db"
    ids = recall_data.build(path)
    candidates = tmp_path / "candidates"
    candidates.mkdir()
    shutil.copy(recall_data.WATCHLISTS / "watchlist.yaml", candidates / "same.yaml")
    app = create_app(path, watchlists_dir=recall_data.WATCHLISTS, gazetteer_path=recall_data.GAZETTEER,
                     candidates_dir=candidates)
    wait = WebDriverWait(browser, 20)

    def navigate(element):
        """Click a link or submit button and wait until the next page has loaded, so the
        next lookups cannot pick up (soon stale) elements of the page being left.

        The old page is told apart by a mark on its window object, which a new document
        does not carry. Waiting for an old element to go stale instead broke under load:
        chromedriver then answers "Node with given id does not belong to the document"
        (a plain WebDriverException, not StaleElementReferenceException)."""
        browser.execute_script("window.__raqibLeaving = true;")
        element.click()

        def arrived(driver):
            try:
                return driver.execute_script(
                    "return window.__raqibLeaving === undefined && document.readyState === 'complete';")
            except WebDriverException:   # the page is being swapped under the script
                return False
        wait.until(arrived)
    with serving(app) as base:
        # the near-miss queue first, while every unflagged story is unreviewed:
        # the planted near-miss (every group, but not within the window) leads
        browser.get(base + "/")
        navigate(browser.find_element(By.LINK_TEXT, "قد تكون فاتت"))
        rows = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.near-misses tr.item"))
        assert rows[0].get_attribute("data-id") == str(ids["near"])
        assert "not together in scope" in rows[0].find_element(By.CSS_SELECTOR, "td.nearest").text
        assert str(ids["flagged"]) not in [r.get_attribute("data-id") for r in rows]
        _shot(browser, tmp_path, "recall-misses.png")

        # search: the hidden story is unflagged; the query is typed without the diacritics
        # and hamza the text carries, the phrase with the article
        navigate(browser.find_element(By.LINK_TEXT, "كل المقالات"))
        box = wait.until(lambda d: d.find_element(By.NAME, "q"))
        box.send_keys('"معلومات دقيقه" المخابرات')
        browser.find_element(By.NAME, "unflagged").click()
        navigate(browser.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]"))
        rows = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.search-results tr.item"))
        assert [r.get_attribute("data-id") for r in rows] == [str(ids["hidden"])]
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
        hits = {m.text for m in rows[0].find_elements(By.CSS_SELECTOR, "mark.hl-search")}
        assert "المخابرات" in hits and "معلوماتٍ دقيقة" in hits, hits
        assert rows[0].find_element(By.CSS_SELECTOR, ".flag-badge.off")
        _shot(browser, tmp_path, "recall-search.png")

        # the inbox's keyboard keys: j selects the row, r marks it relevant → a miss
        body = browser.find_element(By.TAG_NAME, "body")
        body.send_keys("j")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr.item.current"))
        body.send_keys("r")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr.item .st-miss"))
        row = browser.find_element(By.CSS_SELECTOR, "table.search-results tr.item")
        assert row.find_element(By.CSS_SELECTOR, ".status.st-relevant").text == "ذو صلة"

        # the article page says it is a miss
        browser.get(f"{base}/article/{ids['hidden']}")
        assert browser.find_element(By.ID, "miss-box").is_displayed()

        # the back-test counts it as a false negative of the live watchlist
        browser.get(base + "/tune")
        Select(browser.find_element(By.NAME, "file")).select_by_value("candidates/same.yaml")
        navigate(browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
        live = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "tr.metrics-live"))
        cells = [td.text for td in live.find_elements(By.CSS_SELECTOR, "td")]
        assert cells[:4] == ["0", "0", "1", "0"], cells          # tp fp fn tn
        assert live.find_element(By.CSS_SELECTOR, "td.recall").text == "0.000"
        assert "1" in browser.find_element(By.ID, "tune-misses").text
        _shot(browser, tmp_path, "recall-tune.png")

        # a malformed query is a message on the page, not a server error
        browser.get(base + '/articles?q="')
        problem = browser.find_element(By.ID, "query-problem").text
        assert "unbalanced quote" in problem

        # reviewed stories leave the queue; the near-miss still leads
        browser.get(base + "/misses")
        ids_in_queue = [r.get_attribute("data-id") for r in browser.find_elements(By.CSS_SELECTOR, "tr.item")]
        assert str(ids["hidden"]) not in ids_in_queue
        assert ids_in_queue[0] == str(ids["near"])
