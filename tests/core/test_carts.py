"""Carts: opaque tokens (P2), quantities bounded by stock and a per-line maximum, merge on sign-in, expiry."""

import asyncio
import datetime as dt
import hashlib

import pytest

from core.carts.models import Cart, CartLine
from core.carts.service import (
    MAX_LINE_QUANTITY,
    CartOwner,
    add_to_cart,
    get_cart_view,
    merge_carts,
    new_cart_token,
    purge_abandoned_carts,
    remove_line,
    set_quantity,
)
from core.errors import NotFound, ValidationError
from tests.core.commerce_factories import make_customer, make_part


async def _lines(owner):
    return [(line.part_id, line.quantity) for line in (await get_cart_view(owner)).lines]


def test_cart_tokens_are_opaque_and_long():
    tokens = {new_cart_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) >= 43 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)


async def test_anonymous_cart_is_stored_under_the_hash_of_its_token_only(db):
    part = await make_part(stock=5, price=1250)
    token = new_cart_token()
    owner = CartOwner(token=token)
    view = await add_to_cart(owner, part.id, 2)
    assert (view.subtotal, view.count, view.currency) == (2500, 2, "EUR")
    line = view.lines[0]
    assert (
        line.part_id,
        line.brand,
        line.name,
        line.unit_price,
        line.quantity,
        line.line_total,
        line.stock,
    ) == (part.id, "BOSCH", "Oil filter", 1250, 2, 2500, 5)
    cart = await Cart.get()
    assert cart.token_hash == hashlib.sha256(token.encode()).hexdigest() and cart.customer_id is None
    assert token not in str(await Cart.all().values())
    # Another token sees its own (empty) cart.
    assert (await get_cart_view(CartOwner(token=new_cart_token()))).lines == []


async def test_a_customers_cart_is_one_cart_whatever_the_channel(db):
    customer = await make_customer()
    a, b = await make_part(), await make_part()
    await add_to_cart(CartOwner(customer_id=customer.id), a.id, 1)  # e.g. the web shop
    await add_to_cart(CartOwner(customer_id=customer.id), b.id, 3)  # e.g. the bot
    await add_to_cart(CartOwner(customer_id=customer.id), a.id, 1)
    assert await _lines(CartOwner(customer_id=customer.id)) == [(a.id, 2), (b.id, 3)]
    assert await Cart.filter(customer_id=customer.id).count() == 1


async def test_change_and_remove_lines(db):
    owner = CartOwner(token=new_cart_token())
    a, b = await make_part(stock=10), await make_part(stock=10)
    await add_to_cart(owner, a.id, 1)
    await add_to_cart(owner, b.id, 1)
    await set_quantity(owner, a.id, 7)
    assert await _lines(owner) == [(a.id, 7), (b.id, 1)]
    await set_quantity(owner, a.id, 0)
    assert await _lines(owner) == [(b.id, 1)]
    await remove_line(owner, b.id)
    await remove_line(owner, b.id)  # already gone: nothing happens
    view = await get_cart_view(owner)
    assert (view.lines, view.subtotal, view.count) == ([], 0, 0)


async def test_more_than_stock_is_refused_with_a_readable_message_and_changes_nothing(db):
    owner = CartOwner(token=new_cart_token())
    part = await make_part(stock=3, name="Brake pads", brand="TRW")
    await add_to_cart(owner, part.id, 2)
    with pytest.raises(ValidationError) as caught:
        await add_to_cart(owner, part.id, 2)
    assert str(caught.value) == f"Brake pads (TRW {part.article}): only 3 in stock."
    assert "quantity" in caught.value.fields
    with pytest.raises(ValidationError):
        await set_quantity(owner, part.id, 4)
    assert await _lines(owner) == [(part.id, 2)]

    sold_out = await make_part(stock=0, name="Spark plug")
    with pytest.raises(ValidationError, match="Spark plug .* is out of stock"):
        await add_to_cart(owner, sold_out.id, 1)
    assert await _lines(owner) == [(part.id, 2)]


async def test_a_line_is_capped_at_the_maximum_quantity(db):
    owner = CartOwner(token=new_cart_token())
    part = await make_part(stock=1000)
    await add_to_cart(owner, part.id, MAX_LINE_QUANTITY)
    with pytest.raises(ValidationError, match=f"at most {MAX_LINE_QUANTITY} pieces"):
        await add_to_cart(owner, part.id, 1)
    assert await _lines(owner) == [(part.id, MAX_LINE_QUANTITY)]


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", True, None])
async def test_bad_quantities_are_refused(db, quantity):
    owner = CartOwner(token=new_cart_token())
    part = await make_part()
    with pytest.raises(ValidationError):
        await add_to_cart(owner, part.id, quantity)
    assert await CartLine.all().count() == 0


async def test_unknown_parts_and_bad_tokens_are_refused(db):
    with pytest.raises(NotFound):
        await add_to_cart(CartOwner(token=new_cart_token()), 999999, 1)
    with pytest.raises(ValidationError):
        await add_to_cart(CartOwner(token="short"), (await make_part()).id, 1)
    # An id no row can have (the databases cannot even compare it) is an unknown part too.
    for impossible in (2**31, 2**70, 0, -5):
        with pytest.raises(NotFound):
            await add_to_cart(CartOwner(token=new_cart_token()), impossible, 1)
        with pytest.raises(NotFound):
            await set_quantity(CartOwner(token=new_cart_token()), impossible, 1)
    assert await Cart.all().count() == 0


async def test_sign_in_merges_the_anonymous_cart_and_says_what_changed(db):
    customer = await make_customer()
    new_part = await make_part(stock=10, name="Air filter", brand="MANN")
    both = await make_part(stock=10, name="Oil filter", brand="BOSCH")
    scarce = await make_part(stock=4, name="Brake disc", brand="ATE")
    gone = await make_part(stock=5, name="Wiper blade", brand="VALEO")
    mine = CartOwner(customer_id=customer.id)
    await add_to_cart(mine, both.id, 2)
    await add_to_cart(mine, scarce.id, 3)
    token = new_cart_token()
    anonymous = CartOwner(token=token)
    await add_to_cart(anonymous, new_part.id, 1)
    await add_to_cart(anonymous, both.id, 3)
    await add_to_cart(anonymous, scarce.id, 3)
    await add_to_cart(anonymous, gone.id, 2)
    await gone.filter(id=gone.id).update(stock=0)  # sold out meanwhile

    result = await merge_carts(token, customer.id)

    assert result.added == [f"Air filter (MANN {new_part.article})"]
    assert result.increased == [f"Oil filter (BOSCH {both.article})", f"Brake disc (ATE {scarce.article})"]
    assert result.capped == [f"Brake disc (ATE {scarce.article})", f"Wiper blade (VALEO {gone.article})"]
    assert result.changed
    assert sorted(await _lines(mine)) == sorted([(both.id, 5), (scarce.id, 4), (new_part.id, 1)])
    assert await Cart.filter(customer_id__isnull=True).count() == 0
    assert await _lines(anonymous) == []
    # Signing in again with the same (now empty) cookie changes nothing.
    assert not (await merge_carts(token, customer.id)).changed
    assert not (await merge_carts("not-a-token-we-issued", customer.id)).changed


async def test_abandoned_anonymous_carts_expire_but_customer_carts_stay(db):
    customer = await make_customer()
    part = await make_part()
    old, fresh = CartOwner(token=new_cart_token()), CartOwner(token=new_cart_token())
    for owner in (old, fresh, CartOwner(customer_id=customer.id)):
        await add_to_cart(owner, part.id, 1)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    await Cart.filter(customer_id=customer.id).update(updated_at=long_ago)
    await Cart.filter(token_hash__isnull=False).update(updated_at=long_ago)
    await add_to_cart(fresh, part.id, 1)  # a change keeps a cart alive

    assert await purge_abandoned_carts(dt.timedelta(days=30)) == 1
    assert await _lines(old) == []
    assert await _lines(fresh) == [(part.id, 2)]
    assert await _lines(CartOwner(customer_id=customer.id)) == [(part.id, 1)]
    assert await CartLine.all().count() == 2


async def test_two_sign_ins_with_the_same_cookie_merge_once(db):
    customer = await make_customer()
    part = await make_part(stock=50)
    token = new_cart_token()
    await add_to_cart(CartOwner(token=token), part.id, 3)
    results = await asyncio.gather(*(merge_carts(token, customer.id) for _ in range(4)))
    assert sum(bool(r.added) for r in results) == 1
    assert await _lines(CartOwner(customer_id=customer.id)) == [(part.id, 3)]


async def test_concurrent_adds_make_one_line_and_lose_nothing(db):
    customer = await make_customer()
    part = await make_part(stock=50)
    owner = CartOwner(customer_id=customer.id)
    await asyncio.gather(*(add_to_cart(owner, part.id, 1) for _ in range(5)))
    assert await Cart.all().count() == 1 and await CartLine.all().count() == 1
    assert (await CartLine.get()).quantity == 5  # no add is lost


async def test_a_part_priced_in_another_currency_does_not_join_the_cart(db):
    # A catalogue file may price a part in dollars in a euro shop: one cart, one currency.
    owner = CartOwner(token=new_cart_token())
    euro, dollar = await make_part(currency="EUR"), await make_part(currency="USD", name="Wiper blade")
    await add_to_cart(owner, euro.id, 1)
    with pytest.raises(ValidationError) as caught:
        await add_to_cart(owner, dollar.id, 1)
    assert str(caught.value).startswith("Wiper blade (BOSCH") and "together with" in str(caught.value)
    with pytest.raises(ValidationError):
        await set_quantity(owner, dollar.id, 2)
    view = await get_cart_view(owner)
    assert [(line.part_id, line.quantity) for line in view.lines] == [(euro.id, 1)] and view.currency == "EUR"
