"""The review page in real headless Chromium: each action by keyboard, filters, batch accept, undo, history,
axe-core accessibility checks, at 1280x800 and on a tablet. Screenshots go to test-artifacts/review/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[dev])")

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from pitfall.serve.app import create_app  # noqa: E402
from tests.serve._review import Server, counts_in  # noqa: E402
from tests.serve.pages._catalogue import POLICY, fit_text_model, new_records  # noqa: E402

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def shots(request):
    base = Path(os.environ.get("PITFALL_TEST_ARTIFACTS") or ROOT / "test-artifacts")
    path = base / "review" / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (Path(p).exists() and shutil.which(p))]
    if missing:
        pytest.skip(
            f"headless browser test needs {' and '.join(missing)} (Debian: apt-get install chromium chromium-driver)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,800",
        "--hide-scrollbars",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


@pytest.fixture
def served(store):
    app = create_app(store, fit_text_model(), POLICY, "v1")
    token = store.add_user("alice")
    with Server(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        items = client.post("/predict", json={"records": new_records(), "batch_id": "b1"}).json()["items"]
        yield server.url, token, items


def _axe(driver, where: str) -> None:
    """axe-core (bundled with axe-selenium-python, no network) finds no serious or critical violation."""
    axe_mod = pytest.importorskip("axe_selenium_python")
    axe = axe_mod.Axe(driver)
    axe.inject()
    results = axe.run()
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{where}: {bad}"


def _wait(driver) -> WebDriverWait:
    # a condition may read an element of the page the browser is leaving: look again, not fail
    return WebDriverWait(driver, 30, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


def _key(driver, key: str) -> None:
    driver.find_element(By.TAG_NAME, "body").send_keys(key)


def _current(driver) -> str:
    return driver.find_element(By.ID, "current").get_attribute("data-current")


def _signed_in(driver, url, token, wait, check: bool = False):
    driver.get(f"{url}/review")
    wait.until(lambda d: d.current_url.endswith("/review/login"))
    if check:
        _axe(driver, "sign-in page")
    driver.find_element(By.ID, "token").send_keys(token + Keys.ENTER)
    wait.until(lambda d: d.find_elements(By.ID, "pending"))


def test_each_action_by_keyboard(browser, served, store, shots):
    url, token, items = served
    queued = [i for i in items if i["decision"] != "auto"]
    wait = _wait(browser)
    _signed_in(browser, url, token, wait, check=True)
    assert token not in browser.page_source
    pending, reviewed = counts_in(browser.page_source)
    assert (pending, reviewed) == (len(queued), 0)
    # the thing itself: the title with the words that drove the prediction marked, next-best labels, the fields
    marks = browser.find_elements(By.CSS_SELECTOR, "#current blockquote.text mark")
    assert marks and all(m.get_attribute("title").startswith("without this word") for m in marks)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#current .next-best .chip")) == 2
    assert "year" in browser.find_element(By.CSS_SELECTOR, "#current table.fields").text
    first = _current(browser)
    least = min(queued, key=lambda i: i["confidence"])
    assert first == least["item_id"]  # least confident first
    browser.save_screenshot(str(shots / "01-queue-1280x800.png"))
    _axe(browser, "queue at 1280x800")

    _key(browser, "a")  # accept
    wait.until(lambda d: counts_in(d.page_source) == (pending - 1, 1))
    assert "Accepted." in browser.find_element(By.ID, "notice").text
    assert [(r.reviewer, r.action) for r in store.reviews_of(first)] == [("alice", "accept")]
    browser.save_screenshot(str(shots / "02-accepted.png"))

    _key(browser, "u")  # undo: the item is back, first again
    wait.until(lambda d: counts_in(d.page_source) == (pending, 0))
    assert _current(browser) == first and store.reviews_of(first) == []
    assert "undone" in browser.find_element(By.CSS_SELECTOR, ".history").text

    _key(browser, "c")  # correct: type-ahead over the labels, Enter completes a unique prefix
    field = browser.find_element(By.ID, "correct-label")
    assert browser.switch_to.active_element == field
    field.send_keys("lett" + Keys.ENTER)
    wait.until(lambda d: counts_in(d.page_source) == (pending - 1, 1))
    assert [(r.action, r.label) for r in store.reviews_of(first)] == [("correct", "letter")]

    second = _current(browser)
    _key(browser, "s")  # skip: stays pending for others, leaves my view
    wait.until(lambda d: d.find_elements(By.ID, "notice") and "Skipped" in d.find_element(By.ID, "notice").text)
    assert counts_in(browser.page_source) == (pending - 1, 1) and _current(browser) != second
    third = _current(browser)
    _key(browser, "f")  # flag: set aside for a second look
    wait.until(lambda d: d.find_element(By.ID, "flagged").text == "1")
    assert _current(browser) != third
    browser.save_screenshot(str(shots / "03-flagged.png"))

    _key(browser, "j")  # next item in the list
    wait.until(lambda d: "item=" in d.current_url)
    history = browser.find_element(By.CSS_SELECTOR, ".history").text
    for action in ("flag", "skip", "correct", "accept"):
        assert action in history
    Select(browser.find_element(By.ID, "f-sample")).select_by_value("flagged")
    browser.find_element(By.CSS_SELECTOR, ".filters button[type=submit]").click()
    wait.until(lambda d: "sample=flagged" in d.current_url)
    assert _current(browser) == third and browser.find_element(By.ID, "shown").text == "1"
    _axe(browser, "flagged filter")
    browser.find_element(By.LINK_TEXT, "Monitoring").click()
    wait.until(lambda d: d.find_elements(By.ID, "windows"))
    _axe(browser, "monitoring page")


def test_batch_accept_of_a_filtered_view_asks_first(browser, served, store, shots):
    url, token, items = served
    wait = _wait(browser)
    _signed_in(browser, url, token, wait)
    pending, _ = counts_in(browser.page_source)
    label = "map"
    Select(browser.find_element(By.ID, "f-label")).select_by_value(label)
    Select(browser.find_element(By.ID, "f-band")).select_by_value("high")
    browser.find_element(By.CSS_SELECTOR, ".filters button[type=submit]").click()
    wait.until(lambda d: "label=map" in d.current_url)
    shown = int(browser.find_element(By.ID, "shown").text)
    expected = {
        i["item_id"] for i in items if i["decision"] != "auto" and i["label"] == label and 0.7 <= i["confidence"] < 0.9
    }
    assert shown == len(expected) > 0
    browser.find_element(By.ID, "batch").click()
    wait.until(lambda d: d.find_elements(By.ID, "confirm-batch"))
    assert store.counts()["reviewed"] == 0  # nothing happens before the confirmation
    browser.save_screenshot(str(shots / "01-confirm.png"))
    _axe(browser, "batch confirmation")
    browser.find_element(By.ID, "confirm-batch").click()
    wait.until(lambda d: d.find_elements(By.ID, "notice"))
    assert f"Accepted {shown} item" in browser.find_element(By.ID, "notice").text
    assert counts_in(browser.page_source) == (pending - shown, shown)
    done = {i for i in expected if [r.action for r in store.reviews_of(i)] == ["accept"]}
    assert done == expected
    browser.save_screenshot(str(shots / "02-accepted.png"))


def test_fits_a_tablet(browser, served, shots):
    url, token, _items = served
    _signed_in(browser, url, token, _wait(browser))
    for width, height in [(768, 1024), (1024, 768)]:  # portrait and landscape
        browser.set_window_size(width, height)
        browser.refresh()
        _wait(browser).until(lambda d: d.find_elements(By.ID, "accept"))
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (width, height)
        accept = browser.find_element(By.ID, "accept")
        assert accept.size["height"] >= 44 and accept.is_displayed()  # a finger-sized target, on screen
        browser.save_screenshot(str(shots / f"tablet-{width}x{height}.png"))
        _axe(browser, f"tablet {width}x{height}")
