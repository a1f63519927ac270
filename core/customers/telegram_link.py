"""Linking a Telegram account to a web account through a one-time deep-link token.

The signed-in web customer gets a token (valid 15 minutes, stored hashed) and opens
t.me/<bot>?start=<token>; the bot calls link_telegram with it. If the customer had bought
through the bot before (a bot-only account for that Telegram user), its cart, orders,
addresses and saved vehicles move to the web account and the bot-only account is anonymised.

A linked user who blocked the bot is marked unreachable by the notifications worker
(`mark_telegram_unreachable`) and reachable again by the bot when they write to it.
"""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from core.carts.models import Cart, CartLine
from core.carts.service import MAX_LINE_QUANTITY
from core.catalogue.models import Part
from core.customers.audit import record_event
from core.customers.changes import customers_changed
from core.customers.data_rights import anonymise_customer
from core.customers.identity import is_telegram_only
from core.customers.models import Address, Customer, CustomerStatus, GarageVehicle, TokenPurpose
from core.customers.tokens import find_valid_token, issue_token, use_token
from core.errors import Conflict, ValidationError
from core.notifications.models import OutboxMessage, OutboxStatus
from core.orders.models import Order
from core.privacy.models import Disclosure

LINK_LIFETIME = dt.timedelta(minutes=15)
LINK_INVALID = "This link is invalid, was already used or has expired. Please get a new one from your account page."
LINKED_ELSEWHERE = "This Telegram account is already linked to another shop account. Unlink it there first."


async def create_link_token(customer: Customer) -> str:
    """A one-time token for the bot's deep link (43 URL-safe characters, within Telegram's 64)."""
    return await issue_token(customer, TokenPurpose.TELEGRAM_LINK, LINK_LIFETIME)


async def link_telegram(token: str, telegram_user_id: int) -> Customer:
    """Attach `telegram_user_id` to the token's customer and merge a bot-only account into it."""
    row = await find_valid_token(token, TokenPurpose.TELEGRAM_LINK)
    if row is None:
        raise ValidationError(LINK_INVALID, fields={"token": LINK_INVALID})
    customer = await Customer.get(id=row.customer_id)
    other = await Customer.get_or_none(telegram_user_id=telegram_user_id)
    if customer.status != CustomerStatus.ACTIVE:
        raise ValidationError(LINK_INVALID, fields={"token": LINK_INVALID})
    if other is not None and other.id != customer.id and not is_telegram_only(other):
        raise Conflict(LINKED_ELSEWHERE)
    async with in_transaction():
        if not await use_token(row):
            raise ValidationError(LINK_INVALID, fields={"token": LINK_INVALID})
        if other is not None and other.id != customer.id:
            await _merge_bot_account(other, customer)
        await Customer.filter(id=customer.id).update(telegram_user_id=telegram_user_id, telegram_unreachable_at=None)
        await record_event(customer, "telegram_linked", channel="telegram")
    customers_changed()  # the bot knows the user as a stranger no more (bot.strangers)
    customer.telegram_user_id, customer.telegram_unreachable_at = telegram_user_id, None
    return customer


async def unlink_telegram(customer: Customer, *, ip: str | None = None, channel: str = "web") -> None:
    """Detach the Telegram account (the bot then treats that user as a stranger)."""
    changed = await Customer.filter(id=customer.id, telegram_user_id__isnull=False).update(
        telegram_user_id=None, telegram_unreachable_at=None)
    customer.telegram_user_id = customer.telegram_unreachable_at = None
    if changed:
        await record_event(customer, "telegram_unlinked", channel=channel, ip=ip)


async def mark_telegram_unreachable(customer_id: int, telegram_user_id: int, reason: str) -> bool:
    """Telegram refused a message to the customer's linked user (blocked the bot, deleted the
    account): Telegram messages are skipped until the customer writes to the bot again.
    Nothing changes when the customer has linked another Telegram user meanwhile."""
    changed = await Customer.filter(id=customer_id, telegram_user_id=telegram_user_id,
                                    telegram_unreachable_at__isnull=True).update(
        telegram_unreachable_at=dt.datetime.now(dt.UTC))
    if changed:
        await record_event(await Customer.get(id=customer_id), "telegram_unreachable", actor="system",
                           channel="telegram", reason=reason[:200])
    return bool(changed)


async def mark_telegram_reachable(customer: Customer) -> bool:
    """The customer wrote to the bot (so it is no longer blocked): Telegram messages resume."""
    if customer.telegram_unreachable_at is None:
        return False
    changed = await Customer.filter(id=customer.id, telegram_unreachable_at__isnull=False).update(
        telegram_unreachable_at=None)
    customer.telegram_unreachable_at = None
    if changed:
        await record_event(customer, "telegram_reachable", channel="telegram")
    return bool(changed)


async def _merge_bot_account(bot_only: Customer, customer: Customer) -> None:
    await Order.filter(customer_id=bot_only.id).update(customer_id=customer.id)
    await Disclosure.filter(customer_id=bot_only.id).update(customer_id=customer.id)
    # Messages about those orders not sent yet now go to the web account's contacts.
    await OutboxMessage.filter(customer_id=bot_only.id, status=OutboxStatus.PENDING).update(customer_id=customer.id)
    await _merge_cart(bot_only, customer)
    has_default = await Address.filter(customer_id=customer.id, is_default=True).exists()
    if has_default:
        await Address.filter(customer_id=bot_only.id).update(is_default=False)
    await Address.filter(customer_id=bot_only.id).update(customer_id=customer.id)
    saved = set(await GarageVehicle.filter(customer_id=customer.id).values_list("vehicle_id", flat=True))
    await GarageVehicle.filter(customer_id=bot_only.id, vehicle_id__not_in=list(saved) or [0]).update(
        customer_id=customer.id)
    await record_event(customer, "bot_account_merged", channel="telegram", merged_customer_id=bot_only.id)
    await anonymise_customer(bot_only)
    await record_event(bot_only, "merged_into_web_account", actor="system", channel="telegram")


async def _merge_cart(bot_only: Customer, customer: Customer) -> None:
    # Quantities add up, capped by stock and the per-line maximum, as when carts merge at sign-in.
    source = await Cart.get_or_none(customer_id=bot_only.id)
    if source is None:
        return
    target = await Cart.get_or_none(customer_id=customer.id) or await Cart.create(customer_id=customer.id)
    mine = {line.part_id: line for line in await CartLine.filter(cart_id=target.id)}
    for line in await CartLine.filter(cart_id=source.id):
        part = await Part.get(id=line.part_id)
        current = mine.get(line.part_id)
        quantity = min(line.quantity + (current.quantity if current else 0), part.stock, MAX_LINE_QUANTITY)
        if current is not None:
            await CartLine.filter(id=current.id).update(quantity=max(quantity, current.quantity))
        elif quantity > 0:
            await CartLine.create(cart_id=target.id, part_id=line.part_id, quantity=quantity)
    await Cart.filter(id=source.id).delete()
