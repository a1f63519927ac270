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
- it is younger than `web.catalogue_page_seconds`, or, once older, one query has found that
  the price and stock of every part it shows (and the part's public reviews) are still what it
  shows; it then counts as new. That is the bound on how old the price, stock and reviews on a
  catalogue page can be after a change made by another process (the bot, another web process),
  and re-checking costs a query instead of a render. A page past 3/4 of that age is still served
  while one re-check runs in the background, so a page visited often never makes a visitor wait
  for its re-check. A page whose view did not say what live
  data it shows (`showing`) is rendered again instead. 0 turns the cache off. Checkout never
  reads a page: it takes stock with a conditional UPDATE, so a stale page can at worst promise
  a unit that checkout then refuses.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from core.catalogue.cache import catalogue_cache
from core.catalogue.cards import prices_and_stock
from core.reviews.service import public_reviews
from web import keys
from web.security import csrf_token, read_cookie

log = logging.getLogger("gearshop.web")
View = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BYTES = 64 * 1024 * 1024  # ~2,000–4,000 pages of 15–30 KiB
RECHECK_AHEAD = 0.75  # share of catalogue_page_seconds after which a background re-check starts
# Background re-checks at a time: more would queue before the requests on the one SQLite connection.
MAX_RECHECKS = 4


@dataclass(frozen=True, slots=True)
class LiveData:
    """What a page shows that changes without a new catalogue version."""

    parts: frozenset[tuple[int, int, str, int]] = frozenset()  # (id, price, currency, stock)
    reviews: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (part id, ids of the reviews shown)

    async def still_current(self) -> bool:
        """Whether the database still holds what the page shows (one query per kind)."""
        if self.parts and await prices_and_stock([part[0] for part in self.parts]) != self.parts:
            return False
        for part_id, shown in self.reviews:
            if tuple(review.id for review in await public_reviews(part_id)) != shown:
                return False
        return True


def showing(request: web.Request, parts: Iterable[Any] = (), reviews: tuple[int, Sequence[Any]] | None = None
            ) -> None:  # fmt: skip
    """A kept view says what live data its page shows: the price and stock of these parts
    (cards or parts), a part's public reviews. Nothing to say is said with `showing(request)`."""
    if keys.LIVE_DATA not in request:  # not rendering for the page cache
        return
    known = request[keys.LIVE_DATA] or LiveData()
    shown = frozenset((part.id, part.price, part.currency, part.stock) for part in parts)
    extra = ((reviews[0], tuple(review.id for review in reviews[1])),) if reviews is not None else ()
    request[keys.LIVE_DATA] = LiveData(known.parts | shown, known.reviews + extra)


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
        self._rechecks: dict[Hashable, asyncio.Task] = {}

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
            if age >= self.seconds * RECHECK_AHEAD:
                self._recheck_soon(key, page, stamp, now)
            return page
        return await self._recheck(key, page, stamp, now)

    async def _recheck(self, key: Hashable, page: KeptPage, stamp: tuple[int, int], now: float
                       ) -> KeptPage | None:  # fmt: skip
        """The page again as of `now` when its live data is unchanged, else None (dropped)."""
        current = page.live is not None and await page.live.still_current()
        if self._pages.get(key) is not page:  # dropped or replaced meanwhile
            return KeptPage(page.body, now, page.live) if current else None
        if not current:
            self._drop(key)
            return None
        fresh = KeptPage(page.body, now, page.live)  # current as of now: it counts as new
        if stamp == self._stamp:
            self._pages[key] = fresh
        return fresh

    def _recheck_soon(self, key: Hashable, page: KeptPage, stamp: tuple[int, int], now: float) -> None:
        """A background re-check, unless one runs for it or enough run: the page's own time
        still bounds it (a request re-checks a page past its time itself)."""
        if page.live is None or key in self._rechecks or len(self._rechecks) >= MAX_RECHECKS:
            return
        self._rechecks[key] = task = asyncio.create_task(self._recheck(key, page, stamp, now))
        task.add_done_callback(lambda done: self._recheck_done(key, done))

    def _recheck_done(self, key: Hashable, task: asyncio.Task) -> None:
        self._rechecks.pop(key, None)
        if not task.cancelled() and task.exception() is not None:
            log.warning("re-checking a kept page failed", exc_info=task.exception())

    async def close(self) -> None:
        """Stop the background re-checks (the app's on_shutdown)."""
        tasks = list(self._rechecks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

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
