"""Catalogue reads: makes → models → vehicles, part search and part details."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from core.catalogue import search, selector
from core.errors import NotFound, ValidationError
from web.api.errors import locale_of
from web.api.schemas import ROW_ID, ROW_ID_MAX, integer, text
from web.api.spec import Call, Operations, path_param, query_param
from web.api.validation import path_id

operations = Operations(tag="catalogue")

ID = path_param("id", {"type": "integer", "minimum": 1, "maximum": ROW_ID_MAX}, "Row id.")
VEHICLE = query_param("vehicle", ROW_ID, "A vehicle id: marks which parts fit it.")
MAX_PAGE = 1000


def make_json(make: Any) -> dict[str, Any]:
    return {"id": make.id, "name": make.name, "slug": make.slug}


def vehicle_json(vehicle: Any) -> dict[str, Any]:
    return {
        "id": vehicle.id,
        "label": selector.vehicle_label(vehicle),
        "model_id": vehicle.model_id,
        "generation": vehicle.generation,
        "body": vehicle.body,
        "engine_code": vehicle.engine_code,
        "engine_cc": vehicle.engine_cc,
        "power_kw": vehicle.power_kw,
        "fuel": vehicle.fuel,
        "year_from": vehicle.year_from,
        "year_to": vehicle.year_to,
    }


def card_json(card: Any, locale: str) -> dict[str, Any]:
    return {
        "id": card.id,
        "brand": card.brand,
        "article": card.article,
        "name": card.name,
        "price": card.price,
        "currency": card.currency,
        "stock": card.stock,
        "category": card.category_in(locale) or None,
        "fits": card.fits,
        "is_analogue": card.is_analogue,
    }


def category_json(category: Any, locale: str) -> dict[str, Any] | None:
    if category is None:
        return None
    return {"id": category.id, "name": category.name_in(locale), "slug": category.slug}


async def _known_vehicle(vehicle_id: int | None) -> None:
    # An unknown vehicle in a query is a mistake in the request, not a missing page.
    if vehicle_id is None:
        return
    try:
        await selector.get_vehicle(vehicle_id)
    except NotFound:
        message = "There is no such vehicle."
        raise ValidationError(message, fields={"vehicle": message}) from None


@operations.get("/makes", summary="All vehicle makes, by name.", response="MakeList")
async def list_makes(request: web.Request, call: Call) -> web.Response:
    makes = await selector.list_makes()
    return web.json_response({"items": [make_json(m) for m in makes]})


@operations.get(
    "/makes/{id}/models", summary="The models of one make.", parameters=(ID,), response="VehicleModelList",
    errors=(404,),
)
async def list_models(request: web.Request, call: Call) -> web.Response:
    models = await selector.list_models(path_id(request))
    items = [{"id": m.id, "make_id": m.make_id, "name": m.name} for m in models]
    return web.json_response({"items": items})


@operations.get(
    "/models/{id}/vehicles", summary="The vehicles (generation, engine, years) of one model.",
    parameters=(ID,), response="VehicleList", errors=(404,),
)
async def list_vehicles(request: web.Request, call: Call) -> web.Response:
    vehicles = await selector.list_vehicles(path_id(request))
    return web.json_response({"items": [vehicle_json(v) for v in vehicles]})


@operations.get(
    "/parts",
    summary="Search parts by article, OE number or words; filter by vehicle and category.",
    parameters=(
        query_param("q", text(search.MAX_QUERY_LENGTH), "Article, OE number or words; empty: everything."),
        VEHICLE,
        query_param("category", text(128), "Category slug or name (its sub-categories included)."),
        query_param("page", integer(1, MAX_PAGE), "Page number, from 1."),
        query_param("per_page", integer(1, search.MAX_PER_PAGE), "Parts per page (default 20)."),
    ),
    response="PartPage",
    errors=(422,),
)
async def search_parts(request: web.Request, call: Call) -> web.Response:
    vehicle_id = call.query.get("vehicle")
    await _known_vehicle(vehicle_id)
    category = call.query.get("category") or None
    try:
        result = await search.search_parts(
            call.query.get("q", ""),
            vehicle_id=vehicle_id,
            category=category,
            page=call.query.get("page", 1),
            per_page=call.query.get("per_page", 20),
        )
    except NotFound as exc:  # the vehicle was checked above: an unknown category
        raise ValidationError(exc.message, fields={"category": exc.message}, **exc.params) from None
    return web.json_response(
        {
            "items": [card_json(c, locale_of(request)) for c in result.items],
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "pages": result.pages,
        }
    )


@operations.get(
    "/parts/{id}",
    summary="One part: details, the vehicles it fits, OE numbers and analogues.",
    parameters=(ID, VEHICLE),
    response="PartDetails",
    errors=(404, 422),
)
async def part_details(request: web.Request, call: Call) -> web.Response:
    part_id = path_id(request)
    vehicle_id = call.query.get("vehicle")
    await _known_vehicle(vehicle_id)
    details = await search.part_details(part_id, vehicle_id)
    part, category = details.part, details.category
    return web.json_response(
        {
            "part": {
                "id": part.id,
                "brand": part.brand,
                "article": part.article,
                "name": part.name,
                "description": part.description,
                "price": part.price,
                "currency": part.currency,
                "stock": part.stock,
                "category": category_json(category, locale_of(request)),
            },
            "fits": details.fits,
            "vehicles": [vehicle_json(v) for v in details.vehicles],
            "analogues": [card_json(c, locale_of(request)) for c in details.analogues],
            "oe_numbers": list(details.oe_numbers),
        }
    )
