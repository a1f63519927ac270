"""Rendered catalogue pages kept in this process, so a hot page needs no database and no template.

What is kept: the HTML of a catalogue page (home, category, search, part page) as an anonymous
visitor sees it, with a marker, random per process, where each CSRF token goes. Serving it puts
this visitor's own token in place of the marker (one `bytes.replace`), and the CSRF cookie is set
as on any page. The key is everything else the page depends on: path and query (which hold the
vehicle, the search, the page number and `current_path()`), the language, and the remembered
`vehicle` cookie when the URL names no vehicle.

Never kept, always rendered:
- requests other than GET/HEAD;
- a signed-in visitor's pages (they show the name, the garage and the review form, and are
  `Cache-Control: no-store`), and any request that carries a session;
- a request with a flash message waiting (it shows it once);
- an answer that is not 200, that has a Cache-Control header, or during which the view queued a
  cookie (a remembered vehicle that no longer exists is forgotten: the next request renders).

The freshness rule (docs/benchmarks.md). A kept page is served only while all of these hold:
- the catalogue cache's generation is unchanged: no import, no ORM write to the catalogue, same
  database (`core.catalogue.cache`, which checks the version at most once a second);
- no stock or review change was committed by this process since it was rendered: checkout,
  cancellation, reviews and account deletion call `live_data_changed`, so within one process
  what a customer does shows at once (buy the last unit, the part page says "Out of stock");
- it is younger than `web.catalogue_page_seconds`, or, once older, a re-check has found that
  the price and stock of every part it shows (and the part's public reviews) are still what it
  shows; it then counts as new. That is the bound on how old the price, stock and reviews on a
  catalogue page can be after a change made by another process (the bot, another web process).
  One background task re-checks pages in batches, one query per kind for up to RECHECK_BATCH
  pages (`web.page_checks`), so a re-check costs a share of a query instead of a render. A page
  past 3/4 of its time is still served and queued for a re-check, so a page visited often never
  makes a visitor wait. A page whose view did not say what live data it shows
  (`web.page_checks.showing`) is rendered again instead. 0 turns the cache off.
- Checkout never reads a page: it takes stock with a conditional UPDATE, so a page that is
  behind can at worst offer a unit that checkout then refuses.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from aiohttp import web

from core.catalogue.cache import catalogue_cache
from web import keys
from web.page_checks import LiveData, still_current
from web.security import csrf_token, read_cookie

log = logging.getLogger("gearshop.web")
View = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BYTES = 64 * 1024 * 1024  # ~2,000–4,000 pages of 15–30 KiB
RECHECK_AHEAD = 0.75  # share of catalogue_page_seconds after which a page is queued for re-checking
RECHECK_BATCH = 100  # pages re-checked with one query (their part ids in one IN list)


@dataclass(frozen=True, slots=True)
class KeptPage:
    body: bytes  # UTF-8 HTML with the CSRF marker
    rendered_at: float  # time.monotonic(), taken before its data was read
    live: LiveData | None  # None: the view did not say, so it cannot be re-checked


class PageCache:
    """Kept pages by key, least recently used dropped first, all dropped when the data changes."""

    def __init__(self, seconds: float, max_bytes: int = MAX_BYTES) -> None:
        self.seconds = seconds
        self.max_bytes = max_bytes
        self.marker = "csrf-marker-" + secrets.token_hex(16)
        self._marker_bytes = self.marker.encode()
        self._pages: OrderedDict[Hashable, KeptPage] = OrderedDict()
        self._bytes = 0
        self._stamp: tuple[int, int] | None = None
        self._due: dict[Hashable, KeptPage] = {}  # pages queued for re-checking
        self._waiting: dict[Hashable, list[asyncio.Future]] = {}  # requests waiting for a re-check
        self._wake = asyncio.Event()
        self._checker: asyncio.Task | None = None

    def _follow(self, stamp: tuple[int, int]) -> None:
        if stamp != self._stamp:  # the catalogue, the stock or the reviews changed
            self._pages.clear()
            self._bytes = 0
            self._stamp = stamp

    async def find(self, key: Hashable, stamp: tuple[int, int], now: float) -> KeptPage | None:
        """The kept page, re-checked first when it is older than `seconds`; None: render it."""
        self._follow(stamp)
        page = self._pages.get(key)
        if page is None:
            return None
        self._pages.move_to_end(key)
        age = now - page.rendered_at
        if age < self.seconds:
            if age >= self.seconds * RECHECK_AHEAD and page.live is not None:
                self._queue(key, page)
            return page
        if page.live is None:
            self._drop(key)
            return None
        waiting = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append(waiting)
        self._queue(key, page)
        return await waiting

    def _queue(self, key: Hashable, page: KeptPage) -> None:
        self._due.setdefault(key, page)
        if self._checker is None:
            self._checker = asyncio.create_task(self._check_forever(), name="page-cache-checks")
        self._wake.set()

    async def _check_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._due:
                batch = [self._due.popitem() for _ in range(min(RECHECK_BATCH, len(self._due)))]
                await self._check(batch)

    async def _check(self, batch: list[tuple[Hashable, KeptPage]]) -> None:
        """Re-check pages: each counts as new when unchanged, else is dropped (rendered again)."""
        now, stamp = time.monotonic(), self._stamp  # before the data is read
        try:
            current = await still_current([page.live for _key, page in batch])
        except Exception:  # a failed check renders the pages again; it stops nothing
            log.exception("re-checking kept pages failed")
            current = [False] * len(batch)
        for (key, page), unchanged in zip(batch, current, strict=True):
            fresh = KeptPage(page.body, now, page.live) if unchanged else None
            if self._pages.get(key) is page:  # not dropped or replaced meanwhile
                if fresh is None:
                    self._drop(key)
                elif stamp == self._stamp:
                    self._pages[key] = fresh
            for waiting in self._waiting.pop(key, ()):
                if not waiting.done():
                    waiting.set_result(fresh)

    async def close(self) -> None:
        """Stop the re-checks (the app's on_shutdown); requests still waiting render their pages."""
        if self._checker is not None:
            self._checker.cancel()
            await asyncio.gather(self._checker, return_exceptions=True)
            self._checker = None
        for waiting in (w for ws in self._waiting.values() for w in ws):
            if not waiting.done():
                waiting.set_result(None)
        self._waiting.clear()

    def keep(self, key: Hashable, page: KeptPage, stamp: tuple[int, int]) -> None:
        """Keep a page rendered from data of `stamp` (taken before rendering: a change made
        while it rendered leaves it out)."""
        if stamp != self._stamp or len(page.body) > self.max_bytes:
            return
        self._drop(key)
        self._pages[key] = page
        self._bytes += len(page.body)
        while self._bytes > self.max_bytes:
            self._drop(next(iter(self._pages)))

    def _drop(self, key: Hashable) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            self._bytes -= len(page.body)

    def personal(self, request: web.Request, body: bytes) -> bytes:
        """The kept page with this visitor's CSRF token (its cookie is queued when new)."""
        return body.replace(self._marker_bytes, csrf_token(request).encode())

    def __len__(self) -> int:
        return len(self._pages)


def page_key(request: web.Request) -> Hashable | None:
    """What the page depends on, or None when this request must be rendered for itself."""
    cache = request.app.get(keys.PAGE_CACHE)
    if cache is None or cache.seconds <= 0 or request.method not in ("GET", "HEAD"):
        return None
    if request.get(keys.SESSION) is not None or request.get(keys.CUSTOMER) is not None:
        return None
    if read_cookie(request, "flash"):
        return None
    vehicle = None if request.query.get("vehicle") else read_cookie(request, "vehicle")
    return request.path_qs, request[keys.LOCALE], vehicle


def kept_page(view: View) -> View:
    """The view's pages served from the page cache when the rules above allow it."""

    async def serve(request: web.Request) -> web.StreamResponse:
        key = page_key(request)
        if key is None:
            return await view(request)
        cache: PageCache = request.app[keys.PAGE_CACHE]
        stamp = await catalogue_cache.stamp()
        now = time.monotonic()
        page = await cache.find(key, stamp, now)
        if page is not None:
            return web.Response(body=cache.personal(request, page.body), content_type="text/html",
                                charset="utf-8")
        response, body, live = await _render_for_cache(request, view, cache.marker)
        if body is not None:
            cache.keep(key, KeptPage(body, now, live), stamp)
            response.body = cache.personal(request, body)
        return response

    serve.__name__ = serve.__qualname__ = view.__name__
    serve.__doc__ = view.__doc__
    return serve


async def _render_for_cache(request: web.Request, view: View, marker: str
                            ) -> tuple[web.StreamResponse, bytes | None, LiveData | None]:  # fmt: skip
    """The view's response rendered with the marker for CSRF tokens, its body when it may be
    kept (None: the response already carries real tokens and goes out as it is) and the live
    data it said it shows."""
    queued = len(request[keys.COOKIE_QUEUE])
    request[keys.CSRF_MARKER] = marker
    request[keys.LIVE_DATA] = None
    try:
        response = await view(request)
    finally:
        del request[keys.CSRF_MARKER]
        live = request.pop(keys.LIVE_DATA)
    if not isinstance(response, web.Response) or response.body is None:
        return response, None, None
    body = bytes(response.body)
    keep = (response.status == 200 and "Cache-Control" not in response.headers
            and len(request[keys.COOKIE_QUEUE]) == queued)
    if not keep:
        response.body = body.replace(marker.encode(), csrf_token(request).encode())
        return response, None, None
    return response, body, live
