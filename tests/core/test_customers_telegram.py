"""Linking Telegram to a web account: one-time hashed token, bot-only account merged and anonymised."""

import datetime as dt
import hashlib

import pytest

from core.carts.models import Cart, CartLine
from core.catalogue.models import Part
from core.customers.accounts import find_or_create_by_phone
from core.customers.models import AccountToken, Customer, CustomerStatus, TokenPurpose
from core.customers.telegram_link import create_link_token, link_telegram, unlink_telegram
from core.errors import Conflict, ValidationError
from core.orders.models import Channel, DeliveryMethod, Order, PaymentMethod, PaymentState
from tests.core.test_customers_registration import register


async def make_order(customer: Customer, number: str) -> Order:
    return await Order.create(number=number, customer=customer, channel=Channel.TELEGRAM, currency="EUR",
                              subtotal=1000, shipping_price=0, total=1000, delivery_method=DeliveryMethod.PICKUP,
                              payment_method=PaymentMethod.CASH, payment_state=PaymentState.NOT_REQUIRED,
                              contact_name="Taras", contact_phone="+380671112233", status="delivered")


async def test_token_is_one_time_hashed_and_short_lived(db):
    web = await register()
    token = await create_link_token(web)
    assert len(token) <= 64 and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    row = await AccountToken.get(customer_id=web.id, purpose=TokenPurpose.TELEGRAM_LINK)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.expires_at - row.created_at <= dt.timedelta(minutes=15)

    linked = await link_telegram(token, 123456)
    assert linked.id == web.id and (await Customer.get(id=web.id)).telegram_user_id == 123456
    with pytest.raises(ValidationError):
        await link_telegram(token, 123456)


async def test_expired_token_links_nothing(db):
    web = await register()
    token = await create_link_token(web)
    await AccountToken.filter(customer_id=web.id).update(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError):
        await link_telegram(token, 5)
    assert (await Customer.get(id=web.id)).telegram_user_id is None


async def test_bot_only_account_is_merged_into_the_web_account(db):
    bot_only, _ = await find_or_create_by_phone("+380671112233", telegram_user_id=77, first_name="Taras",
                                                locale="uk", consents_given=True, policy_version="1")
    order = await make_order(bot_only, "GS-TG-0001")
    pads = await Part.create(brand="ATE", article="13.0460-7241.2", name="Brake pads", price=4500, currency="EUR", stock=3)
    disc = await Part.create(brand="TRW", article="DF4294", name="Brake disc", price=6000, currency="EUR", stock=10)
    bot_cart = await Cart.create(customer=bot_only)
    await CartLine.create(cart=bot_cart, part=pads, quantity=2)
    await CartLine.create(cart=bot_cart, part=disc, quantity=1)
    web = await register()
    web_cart = await Cart.create(customer=web)
    await CartLine.create(cart=web_cart, part=pads, quantity=2)

    await link_telegram(await create_link_token(web), 77)

    assert (await Order.get(id=order.id)).customer_id == web.id
    lines = {line.part_id: line.quantity for line in await CartLine.filter(cart__customer_id=web.id)}
    assert lines == {pads.id: 3, disc.id: 1}  # 2 + 2 pads capped by the stock of 3
    gone = await Customer.get(id=bot_only.id)
    assert gone.status == CustomerStatus.DELETED
    assert (gone.phone, gone.telegram_user_id, gone.first_name) == (None, None, "")
    assert (await Customer.get(id=web.id)).telegram_user_id == 77


async def test_a_telegram_account_of_another_web_account_is_not_taken(db):
    first = await register()
    await link_telegram(await create_link_token(first), 88)
    second = await register(email="second@example.com", phone="+380991234567")
    with pytest.raises(Conflict):
        await link_telegram(await create_link_token(second), 88)
    assert (await Customer.get(id=first.id)).telegram_user_id == 88
    await unlink_telegram(first)
    await link_telegram(await create_link_token(second), 88)
    assert (await Customer.get(id=second.id)).telegram_user_id == 88
