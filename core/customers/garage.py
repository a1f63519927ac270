"""The customer's garage: saved vehicles, so parts can be checked against them quickly."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from core.catalogue.models import Vehicle
from core.customers.audit import record_event
from core.customers.models import Customer, GarageVehicle
from core.customers.validation import FieldErrors, clean_text
from core.errors import NotFound, ValidationError

MAX_VEHICLES = 20
NO_SUCH_VEHICLE = "This vehicle was not found."
GARAGE_FULL = "Your garage holds at most 20 vehicles. Remove one you no longer drive."


def _vehicle_id(value: object) -> int:
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound(NO_SUCH_VEHICLE) from None
    if not 0 < number < 2**31:  # no row has such an id (and the database could not compare it)
        raise NotFound(NO_SUCH_VEHICLE)
    return number


async def list_garage(customer: Customer) -> list[GarageVehicle]:
    """The saved vehicles with vehicle__model__make loaded (for catalogue.selector.vehicle_label)."""
    return await GarageVehicle.filter(customer_id=customer.id).order_by("id").prefetch_related("vehicle__model__make")


async def add_vehicle(customer: Customer, vehicle_id: int, nickname: str = "", *, ip: str | None = None,
                      channel: str = "web") -> GarageVehicle:
    """Save a catalogue vehicle; saving one that is already there just updates its nickname."""
    errors = FieldErrors()
    nickname = clean_text(errors, "nickname", nickname, limit=64)
    errors.raise_if_any()
    vehicle = await Vehicle.get_or_none(id=_vehicle_id(vehicle_id))
    if vehicle is None:
        raise NotFound(NO_SUCH_VEHICLE)
    existing = await GarageVehicle.get_or_none(customer_id=customer.id, vehicle_id=vehicle.id)
    if existing is None:
        if await GarageVehicle.filter(customer_id=customer.id).count() >= MAX_VEHICLES:
            raise ValidationError(GARAGE_FULL)
        try:
            existing = await GarageVehicle.create(customer_id=customer.id, vehicle_id=vehicle.id, nickname=nickname)
        except IntegrityError:  # the same click twice at once
            existing = await GarageVehicle.get(customer_id=customer.id, vehicle_id=vehicle.id)
        await record_event(customer, "garage_vehicle_added", channel=channel, ip=ip, vehicle_id=vehicle.id)
    elif nickname and existing.nickname != nickname:
        existing.nickname = nickname
        await existing.save(update_fields=["nickname"])
    await existing.fetch_related("vehicle__model__make")
    return existing


async def remove_vehicle(customer: Customer, vehicle_id: int, *, ip: str | None = None, channel: str = "web") -> None:
    """Remove the catalogue vehicle `vehicle_id` from the garage; NotFound if it is not there."""
    removed = await GarageVehicle.filter(customer_id=customer.id, vehicle_id=_vehicle_id(vehicle_id)).delete()
    if not removed:
        raise NotFound(NO_SUCH_VEHICLE)
    await record_event(customer, "garage_vehicle_removed", channel=channel, ip=ip, vehicle_id=_vehicle_id(vehicle_id))
