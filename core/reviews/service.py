"""Reviews of parts (P15): written by a signed-in customer, public, shown under a chosen name.

A review is a rating from 1 to 5, a text and the display name the customer picks for it. The
name is checked like the profile's display name (never an email address or a phone number),
and the public list carries only that name, the rating, the text and the day: never the
customer's id, real name, email or phone. The author sees their reviews in the account and can
delete them. Staff remove a review with a reason; it disappears from the part page and the
removal is written to the author's audit trail.

The `Review` table lives with the catalogue (core.catalogue.models). The customer's reviews are
in the data export and are deleted with the account (core.customers.data_rights).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from core.catalogue.cache import live_data_changed
from core.catalogue.models import Part, Review
from core.customers.audit import record_event
from core.customers.models import Customer, CustomerStatus
from core.customers.validation import TEXT_INVALID, FieldErrors, clean_display_name
from core.errors import NotFound, PermissionDenied, ValidationError

TEXT_LIMIT = 2000
PUBLIC_LIMIT = 50
DISPLAY_NAME_REQUIRED = "Choose the name shown with your review."
RATING_INVALID = "Choose a rating from 1 to 5."
TEXT_REQUIRED = "Write the text of your review."
TEXT_TOO_LONG = "This is too long: at most 2000 characters."
SIGNED_IN_ONLY = "Only a signed-in customer can write a review."
NO_SUCH_PART = "There is no such part."
NO_SUCH_REVIEW = "There is no such review."
STAFF_ONLY = "Only staff can remove a review."
REASON_REQUIRED = "Give the reason for removing this review."


@dataclass(frozen=True, slots=True)
class PublicReview:
    """What anybody may see of a review: nothing that leads to the person behind it."""

    id: int
    display_name: str
    rating: int
    text: str
    created_at: dt.datetime


def clean_review_text(errors: FieldErrors, field: str, value: str | None) -> str:
    """Trimmed text with its line breaks kept (at most one empty line in a row)."""
    lines = [" ".join(line.split()) for line in (value or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not text:
        errors.add(field, TEXT_REQUIRED)
    elif any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in text if c != "\n"):
        errors.add(field, TEXT_INVALID)
    elif len(text) > TEXT_LIMIT:
        errors.add(field, TEXT_TOO_LONG)
    return text


def clean_rating(errors: FieldErrors, field: str, value: int | str | None) -> int:
    text = str(value if value is not None else "").strip()
    if not re.fullmatch(r"[1-5]", text):
        errors.add(field, RATING_INVALID)
        return 0
    return int(text)


async def write_review(customer: Customer | None, part_id: int, *, display_name: str, rating: int | str,
                       text: str, channel: str = "web", ip: str | None = None) -> Review:
    """Publish a review of the part; ValidationError with every bad field, and then nothing is saved."""
    if customer is None or customer.status != CustomerStatus.ACTIVE:
        raise PermissionDenied(SIGNED_IN_ONLY)
    part = await Part.get_or_none(id=part_id) if isinstance(part_id, int) else None
    if part is None:
        raise NotFound(NO_SUCH_PART)
    errors = FieldErrors()
    name = clean_display_name(errors, "display_name", display_name)
    if not name and "display_name" not in errors.fields:
        errors.add("display_name", DISPLAY_NAME_REQUIRED)
    values = {"display_name": name, "rating": clean_rating(errors, "rating", rating),
              "text": clean_review_text(errors, "text", text)}
    errors.raise_if_any()
    review = await Review.create(part_id=part.id, customer_id=customer.id, **values)
    await record_event(customer, "review_written", channel=channel, ip=ip, review_id=review.id, part_id=part.id)
    return review


async def public_reviews(part_id: int, *, limit: int = PUBLIC_LIMIT) -> list[PublicReview]:
    """The part's reviews that staff have not removed, newest first."""
    rows = await (Review.filter(part_id=part_id, removed_at=None).order_by("-created_at", "-id").limit(limit)
                  .values("id", "display_name", "rating", "text", "created_at"))
    return [PublicReview(**row) for row in rows]


async def public_review_ids(part_ids: list[int], *, limit: int = PUBLIC_LIMIT) -> dict[int, tuple[int, ...]]:
    """The ids `public_reviews` shows for each of these parts, in its order (no entry: none)."""
    found: dict[int, list[int]] = {}
    rows = await (Review.filter(part_id__in=part_ids, removed_at=None).order_by("part_id", "-created_at", "-id")
                  .values_list("part_id", "id"))
    for part_id, review_id in rows:
        shown = found.setdefault(part_id, [])
        if len(shown) < limit:
            shown.append(review_id)
    return {part_id: tuple(ids) for part_id, ids in found.items()}


async def reviews_of(customer: Customer) -> list[Review]:
    """The customer's own reviews (removed ones too), newest first, with their parts (P9)."""
    return await Review.filter(customer_id=customer.id).order_by("-created_at", "-id").prefetch_related("part")


async def delete_own_review(customer: Customer, review_id: int, *, channel: str = "web", ip: str | None = None) -> None:
    """The author deletes a review for good; anyone else's review is NotFound (P9)."""
    deleted = await Review.filter(id=review_id, customer_id=customer.id).delete() if isinstance(review_id, int) else 0
    if not deleted:
        raise NotFound(NO_SUCH_REVIEW)
    live_data_changed()  # a queryset delete sends no signal: the part page must lose it at once
    await record_event(customer, "review_deleted", channel=channel, ip=ip, review_id=review_id)


async def remove_review(staff: Customer, review_id: int, reason: str) -> Review:
    """Take a review off the part page (kept for the author's export until the account goes).

    The author's audit trail says who removed it and why (not the staff member's IP)."""
    if not staff.is_staff or staff.status != CustomerStatus.ACTIVE:
        raise PermissionDenied(STAFF_ONLY)
    reason = " ".join((reason or "").split())
    if len(reason) < 3:
        raise ValidationError(REASON_REQUIRED, fields={"reason": REASON_REQUIRED})
    review = await Review.get_or_none(id=review_id) if isinstance(review_id, int) else None
    if review is None:
        raise NotFound(NO_SUCH_REVIEW)
    if review.removed_at is None:
        review.removed_at = dt.datetime.now(dt.UTC)
        review.removed_by_id = staff.id
        await review.save(update_fields=["removed_at", "removed_by_id"])
        author = await Customer.get_or_none(id=review.customer_id) if review.customer_id else None
        await record_event(author, "review_removed", actor=f"staff:{staff.id}", channel="staff",
                           review_id=review.id, reason=reason[:500])
    return review
