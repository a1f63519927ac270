"""The shop's button filters (bot.callbacks.PrefixedFilter) match exactly the presses aiogram's own
filters match: the same handler answers every button, forged and stale ones included."""

from __future__ import annotations

import pytest
from aiogram import F
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.types import CallbackQuery, User

from bot.callbacks import (
    CartCb,
    Menu,
    MenuCb,
    OrderCb,
    OrdersPageCb,
    PartAction,
    PartCb,
    PayCb,
    PrivacyCb,
    SearchCb,
    StaffCb,
    VehicleCb,
    VehicleStep,
)

PRESSES = [
    "v:cats:12:0", "v:make:3:1", "v:cats", "v", "vx:cats:1:0", "v:nope:1:0", "os:2", "o:GS-AB12-CD34",
    "c:rm:42", "c:less:1:-3", "c:show:0:1", "d:export", "d:addr:5", "d", "pay:GS-NOPE-0000", "p:show:7",
    "p:add:x", "s:1", "s:1:0", "s:0:999999", "staff:confirm:ZZZ", "m:vehicle", "m:nothing", "x" * 64, ":v:cats",
]  # fmt: skip
REAL_BUTTONS = {"v:cats:12:0", "v:make:3:1", "os:2", "o:GS-AB12-CD34", "c:rm:42", "c:less:1:-3", "c:show:0:1",
                "d:export", "d:addr:5", "pay:GS-NOPE-0000", "p:show:7", "s:0:999999", "s:1:0",
                "staff:confirm:ZZZ", "m:vehicle"}  # fmt: skip
FILTERS = [
    VehicleCb.filter(F.step == VehicleStep.CATEGORIES),
    VehicleCb.filter(),
    OrderCb.filter(),
    OrdersPageCb.filter(),
    CartCb.filter(),
    PrivacyCb.filter(),
    PayCb.filter(),
    PartCb.filter(F.action == PartAction.SHOW),
    SearchCb.filter(),
    StaffCb.filter(),
    MenuCb.filter(F.item == Menu.VEHICLE),
]


@pytest.mark.parametrize("data", PRESSES)
async def test_a_press_matches_what_aiogram_would_match(data):
    press = CallbackQuery(
        id="q1", from_user=User(id=1001, is_bot=False, first_name="Olena"), chat_instance="ci", data=data
    )
    matched = 0
    for shop_filter in FILTERS:
        aiograms = CallbackQueryFilter(callback_data=shop_filter.callback_data, rule=shop_filter.rule)
        answer = await shop_filter(press)
        assert answer == await aiograms(press), (data, shop_filter.callback_data.__name__)
        matched += answer is not False
    assert bool(matched) == (data in REAL_BUTTONS)
