"""Whole responses of public pages, kept per process for anonymous visitors.

Most visitors of the register, case pages, statistics, feeds and the open API are not logged
in and see exactly the same bytes. Rendering such a page costs ten times the framework's own
cost per request (templates, translations, dates); serving a copy costs one index lookup:
the same change marker as the figures cache (latest change to a case in scope, latest
published decision, and a counter of this process's commits). A copy is also dropped after
PAGE_CACHE_SECONDS, which bounds how long a change made through another worker process and
not visible in the marker (a new public document, a meeting) can take to show.

Logged-in users, requests with pending flash messages and responses that touch the session
or set a cookie are never cached. Every cached response carries an ETag, so a browser that
asks again gets 304 Not Modified.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable

from flask import Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user

MAX_BODY_BYTES = 512 * 1024


@dataclass(frozen=True)
class _Entry:
    marker: Any
    stored_at: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class PageCache:
    """A least-recently-used map bounded by the bytes of the bodies it holds; one per
    application (so per worker process)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> _Entry | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is not None:
                self._data.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: _Entry) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= len(old.body)
            self._data[key] = entry
            self.bytes += len(entry.body)
            while self.bytes > self.max_bytes and self._data:
                _key, dropped = self._data.popitem(last=False)
                self.bytes -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._data)


def page_cache() -> PageCache:
    cache = current_app.extensions.get("participation.page_cache")
    if cache is None:
        cache = current_app.extensions["participation.page_cache"] = PageCache(
            current_app.config.get("PAGE_CACHE_MB", 32) * 1024 * 1024)
    return cache


def _eligible() -> bool:
    return (current_app.config.get("PAGE_CACHE_SECONDS", 0) > 0
            and request.method == "GET"
            and not current_user.is_authenticated
            and "_flashes" not in session)


def _key() -> tuple:
    # The full URL: API responses hold absolute links. The headers that change the body:
    # the language, and whether htmx asked for a fragment.
    return (request.url, str(get_locale()), request.headers.get("HX-Request", ""),
            request.headers.get("HX-Boosted", ""))


def _respond(entry: _Entry) -> Response:
    response = Response(entry.body, status=entry.status, headers=list(entry.headers))
    return response.make_conditional(request)


def cached_page(scope: Callable[[], int | None]) -> Callable:
    """Serve the view's response from the page cache for anonymous visitors. `scope()` gives
    the organisation id whose cases the page shows (None: all organisations)."""
    from participation.public.queries import change_marker

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if not _eligible():
                return view(*args, **kwargs)
            # Rendered without the per-visitor CSRF token: these pages post nothing.
            g.page_cache = True
            cache = page_cache()
            key = _key()
            marker = change_marker(scope())
            now = time.time()
            entry = cache.get(key)
            if (entry is not None and entry.marker == marker
                    and now - entry.stored_at < current_app.config["PAGE_CACHE_SECONDS"]):
                return _respond(entry)
            response = current_app.make_response(view(*args, **kwargs))
            if (response.status_code != 200 or session.modified or response.is_streamed
                    or "Set-Cookie" in response.headers):
                return response
            body = response.get_data()
            if len(body) > MAX_BODY_BYTES:
                return response
            response.add_etag()
            response.headers["Cache-Control"] = "no-cache"  # store, but ask us again
            vary = {v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()}
            response.headers["Vary"] = ", ".join(sorted(vary | {"Cookie", "Accept-Language"}))
            cache.put(key, _Entry(marker, now, response.status_code,
                                  tuple(response.headers.items()), body))
            return response.make_conditional(request)
        return wrapper
    return decorate


def org_scope() -> int | None:
    org = g.get("org")
    return org.id if org is not None else None


def install_scope() -> None:
    return None
