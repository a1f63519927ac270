"""What a kept catalogue page shows that changes without a new catalogue version, and the check
that it is still what the database holds (web.page_cache).

A kept view says what it shows with `showing(request, parts, reviews=...)`: the price and stock
of each part (card) on the page, and a part's public reviews. `still_current` checks many pages
with one query per kind, so re-checking a page costs a share of a query, not a render.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from core.catalogue.cards import prices_and_stock
from core.reviews.service import public_review_ids
from web import keys


@dataclass(frozen=True, slots=True)
class LiveData:
    """What a page shows that changes without a new catalogue version."""

    parts: frozenset[tuple[int, int, str, int]] = frozenset()  # (id, price, currency, stock)
    reviews: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (part id, ids of the reviews shown)


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


async def still_current(pages: list[LiveData]) -> list[bool]:
    """For each page, whether the database still holds every price, stock and review it shows."""
    part_ids = sorted({part[0] for live in pages for part in live.parts})
    parts_now = await prices_and_stock(part_ids)
    reviewed = sorted({part_id for live in pages for part_id, _shown in live.reviews})
    reviews_now = await public_review_ids(reviewed) if reviewed else {}
    return [live.parts <= parts_now
            and all(reviews_now.get(part_id, ()) == shown for part_id, shown in live.reviews)
            for live in pages]  # fmt: skip
