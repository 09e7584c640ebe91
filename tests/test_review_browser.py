"""The review page in a real browser (Debian chromium + chromedriver, via selenium).

The app is served by uvicorn in a thread on a free 127.0.0.1 port over a database
built through the real storage API.  Checks what only a browser can: the body's
computed direction, highlights in the DOM, the hostile article's scripts not
running, the keyboard shortcuts (JS from /static under the strict CSP) marking a
story through the CSRF-protected form.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

import review_data

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def server(tmp_path):
    import uvicorn

    from review.app import create_app

    path = tmp_path / "browser.db"
    ids = review_data.build(path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(path), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:  # readiness poll of a real server: nothing to inject a clock into
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", ids, path
    srv.should_exit = True
    thread.join(10)


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
    assert len(rows) == 4
    assert browser.execute_script("return window.pwned") is None          # hostile title listed, inert
    assert browser.find_elements(By.TAG_NAME, "pwned-marker") == []

    # keyboard: j selects the first row (the newest: the wakala copy), r marks it relevant via the form
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("j")
    current = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr.item.current"))
    assert current[0].get_attribute("data-id") == str(ids["copy"])
    body.send_keys("r")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr.item")) == 3)
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
    browser.find_element(By.TAG_NAME, "body").send_keys("l")
    wait.until(lambda d: d.current_url != f"{base}/article/{ids['story']}")
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
