"""Choosing a car: makes -> models -> vehicles (generation, body, engine, years).

Every list here comes from the per-version cache, so a busy web process serves the selector
without touching the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from core.catalogue.cache import cached
from core.catalogue.models import Make, Vehicle, VehicleModel
from core.errors import NotFound

MAX_EXTERNAL_ID = Vehicle._meta.fields_map["external_id"].max_length


def as_id(value: Any) -> int | None:
    """A database id from user input (`"12"` -> 12); None when it cannot be one."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


async def list_makes() -> list[Make]:
    async def load() -> list[Make]:
        return await Make.all().order_by("name")

    return await cached(("makes",), load)


async def list_models(make_id: int) -> list[VehicleModel]:
    """The models of a make, by name; NotFound for an unknown make."""
    make = next((m for m in await list_makes() if m.id == as_id(make_id)), None)
    if make is None:
        raise NotFound("There is no such make.")

    async def load() -> list[VehicleModel]:
        models = await VehicleModel.filter(make_id=make.id).order_by("name")
        for model in models:
            model.make = make
        return models

    return await cached(("models", make.id), load)


async def list_vehicles(model_id: int) -> list[Vehicle]:
    """The vehicles of a model (model and make loaded), oldest first; NotFound for an unknown model."""
    wanted = as_id(model_id)

    async def load() -> list[Vehicle] | None:
        if wanted is None:
            return None
        vehicles = await Vehicle.filter(model_id=wanted).select_related("model__make")
        if not vehicles and not await VehicleModel.exists(id=wanted):
            return None
        for vehicle in vehicles:  # the vehicle chosen from this list next needs no query of its own
            await cached(("vehicle", vehicle.id), _loaded(vehicle))
        return sorted(vehicles, key=_vehicle_order)

    vehicles = await cached(("vehicles", wanted), load)
    if vehicles is None:
        raise NotFound("There is no such model.")
    return vehicles


def _loaded(vehicle: Vehicle) -> Callable[[], Awaitable[Vehicle]]:
    async def load() -> Vehicle:
        return vehicle

    return load


def _vehicle_order(vehicle: Vehicle) -> tuple:
    return (
        vehicle.year_from,
        vehicle.generation,
        vehicle.body,
        vehicle.engine_cc or 0,
        vehicle.power_kw or 0,
        vehicle.id,
    )


async def get_vehicle(vehicle_id: int) -> Vehicle:
    """One vehicle with its model and make; NotFound when there is none."""
    wanted = as_id(vehicle_id)

    async def load() -> Vehicle | None:
        if wanted is None:
            return None
        return await Vehicle.get_or_none(id=wanted).select_related("model__make")

    vehicle = await cached(("vehicle", wanted), load)
    if vehicle is None:
        raise NotFound("There is no such vehicle.")
    return vehicle


async def find_vehicle(external_id: str) -> Vehicle:
    """A vehicle by its external id (TecDoc KType-like, as catalogue files name it)."""
    key = external_id.strip()
    # An id that cannot be stored (too long, control characters) names no vehicle.
    known_shape = 0 < len(key) <= MAX_EXTERNAL_ID and key.isprintable()
    vehicle = await Vehicle.get_or_none(external_id=key).select_related("model__make") if known_shape else None
    if vehicle is None:
        raise NotFound("There is no vehicle with id “{vehicle}”.", vehicle=external_id)
    return vehicle


def vehicle_years(vehicle: Vehicle) -> str:
    """`2012–2020`, or `2019–` while still in production."""
    return f"{vehicle.year_from}–{vehicle.year_to or ''}"


# Fuels as catalogue files name them; the label says them in the reader's language.
FUELS = ("petrol", "diesel", "hybrid", "electric", "LPG", "CNG")


def fuel_label(fuel: str, locale: str | None = None) -> str:
    """The fuel in `locale` (`petrol` -> `бензин`); a fuel the shop has no word for stays as it is."""
    if not locale or fuel not in FUELS:
        return fuel
    from core.i18n import gettext

    return gettext(locale, fuel)


def engine_label(vehicle: Vehicle, locale: str | None = None) -> str:
    """`1.4 petrol CZCA 92 kW`: the parts of the engine the catalogue knows (the fuel in `locale`)."""
    pieces = []
    if vehicle.engine_cc:
        pieces.append(f"{vehicle.engine_cc / 1000:.1f}")
    pieces += [fuel_label(vehicle.fuel, locale), vehicle.engine_code]
    if vehicle.power_kw:
        pieces.append(f"{vehicle.power_kw} kW")
    return " ".join(p for p in pieces if p)


def vehicle_label(vehicle: Vehicle, locale: str | None = None) -> str:
    """`Volkswagen Golf VII (5G1) 1.4 petrol CZCA 92 kW 2012–2020` (model and make must be loaded);
    with a locale the fuel is in that language (`… 1.4 бензин CZCA …`)."""
    model = vehicle.model
    pieces = [model.make.name, model.name, vehicle.generation]
    if vehicle.body:
        pieces.append(f"({vehicle.body})")
    pieces += [engine_label(vehicle, locale), vehicle_years(vehicle)]
    return " ".join(p for p in pieces if p)
