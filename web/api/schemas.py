"""JSON Schemas of the API's bodies: published in the OpenAPI document and used to check input.

Request schemas are strict (no unknown keys, typed, bounded); response schemas describe what
the handlers in this package return. Money is always an integer in minor units plus an ISO
4217 currency code.
"""

from __future__ import annotations

from typing import Any

from core.carts.service import MAX_LINE_QUANTITY
from core.orders.models import DeliveryMethod, OrderStatus, PaymentMethod, PaymentState

Schema = dict[str, Any]

ROW_ID_MAX = 2**31 - 1
# A cart line holds at most this many of one part (the cart service refuses more).
MAX_QUANTITY = MAX_LINE_QUANTITY


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Schema], *, required: list[str] | None = None, strict: bool = True) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    schema["required"] = list(properties) if required is None else required
    if strict:
        schema["additionalProperties"] = False
    return schema


def text(max_length: int, *, min_length: int = 0, **extra: Any) -> Schema:
    return {"type": "string", "minLength": min_length, "maxLength": max_length, **extra}


def integer(minimum: int | None = None, maximum: int | None = None, **extra: Any) -> Schema:
    schema: Schema = {"type": "integer", **extra}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def items_of(name: str) -> Schema:
    return obj({"items": {"type": "array", "items": ref(name)}})


ROW_ID = integer(1, ROW_ID_MAX)
MONEY = integer(description="Amount in minor units (cents, kopecks).")
CURRENCY = text(3, min_length=3, description="ISO 4217 code.")
BOOL = {"type": "boolean"}
STRING = {"type": "string"}
TIMESTAMP = {"type": "string", "format": "date-time"}

# ---------------------------------------------------------------- requests

ADDRESS_INPUT = obj(
    {
        "country": text(2, description="ISO 3166-1 alpha-2 code."),
        "region": text(100),
        "city": text(100, min_length=1),
        "street": text(255, min_length=1),
        "postcode": text(16),
        "label": text(64, description="A name for the address, e.g. Home."),
    },
    required=["city", "street"],
)

LEGAL_ENTITY_INPUT = obj(
    {
        "name": text(255, min_length=1),
        "country": text(2, min_length=2, description="RU, KZ, UA or ES: decides how tax_id is checked."),
        "tax_id": text(16, min_length=1),
        "kpp": text(9),
    },
    required=["name", "country", "tax_id"],
)

REQUESTS: dict[str, Schema] = {
    "CartLineInput": obj({"part_id": ROW_ID, "quantity": integer(1, MAX_QUANTITY)}),
    "CartQuantityInput": obj({"quantity": integer(0, MAX_QUANTITY, description="0 removes the line.")}),
    "LoginInput": obj({"email": text(254, min_length=1), "password": text(1024, min_length=1)}),
    "RegisterInput": obj(
        {
            "last_name": text(100),
            "first_name": text(100),
            "patronymic": text(100),
            "phone": text(32, description="International format, e.g. +380501234567."),
            "email": text(254),
            "password": text(1024, description="12 to 128 characters, not a common password."),
            "car_make": text(64),
            "car_model": text(96),
            "address": nullable(ADDRESS_INPUT),
            "legal_entity": nullable(LEGAL_ENTITY_INPUT),
            "age_confirmed": {"type": "boolean", "description": "The customer is 14 or older."},
            "privacy_accepted": {"type": "boolean", "description": "The privacy policy was accepted."},
            "marketing_opt_in": BOOL,
            "locale": text(8, enum=["en", "uk", "ru", "es"]),
        },
        required=[
            "last_name", "first_name", "phone", "email", "password", "age_confirmed", "privacy_accepted",
        ],
    ),
    "OrderInput": obj(
        {
            "delivery": obj(
                {
                    "method": text(16, enum=[m.value for m in DeliveryMethod]),
                    "address_id": nullable(ROW_ID),
                    "carrier_city": text(100),
                    "carrier_branch": text(32),
                },
                required=["method"],
            ),
            "payment": obj(
                {"method": text(16, enum=[m.value for m in PaymentMethod]), "provider": text(32)},
                required=["method"],
            ),
        }
    ),
}

# ---------------------------------------------------------------- responses

CUSTOMER = obj(
    {
        "id": ROW_ID,
        "last_name": STRING,
        "first_name": STRING,
        "patronymic": STRING,
        "email": nullable(STRING),
        "phone": nullable(STRING),
        "locale": STRING,
    }
)

VEHICLE = obj(
    {
        "id": ROW_ID,
        "label": {"type": "string", "description": "Make, model, generation, engine and years."},
        "model_id": ROW_ID,
        "generation": STRING,
        "body": STRING,
        "engine_code": STRING,
        "engine_cc": nullable(integer()),
        "power_kw": nullable(integer()),
        "fuel": STRING,
        "year_from": integer(),
        "year_to": nullable(integer()),
    }
)

CATEGORY_NAME = {
    "type": "string",
    "description": "The category's name in the request's language when the catalogue has it, else as imported.",
}

PART_CARD = obj(
    {
        "id": ROW_ID,
        "brand": STRING,
        "article": STRING,
        "name": STRING,
        "price": MONEY,
        "currency": CURRENCY,
        "stock": integer(),
        "category": nullable(CATEGORY_NAME),
        "fits": nullable({"type": "boolean", "description": "null when no vehicle was given."}),
        "is_analogue": {"type": "boolean", "description": "Found through a cross-reference."},
    }
)

CART_LINE = obj(
    {
        "part_id": ROW_ID,
        "brand": STRING,
        "article": STRING,
        "name": STRING,
        "unit_price": MONEY,
        "quantity": integer(1),
        "line_total": MONEY,
        "stock": integer(),
    }
)

ORDER_LINE = obj(
    {
        "part_id": nullable(ROW_ID),
        "brand": STRING,
        "article": STRING,
        "name": STRING,
        "unit_price": MONEY,
        "quantity": integer(1),
        "line_total": MONEY,
    }
)

ORDER_SUMMARY = obj(
    {
        "number": STRING,
        "status": {"type": "string", "enum": [s.value for s in OrderStatus]},
        "created_at": TIMESTAMP,
        "total": MONEY,
        "currency": CURRENCY,
        "payment_state": {"type": "string", "enum": [s.value for s in PaymentState]},
    }
)

ORDER = obj(
    {
        **ORDER_SUMMARY["properties"],
        "subtotal": MONEY,
        "shipping_price": MONEY,
        "delivery": obj(
            {
                "method": {"type": "string", "enum": [m.value for m in DeliveryMethod]},
                "address": STRING,
                "carrier_city": STRING,
                "carrier_branch": STRING,
                "tracking_number": STRING,
            }
        ),
        "payment": obj(
            {
                "method": {"type": "string", "enum": [m.value for m in PaymentMethod]},
                "provider": STRING,
                "state": {"type": "string", "enum": [s.value for s in PaymentState]},
            }
        ),
        "lines": {"type": "array", "items": ref("OrderLine")},
    }
)

PLACED_ORDER = obj(
    {
        "order": ref("Order"),
        "payment_url": nullable(
            {"type": "string", "description": "Where to send the customer to pay by card; null for cash."}
        ),
    }
)

RESPONSES: dict[str, Schema] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": {"type": "string", "description": "Stable machine-readable code."},
                    "message": {"type": "string", "description": "A sentence in the request's language."},
                    "fields": {
                        "type": "object",
                        "additionalProperties": STRING,
                        "description": "Field path (e.g. delivery.method) to its problem.",
                    },
                }
            )
        }
    ),
    "Customer": CUSTOMER,
    "Session": obj(
        {
            "csrf_token": {"type": "string", "description": "Send it as X-CSRF-Token on unsafe requests."},
            "customer": nullable(ref("Customer")),
            "locale": {"type": "string", "enum": ["en", "uk", "ru", "es"]},
        }
    ),
    "SignedIn": obj(
        {
            "customer": ref("Customer"),
            "csrf_token": {"type": "string", "description": "The new session's CSRF token."},
            "cart": {
                **obj(
                    {
                        "added": {"type": "array", "items": STRING},
                        "increased": {"type": "array", "items": STRING},
                        "capped": {"type": "array", "items": STRING},
                    }
                ),
                "description": "What the anonymous cart brought in (part labels); capped = limited by stock.",
            },
        }
    ),
    "SignedOut": obj({"csrf_token": {"type": "string", "description": "The anonymous session's token."}}),
    "Make": obj({"id": ROW_ID, "name": STRING, "slug": STRING}),
    "MakeList": items_of("Make"),
    "VehicleModel": obj({"id": ROW_ID, "make_id": ROW_ID, "name": STRING}),
    "VehicleModelList": items_of("VehicleModel"),
    "Vehicle": VEHICLE,
    "VehicleList": items_of("Vehicle"),
    "PartCard": PART_CARD,
    "PartPage": obj(
        {
            "items": {"type": "array", "items": ref("PartCard")},
            "total": integer(0),
            "page": integer(1),
            "per_page": integer(1),
            "pages": integer(0),
        }
    ),
    "PartDetails": obj(
        {
            "part": obj(
                {
                    "id": ROW_ID,
                    "brand": STRING,
                    "article": STRING,
                    "name": STRING,
                    "description": STRING,
                    "price": MONEY,
                    "currency": CURRENCY,
                    "stock": integer(),
                    "category": nullable(obj({"id": ROW_ID, "name": CATEGORY_NAME, "slug": STRING})),
                }
            ),
            "fits": nullable({"type": "boolean", "description": "Fits ?vehicle=; null when none given."}),
            "vehicles": {"type": "array", "items": ref("Vehicle")},
            "analogues": {"type": "array", "items": ref("PartCard")},
            "oe_numbers": {"type": "array", "items": STRING},
        }
    ),
    "CartLine": CART_LINE,
    "Cart": obj(
        {
            "lines": {"type": "array", "items": ref("CartLine")},
            "subtotal": MONEY,
            "currency": CURRENCY,
            "count": integer(0),
        }
    ),
    "OrderLine": ORDER_LINE,
    "OrderSummary": ORDER_SUMMARY,
    "OrderList": items_of("OrderSummary"),
    "Order": ORDER,
    "PlacedOrder": PLACED_ORDER,
}

COMPONENTS: dict[str, Schema] = {**REQUESTS, **RESPONSES}
