"""Signing in to the review pages: reviewers give their token once and work the queue in a browser.

The token is exchanged for a random session id kept in the store (HttpOnly, SameSite=Strict cookie), so the token never
appears in a page or a later request. Every form that changes something carries a per-session CSRF token checked in
constant time, and the sign-in form a pre-session one (a random cookie that must match a hidden field), so another
site cannot sign a browser in to an account of its choosing. Pages send a Content-Security-Policy that allows only
the page's own nonce-tagged style and script and form posts to this origin, and every record value is HTML-escaped,
since records come from whoever calls /predict.
Sessions live in the store (``serve/sessions.py``): a restart or another worker keeps reviewers signed in, and
revoking a reviewer ends their sessions at once.
The queue's own routes are in ``pitfall.serve.review_routes``; the pages' HTML in ``pitfall.reporting.review_page``.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

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


def page_response(html: str, nonce: str, status: int) -> HTMLResponse:
    csp = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": csp,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def _login_page(csrf: str, error: str = "", status: int = 200) -> HTMLResponse:
    from pitfall.reporting.review_page import render_review

    nonce = secrets.token_urlsafe(16)
    html = render_review("login", nonce=nonce, title="Sign in — pitfall review", csrf=csrf, error=error)
    return page_response(html, nonce, status)


def add_review_pages(app: FastAPI, store: Store, classes: list[str], *, secure_cookie: bool = False) -> None:
    """Add ``/review/login`` and ``/review/logout`` to ``app`` (the queue itself: ``review_routes.register``).

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
        response.set_cookie(
            LOGIN_COOKIE,
            csrf,
            max_age=LOGIN_SECONDS,
            path="/review/login",
            httponly=True,
            samesite="strict",
            secure=secure_cookie,
        )
        return response

    def forbidden(message: str) -> HTMLResponse:
        from pitfall.reporting.review_page import render_review

        nonce = secrets.token_urlsafe(16)
        html = render_review("message", nonce=nonce, title="Forbidden", heading="Forbidden", message=message)
        return page_response(html, nonce, 403)

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
        response.set_cookie(
            COOKIE,
            sessions.create(user.name),
            max_age=SESSION_SECONDS,
            path="/review",
            httponly=True,
            samesite="strict",
            secure=secure_cookie,
        )
        response.delete_cookie(
            LOGIN_COOKIE, path="/review/login", httponly=True, samesite="strict", secure=secure_cookie
        )
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
