"""The review page's actions over real HTTP: two reviewers on one queue, filters, flags, undo, history, batch
accept, images from the configured folder only, and CSRF on every new form."""

from __future__ import annotations

import re
import threading
from contextlib import closing
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from pitfall.serve.app import create_app  # noqa: E402
from pitfall.serve.review_store import ReviewDesk  # noqa: E402
from tests.serve._review import POLICY, XSS, Server, counts_in, csrf_in  # noqa: E402

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _items(n: int = 12) -> list[dict]:
    """Queued items with known reasons: safety rules, audit, plain low confidence; one blocked."""
    out = []
    for i in range(n):
        reason = (
            "audit"
            if i % 4 == 0
            else "safety: dog when site=b always goes to review"
            if i % 4 == 1
            else f"confidence {0.5 + i / 40:.3f} < global accept 0.900"
        )
        out.append(
            {
                "record": {"x1": float(i), "x2": 0.0, "note": f"item {i}", "scan": f"img/{i}.png"},
                "label": "dog" if i % 2 else "cat",
                "confidence": 0.5 + i / 40,
                "decision": "review",
                "reason": reason,
            }
        )
    out.append(
        {
            "record": {"x1": 99.0, "x2": 0.0, "note": XSS, "scan": "../secret.png"},
            "label": "dog",
            "confidence": 0.3,
            "decision": "blocked",
            "reason": "safety: dog is never applied automatically",
        }
    )
    return out


@pytest.fixture
def served(store, model, tmp_path):
    root = tmp_path / "root"
    (root / "img").mkdir(parents=True)
    for i in range(12):
        (root / "img" / f"{i}.png").write_bytes(PNG)
    (tmp_path / "secret.png").write_bytes(PNG)  # a real file outside the image folder: never served
    app = create_app(store, model, POLICY, "v1", image_root=root)
    ids = store.add_items("v1", _items())
    tokens = {name: store.add_user(name) for name in ("alice", "bob")}
    with Server(app) as server:
        yield server.url, tokens, ids


def _client(url: str, token: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=30)
    csrf = csrf_in(client.get("/review/login").text)
    assert client.post("/review/login", data={"token": token, "csrf": csrf}).status_code == 303
    return client, csrf_in(client.get("/review").text)


def _current(page: str) -> str | None:
    found = re.search(r'data-current="([^"]+)"', page)
    return found.group(1) if found else None


def test_two_reviewers_working_the_same_queue_lose_nothing(served, store):
    url, tokens, ids = served
    pending = store.counts()["pending"]
    results: dict[str, list[int]] = {"alice": [], "bob": []}

    def work(name: str) -> None:
        client, csrf = _client(url, tokens[name])
        with closing(client):
            for _ in range(40):
                item = _current(client.get("/review").text)
                if item is None:
                    return
                r = client.post(
                    f"/review/{quote(item, safe='')}", data={"action": "accept", "csrf": csrf, "back": "/review"}
                )
                results[name].append(r.status_code)
                if r.status_code == 400:  # the blocked item has no suggestion: correct it instead
                    client.post(
                        f"/review/{quote(item, safe='')}", data={"action": "correct", "label": "cat", "csrf": csrf}
                    )

    threads = [threading.Thread(target=work, args=(n,)) for n in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    finals = {i: [r for r in store.reviews_of(i) if r.action != "skip"] for i in ids}
    assert all(len(f) == 1 for f in finals.values())  # every item reviewed exactly once, none overwritten
    assert store.counts()["reviewed"] == pending and store.counts()["pending"] == 0
    wins = sum(s == 303 for s in results["alice"] + results["bob"])
    assert wins == pending - 1  # the blocked one was corrected, not accepted
    assert set(results["alice"] + results["bob"]) <= {303, 409, 400}
    by = {r[0].reviewer for r in finals.values()}
    assert by <= {"alice", "bob"}


def test_filters_counts_and_flags(served, store):
    url, tokens, ids = served
    client, csrf = _client(url, tokens["alice"])
    with closing(client):
        page = client.get("/review").text
        assert counts_in(page) == (13, 0) and 'id="shown">13<' in page
        rule = "safety: dog when site=b always goes to review"
        assert f'<option value="{rule}">' in page  # the rules present in the queue are the filter's choices
        by_rule = client.get("/review", params={"rule": rule}).text
        assert 'id="shown">3<' in by_rule and all(
            store.get_item(i).reason == rule for i in re.findall(r'data-item="([^"]+)"', by_rule)
        )
        audit = client.get("/review", params={"sample": "audit"}).text
        assert len(re.findall(r'data-item="', audit)) == 3
        band = client.get("/review", params={"band": "high", "label": "cat"}).text
        shown = [store.get_item(i) for i in re.findall(r'data-item="([^"]+)"', band)]
        assert shown and all(it.label == "cat" and 0.7 <= it.confidence < 0.9 for it in shown)
        # a filter value that is not an option is ignored, not echoed
        assert XSS not in client.get("/review", params={"label": XSS}).text
        # flag: out of the default view, counted, listed under the flagged filter
        first = _current(page)
        r = client.post(f"/review/{first}", data={"action": "flag", "csrf": csrf, "back": "/review"})
        assert r.status_code == 303 and r.headers["location"] == "/review?done=flag"
        page = client.get("/review").text
        assert 'id="flagged">1<' in page and _current(page) != first and counts_in(page) == (13, 0)
        assert _current(client.get("/review", params={"sample": "flagged"}).text) == first


def test_undo_takes_back_only_your_own_last_action(served, store):
    url, tokens, ids = served
    alice, a_csrf = _client(url, tokens["alice"])
    bob, b_csrf = _client(url, tokens["bob"])
    with closing(alice), closing(bob):
        first = _current(alice.get("/review").text)
        alice.post(f"/review/{first}", data={"action": "correct", "label": "dog", "csrf": a_csrf})
        second = _current(bob.get("/review").text)
        assert second != first
        bob.post(f"/review/{second}", data={"action": "correct", "label": "cat", "csrf": b_csrf})
        r = alice.post("/review/undo", data={"csrf": a_csrf, "back": "/review?label=cat"})
        assert r.status_code == 303 and r.headers["location"] == "/review?label=cat&done=undo"
        assert store.reviews_of(first) == []  # alice's review is gone, the item is pending again
        assert [(v.reviewer, v.label) for v in store.reviews_of(second)] == [("bob", "cat")]  # bob's stays
        history = ReviewDesk(store).history("alice")
        assert [(h.item_id, h.action, h.undone) for h in history] == [(first, "correct", True)]
        assert alice.post("/review/undo", data={"csrf": a_csrf}).headers["location"] == "/review?done=nothing"
        page = alice.get("/review").text
        assert "Your history" in page and "(undone)" in page and 'id="mine">0<' in page
        # a redirect target is always this site's review page
        r = alice.post("/review/undo", data={"csrf": a_csrf, "back": "https://evil.example/review"})
        assert r.headers["location"].startswith("/review?")


def test_batch_accept_confirms_then_counts_items_reviewed_meanwhile(served, store):
    url, tokens, ids = served
    alice, a_csrf = _client(url, tokens["alice"])
    bob, b_csrf = _client(url, tokens["bob"])
    with closing(alice), closing(bob):
        page = alice.get("/review", params={"label": "cat"}).text
        batch = re.findall(r'<input type="hidden" name="item" value="([^"]+)">', page)
        assert batch and all(store.get_item(i).label == "cat" for i in batch)
        confirm = alice.post("/review/batch", data={"csrf": a_csrf, "back": "/review?label=cat", "item": batch})
        assert confirm.status_code == 200 and f"Accept {len(batch)} item" in confirm.text
        assert store.counts()["reviewed"] == 0  # asking is not doing
        bob.post(f"/review/{batch[0]}", data={"action": "correct", "label": "dog", "csrf": b_csrf})
        r = alice.post("/review/batch/accept", data={"csrf": a_csrf, "back": "/review?label=cat", "item": batch})
        assert r.status_code == 303
        assert f"n={len(batch) - 1}" in r.headers["location"] and "conflicts=1" in r.headers["location"]
        assert [(v.reviewer, v.label) for v in store.reviews_of(batch[0])] == [("bob", "dog")]
        page = alice.get(r.headers["location"]).text
        assert f"Accepted {len(batch) - 1} items" in page and "left as they were" in page


def test_the_blocked_item_cannot_be_batch_accepted(served, store):
    url, tokens, ids = served
    client, csrf = _client(url, tokens["alice"])
    with closing(client):
        r = client.post("/review/batch", data={"csrf": csrf, "item": [ids[-1]]})
        assert r.status_code == 409
        page = client.get("/review").text
        assert ids[-1] not in re.findall(r'<input type="hidden" name="item" value="([^"]+)">', page)


def test_images_come_from_the_configured_folder_only(served, store):
    url, tokens, ids = served
    client, _csrf = _client(url, tokens["alice"])
    with closing(client):
        assert httpx.get(f"{url}/review/image/{ids[0]}/scan").status_code == 401  # signed-in reviewers only
        r = client.get(f"/review/image/{ids[0]}/scan")  # img/0.png inside the folder
        assert r.status_code == 200 and r.content == PNG
        assert client.get(f"/review/image/{ids[-1]}/scan").status_code == 404  # ../secret.png exists, outside
        assert client.get(f"/review/image/{ids[0]}/note").status_code == 404  # not an image field
        assert client.get("/review/image/nope/scan").status_code == 404


def test_an_image_inside_the_folder_is_shown(store, model, tmp_path):
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "a.png").write_bytes(PNG)
    app = create_app(store, model, POLICY, "v1", image_root=tmp_path / "scans")
    [item] = store.add_items(
        "v1",
        [
            {
                "record": {"x1": 0.1, "x2": 0.2, "scan": "a.png"},
                "label": "dog",
                "confidence": 0.6,
                "decision": "review",
                "reason": "r",
            }
        ],
    )
    token = store.add_user("carol")
    with Server(app) as server:
        client, _ = _client(server.url, token)
        with closing(client):
            page = client.get("/review")
            assert (
                f'<img src="/review/image/{item}/scan"' in page.text
                and "img-src 'self'" in page.headers["content-security-policy"]
            )
            r = client.get(f"/review/image/{item}/scan")
            assert r.status_code == 200 and r.content == PNG and r.headers["content-type"] == "image/png"


def test_every_new_form_checks_csrf(served, store):
    url, tokens, ids = served
    client, _csrf = _client(url, tokens["alice"])
    with closing(client):
        for path, data in [
            ("/review/undo", {}),
            ("/review/batch", {"item": ids[0]}),
            ("/review/batch/accept", {"item": ids[0]}),
            (f"/review/{ids[0]}", {"action": "flag"}),
        ]:
            assert client.post(path, data={**data, "csrf": "wrong"}).status_code == 403, path
        assert store.counts()["reviewed"] == 0 and ReviewDesk(store).flagged() == set()
