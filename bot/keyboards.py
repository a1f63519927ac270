"""Inline and reply keyboards. Button texts are translated in the current locale."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    CartAction,
    CartCb,
    CheckoutCb,
    CheckoutStep,
    LanguageCb,
    Menu,
    MenuCb,
    PartAction,
    PartCb,
    PrivacyAction,
    PrivacyCb,
    SearchCb,
    VehicleCb,
    VehicleStep,
)
from bot.i18n import LANGUAGE_NAMES
from core.payments.telegram import TELEGRAM_PAYMENTS

T = TypeVar("T")
# How the card payment services call themselves (shown when the customer chooses between them).
PROVIDER_NAMES = {"liqpay": "LiqPay", "sandbox": "Sandbox bank"}
PAGE_SIZE = 8


def page_of(items: Sequence[T], page: int, per_page: int = PAGE_SIZE) -> tuple[Sequence[T], int, int]:
    """The items of one page; a page number out of range (a stale button) shows the nearest page."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 0), pages - 1)
    return items[page * per_page : (page + 1) * per_page], page, pages


def _pager(page: int, pages: int, make: Callable[[int], Any]) -> list[list[InlineKeyboardButton]]:
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(text="◀", callback_data=make(page - 1).pack()))
    row.append(InlineKeyboardButton(text=f"{page + 1}/{pages}", callback_data=make(page).pack()))
    if page < pages - 1:
        row.append(InlineKeyboardButton(text="▶", callback_data=make(page + 1).pack()))
    return [row]


def main_menu() -> InlineKeyboardMarkup:
    return choice_list(
        [
            (_("🚗 Choose vehicle"), MenuCb(item=Menu.VEHICLE)),
            (_("🔍 Search parts"), MenuCb(item=Menu.SEARCH)),
            (_("🛒 Cart"), MenuCb(item=Menu.CART)),
            (_("📦 My orders"), MenuCb(item=Menu.ORDERS)),
            (_("🌐 Language"), MenuCb(item=Menu.LANGUAGE)),
            (_("🔒 Privacy"), MenuCb(item=Menu.PRIVACY)),
            (_("❓ Help"), MenuCb(item=Menu.HELP)),
        ],
        0,
        1,
        lambda page: MenuCb(item=Menu.VEHICLE),
    )


def choice_list(
    entries: Sequence[tuple[str, Any]],
    page: int,
    pages: int,
    make_page: Callable[[int], Any],
    extra: Sequence[tuple[str, Any]] = (),
    columns: int = 2,
) -> InlineKeyboardMarkup:
    """Buttons (text, callback data) in columns, a pager, then extra rows.

    Rows are built directly: aiogram's InlineKeyboardBuilder deep-copies the whole keyboard for
    every button added, which made a 40-button list cost milliseconds (see docs/benchmarks.md).
    """
    buttons = [InlineKeyboardButton(text=text, callback_data=data.pack()) for text, data in entries]
    rows = [buttons[start : start + columns] for start in range(0, len(buttons), columns)]
    rows += _pager(page, pages, make_page)
    rows += [[InlineKeyboardButton(text=text, callback_data=data.pack())] for text, data in extra]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def vehicle_chosen(vehicle_id: int, can_save: bool) -> InlineKeyboardMarkup:
    entries = [(_("📂 Parts by category"), VehicleCb(step=VehicleStep.CATEGORIES, id=vehicle_id))]
    if can_save:
        entries.append((_("⭐ Save to my garage"), VehicleCb(step=VehicleStep.SAVE, id=vehicle_id)))
    entries.append((_("🔄 Choose another vehicle"), VehicleCb(step=VehicleStep.MAKES)))
    entries.append((_("✖ Forget the vehicle"), VehicleCb(step=VehicleStep.FORGET)))
    return choice_list(entries, 0, 1, lambda page: VehicleCb(step=VehicleStep.MAKES), columns=1)


def search_results(
    cards: Sequence[Any], lines: Sequence[str], page: int, pages: int, category: int = 0
) -> InlineKeyboardMarkup:
    entries = [
        (text[:64], PartCb(action=PartAction.SHOW, part_id=card.id))
        for card, text in zip(cards, lines, strict=True)
    ]
    return choice_list(entries, page, pages, lambda p: SearchCb(page=p, category=category), columns=1)


def part_card(part_id: int, in_stock: bool, analogues: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    entries: list[tuple[str, Any]] = []
    if in_stock:
        entries.append((_("➕ Add to cart"), PartCb(action=PartAction.ADD, part_id=part_id)))
    entries += [
        (label[:64], PartCb(action=PartAction.SHOW, part_id=analogue_id))
        for analogue_id, label in analogues[:5]
    ]
    entries.append((_("🛒 Cart"), CartCb(action=CartAction.SHOW)))
    return choice_list(entries, 0, 1, lambda page: CartCb(action=CartAction.SHOW), columns=1)


CART_PAGE = 10  # lines with their four buttons: Telegram takes at most 100 buttons


def cart(lines: Sequence[Any], page: int = 0, pages: int = 1) -> InlineKeyboardMarkup:
    """Buttons for one page of the cart's lines, the pager, and Checkout."""
    builder = InlineKeyboardBuilder()
    for line in lines:

        def button(text: str, action: CartAction, line: Any = line) -> InlineKeyboardButton:
            data = CartCb(action=action, part_id=line.part_id, page=page).pack()
            return InlineKeyboardButton(text=text, callback_data=data)

        builder.row(
            button("➖", CartAction.LESS),
            InlineKeyboardButton(
                text=f"{line.article} × {line.quantity}"[:64],
                callback_data=PartCb(action=PartAction.SHOW, part_id=line.part_id).pack(),
            ),
            button("➕", CartAction.MORE),
            button("✖", CartAction.REMOVE),
        )
    for row in _pager(page, pages, lambda p: CartCb(action=CartAction.SHOW, page=p)):
        builder.row(*row)
    if lines:
        builder.row(
            InlineKeyboardButton(
                text=_("✅ Checkout"), callback_data=CartCb(action=CartAction.CHECKOUT).pack()
            )
        )
    return builder.as_markup()


def share_contact() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def url_button_allowed(url: str) -> bool:
    """Telegram refuses a URL button to localhost or a bare IP address (a development base_url),
    and with it the whole message; such a link goes into the text instead."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or "." not in host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False


def accept_policy(policy_url: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if url_button_allowed(policy_url):
        builder.row(InlineKeyboardButton(text=_("📄 Read the privacy policy"), url=policy_url))
    builder.row(
        InlineKeyboardButton(
            text=_("✅ I accept and I am 14 or older"),
            callback_data=CheckoutCb(step=CheckoutStep.ACCEPT).pack(),
        )
    )
    builder.row(_abandon())
    return builder.as_markup()


def delivery_methods() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🚚 Courier to my address"),
        callback_data=CheckoutCb(step=CheckoutStep.DELIVERY, value="courier"),
    )
    builder.button(
        text=_("🏪 Pickup at the shop"), callback_data=CheckoutCb(step=CheckoutStep.DELIVERY, value="pickup")
    )
    builder.button(
        text=_("📮 Carrier branch"), callback_data=CheckoutCb(step=CheckoutStep.DELIVERY, value="carrier")
    )
    builder.adjust(1)
    builder.row(_abandon())
    return builder.as_markup()


def addresses(saved: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for address_id, label in saved[:8]:
        builder.row(
            InlineKeyboardButton(
                text=label[:64],
                callback_data=CheckoutCb(step=CheckoutStep.ADDRESS, value=str(address_id)).pack(),
            )
        )
    builder.row(
        InlineKeyboardButton(
            text=_("➕ A new address"),
            callback_data=CheckoutCb(step=CheckoutStep.ADDRESS, value="new").pack(),
        )
    )
    builder.row(_abandon())
    return builder.as_markup()


def payment_methods(providers: Sequence[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        InlineKeyboardButton(
            text=_("💵 Cash on delivery"),
            callback_data=CheckoutCb(step=CheckoutStep.PAYMENT, value="cash").pack(),
        )
    )
    pages = [provider for provider in providers if provider != TELEGRAM_PAYMENTS]
    for provider in providers:
        if provider == TELEGRAM_PAYMENTS:
            text = _("💳 Card, in Telegram")
        else:
            name = PROVIDER_NAMES.get(provider, provider)
            text = _("💳 Card ({provider})").format(provider=name) if len(pages) > 1 else _("💳 Card")
        builder.row(
            InlineKeyboardButton(
                text=text,
                callback_data=CheckoutCb(step=CheckoutStep.PAYMENT, value=f"card.{provider}").pack(),
            )
        )
    builder.row(_abandon())
    return builder.as_markup()


def confirm_order() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        InlineKeyboardButton(
            text=_("✅ Place the order"), callback_data=CheckoutCb(step=CheckoutStep.CONFIRM).pack()
        )
    )
    builder.row(_abandon())
    return builder.as_markup()


def pay_link(url: str) -> InlineKeyboardMarkup | None:
    """The button to the provider's page, or None when the link must be given in the text."""
    if not url_button_allowed(url):
        return None
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=_("💳 Pay by card"), url=url)]])


def _abandon() -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=_("✖ Cancel"), callback_data=CheckoutCb(step=CheckoutStep.ABANDON).pack()
    )


def languages(locales: Sequence[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in locales:
        builder.button(text=LANGUAGE_NAMES.get(code, code), callback_data=LanguageCb(code=code))
    builder.adjust(2)
    return builder.as_markup()


def my_data(addresses: Sequence[tuple[int, str]] = (), can_change_phone: bool = True) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("⬇ Export my data (JSON)"), callback_data=PrivacyCb(action=PrivacyAction.EXPORT))
    builder.button(text=_("✏ Change my name"), callback_data=PrivacyCb(action=PrivacyAction.NAME))
    if can_change_phone:
        builder.button(
            text=_("📱 Change my phone number"), callback_data=PrivacyCb(action=PrivacyAction.PHONE)
        )
    for address_id, label in addresses[:10]:
        builder.button(
            text=_("🗑 Delete address: {address}").format(address=label)[:64],
            callback_data=PrivacyCb(action=PrivacyAction.ADDRESS, id=address_id),
        )
    builder.adjust(1)
    return builder.as_markup()


def forget_me() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🗑 Yes, delete my account"), callback_data=PrivacyCb(action=PrivacyAction.FORGET))
    builder.button(text=_("No, keep it"), callback_data=PrivacyCb(action=PrivacyAction.KEEP))
    builder.adjust(1)
    return builder.as_markup()
