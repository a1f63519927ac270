"""Rows the commerce tests need, created straight through the models (no other area's services)."""

from __future__ import annotations

import itertools

from core.catalogue.models import Part
from core.customers.models import Address, Customer

_serial = itertools.count(1)


async def make_part(
    *,
    stock: int = 10,
    price: int = 1250,
    name: str = "Oil filter",
    brand: str = "BOSCH",
    currency: str = "EUR",
) -> Part:
    n = next(_serial)
    article = f"0 986 452 {n:03d}"
    return await Part.create(
        brand=brand,
        brand_key=brand.upper(),
        article=article,
        article_norm=article.replace(" ", ""),
        name=name,
        price=price,
        currency=currency,
        stock=stock,
    )


async def make_customer(**fields) -> Customer:
    n = next(_serial)
    values = {
        "last_name": "Shevchenko",
        "first_name": "Taras",
        "email": f"buyer{n}@example.com",
        "phone": f"+38050{n:07d}",
        "locale": "en",
    }
    values.update(fields)
    return await Customer.create(**values)


async def make_address(customer: Customer, **fields) -> Address:
    values = {
        "country": "UA",
        "region": "Kyivska",
        "city": "Kyiv",
        "street": "Khreshchatyk 1",
        "postcode": "01001",
    }
    values.update(fields)
    return await Address.create(customer=customer, **values)
