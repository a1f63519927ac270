"""The customer's delivery address book. Checkout refers to an address by id (P5)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core.customers.audit import record_event
from core.customers.models import Address, Customer
from core.customers.validation import AddressData, FieldErrors, clean_address
from core.errors import NotFound, ValidationError

__all__ = ["AddressData", "add_address", "list_addresses", "get_address", "update_address", "delete_address"]

MAX_ADDRESSES = 20
TOO_MANY = "You can keep at most 20 addresses. Delete one you no longer use."
NO_SUCH_ADDRESS = "This address was not found."


def _clean(data: AddressData) -> AddressData:
    errors = FieldErrors()
    clean = clean_address(errors, data)
    errors.raise_if_any()
    return clean


def _values(data: AddressData) -> dict:
    return {"label": data.label, "country": data.country, "region": data.region, "city": data.city,
            "street": data.street, "postcode": data.postcode}


async def list_addresses(customer: Customer) -> list[Address]:
    """The default address first, then in the order they were added."""
    return await Address.filter(customer_id=customer.id).order_by("-is_default", "id")


async def get_address(customer: Customer, address_id: int) -> Address:
    """One of the customer's addresses; NotFound for anyone else's."""
    address = await Address.get_or_none(id=_id(address_id), customer_id=customer.id)
    if address is None:
        raise NotFound(NO_SUCH_ADDRESS)
    return address


def _id(value: object) -> int:
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound(NO_SUCH_ADDRESS) from None
    if not 0 < number < 2**31:  # no row has such an id (and the database could not compare it)
        raise NotFound(NO_SUCH_ADDRESS)
    return number


async def add_address(customer: Customer, data: AddressData, *, ip: str | None = None, channel: str = "web") -> Address:
    clean = _clean(data)
    async with in_transaction():
        count = await Address.filter(customer_id=customer.id).count()
        if count >= MAX_ADDRESSES:
            raise ValidationError(TOO_MANY)
        is_default = clean.is_default or count == 0
        if is_default:
            await Address.filter(customer_id=customer.id).update(is_default=False)
        address = await Address.create(customer_id=customer.id, is_default=is_default, **_values(clean))
        await record_event(customer, "address_added", channel=channel, ip=ip, address_id=address.id)
    return address


async def update_address(customer: Customer, address_id: int, data: AddressData, *, ip: str | None = None,
                         channel: str = "web") -> Address:
    address = await get_address(customer, address_id)
    clean = _clean(data)
    async with in_transaction():
        if clean.is_default and not address.is_default:
            await Address.filter(customer_id=customer.id).update(is_default=False)
            address.is_default = True
        for field, value in _values(clean).items():
            setattr(address, field, value)
        await address.save()
        await record_event(customer, "address_changed", channel=channel, ip=ip, address_id=address.id)
    return address


async def delete_address(customer: Customer, address_id: int, *, ip: str | None = None, channel: str = "web") -> None:
    address = await get_address(customer, address_id)
    async with in_transaction():
        await address.delete()
        if address.is_default:  # another address becomes the default
            successor = await Address.filter(customer_id=customer.id).order_by("id").first()
            if successor is not None:
                await Address.filter(id=successor.id).update(is_default=True)
        await record_event(customer, "address_deleted", channel=channel, ip=ip, address_id=address.id)
