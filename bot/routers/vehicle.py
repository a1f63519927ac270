"""Choose the vehicle: make → model → vehicle with paginated buttons, or a car from the garage."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards
from bot.callbacks import Menu, MenuCb, SearchCb, VehicleCb, VehicleStep
from bot.common import show
from bot.i18n import error_text
from bot.prefs import Prefs
from core.catalogue import search, selector
from core.customers import garage
from core.customers.models import Customer
from core.errors import NotFound, ShopError


def short_label(vehicle, locale: str | None = None) -> str:
    """What a button under the model shows: generation, body, engine (fuel in `locale`), years."""
    body = f"({vehicle.body})" if vehicle.body else ""
    parts = [
        vehicle.generation,
        body,
        selector.engine_label(vehicle, locale),
        selector.vehicle_years(vehicle),
    ]
    return " ".join(p for p in parts if p)


async def vehicle_command(message: Message, customer: Customer | None, locale: str) -> None:
    await start_choice(message, customer, locale)


async def vehicle_button(callback: CallbackQuery, customer: Customer | None, locale: str) -> None:
    await start_choice(callback, customer, locale)


async def start_choice(event: Message | CallbackQuery, customer: Customer | None, locale: str) -> None:
    if customer is not None and await garage.list_garage(customer):
        await show_garage(event, customer, locale)
    else:
        await show_makes(event, 0)


async def show_garage(event: Message | CallbackQuery, customer: Customer, locale: str) -> None:
    entries = []
    for saved in await garage.list_garage(customer):
        label = saved.nickname or selector.vehicle_label(saved.vehicle, locale)
        entries.append((label, VehicleCb(step=VehicleStep.PICK, id=saved.vehicle_id)))
    extra = [(_("🔄 Another vehicle"), VehicleCb(step=VehicleStep.MAKES))]
    markup = keyboards.choice_list(
        entries, 0, 1, lambda p: VehicleCb(step=VehicleStep.GARAGE), extra, columns=1
    )
    await show(event, _("Your garage. Choose a vehicle:"), markup)


async def show_makes(event: Message | CallbackQuery, page: int) -> None:
    makes = await selector.list_makes()
    if not makes:
        await show(event, _("The catalogue has no vehicles yet."))
        return
    shown, page, pages = keyboards.page_of(makes, page)
    entries = [(make.name, VehicleCb(step=VehicleStep.MAKE, id=make.id)) for make in shown]
    markup = keyboards.choice_list(entries, page, pages, lambda p: VehicleCb(step=VehicleStep.MAKES, page=p))
    await show(event, _("Choose the make:"), markup)


async def makes_page(callback: CallbackQuery, callback_data: VehicleCb) -> None:
    await show_makes(callback, callback_data.page)


async def garage_page(callback: CallbackQuery, customer: Customer | None, locale: str) -> None:
    if customer is None:
        await show_makes(callback, 0)
        return
    await show_garage(callback, customer, locale)


async def models_page(callback: CallbackQuery, callback_data: VehicleCb) -> None:
    try:
        models = await selector.list_models(callback_data.id)
    except NotFound:
        models = []
    if not models:
        await callback.answer(_("This make has no models in the catalogue."), show_alert=True)
        return
    shown, page, pages = keyboards.page_of(models, callback_data.page)
    entries = [(model.name, VehicleCb(step=VehicleStep.MODEL, id=model.id)) for model in shown]
    extra = [(_("◀ Makes"), VehicleCb(step=VehicleStep.MAKES))]
    markup = keyboards.choice_list(
        entries, page, pages, lambda p: VehicleCb(step=VehicleStep.MAKE, id=callback_data.id, page=p), extra
    )
    await show(callback, _("Choose the model:"), markup)


async def vehicles_page(callback: CallbackQuery, callback_data: VehicleCb, locale: str) -> None:
    try:
        vehicles = await selector.list_vehicles(callback_data.id)
    except NotFound:
        vehicles = []
    if not vehicles:
        await callback.answer(_("This model has no vehicles in the catalogue."), show_alert=True)
        return
    shown, page, pages = keyboards.page_of(vehicles, callback_data.page)
    entries = [(short_label(v, locale), VehicleCb(step=VehicleStep.PICK, id=v.id)) for v in shown]
    extra = [(_("◀ Makes"), VehicleCb(step=VehicleStep.MAKES))]
    markup = keyboards.choice_list(
        entries,
        page,
        pages,
        lambda p: VehicleCb(step=VehicleStep.MODEL, id=callback_data.id, page=p),
        extra,
        columns=1,
    )
    await show(callback, _("Choose the engine and years:"), markup)


async def pick(
    callback: CallbackQuery, callback_data: VehicleCb, customer: Customer | None, prefs: Prefs, locale: str
) -> None:
    try:
        vehicle = await selector.get_vehicle(callback_data.id)
    except NotFound:
        await callback.answer(_("This vehicle is no longer in the catalogue."), show_alert=True)
        return
    label = selector.vehicle_label(vehicle, locale)
    await prefs.update(vehicle_id=vehicle.id, vehicle_label=label)
    can_save = customer is not None and vehicle.id not in {
        g.vehicle_id for g in await garage.list_garage(customer)
    }
    await show(
        callback,
        _("Your vehicle: {vehicle}\nNow type an article number or words, or browse the categories.").format(
            vehicle=escape(label)
        ),
        keyboards.vehicle_chosen(vehicle.id, can_save),
    )


async def save_to_garage(
    callback: CallbackQuery, callback_data: VehicleCb, customer: Customer | None, locale: str
) -> None:
    if customer is None:
        await callback.answer(
            _("The garage is part of your account: place an order or link your account first."),
            show_alert=True,
        )
        return
    try:
        await garage.add_vehicle(customer, callback_data.id, channel="telegram")
    except ShopError as error:
        await callback.answer(error_text(error, locale), show_alert=True)
        return
    await callback.answer(_("Saved to your garage."))


async def forget_vehicle(callback: CallbackQuery, prefs: Prefs) -> None:
    await prefs.update(vehicle_id=None, vehicle_label=None)
    await show(callback, _("The vehicle is forgotten. Search results now show every part."))


async def categories(callback: CallbackQuery, callback_data: VehicleCb, locale: str) -> None:
    try:
        found = await search.categories_for_vehicle(callback_data.id, locale)
    except NotFound:
        found = []
    if not found:
        await callback.answer(_("No parts for this vehicle yet."), show_alert=True)
        return
    shown, page, pages = keyboards.page_of(found, callback_data.page)
    entries = [
        (f"{category.name_in(locale)} ({count})", SearchCb(page=0, category=category.id))
        for category, count in shown
    ]
    markup = keyboards.choice_list(
        entries, page, pages, lambda p: VehicleCb(step=VehicleStep.CATEGORIES, id=callback_data.id, page=p)
    )
    await show(callback, _("Categories with parts for your vehicle:"), markup)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(vehicle_command, Command("vehicle"))
    router.callback_query.register(vehicle_button, MenuCb.filter(F.item == Menu.VEHICLE))
    router.callback_query.register(makes_page, VehicleCb.filter(F.step == VehicleStep.MAKES))
    router.callback_query.register(garage_page, VehicleCb.filter(F.step == VehicleStep.GARAGE))
    router.callback_query.register(models_page, VehicleCb.filter(F.step == VehicleStep.MAKE))
    router.callback_query.register(vehicles_page, VehicleCb.filter(F.step == VehicleStep.MODEL))
    router.callback_query.register(pick, VehicleCb.filter(F.step == VehicleStep.PICK))
    router.callback_query.register(save_to_garage, VehicleCb.filter(F.step == VehicleStep.SAVE))
    router.callback_query.register(forget_vehicle, VehicleCb.filter(F.step == VehicleStep.FORGET))
    router.callback_query.register(categories, VehicleCb.filter(F.step == VehicleStep.CATEGORIES))
    return router
