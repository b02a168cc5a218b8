"""The service's front door, one ASGI middleware run before any route: who may talk to it, and how much.

- ``Host`` must name one of ``allowed_hosts`` (loopback by default): a page that rebinds its own domain name to
  127.0.0.1 (DNS rebinding) still sends its own name and is refused with a 400.
- A request that changes something (POST, PUT, PATCH, DELETE) sent by a browser carries ``Origin``; it must be
  the service's own origin (the host and port the request was sent to) or one of ``allowed_origins``, else 403: a
  page served by another program on loopback is another origin too. ``Origin: null`` (what a browser sends from a
  page with ``Referrer-Policy: no-referrer``, such as the review page) passes only when the browser's own
  ``Sec-Fetch-Site`` says ``same-origin``. Clients that are not browsers send neither and are not affected.
- ``POST /predict`` needs ``Content-Type: application/json`` and ``POST /predict/csv`` ``multipart/form-data``
  (415 otherwise): a form on another site can send ``text/plain`` without asking, JSON it cannot.
- A declared body over ``max_bytes`` is a 413 before it is read (the routes also count what streams in).
- ``RateLimit``: anonymous writes (``/predict``, ``/predict/csv``) from one client address get a number of requests
  and of body bytes per minute (one minute's worth may come at once); beyond that, 429 with ``Retry-After``. The
  address is the one the server sees: behind a proxy, let uvicorn take it from ``X-Forwarded-For``
  (``FORWARDED_ALLOW_IPS``), or every client shares the proxy's budget. Budgets live in each worker's memory.

Each refusal is a JSON ``{"detail": "..."}`` of one line.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

__all__ = ["LOOPBACK", "Guard", "RateLimit"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_BODY_TYPES = {"/predict": ("application/json",), "/predict/csv": ("multipart/form-data",)}

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


def _hostname(value: str) -> str:
    """The host of a ``Host`` header (``[::1]:8000`` -> ``::1``, ``Example.org:80`` -> ``example.org``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


async def _refuse(
    send: Callable[[Any], Awaitable[None]], status: int, detail: str, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RateLimit:
    """Token buckets per client address: ``requests`` and ``mib`` (body MiB) per minute; 0 turns one off."""

    MAX_CLIENTS = 100_000  # full buckets are forgotten beyond this, so many addresses cannot exhaust memory

    def __init__(self, requests: float = 6000, mib: float = 120) -> None:
        self.requests = float(requests) / 60.0
        self.bytes = float(mib) * 2**20 / 60.0
        self._state: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _bucket(self, client: str, now: float) -> list[float]:
        state = self._state.get(client)
        if state is None:
            if len(self._state) >= self.MAX_CLIENTS:
                self._forget_full(now)
            state = self._state[client] = [self.requests * 60, self.bytes * 60, now]
        elapsed, state[2] = now - state[2], now
        state[0] = min(self.requests * 60, state[0] + elapsed * self.requests)
        state[1] = min(self.bytes * 60, state[1] + elapsed * self.bytes)
        return state

    def _forget_full(self, now: float) -> None:
        for key in [k for k, (_, _, last) in self._state.items() if now - last > 60]:
            del self._state[key]

    def admit(self, client: str) -> float | None:
        """None when ``client`` may send a request now (one request is taken), else the seconds to wait."""
        with self._lock:
            state = self._bucket(client, time.monotonic())
            waits = []
            if self.requests and state[0] < 1:
                waits.append((1 - state[0]) / self.requests)
            if self.bytes and state[1] < 0:
                waits.append(-state[1] / self.bytes)
            if waits:
                return max(waits)
            state[0] -= 1
            return None

    def charge(self, client: str, n_bytes: int) -> None:
        """Count ``n_bytes`` of body against ``client`` (it may go into debt: the next request then waits)."""
        with self._lock:
            self._bucket(client, time.monotonic())[1] -= n_bytes


class Guard:
    """ASGI middleware enforcing the rules of this module's docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_hosts: Iterable[str] = LOOPBACK,
        allowed_origins: Iterable[str] = (),
        max_bytes: int,
        limiter: RateLimit | None = None,
    ) -> None:
        self.app = app
        hosts = {h.strip().lower().strip("[]") for h in allowed_hosts}
        self.any_host = "*" in hosts
        self.hosts = frozenset(hosts - {"*"})
        self.origins = frozenset(o.strip().rstrip("/").lower() for o in allowed_origins)
        self.max_bytes = max_bytes
        self.limiter = limiter

    def origin_ok(self, origin: str, host: str) -> bool:
        """The page's origin is this service's own (the same host and port as the request) or a configured one."""
        origin = origin.strip().rstrip("/").lower()
        if origin in self.origins:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc == host.strip().lower()

    def sender_ok(self, origin: str, site: str, host: str) -> bool:
        """Whether a browser's write may pass: its ``Origin`` is allowed, or (a page sent with
        ``Referrer-Policy: no-referrer`` posts ``Origin: null``) the browser says it is ``same-origin``."""
        if origin and origin != "null":
            return self.origin_ok(origin, host)
        if origin == "null":
            return site == "same-origin"
        return site not in ("cross-site", "same-site")

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = {}
        for key, value in scope["headers"]:
            headers.setdefault(key, value)
        host = headers.get(b"host", b"").decode("latin-1")
        if not self.any_host and _hostname(host) not in self.hosts:
            await _refuse(
                send,
                400,
                f"Host {host[:100]!r} is not one this service answers to; the operator allows "
                "more with --allowed-host.",
            )
            return
        method = scope["method"]
        if method in _UNSAFE:
            origin = headers.get(b"origin", b"").decode("latin-1")
            if not self.sender_ok(origin, headers.get(b"sec-fetch-site", b"").decode("latin-1"), host):
                await _refuse(
                    send,
                    403,
                    f"requests from origin {origin[:100]!r} are not allowed; "
                    "the operator allows more with --allowed-origin.",
                )
                return
            wanted = _BODY_TYPES.get(scope["path"].rstrip("/") or "/")
            if wanted is not None:
                ctype = headers.get(b"content-type", b"").decode("latin-1").split(";", 1)[0].strip().lower()
                if not (ctype in wanted or (wanted[0] == "application/json" and ctype.endswith("+json"))):
                    await _refuse(
                        send, 415, f"{scope['path']} needs Content-Type: {wanted[0]}. Got {ctype or 'none'!r} instead."
                    )
                    return
            length = headers.get(b"content-length", b"")
            if length.isdigit() and int(length) > self.max_bytes:
                await _refuse(send, 413, f"request body is {int(length)} bytes; the limit is {self.max_bytes}.")
                return
            if self.limiter is not None and wanted is not None:
                limiter = self.limiter
                client = str((scope.get("client") or ("unknown", 0))[0])
                wait = limiter.admit(client)
                if wait is not None:
                    await _refuse(
                        send,
                        429,
                        f"too many requests or bytes from {client}; retry in {wait:.1f} s.",
                        [(b"retry-after", str(max(1, round(wait + 0.5))).encode())],
                    )
                    return

                async def counted() -> Any:
                    message = await receive()
                    if message.get("type") == "http.request":
                        limiter.charge(client, len(message.get("body", b"")))
                    return message

                await self.app(scope, counted, send)
                return
        await self.app(scope, receive, send)
