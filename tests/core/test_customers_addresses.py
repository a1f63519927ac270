"""The address book and the garage of saved vehicles: only the customer's own, validated, audited."""

import pytest

from core.catalogue.models import Make, Vehicle, VehicleModel
from core.customers.addresses import AddressData, add_address, delete_address, list_addresses, update_address
from core.customers.garage import add_vehicle, list_garage, remove_vehicle
from core.customers.models import AuditEvent
from core.errors import NotFound, ValidationError
from tests.core.test_customers_registration import register

HOME = AddressData(city="Lviv", street="Svobody Ave 10, flat 3", country="UA", postcode="79000", label="Home")
WORK = AddressData(city="Kyiv", street="Khreshchatyk 22", country="UA", label="Work")


async def test_first_address_is_the_default_and_default_moves(db):
    customer = await register()
    home = await add_address(customer, HOME, ip="192.0.2.1")
    work = await add_address(customer, WORK)
    assert [(a.id, a.is_default) for a in await list_addresses(customer)] == [(home.id, True), (work.id, False)]
    await update_address(customer, work.id, AddressData(city="Kyiv", street="Khreshchatyk 24", country="UA",
                                                        is_default=True))
    listed = await list_addresses(customer)
    assert [(a.id, a.is_default, a.street) for a in listed] == [(work.id, True, "Khreshchatyk 24"), (home.id, False, HOME.street)]
    await delete_address(customer, work.id)
    assert [(a.id, a.is_default) for a in await list_addresses(customer)] == [(home.id, True)]
    events = await AuditEvent.filter(customer_id=customer.id, event__startswith="address_").values_list("event", flat=True)
    assert events == ["address_added", "address_added", "address_changed", "address_deleted"]


async def test_bad_address_reports_each_field(db):
    customer = await register()
    with pytest.raises(ValidationError) as caught:
        await add_address(customer, AddressData(city=" ", street="", country="XX", postcode="<01001>"))
    assert set(caught.value.fields) == {"city", "street", "country", "postcode"}
    assert await list_addresses(customer) == []


async def test_nobody_else_can_touch_an_address(db):
    owner = await register()
    stranger = await register(email="stranger@example.com", phone="+380991234567")
    home = await add_address(owner, HOME)
    with pytest.raises(NotFound):
        await update_address(stranger, home.id, WORK)
    with pytest.raises(NotFound):
        await delete_address(stranger, home.id)
    with pytest.raises(NotFound):
        await delete_address(owner, "not-a-number")
    assert [a.city for a in await list_addresses(owner)] == ["Lviv"]


@pytest.fixture
async def golf(db):
    make = await Make.create(name="Volkswagen", slug="volkswagen")
    model = await VehicleModel.create(make=make, name="Golf")
    return await Vehicle.create(model=model, generation="VII (5G1)", engine_code="CZCA", year_from=2012, year_to=2020)


async def test_garage_saves_catalogue_vehicles_once(db, golf):
    customer = await register()
    saved = await add_vehicle(customer, golf.id, "Family car")
    assert saved.vehicle.model.make.name == "Volkswagen"
    again = await add_vehicle(customer, golf.id, "Our Golf")
    assert again.id == saved.id and again.nickname == "Our Golf"
    assert [(g.vehicle_id, g.nickname) for g in await list_garage(customer)] == [(golf.id, "Our Golf")]
    with pytest.raises(NotFound):
        await add_vehicle(customer, 999999)
    await remove_vehicle(customer, golf.id)
    assert await list_garage(customer) == []
    with pytest.raises(NotFound):
        await remove_vehicle(customer, golf.id)
