"""The review page in real headless Chromium: sign in, accept with the `a` key, correct with the select, export."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[dev])")

import pandas as pd  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from pitfall.deploy.store import Store  # noqa: E402
from pitfall.serve.app import create_app  # noqa: E402
from tests.serve._review import POLICY, Server, counts_in, fit_model, seed_queue  # noqa: E402

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture
def artifacts(tmp_path):
    root = os.environ.get("PITFALL_TEST_ARTIFACTS")
    path = Path(root) / "review_browser" if root else tmp_path / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (Path(p).exists() and shutil.which(p))]
    if missing:
        pytest.skip(f"headless browser test needs {' and '.join(missing)} (Debian: apt-get install chromium "
                    "chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


def test_review_in_a_browser(tmp_path, browser, artifacts):
    store = Store(f"sqlite:///{tmp_path / 'serve.db'}")
    try:
        app = create_app(store, fit_model(), POLICY, "v1")
        ids = seed_queue(store)
        token = store.add_user("alice")
        with Server(app) as server:
            _drive(browser, server.url, token, ids, artifacts)
            with httpx.Client(base_url=server.url, timeout=30) as client:
                assert client.get("/export").status_code == 401
                r = client.get("/export", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        exported = pd.read_csv(io.StringIO(r.text))
        assert sorted(zip(exported["note"], exported["label"], strict=True)) == [("<script>alert(1)</script>", "dog"),
                                                                                 ("third", "dog")]
        assert [(v.reviewer, v.action) for i in ids[1:3] for v in store.reviews_of(i)] == [
            ("alice", "accept"), ("alice", "correct")]
    finally:
        store.close()


def _drive(driver, url, token, ids, shots):
    wait = WebDriverWait(driver, 10)
    driver.get(f"{url}/review")
    wait.until(lambda d: d.current_url.endswith("/review/login"))
    driver.find_element(By.NAME, "token").send_keys(token)
    driver.save_screenshot(str(shots / "01-login.png"))
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(lambda d: d.current_url.endswith("/review") and d.find_elements(By.ID, "pending"))
    assert token not in driver.page_source
    assert counts_in(driver.page_source) == (3, 0)
    first = driver.find_element(By.CSS_SELECTOR, ".item")
    assert first.get_attribute("data-item") == ids[1]  # least confident first
    assert "<script>alert(1)</script>" in first.text  # shown as text; had it run, the alert would fail the next step
    driver.save_screenshot(str(shots / "02-queue.png"))

    driver.find_element(By.TAG_NAME, "body").send_keys("a")  # accept the first item by keyboard
    wait.until(lambda d: counts_in(d.page_source) == (2, 1))
    assert driver.find_element(By.CSS_SELECTOR, ".item").get_attribute("data-item") == ids[2]
    driver.save_screenshot(str(shots / "03-accepted.png"))

    driver.find_element(By.TAG_NAME, "body").send_keys("c")  # `c` focuses the first item's label select
    select = driver.find_element(By.CSS_SELECTOR, ".item select[name=label]")
    assert driver.switch_to.active_element == select
    Select(select).select_by_value("dog")
    select.find_element(By.XPATH, "./following-sibling::button").click()
    wait.until(lambda d: counts_in(d.page_source) == (1, 2))
    assert driver.find_element(By.CSS_SELECTOR, ".item").get_attribute("data-item") == ids[0]
    driver.save_screenshot(str(shots / "04-corrected.png"))
