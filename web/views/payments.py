"""Card payments on the web (P14): off to the provider's page, back again, and its notifications.

No card data ever reaches the shop: the customer pays on the provider's page (or the built-in
sandbox bank), the provider tells us the result in a signed server-to-server notification,
and core.payments.service verifies, de-duplicates, amount-checks and applies it. The
notification route is the only CSRF-exempt form route: its proof is the provider's signature.
"""

from __future__ import annotations

from typing import NoReturn
from urllib.parse import urlsplit

from aiohttp import web

from core.errors import ValidationError
from core.orders.models import Order
from core.orders.queries import get_order_for
from core.payments import service
from core.payments.ports import InvalidNotification
from web import keys
from web.forms import Form
from web.render import render, url_for
from web.security import csrf_exempt, no_store, read_post
from web.views.auth import page, signed_in

PROVIDER_UNAVAILABLE = ("This card payment service is not available at the moment. "
                        "Please choose another way to pay.")
SANDBOX = "sandbox"


def shop_url(request: web.Request, name: str, **parts: str) -> str:
    """An absolute URL of the shop (providers call it from outside), from shop.base_url."""
    return request.app[keys.SETTINGS].shop.base_url.rstrip("/") + url_for(request, name, **parts)


def local_if_ours(request: web.Request, url: str) -> str:
    """A URL on the shop's own origin as a local path (the same site whatever host was used)."""
    base, target = urlsplit(request.app[keys.SETTINGS].shop.base_url), urlsplit(url)
    if (target.scheme, target.netloc) == (base.scheme, base.netloc):
        return target.path + (f"?{target.query}" if target.query else "")
    return url


async def pay_by_card(request: web.Request, order: Order) -> NoReturn:
    """Start a payment attempt for the order and send the customer to the provider's page."""
    provider = request.app[keys.PAYMENT_PROVIDERS].get(order.payment_provider)
    if provider is None:
        raise ValidationError(PROVIDER_UNAVAILABLE)
    url = await service.start_payment(
        order, provider, return_url=shop_url(request, "payment_return", number=order.number),
        notify_url=shop_url(request, "payment_notify", provider=provider.name))
    raise web.HTTPSeeOther(local_if_ours(request, url))


# ---------------------------------------------------------------- the customer comes back


async def payment_return(request: web.Request) -> web.StreamResponse:
    """Where the provider sends the customer back: the order's payment state, in words."""
    customer = await signed_in(request)
    order = await get_order_for(customer, request.match_info["number"])  # 404 for anyone else's
    return page(request, "payments/return.html", {"order": order})


# ---------------------------------------------------------------- the provider's notification


@csrf_exempt
async def payment_notify(request: web.Request) -> web.StreamResponse:
    """Server to server: 200 for a genuine notification (applied or not), 400 for a forged one."""
    provider = request.app[keys.PAYMENT_PROVIDERS].get(request.match_info["provider"])
    if provider is None:
        raise web.HTTPNotFound()
    form = await read_post(request)
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    try:
        outcome = await service.handle_notification(provider, fields)
    except InvalidNotification:
        return no_store(web.json_response({"result": "invalid"}, status=400))
    return no_store(web.json_response({"result": outcome.result}))


# ---------------------------------------------------------------- the sandbox bank


def sandbox_provider(request: web.Request):
    provider = request.app[keys.PAYMENT_PROVIDERS].get(SANDBOX)
    if provider is None:
        raise web.HTTPNotFound()  # only when the sandbox is among payments.providers
    return provider


def sandbox_page_of(request: web.Request):
    """The signed page parameters of the link; InvalidNotification (a 400 page) for a link the
    shop did not make."""
    provider = sandbox_provider(request)
    return provider, provider.read_page(request.match_info["reference"], request.query)


async def sandbox_bank(request: web.Request) -> web.StreamResponse:
    """A pretend bank page: the amount, and Pay / Decline."""
    _, bank_page = sandbox_page_of(request)
    context = {"bank_page": bank_page, "action": request.path_qs}
    return no_store(render(request, "payments/sandbox_bank.html", context))


async def sandbox_bank_answer(request: web.Request) -> web.StreamResponse:
    """The tester's answer becomes a signed notification that goes through the real verification."""
    provider, bank_page = sandbox_page_of(request)
    form = await Form.read(request)
    if form.get("answer") not in ("pay", "decline"):
        raise ValidationError("Choose Pay or Decline.")
    back = local_if_ours(request, bank_page.return_url)
    if not back.startswith("/"):
        raise ValidationError("This payment link is not valid.")  # never leave the shop from here
    fields = provider.bank_answer(bank_page, approve=form.get("answer") == "pay")
    await service.handle_notification(provider, fields)
    raise web.HTTPSeeOther(back)


def add_routes(router: web.UrlDispatcher) -> None:
    number = r"{number:[A-Za-z0-9-]{1,24}}"
    router.add_get(f"/payments/return/{number}", payment_return, name="payment_return")
    router.add_post(r"/payments/notify/{provider:[a-z0-9_]{1,32}}", payment_notify, name="payment_notify")
    resource = router.add_resource(r"/sandbox-bank/{reference:[A-Za-z0-9_-]{1,64}}", name="sandbox_bank")
    resource.add_route("GET", sandbox_bank)
    resource.add_route("POST", sandbox_bank_answer)
