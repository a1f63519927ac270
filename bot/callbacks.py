"""Callback data of every inline button (aiogram CallbackData factories).

Data that does not unpack into one of these (forged, from an old version) matches no handler and
gets the fallback router's polite answer; data that unpacks but names something gone (a removed
part, another customer's order) gets a polite answer from its handler. Either way nothing changes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from aiogram.types import CallbackQuery
from magic_filter import MagicFilter


class PrefixedFilter(CallbackQueryFilter):
    """aiogram's callback data filter, turning data of another kind away before unpacking it.

    A button press is offered to the handlers one by one, and aiogram's filter unpacks the data
    for each (building the model, or raising on another prefix): a noticeable part of a press's
    CPU (docs/benchmarks.md). Data whose prefix is another's cannot unpack, so it is not tried.
    """

    __slots__ = ()

    async def __call__(self, query: CallbackQuery) -> Any:
        data = query.data if isinstance(query, CallbackQuery) else None
        if not data or data.partition(self.callback_data.__separator__)[0] != self.callback_data.__prefix__:
            return False
        return await super().__call__(query)


class Prefixed:
    """Mixed into the shop's callback data: `.filter()` gives a PrefixedFilter."""

    @classmethod
    def filter(cls, rule: MagicFilter | None = None) -> PrefixedFilter:
        return PrefixedFilter(callback_data=cls, rule=rule)


class Menu(StrEnum):
    VEHICLE = "vehicle"
    SEARCH = "search"
    CART = "cart"
    ORDERS = "orders"
    LANGUAGE = "language"
    HELP = "help"
    PRIVACY = "privacy"


class MenuCb(Prefixed, CallbackData, prefix="m"):
    item: Menu


class VehicleStep(StrEnum):
    MAKES = "makes"  # list of makes, page
    MAKE = "make"  # models of make id, page
    MODEL = "model"  # vehicles of model id, page
    PICK = "pick"  # choose vehicle id
    GARAGE = "garage"  # list the garage
    SAVE = "save"  # save vehicle id to the garage
    FORGET = "forget"  # drop the chosen vehicle
    CATEGORIES = "cats"  # categories for vehicle id


class VehicleCb(Prefixed, CallbackData, prefix="v"):
    step: VehicleStep
    id: int = 0
    page: int = 0


class SearchCb(Prefixed, CallbackData, prefix="s"):
    # A page of the last search (the query is remembered in the user's prefs, not in the button).
    page: int
    category: int = 0


class PartAction(StrEnum):
    SHOW = "show"
    ADD = "add"


class PartCb(Prefixed, CallbackData, prefix="p"):
    action: PartAction
    part_id: int


class CartAction(StrEnum):
    SHOW = "show"
    MORE = "more"
    LESS = "less"
    REMOVE = "rm"
    CHECKOUT = "checkout"


class CartCb(Prefixed, CallbackData, prefix="c"):
    action: CartAction
    part_id: int = 0
    page: int = 0  # the page of the cart the button is on

    @classmethod
    def unpack(cls, value: str) -> CartCb:
        # Buttons sent before the cart had pages ("c:rm:42") mean its first page.
        if value.count(cls.__separator__) == 2:
            value += cls.__separator__ + "0"
        return super().unpack(value)


class CheckoutStep(StrEnum):
    ACCEPT = "accept"  # privacy policy + age 14+
    DELIVERY = "delivery"  # value: courier | pickup | carrier
    ADDRESS = "address"  # value: saved address id, or "new"
    PAYMENT = "payment"  # value: cash | card.<provider>
    CONFIRM = "confirm"
    ABANDON = "abandon"


class CheckoutCb(Prefixed, CallbackData, prefix="k"):
    step: CheckoutStep
    value: str = ""


class OrderCb(Prefixed, CallbackData, prefix="o"):
    number: str


class OrdersPageCb(Prefixed, CallbackData, prefix="os"):
    page: int


class PayCb(Prefixed, CallbackData, prefix="pay"):
    # Pay a card order that is still unpaid (a new invoice or a new provider page link).
    number: str


class LanguageCb(Prefixed, CallbackData, prefix="l"):
    code: str


class PrivacyAction(StrEnum):
    EXPORT = "export"
    FORGET = "forget"  # confirmed deletion
    KEEP = "keep"  # changed their mind
    NAME = "name"  # change the name
    PHONE = "phone"  # change the phone (shared again with the contact button)
    ADDRESS = "addr"  # delete the saved address `id`


class PrivacyCb(Prefixed, CallbackData, prefix="d"):
    action: PrivacyAction
    id: int = 0

    @classmethod
    def unpack(cls, value: str) -> PrivacyCb:
        # Buttons sent before addresses could be deleted here ("d:export") carry no id.
        if value.count(cls.__separator__) == 1:
            value += cls.__separator__ + "0"
        return super().unpack(value)


class StaffAction(StrEnum):
    CONFIRM = "confirm"
    SHIP = "ship"
    CANCEL = "cancel"
    DELIVERED = "delivered"


class StaffCb(Prefixed, CallbackData, prefix="staff"):
    action: StaffAction
    number: str
