"""The review page in a real browser (Debian chromium + chromedriver, via selenium).

The app is served by uvicorn in a thread on a free 127.0.0.1 port over a database
built through the real storage API.  The tune view is driven through its form: pick
a candidate watchlist, run the back-test, read the figures.  Checks what only a browser can: the body's
computed direction, highlights in the DOM, the hostile article's scripts not
running, the keyboard shortcuts (JS from /static under the strict CSP) marking a
story through the CSRF-protected form.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

import review_data

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@contextmanager
def serving(app):
    """The app under uvicorn in a thread on a free 127.0.0.1 port; yields the base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:  # readiness poll of a real server: nothing to inject a clock into
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture
def server(tmp_path):
    from review.app import create_app

    path = tmp_path / "browser.db"
    ids = review_data.build(path)
    with serving(create_app(path)) as base:
        yield base, ids, path


@pytest.fixture
def browser(tmp_path):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(f"chromium not installed ({CHROMIUM}, {CHROMEDRIVER}): apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync", "--window-size=1280,1000", "--lang=ar",
                 f"--user-data-dir={tmp_path / 'chrome-profile'}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(tmp_path / "chrome-profile", ignore_errors=True)


def test_review_page_in_chromium(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, ids, path = server
    wait = WebDriverWait(browser, 10)

    # inbox
    browser.get(base + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.item")
    assert len(rows) == 3                      # one row per story (the wakala copy is in the story's)
    assert browser.execute_script("return window.pwned") is None          # hostile title listed, inert
    assert browser.find_elements(By.TAG_NAME, "pwned-marker") == []

    # keyboard: j selects the first row (the newest story), r marks the whole story relevant via the form
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("j")
    current = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr.item.current"))
    assert current[0].get_attribute("data-id") == str(ids["story"])
    body.send_keys("r")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr.item")) == 2)
    assert browser.find_element(By.ID, "count-relevant").text == "1"

    # article: right-to-left Arabic body with the stored highlights
    browser.get(f"{base}/article/{ids['story']}")
    story = browser.find_element(By.ID, "story-body")
    assert browser.execute_script("return getComputedStyle(arguments[0]).direction", story) == "rtl"
    assert story.get_attribute("lang") == "ar"
    marks = story.find_elements(By.CSS_SELECTOR, "mark.hl")
    assert {"التعاون الأمني", "مكافحة الإرهاب"} <= {m.text for m in marks}
    assert story.find_elements(By.CSS_SELECTOR, "mark.hl-entity")
    font = browser.execute_script("return getComputedStyle(arguments[0]).fontFamily", story)
    assert "Naskh" in font
    shot = tmp_path / "review-article.png"
    browser.save_screenshot(str(shot))
    print(f"\nscreenshot: {shot}")

    # mark from the article page with the keyboard: l = later, then it moves on to the next story
    # (in the "all" list: the story was marked relevant above, so it has left the "new" one)
    browser.get(f"{base}/article/{ids['story']}?status=all")
    browser.find_element(By.TAG_NAME, "body").send_keys("l")
    wait.until(lambda d: not d.current_url.startswith(f"{base}/article/{ids['story']}?"))
    browser.get(f"{base}/article/{ids['story']}")
    assert browser.find_element(By.ID, "review-status").text == "لاحقًا"

    # the hostile article: every script, handler and iframe in the scraped text stays text
    browser.get(f"{base}/article/{ids['hostile']}")
    story = browser.find_element(By.ID, "story-body")
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    assert browser.find_elements(By.TAG_NAME, "pwned-marker") == []
    assert story.find_elements(By.CSS_SELECTOR, "img, script, iframe, a") == []
    assert "<script>document.body.appendChild" in story.text
    assert "<script>window.pwned = 1</script>" in browser.find_element(By.ID, "story-title").text
    shot2 = tmp_path / "review-hostile.png"
    browser.save_screenshot(str(shot2))
    print(f"screenshot: {shot2}")


def test_tune_view_in_chromium(browser, tmp_path):
    """Pick a candidate watchlist in the form, run the back-test, read the figures (RTL)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from review.app import create_app
    from storage.db import open_db
    from storage.reviews import mark

    path = tmp_path / "tune.db"
    ids = review_data.build(path)
    mark(open_db(path), [ids["story"]], "relevant")
    candidates = tmp_path / "candidates"
    candidates.mkdir()
    live = Path(__file__).resolve().parent.parent / "config/default/watchlists/morocco-security-cooperation.yaml"
    # a candidate that can never flag anything: the labelled relevant story is lost
    (candidates / "strict.yaml").write_text(live.read_text(encoding="utf-8").replace("threshold: 3", "threshold: 99"),
                                            encoding="utf-8")
    with serving(create_app(path, candidates_dir=candidates)) as base:
        browser.get(base + "/")
        browser.find_element(By.LINK_TEXT, "ضبط القوائم").click()
        Select(browser.find_element(By.NAME, "file")).select_by_value("candidates/strict.yaml")
        browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
        WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr.metrics-candidate"))
        assert browser.execute_script("return getComputedStyle(document.body).direction") == "rtl"
        cand = browser.find_element(By.CSS_SELECTOR, "tr.metrics-candidate")
        live_row = browser.find_element(By.CSS_SELECTOR, "tr.metrics-live")
        assert cand.find_element(By.CSS_SELECTOR, "td.recall").text == "0.000"
        assert live_row.find_element(By.CSS_SELECTOR, "td.recall").text == "1.000"
        gone = browser.find_element(By.CSS_SELECTOR, "section.no-longer")
        assert gone.find_elements(By.CSS_SELECTOR, f'tr[data-id="{ids["story"]}"]')
        shot = tmp_path / "review-tune.png"
        browser.save_screenshot(str(shot))
        print(f"\nscreenshot: {shot}")
