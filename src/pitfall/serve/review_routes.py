"""The review page's routes: the queue a cataloguer works through, one item at a time, all by keyboard.

``GET /review`` shows the current item (the text with the words that drove the prediction highlighted, the image
from the configured folder, or the fields the model reads first), its suggestion, confidence and next-best labels,
the filtered queue, the counts and the reviewer's own history. ``POST /review/{id}`` accepts, corrects, skips or
flags it; ``POST /review/undo`` takes back the reviewer's last action; ``POST /review/batch`` asks to confirm
accepting every item of the current view and ``POST /review/batch/accept`` does it. Sign-in, sessions and CSRF
are ``pitfall.serve.pages``'; every form here carries the session's CSRF token.

Two reviewers on one queue lose nothing: a final review is unique per item in the database, so the second gets
told the item was already reviewed (409) instead of overwriting it, and a batch accept counts such items apart.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from pitfall.deploy.store import Item, Store
from pitfall.reporting.review_page import BANDS, render_review
from pitfall.serve.pages import COOKIE
from pitfall.serve.review_explain import next_best, text_field, word_segments
from pitfall.serve.review_store import ReviewDesk

__all__ = ["register"]

LISTED = 50  # items listed in the side panel
BATCH_MAX = 500  # items one batch accept may take
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")
_DONE = {
    "accept": "Accepted.",
    "correct": "Corrected.",
    "skip": "Skipped: it stays in the queue for others.",
    "flag": "Flagged for a second look.",
    "undo": "Your last action was undone.",
    "nothing": "Nothing of yours to undo.",
}


def register(
    app: FastAPI, store: Store, model: Any, classes: Sequence[str], *, image_root: str | Path | None = None
) -> None:
    """Add the review page's routes to ``app`` (after ``add_review_pages``, which signs reviewers in).

    ``image_root``: the folder images are served from; a record's image path must resolve inside it."""
    desk = ReviewDesk(store)
    classes = [str(c) for c in classes]
    features = [str(c) for c in getattr(model, "feature_names_in_", [])] or None
    root = Path(image_root).resolve() if image_root is not None else None
    router = APIRouter(include_in_schema=False)

    def session_of(request: Request) -> Any:
        return request.app.state.review_sessions.get(request.cookies.get(COOKIE))

    def csrf_ok(form: Any, session: Any) -> bool:
        sent = form.get("csrf")
        return isinstance(sent, str) and hmac.compare_digest(sent.encode(), session.csrf.encode())

    def page(template: str, status: int = 200, **view: Any) -> HTMLResponse:
        nonce = secrets.token_urlsafe(16)
        html = render_review(template, nonce=nonce, **view)
        csp = (
            f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
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

    def message(heading: str, text: str, status: int, back: str = "/review") -> HTMLResponse:
        return page("message", status, title=heading, heading=heading, message=text, back=back)

    async def signed_form(request: Request) -> tuple[Any, Any] | Response:
        """A POST's reviewer and form, or the answer that refuses it (not signed in; wrong CSRF token)."""
        session = session_of(request)
        if session is None:
            return RedirectResponse("/review/login", status_code=303)
        form = await request.form()
        if not csrf_ok(form, session):
            return message(
                "Forbidden", "The form's CSRF token is missing or wrong; reload the page and try again.", 403
            )
        return session, form

    def image_of(item: Item) -> str | None:
        if root is None:
            return None
        for key, value in item.record.items():
            if isinstance(value, str) and value.lower().endswith(IMAGE_SUFFIXES):
                return str(key)
        return None

    @router.get("/review")
    def review_page(
        request: Request,
        label: str = "",
        band: str = "",
        rule: str = "",
        sample: str = "",
        item: str = "",
        done: str = "",
        n: int = 0,
        conflicts: int = 0,
    ) -> Response:
        session = session_of(request)
        if session is None:
            return RedirectResponse("/review/login", status_code=303)
        pending = desk.pending()
        flagged = desk.flagged()
        rules = sorted({it.reason for it in pending if it.reason.startswith("safety:")})
        filters = _Filters(
            label if label in classes else "",
            band if band in {b[0] for b in BANDS} else "",
            rule if rule in rules else "",
            sample if sample in ("audit", "flagged") else "",
        )
        view = filters.apply(pending, flagged, desk.skipped_by(session.user))
        current = next((it for it in view if it.id == item), view[0] if view else None)
        back = filters.url()
        counts = store.counts()
        notice = _DONE.get(done, "")
        if done == "batch":
            notice = f"Accepted {n} item{'s' if n != 1 else ''}."
            if conflicts:
                notice += f" {conflicts} had already been reviewed by someone else and were left as they were."
        history = desk.history(session.user)
        return page(
            "queue",
            title="pitfall review",
            script=True,
            user=session.user,
            csrf=session.csrf,
            back=back,
            notice=notice + (" Press u to undo." if done in ("accept", "correct", "skip", "flag") else ""),
            counts={
                "pending": counts["pending"],
                "reviewed": counts["reviewed"],
                "shown": len(view),
                "flagged": len(flagged & {it.id for it in pending}),
                "mine": desk.reviewed_count(session.user),
            },
            filters={**filters.__dict__, "active": filters.active()},
            options={"labels": classes, "bands": [(b[0], b[1]) for b in BANDS], "rules": rules},
            item=_item_view(current, model, features, classes, image_of(current) if current else None)
            if current
            else None,
            upnext=[
                {
                    "id": it.id,
                    "label": it.suggestion or "withheld",
                    "confidence": it.confidence,
                    "snippet": _snippet(it.record, features),
                    "current": current is not None and it.id == current.id,
                    "href": filters.url(item=it.id),
                }
                for it in view[:LISTED]
            ],
            upnext_more=max(len(view) - LISTED, 0),
            batch=[it.id for it in view if it.suggestion is not None][:BATCH_MAX],
            can_undo=bool(history) and any(not h.undone for h in history),
            history=[
                {
                    "action": h.action,
                    "label": h.label,
                    "undone": h.undone,
                    "at": h.at.strftime("%H:%M"),
                    "snippet": _history_snippet(store, h.item_id, features),
                }
                for h in history
            ],
        )

    @router.get("/review/image/{item_id}/{field}")
    def review_image(item_id: str, field: str, request: Request) -> Response:
        if session_of(request) is None:
            return Response(status_code=401)
        found = store.get_item(item_id)
        value = found.record.get(field) if found is not None else None
        if root is None or not isinstance(value, str) or not value.lower().endswith(IMAGE_SUFFIXES):
            return Response(status_code=404)
        path = (root / value).resolve()
        if not path.is_relative_to(root) or not path.is_file():  # never a path outside the configured folder
            return Response(status_code=404)
        return FileResponse(
            path, headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
        )

    @router.post("/review/undo")
    async def undo(request: Request) -> Response:
        signed = await signed_form(request)
        if isinstance(signed, Response):
            return signed
        session, form = signed
        back = _safe_back(form.get("back"))
        done = desk.undo_last(session.user)
        return RedirectResponse(_with(back, done="undo" if done else "nothing"), status_code=303)

    @router.post("/review/batch")
    async def batch_confirm(request: Request) -> Response:
        signed = await signed_form(request)
        if isinstance(signed, Response):
            return signed
        session, form = signed
        back = _safe_back(form.get("back"))
        wanted = [i for i in form.getlist("item") if isinstance(i, str)][:BATCH_MAX]
        pending = {it.id: it for it in desk.pending()}
        chosen = [pending[i] for i in dict.fromkeys(wanted) if i in pending]
        items = [
            {"id": it.id, "label": it.suggestion, "confidence": it.confidence, "snippet": _snippet(it.record, features)}
            for it in chosen
            if it.suggestion is not None
        ]
        if not items:
            return message("Nothing to accept", "None of these items is still pending with a suggestion.", 409, back)
        return page(
            "confirm",
            title="Confirm batch accept",
            user=session.user,
            csrf=session.csrf,
            back=back,
            items=items,
            blocked=sum(it.suggestion is None for it in chosen),
        )

    @router.post("/review/batch/accept")
    async def batch_accept(request: Request) -> Response:
        signed = await signed_form(request)
        if isinstance(signed, Response):
            return signed
        session, form = signed
        back = _safe_back(form.get("back"))
        accepted = conflicts = 0
        for item_id in list(dict.fromkeys(i for i in form.getlist("item") if isinstance(i, str)))[:BATCH_MAX]:
            try:
                store.add_review(item_id, session.user, "accept")
                accepted += 1
            except ValueError:  # reviewed meanwhile by someone else (or blocked): left as it is
                conflicts += 1
        return RedirectResponse(_with(back, done="batch", n=str(accepted), conflicts=str(conflicts)), status_code=303)

    @router.post("/review/{item_id}")
    async def review_item(item_id: str, request: Request) -> Response:
        signed = await signed_form(request)
        if isinstance(signed, Response):
            return signed
        session, form = signed
        back = _safe_back(form.get("back"))
        action, label = form.get("action"), form.get("label")
        if not isinstance(action, str) or (label is not None and not isinstance(label, str)):
            return message("Not recorded", "The form is malformed.", 400, back)
        try:
            if action == "flag":
                desk.flag(item_id, session.user)
            else:
                store.add_review(item_id, session.user, action, label or None)
        except ValueError as exc:
            status = 409 if "already has a final review" in str(exc) else 400
            text = str(exc) + (" Someone else reviewed it first; nothing was overwritten." if status == 409 else "")
            return message("Not recorded", text, status, back)
        return RedirectResponse(_with(back, done=action), status_code=303)

    app.include_router(router)


class _Filters:
    """The view's filters; ``apply`` keeps the pending items they select, least confident first."""

    def __init__(self, label: str, band: str, rule: str, sample: str) -> None:
        self.label, self.band, self.rule, self.sample = label, band, rule, sample

    def active(self) -> bool:
        return any((self.label, self.band, self.rule, self.sample))

    def url(self, **extra: str) -> str:
        params = {k: v for k, v in {**self.__dict__, **extra}.items() if v}
        return "/review" + ("?" + urlencode(params) if params else "")

    def apply(self, pending: list[Item], flagged: set[str], skipped: set[str]) -> list[Item]:
        low, high = next(((b[2], b[3]) for b in BANDS if b[0] == self.band), (0.0, 2.0))
        out = []
        for it in pending:
            if self.sample == "flagged":
                if it.id not in flagged:
                    continue
            elif it.id in flagged or it.id in skipped:  # set aside: flagged for everyone, skipped for oneself
                continue
            if self.sample == "audit" and it.reason != "audit":
                continue
            if self.label and it.suggestion != self.label:
                continue
            if self.rule and it.reason != self.rule:
                continue
            if not low <= it.confidence < high:
                continue
            out.append(it)
        return out


def _safe_back(value: Any) -> str:
    """Where to go after an action: a /review URL of this site, never another origin."""
    if isinstance(value, str) and (value == "/review" or value.startswith("/review?")) and "\\" not in value:
        return value
    return "/review"


def _with(url: str, **params: str) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def _snippet(record: dict[str, Any], features: list[str] | None, width: int = 70) -> str:
    field = text_field(record, features)
    if field is not None:
        text = " ".join(str(record[field]).split())
    else:
        keys = [k for k in (features or []) if k in record] or list(record)
        text = ", ".join(f"{k} {record[k]}" for k in keys[:4])
    return text if len(text) <= width else text[: width - 1] + "…"


def _history_snippet(store: Store, item_id: str, features: list[str] | None) -> str:
    found = store.get_item(item_id)
    return _snippet(found.record, features, 40) if found is not None else item_id[:8]


def _item_view(
    item: Item, model: Any, features: list[str] | None, classes: list[str], image: str | None
) -> dict[str, Any]:
    """The current item as the template shows it."""
    record = item.record
    blocked = item.suggestion is None
    field = text_field(record, features)
    segments, highlighted = [], False
    if field is not None:
        index = classes.index(item.label) if item.label in classes and not blocked else None
        segments, highlighted = word_segments(model, record, field, features, index)
    shown = {field, image} - {None}
    main_keys = [k for k in (features or list(record)) if k in record and k not in shown]
    other_keys = [k for k in record if k not in main_keys and k not in shown]
    if features is None:  # no idea which fields the model reads: show the first few, the rest folded
        main_keys, other_keys = main_keys[:8], main_keys[8:] + other_keys
    return {
        "id": item.id,
        "id_q": quote(item.id, safe=""),
        "label": item.suggestion,
        "confidence": item.confidence,
        "decision": item.decision,
        "reason": item.reason,
        "next_best": [
            {"label": lab, "p": p}
            for lab, p in next_best(model, record, features, classes, hide=item.label if blocked else None)
        ],
        "text_field": field,
        "segments": [s.__dict__ for s in segments],
        "highlighted": highlighted,
        "image_field": image,
        "image_url": f"/review/image/{quote(item.id, safe='')}/{quote(image, safe='')}" if image else None,
        "fields_main": [(k, _value(record[k])) for k in main_keys],
        "fields_other": [(k, _value(record[k])) for k in other_keys],
    }


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
