"""The cart of the session: the customer's when signed in, else the one of the `cart` cookie."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from core.carts import service as carts
from web import keys, sessions
from web.api.errors import ApiError
from web.api.schemas import ROW_ID_MAX
from web.api.spec import Call, Operations, path_param
from web.api.validation import path_id
from web.security import no_store

operations = Operations(tag="cart")

PART_ID = path_param("part_id", {"type": "integer", "minimum": 1, "maximum": ROW_ID_MAX}, "The part's id.")


async def cart_json(owner: carts.CartOwner | None, shop_currency: str) -> dict[str, Any]:
    """The cart; an empty one is priced in the shop's currency, so a client can always show its total."""
    if owner is None:  # no cart cookie yet: an empty cart, nothing created
        return {"lines": [], "subtotal": 0, "currency": shop_currency, "count": 0}
    view = await carts.get_cart_view(owner)
    lines = [
        {
            "part_id": line.part_id,
            "brand": line.brand,
            "article": line.article,
            "name": line.name,
            "unit_price": line.unit_price,
            "quantity": line.quantity,
            "line_total": line.line_total,
            "stock": line.stock,
        }
        for line in view.lines
    ]
    return {"lines": lines, "subtotal": view.subtotal, "currency": view.currency or shop_currency, "count": view.count}


async def _answer(request: web.Request, owner: carts.CartOwner | None, status: int = 200) -> web.Response:
    body = await cart_json(owner, request.app[keys.SETTINGS].shop.currency)
    return no_store(web.json_response(body, status=status))


@operations.get("/cart", summary="The cart.", response="Cart")
async def get_cart(request: web.Request, call: Call) -> web.Response:
    return await _answer(request, await sessions.cart_owner(request))


@operations.post(
    "/cart/lines",
    summary="Put a part in the cart (adds to the quantity already there).",
    body="CartLineInput",
    response="Cart",
    errors=(404, 409, 422),
    description="Sets the opaque `cart` cookie for an anonymous visitor.",
)
async def add_line(request: web.Request, call: Call) -> web.Response:
    owner = await sessions.cart_owner(request, create=True)
    await carts.add_to_cart(owner, call.body["part_id"], call.body["quantity"])
    return await _answer(request, owner)


@operations.patch(
    "/cart/lines/{part_id}",
    summary="Change the quantity of a line in the cart; 0 removes it (404 if the part is not in the cart).",
    parameters=(PART_ID,),
    body="CartQuantityInput",
    response="Cart",
    errors=(404, 409, 422),
)
async def set_quantity(request: web.Request, call: Call) -> web.Response:
    part_id = path_id(request, "part_id")
    owner = await sessions.cart_owner(request)
    if owner is None or not any(line.part_id == part_id for line in (await carts.get_cart_view(owner)).lines):
        raise ApiError(404, "not_found", "This part is not in your cart.")
    await carts.set_quantity(owner, part_id, call.body["quantity"])
    return await _answer(request, owner)


@operations.delete(
    "/cart/lines/{part_id}",
    summary="Remove a line (removing a line that is not there changes nothing).",
    parameters=(PART_ID,),
    response="Cart",
    errors=(404,),
)
async def remove_line(request: web.Request, call: Call) -> web.Response:
    part_id = path_id(request, "part_id")
    owner = await sessions.cart_owner(request)
    if owner is not None:
        await carts.remove_line(owner, part_id)
    return await _answer(request, owner)
