"""P15 on the part page: reviews are shown with the display name their author chose and nothing
else about them; the form warns that a review is public; writing needs an account (P1); bad input
comes back by the field and saves nothing; only staff can remove a review (P20)."""

from __future__ import annotations

from html import unescape

from tests.web.conftest import Catalogue, csrf_from, make_customer, sign_in_as, sqlite_only
from tests.web.test_auth_pages import field_error, post_form

WARNING = "Your review is public: everyone can read it, with the name you choose below."
PERSONAL = ("Koval", "Olena", "olena@example.com", "+380501234567", "380501234567")


async def write(client, part_id: int, **fields: str):
    values = {"display_name": "Wheels from Kyiv", "rating": "4", "text": "Quiet pads,\nno dust."} | fields
    return await post_form(client, f"/part/{part_id}/reviews", values, token_from=f"/part/{part_id}")


def reviews_section(html: str) -> str:
    return unescape(html.split('id="reviews"', 1)[1].split("</section>", 1)[0])


async def test_a_review_is_published_under_the_chosen_name_only(app_client, catalogue: Catalogue):
    from core.catalogue.models import Review

    author = await app_client()
    customer = await make_customer(display_name="")
    await sign_in_as(author, customer)
    form_page = reviews_section(await (await author.get(f"/part/{catalogue.pads}")).text())
    assert WARNING in form_page and 'name="display_name"' in form_page and 'name="text"' in form_page

    published = await write(author, catalogue.pads)
    assert published.status == 303 and published.headers["Location"] == f"/part/{catalogue.pads}#reviews"
    assert "Thank you! Your review is published." in await (await author.get(f"/part/{catalogue.pads}")).text()

    reader = await app_client()
    page = await reader.get(f"/part/{catalogue.pads}")
    shown = reviews_section(await page.text())
    assert page.status == 200
    assert "Wheels from Kyiv" in shown and "Quiet pads,<br>no dust." in shown and "★★★★☆" in shown
    for value in PERSONAL:
        assert value not in await page.text(), value
    assert (await Review.get(part_id=catalogue.pads)).customer_id == customer.id
    assert "Remove this review" not in shown  # readers cannot remove anything


async def test_reading_needs_no_account_writing_does(app_client, catalogue: Catalogue):
    from core.catalogue.models import Review

    visitor = await app_client()
    html = reviews_section(await (await visitor.get(f"/part/{catalogue.pads}")).text())
    assert "No reviews yet." in html and "Sign in to write a review." in html
    assert 'name="text"' not in html
    response = await write(visitor, catalogue.pads)
    assert response.status == 303 and response.headers["Location"].startswith("/sign-in?next=")
    assert not await Review.exists()
    back = await visitor.get(f"/part/{catalogue.pads}/reviews", allow_redirects=False)  # after signing in
    assert back.status == 303 and back.headers["Location"] == f"/part/{catalogue.pads}#reviews"


async def test_bad_input_comes_back_by_the_field_and_nothing_is_saved(app_client, catalogue: Catalogue):
    from core.catalogue.models import Review

    client = await app_client()
    await sign_in_as(client, await make_customer())
    response = await write(client, catalogue.pads, display_name="olena@example.com", rating="9",
                           text="Kept as typed " + "x" * 2000)
    html = unescape(await response.text())
    assert response.status == 422
    assert "do not use an email address or a phone number" in field_error(html, "display_name")
    assert field_error(html, "rating") == "Choose a rating from 1 to 5."
    assert field_error(html, "text") == "This is too long: at most 2000 characters."
    assert "Kept as typed xxxx" in html
    empty = await write(client, catalogue.pads, display_name="", text="")
    assert empty.status == 422 and field_error(await empty.text(), "text") == "Write the text of your review."
    unknown = await write(client, 999_999)
    assert unknown.status == 404
    assert not await Review.exists()


@sqlite_only
async def test_writing_needs_the_csrf_token(app_client, catalogue: Catalogue):
    from core.catalogue.models import Review

    client = await app_client()
    await sign_in_as(client, await make_customer())
    response = await client.post(f"/part/{catalogue.pads}/reviews",
                                 data={"display_name": "W", "rating": "5", "text": "Good."}, allow_redirects=False)
    assert response.status == 403
    assert not await Review.exists()


async def test_only_staff_remove_a_review_and_say_why(app_client, catalogue: Catalogue):
    from core.catalogue.models import Review
    from core.customers.models import AuditEvent

    author = await app_client()
    customer = await make_customer()
    await sign_in_as(author, customer)
    assert (await write(author, catalogue.pads, display_name="Spammer", text="Cheap pads at example.org")).status == 303
    review = await Review.get(part_id=catalogue.pads)
    remove_path = f"/part/{catalogue.pads}/reviews/{review.id}/remove"

    # The author (not staff) cannot remove it, even by posting the form directly.
    token = await csrf_from(author, f"/part/{catalogue.pads}")
    refused = await author.post(remove_path, data={"csrf_token": token, "reason": "mine"}, allow_redirects=False)
    assert refused.status == 403
    assert (await Review.get(id=review.id)).removed_at is None

    desk = await app_client()
    staff = await make_customer(email="desk@example.com", phone="+380671234567", first_name="Desk", is_staff=True)
    await sign_in_as(desk, staff)
    page = reviews_section(await (await desk.get(f"/part/{catalogue.pads}")).text())
    assert "Remove this review" in page and f'action="{remove_path}"' in page
    no_reason = await post_form(desk, remove_path, {"reason": ""}, token_from=f"/part/{catalogue.pads}")
    assert no_reason.status == 422
    assert field_error(await no_reason.text(), "reason") == "Give the reason for removing this review."
    done = await post_form(desk, remove_path, {"reason": "advertising"}, token_from=f"/part/{catalogue.pads}")
    assert done.status == 303

    reader = await app_client()
    assert "Spammer" not in await (await reader.get(f"/part/{catalogue.pads}")).text()
    event = await AuditEvent.get(event="review_removed")
    assert (event.customer_id, event.actor, event.detail["reason"]) == (customer.id, f"staff:{staff.id}",
                                                                        "advertising")


async def test_the_author_sees_and_deletes_their_reviews_in_the_account(app_client, catalogue: Catalogue):
    from core.catalogue.models import Review

    author = await app_client()
    customer = await make_customer()
    await sign_in_as(author, customer)
    await write(author, catalogue.pads, display_name="Wheels", text="Quiet pads.")
    await write(author, catalogue.filter_bosch, display_name="Wheels", text="Fits well.")
    account = unescape(await (await author.get("/account")).text())
    mine = account.split('id="my-reviews"', 1)[1]
    assert "shown as Wheels" in mine and "Quiet pads." in mine and "Fits well." in mine
    pads_review = await Review.get(part_id=catalogue.pads)
    delete_path = f"/account/reviews/{pads_review.id}/delete"

    stranger = await app_client()
    await sign_in_as(stranger, await make_customer(email="other@example.com", phone="+380671234567"))
    refused = await post_form(stranger, delete_path, {}, token_from="/account")
    assert refused.status == 404 and await Review.filter(id=pads_review.id).exists()

    deleted = await post_form(author, delete_path, {}, token_from="/account")
    assert deleted.status == 303 and deleted.headers["Location"] == "/account#my-reviews"
    assert "Your review was deleted." in await (await author.get("/account")).text()
    assert "Quiet pads." not in await (await author.get(f"/part/{catalogue.pads}")).text()
    assert [r.part_id for r in await Review.all()] == [catalogue.filter_bosch]
