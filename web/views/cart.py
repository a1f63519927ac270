"""The cart: see it, add a part, change a quantity, remove a line.

An anonymous cart is an opaque token in the `cart` cookie (P2); with cookies off the page
says that the cart needs them (P10). Cart pages are private: never cached.
"""

from __future__ import annotations

from aiohttp import web

from core.carts import service as carts
from core.catalogue.selector import as_id
from core.errors import ValidationError
from web import keys
from web.forms import Form
from web.render import render, url_for
from web.security import no_store, safe_next
from web.sessions import cart_owner, cookies_enabled, flash
from web.views.catalogue import part_page


async def cart_view(request: web.Request):
    owner = await cart_owner(request)
    currency = request.app[keys.SETTINGS].shop.currency
    if owner is None:
        return carts.CartView(lines=[], subtotal=0, currency=currency, count=0)
    return await carts.get_cart_view(owner, currency=currency)


async def cart_page(request: web.Request, *, errors: dict[int, str] | None = None,
                    typed: dict[int, str] | None = None, status: int = 200) -> web.Response:
    """The cart; after a refused change the line shows its error and the quantity as typed."""
    context = {
        "cart": await cart_view(request),
        "cookies_enabled": cookies_enabled(request),
        "line_errors": errors or {},
        "typed": typed or {},
        "max_quantity": carts.MAX_LINE_QUANTITY,
    }
    return no_store(render(request, "cart.html", context, status=status))


async def cart_add(request: web.Request) -> web.StreamResponse:
    """POST part_id, quantity, next: add to the cart, back to where the visitor was."""
    form = await Form.read(request)
    gettext = request[keys.GETTEXT]
    part_id = as_id(form.get("part_id"))
    if part_id is None:
        raise ValidationError("There is no such part.", fields={"part_id": "There is no such part."})
    quantity = form.integer("quantity", minimum=1, maximum=carts.MAX_LINE_QUANTITY, default=1, gettext=gettext)
    if quantity is not None:
        try:
            await carts.add_to_cart(await cart_owner(request, create=True), part_id, quantity)
        except ValidationError as exc:
            form.fail(exc, gettext)
    if not form.ok:
        form.errors.setdefault("quantity", form.message)
        return no_store(await part_page(request, form=form, status=422))
    flash(request, "Added to your cart.")
    raise web.HTTPSeeOther(safe_next(request, form.get("next"), default=url_for(request, "cart")))


async def cart_update(request: web.Request) -> web.StreamResponse:
    """POST part_id with quantity (0 removes) or with the remove button."""
    form = await Form.read(request)
    gettext = request[keys.GETTEXT]
    part_id = as_id(form.get("part_id"))
    owner = await cart_owner(request)
    if owner is None or part_id is None:
        raise web.HTTPSeeOther(url_for(request, "cart"))
    try:
        if form.get("remove"):
            await carts.remove_line(owner, part_id)
            flash(request, "The part was removed from your cart.")
        else:
            quantity = form.integer("quantity", minimum=0, maximum=carts.MAX_LINE_QUANTITY, gettext=gettext)
            if quantity is None:
                return await cart_page(request, errors={part_id: form.error("quantity")},
                                       typed={part_id: form.get("quantity")}, status=422)
            await carts.set_quantity(owner, part_id, quantity)
            flash(request, "Your cart was updated.")
    except ValidationError as exc:
        return await cart_page(request, errors={part_id: exc.localized(gettext)},
                               typed={part_id: form.get("quantity")}, status=422)
    raise web.HTTPSeeOther(url_for(request, "cart"))


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/cart", cart_page, name="cart")
    router.add_post("/cart/add", cart_add, name="cart_add")
    router.add_post("/cart/update", cart_update, name="cart_update")
