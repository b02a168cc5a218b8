"""The review web page: reviewers sign in with their token once and work the queue in a browser.

The token is exchanged for a random session id kept in memory (HttpOnly, SameSite=Strict cookie), so the token never
appears in a page or a later request. Every form that changes something carries a per-session CSRF token checked in
constant time, and the sign-in form a pre-session one (a random cookie that must match a hidden field), so another
site cannot sign a browser in to an account of its choosing. Pages send a Content-Security-Policy that allows only
the page's own nonce-tagged style and script and form posts to this origin, and every record value is HTML-escaped,
since records come from whoever calls /predict.
Sessions live in the store (``serve/sessions.py``): a restart or another worker keeps reviewers signed in, and
revoking a reviewer ends their sessions at once.
"""

from __future__ import annotations

import hmac
import secrets
from html import escape
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pitfall.deploy.store import Session as _Session
from pitfall.deploy.store import Store
from pitfall.serve.sessions import StoreSessions

__all__ = ["COOKIE", "LOGIN_COOKIE", "SESSION_SECONDS", "add_review_pages"]

COOKIE = "pitfall_review"
SESSION_SECONDS = 12 * 3600
LOGIN_COOKIE = "pitfall_login"  # the sign-in form's CSRF token, before there is a session
LOGIN_SECONDS = 3600
QUEUE_SHOWN = 50
RECORD_SHOWN = 64 * 1024  # a longer stored record is shown as a placeholder, so the page's size is bounded

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#222}
.item{border:1px solid #ccc;border-radius:6px;padding:.8rem 1rem;margin:.8rem 0}
.item:first-of-type{border-color:#36c;box-shadow:0 0 0 2px #36c3}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.4rem 0}
dt{font-weight:600}dd{margin:0;word-break:break-word}
form{display:inline-block;margin-right:1rem}.err{color:#b00}.muted{color:#666}
"""

# Shortcuts act on the first (least confident) item; typing in a field is left alone.
_SCRIPT = """
document.addEventListener("keydown", function (e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  var tag = (e.target && e.target.tagName) || "";
  if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
  var item = document.querySelector(".item");
  if (!item) return;
  var target = {a: "button[value=accept]", s: "button[value=skip]", c: "select[name=label]"}[e.key];
  var el = target && item.querySelector(target);
  if (!el || el.disabled) return;
  e.preventDefault();
  if (e.key === "c") { el.focus(); } else { el.click(); }
});
"""


def _page(title: str, body: str, *, status: int = 200, script: bool = False) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    js = f'<script nonce="{nonce}">{_SCRIPT}</script>' if script else ""
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<style nonce="{nonce}">{_STYLE}</style></head><body>{body}{js}</body></html>')
    csp = (f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; form-action 'self'; "
           "base-uri 'none'; frame-ancestors 'none'")
    return HTMLResponse(html, status_code=status, headers={
        "Content-Security-Policy": csp, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    })


def _login_page(csrf: str, error: str = "", status: int = 200) -> HTMLResponse:
    err = f'<p class="err">{escape(error)}</p>' if error else ""
    return _page("Sign in — pitfall review", (
        f"<h1>Sign in to review</h1>{err}"
        f'<form method="post" action="/review/login"><input type="hidden" name="csrf" value="{escape(csrf)}">'
        '<label>Reviewer token <input type="password" name="token" autocomplete="off" required autofocus></label> '
        '<button type="submit">Sign in</button></form>'
        '<p class="muted">Make a token with <code>pitfall users add NAME</code>.</p>'
    ), status=status)


def _item_html(item: Any, classes: list[str], csrf: str) -> str:
    fields = "".join(f"<dt>{escape(str(k))}</dt><dd>{escape(str(v))}</dd>" for k, v in item.record.items())
    suggestion = item.suggestion
    action = f"/review/{quote(item.id, safe='')}"
    hidden = f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
    accept_off = " disabled" if suggestion is None else ""
    options = "".join(f'<option value="{escape(c)}">{escape(c)}</option>' for c in classes)
    shown = escape(suggestion) if suggestion is not None else "<em>withheld</em>"
    return (
        f'<section class="item" data-item="{escape(item.id)}">'
        f"<p>Suggestion <strong>{shown}</strong> · confidence {item.confidence:.3f} · "
        f'{escape(item.decision)} <span class="muted">{escape(item.reason)}</span></p><dl>{fields}</dl>'
        f'<form method="post" action="{action}">{hidden}'
        f'<button type="submit" name="action" value="accept"{accept_off}>Accept (a)</button> '
        '<button type="submit" name="action" value="skip">Skip (s)</button></form>'
        f'<form method="post" action="{action}">{hidden}<input type="hidden" name="action" value="correct">'
        f'<select name="label" required aria-label="correct label"><option value="">label…</option>{options}'
        '</select> <button type="submit">Correct (c)</button></form></section>'
    )


def add_review_pages(app: FastAPI, store: Store, classes: list[str], *, secure_cookie: bool = False) -> None:
    """Add ``/review/login``, ``/review`` and ``POST /review/{item_id}`` to ``app``.

    ``secure_cookie`` marks the session cookie Secure; turn it on behind HTTPS (a Secure cookie is not sent over
    plain HTTP, so it stays off for loopback use)."""
    sessions = StoreSessions(store, SESSION_SECONDS)  # in the database: restarts and workers keep them
    app.state.review_sessions = sessions  # the monitoring page (monitor_page.py) signs in through these

    def current(request: Request) -> tuple[str, _Session] | None:
        sid = request.cookies.get(COOKIE)
        found = sessions.get(sid)
        return (sid, found) if sid and found is not None else None

    def csrf_ok(form: Any, session: _Session) -> bool:
        sent = form.get("csrf")
        return isinstance(sent, str) and hmac.compare_digest(sent.encode(), session.csrf.encode())

    def login_page(error: str = "", status: int = 200) -> HTMLResponse:
        """The sign-in form with a fresh pre-session CSRF token, in a hidden field and in a cookie of its own."""
        csrf = secrets.token_urlsafe(32)
        response = _login_page(csrf, error, status)
        response.set_cookie(LOGIN_COOKIE, csrf, max_age=LOGIN_SECONDS, path="/review/login", httponly=True,
                            samesite="strict", secure=secure_cookie)
        return response

    def forbidden(message: str) -> HTMLResponse:
        return _page("Forbidden", f'<h1>Forbidden</h1><p class="err">{escape(message)}</p>'
                                  '<p><a href="/review">Back to the queue</a></p>', status=403)

    @app.get("/review/login", include_in_schema=False)
    def login_form() -> HTMLResponse:
        return login_page()

    @app.post("/review/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await request.form()
        sent, kept = form.get("csrf"), request.cookies.get(LOGIN_COOKIE)
        # Double submit: a cross-site form can send neither the SameSite=Strict cookie nor the field's value.
        if not (isinstance(sent, str) and kept and hmac.compare_digest(sent.encode(), kept.encode())):
            return login_page("The sign-in form expired or was not sent from this page; sign in again.", status=403)
        token = form.get("token")
        user = store.check_token(token) if isinstance(token, str) and token else None
        if user is None:
            return login_page("That token is not valid.", status=401)
        response = RedirectResponse("/review", status_code=303)
        response.set_cookie(COOKIE, sessions.create(user.name), max_age=SESSION_SECONDS, path="/review",
                            httponly=True, samesite="strict", secure=secure_cookie)
        response.delete_cookie(LOGIN_COOKIE, path="/review/login", httponly=True, samesite="strict",
                               secure=secure_cookie)
        return response

    @app.post("/review/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        found = current(request)
        if found is not None:
            if not csrf_ok(await request.form(), found[1]):
                return forbidden("The form's CSRF token is missing or wrong; reload the page and try again.")
            sessions.drop(found[0])
        response = RedirectResponse("/review/login", status_code=303)
        response.delete_cookie(COOKIE, path="/review")
        return response

    @app.get("/review", include_in_schema=False)
    def review_page(request: Request) -> Response:
        found = current(request)
        if found is None:
            return RedirectResponse("/review/login", status_code=303)
        session = found[1]
        counts = store.counts()
        queue = store.queue(QUEUE_SHOWN, max_record_chars=RECORD_SHOWN)
        items = "".join(_item_html(item, classes, session.csrf) for item in queue) or "<p>The queue is empty.</p>"
        body = (
            f'<h1>Review queue</h1><p>Signed in as <strong>{escape(session.user)}</strong> · '
            f'<span id="pending">{counts["pending"]}</span> pending · '
            f'<span id="reviewed">{counts["reviewed"]}</span> reviewed · least confident first</p>'
            '<p class="muted">Keys: <kbd>a</kbd> accept, <kbd>s</kbd> skip, <kbd>c</kbd> choose a correct label '
            "(first item).</p>"
            f'<form method="post" action="/review/logout"><input type="hidden" name="csrf" '
            f'value="{escape(session.csrf)}"><button type="submit">Sign out</button></form>{items}'
        )
        return _page("pitfall review", body, script=True)

    @app.post("/review/{item_id}", include_in_schema=False)
    async def review_item(item_id: str, request: Request) -> Response:
        found = current(request)
        if found is None:
            return RedirectResponse("/review/login", status_code=303)
        session = found[1]
        form = await request.form()
        if not csrf_ok(form, session):
            return forbidden("The form's CSRF token is missing or wrong; reload the page and try again.")
        action, label = form.get("action"), form.get("label")
        if not isinstance(action, str) or (label is not None and not isinstance(label, str)):
            return _page("Not recorded", '<p class="err">The form is malformed.</p>', status=400)
        try:
            store.add_review(item_id, session.user, action, label or None)
        except ValueError as exc:
            status = 409 if "already has a final review" in str(exc) else 400
            return _page("Not recorded", f'<h1>Not recorded</h1><p class="err">{escape(str(exc))}</p>'
                                         '<p><a href="/review">Back to the queue</a></p>', status=status)
        return RedirectResponse("/review", status_code=303)
