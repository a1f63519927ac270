"""Reviews on the part page (P15): a signed-in customer writes one, staff remove one; the
author deletes their own from the account page (P9).

The part page (web.views.catalogue.part_page) shows `reviews_context`: the public reviews
(display name, rating, text, day: nothing else about the author) and, for a signed-in
customer, the form that warns the review is public. A bad field comes back on the part page
with what was typed; nothing is saved.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from core.errors import ValidationError
from core.reviews import service
from web import keys, sessions
from web.forms import Form
from web.render import url_for
from web.security import client_ip
from web.views.auth import gettext_of, signed_in

RATINGS = (5, 4, 3, 2, 1)


async def reviews_context(request: web.Request, part_id: int, review_form: Form | None = None) -> dict[str, Any]:
    """What the part page needs to show its reviews and, when signed in, the review form."""
    customer = request.get(keys.CUSTOMER)
    removal_form = None
    if review_form is not None and review_form.values.get("review_id"):  # a staff removal came back
        removal_form, review_form = review_form, None
    if review_form is None and customer is not None:
        review_form = Form(values={"display_name": customer.display_name, "rating": "5"})
    return {
        "reviews": await service.public_reviews(part_id),
        "review_form": review_form,
        "removal_form": removal_form,
        "review_ratings": [(str(n), f"{'★' * n}{'☆' * (5 - n)} ({n}/5)") for n in RATINGS],
        "staff_view": bool(customer is not None and customer.is_staff),
    }


def _part_id(request: web.Request) -> int:
    return int(request.match_info["part_id"])


def _part_url(request: web.Request) -> str:
    return url_for(request, "part", part_id=_part_id(request)) + "#reviews"


async def _part_page_again(request: web.Request, form: Form) -> web.StreamResponse:
    from web.views.catalogue import part_page

    return await part_page(request, review_form=form, status=422)


async def reviews_get(request: web.Request) -> web.StreamResponse:
    """Coming back from sign-in to the form's address: the form is on the part page."""
    raise web.HTTPSeeOther(_part_url(request))


async def review_add(request: web.Request) -> web.StreamResponse:
    customer = await signed_in(request)
    form = await Form.read(request)
    try:
        await service.write_review(customer, _part_id(request), display_name=form.get("display_name"),
                                   rating=form.get("rating"), text=form.get("text"), ip=client_ip(request))
    except ValidationError as exc:
        form.fail(exc, gettext_of(request))
        return await _part_page_again(request, form)
    sessions.flash(request, "Thank you! Your review is published.")
    raise web.HTTPSeeOther(_part_url(request))


async def review_remove(request: web.Request) -> web.StreamResponse:
    """Staff only (403 for anyone else): the reason is required and written to the audit trail."""
    staff = await signed_in(request)
    form = await Form.read(request)
    try:
        await service.remove_review(staff, int(request.match_info["review_id"]), form.get("reason"))
    except ValidationError as exc:
        form.fail(exc, gettext_of(request))
        form.values["review_id"] = request.match_info["review_id"]
        return await _part_page_again(request, form)
    sessions.flash(request, "The review was removed.")
    raise web.HTTPSeeOther(_part_url(request))


async def own_review_delete(request: web.Request) -> web.StreamResponse:
    """The author deletes one of their reviews from the account page (anyone else's: 404)."""
    customer = await signed_in(request)
    await service.delete_own_review(customer, int(request.match_info["review_id"]), ip=client_ip(request))
    sessions.flash(request, "Your review was deleted.")
    raise web.HTTPSeeOther(url_for(request, "account") + "#my-reviews")


def add_routes(router: web.UrlDispatcher) -> None:
    resource = router.add_resource(r"/part/{part_id:[1-9]\d{0,8}}/reviews", name="part_reviews")
    resource.add_route("GET", reviews_get)
    resource.add_route("POST", review_add)
    router.add_post(r"/part/{part_id:[1-9]\d{0,8}}/reviews/{review_id:[1-9]\d{0,8}}/remove", review_remove,
                    name="review_remove")
    router.add_post(r"/account/reviews/{review_id:[1-9]\d{0,8}}/delete", own_review_delete,
                    name="account_review_delete")
