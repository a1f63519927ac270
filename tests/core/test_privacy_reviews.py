"""P15 in the core: a review is public under the name its author chose and nothing else about
them; bad input is refused whole; staff remove a review with a reason, audited; the author's
reviews are in the data export and go with the account (P9)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from core.catalogue.models import Part, Review
from core.customers.data_rights import delete_account, export_customer_data
from core.customers.models import AuditEvent, Customer
from core.errors import NotFound, PermissionDenied, ValidationError
from core.reviews.service import PublicReview, public_reviews, remove_review, write_review

PERSONAL = ("Shevchenko", "Olena", "olena.private@example.com", "+380501234567")


async def author(**fields) -> Customer:
    values = {"last_name": "Shevchenko", "first_name": "Olena", "email": "olena.private@example.com",
              "phone": "+380501234567", "confirmed_at": dt.datetime.now(dt.UTC)}
    return await Customer.create(**(values | fields))


async def part() -> Part:
    return await Part.create(brand="TRW", article="GDB1550", name="Brake pad set", price=3450, currency="EUR",
                             stock=3)


async def test_a_review_is_public_under_the_chosen_name_and_nothing_else(db):
    customer, pads = await author(), await part()
    review = await write_review(customer, pads.id, display_name="  Wheels   from Kyiv ", rating="4",
                                text="Quiet and no dust.\r\n\r\n\r\nFitted in an hour.", ip="192.0.2.8")
    assert (review.display_name, review.rating, review.customer_id) == ("Wheels from Kyiv", 4, customer.id)

    shown = await public_reviews(pads.id)
    assert [(r.display_name, r.rating, r.text) for r in shown] == [
        ("Wheels from Kyiv", 4, "Quiet and no dust.\n\nFitted in an hour.")]
    assert {f.name for f in dataclasses.fields(PublicReview)} == {"id", "display_name", "rating", "text", "created_at"}
    assert not any(value in repr(shown) for value in PERSONAL)
    assert await AuditEvent.filter(customer_id=customer.id, event="review_written").exists()
    assert await public_reviews(pads.id + 1) == []


@pytest.mark.parametrize(("name", "rating", "text", "bad"), [
    ("olena.private@example.com", "5", "Good.", {"display_name"}),  # an email is not a display name
    ("Olena +380 50 123 4567", "5", "Good.", {"display_name"}),  # nor a phone number
    ("", "5", "Good.", {"display_name"}),
    ("Olena", "0", "Good.", {"rating"}),
    ("Olena", "6", "Good.", {"rating"}),
    ("Olena", "five", "Good.", {"rating"}),
    ("Olena", "5", "   \n ", {"text"}),
    ("Olena", "5", "x" * 2001, {"text"}),
    ("Olena", "5", "bell \x07 inside", {"text"}),
    ("x" * 65, "", "", {"display_name", "rating", "text"}),  # every bad field at once
])
async def test_bad_input_is_refused_and_nothing_is_saved(db, name, rating, text, bad):
    customer, pads = await author(), await part()
    with pytest.raises(ValidationError) as caught:
        await write_review(customer, pads.id, display_name=name, rating=rating, text=text)
    assert set(caught.value.fields) == bad
    assert not await Review.exists()


async def test_only_an_active_customer_reviews_an_existing_part(db):
    pads = await part()
    with pytest.raises(PermissionDenied):
        await write_review(None, pads.id, display_name="Anon", rating=5, text="Good.")
    with pytest.raises(PermissionDenied):
        await write_review(await author(status="deleted", email=None, phone=None), pads.id,
                           display_name="Gone", rating=5, text="Good.")
    with pytest.raises(NotFound):
        await write_review(await author(email="b@example.com", phone=None), pads.id + 1, display_name="B",
                           rating=5, text="Good.")
    assert not await Review.exists()


async def test_staff_remove_a_review_with_a_reason_and_it_leaves_the_page(db):
    customer, pads = await author(), await part()
    staff = await Customer.create(first_name="Desk", email="desk@example.com", is_staff=True)
    clerk = await Customer.create(first_name="Clerk", email="clerk@example.com")
    review = await write_review(customer, pads.id, display_name="Wheels", rating=1, text="Spam spam spam")

    with pytest.raises(PermissionDenied):
        await remove_review(clerk, review.id, "I do not like it")
    with pytest.raises(ValidationError) as caught:
        await remove_review(staff, review.id, " ")
    assert set(caught.value.fields) == {"reason"}
    with pytest.raises(NotFound):
        await remove_review(staff, review.id + 1, "advertising")
    assert [r.id for r in await public_reviews(pads.id)] == [review.id]

    await remove_review(staff, review.id, "advertising for another shop")
    await remove_review(staff, review.id, "pressed twice")
    assert await public_reviews(pads.id) == []
    stored = await Review.get(id=review.id)
    assert stored.removed_at is not None and stored.removed_by_id == staff.id
    events = await AuditEvent.filter(event="review_removed")
    assert [(e.customer_id, e.actor, e.detail["reason"], e.ip) for e in events] == [
        (customer.id, f"staff:{staff.id}", "advertising for another shop", None)]


async def test_the_authors_reviews_are_exported_and_deleted_with_the_account(db):
    customer, pads = await author(), await part()
    staff = await Customer.create(first_name="Desk", email="desk@example.com", is_staff=True)
    kept = await write_review(customer, pads.id, display_name="Wheels", rating=5, text="Great pads.")
    removed = await write_review(customer, pads.id, display_name="Wheels", rating=1, text="Buy at example.org")
    await remove_review(staff, removed.id, "advertising")

    exported = (await export_customer_data(customer))["reviews"]
    assert [(r["id"], r["display_name"], r["text"], r["removed_at"] is not None) for r in exported] == [
        (kept.id, "Wheels", "Great pads.", False), (removed.id, "Wheels", "Buy at example.org", True)]

    await delete_account(customer, actor="customer")
    assert not await Review.exists()
    assert await public_reviews(pads.id) == []


async def test_the_author_lists_and_deletes_their_own_reviews_only(db):
    from core.reviews.service import delete_own_review, reviews_of

    customer, pads = await author(), await part()
    other = await author(email="other@example.com", phone="+380671234567")
    review = await write_review(customer, pads.id, display_name="Wheels", rating=5, text="Great pads.")
    assert [(r.id, r.part.article) for r in await reviews_of(customer)] == [(review.id, "GDB1550")]
    assert await reviews_of(other) == []
    with pytest.raises(NotFound):
        await delete_own_review(other, review.id)
    await delete_own_review(customer, review.id)
    assert not await Review.exists()
    assert await AuditEvent.filter(customer_id=customer.id, event="review_deleted").exists()
    with pytest.raises(NotFound):
        await delete_own_review(customer, review.id)
