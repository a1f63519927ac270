"""Catalogue pages: home with the vehicle selector, categories, search, part page.

They work without cookies: the chosen vehicle travels in the URL (`?vehicle=`) and is also
remembered in a cookie when cookies are on. No personal data is read or stored here (P1).
"""

from __future__ import annotations

import dataclasses

from aiohttp import web

from core.catalogue import search as catalogue_search
from core.catalogue import selector
from core.catalogue.categories import category_tree
from core.catalogue.models import Vehicle
from core.errors import NotFound
from web import keys
from web.forms import Form, clean_text
from web.page_cache import kept_page
from web.page_checks import showing
from web.render import redirect, render, url_for
from web.sessions import current_customer, recall, remember
from web.views import reviews

MAX_QUERY = 100
MAX_PAGE = 10_000


def page_number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


async def chosen_vehicle(request: web.Request) -> Vehicle | None:
    """The vehicle of `?vehicle=` (404 when unknown), else the remembered one, else None."""
    if "vehicle" in request.query and request.query["vehicle"]:
        return await selector.get_vehicle(selector.as_id(request.query["vehicle"]) or 0)
    remembered = selector.as_id(await recall(request, "vehicle"))
    if remembered is None:
        return None
    try:
        return await selector.get_vehicle(remembered)
    except NotFound:  # the catalogue changed since: forget it quietly
        await remember(request, "vehicle", None)
        return None


def vehicle_label(request: web.Request, vehicle: Vehicle) -> str:
    """The vehicle as the visitor reads it (the fuel in the page's language)."""
    return selector.vehicle_label(vehicle, request[keys.LOCALE])


def vehicle_context(request: web.Request, vehicle: Vehicle | None) -> dict:
    """What base.html shows in the vehicle bar and keeps in the search box."""
    if vehicle is None:
        return {"vehicle": None, "vehicle_label": "", "vehicle_query": {}}
    return {"vehicle": vehicle, "vehicle_label": vehicle_label(request, vehicle),
            "vehicle_query": {"vehicle": vehicle.id}}


async def customer_garage(request: web.Request) -> list:
    """The signed-in customer's saved vehicles as (garage entry, label) pairs."""
    customer = await current_customer(request)
    if customer is None:
        return []
    from core.customers.garage import list_garage

    entries = await list_garage(customer)
    return [(entry, vehicle_label(request, entry.vehicle)) for entry in entries]


async def index(request: web.Request) -> web.Response:
    """Home: the make → model → vehicle selector as GET forms, the garage, the vehicle's categories."""
    vehicle = await chosen_vehicle(request)
    make_id = selector.as_id(request.query.get("make"))
    model_id = selector.as_id(request.query.get("model"))
    models = await selector.list_models(make_id) if make_id else []
    vehicles = await selector.list_vehicles(model_id) if model_id else []
    if vehicles and vehicles[0].model.make_id != make_id:
        vehicles, model_id = [], None  # a model of another make: start that step again
    categories = (
        await catalogue_search.categories_for_vehicle(vehicle.id, request[keys.LOCALE]) if vehicle else []
    )
    showing(request)  # no price, stock or review: only the catalogue
    return render(request, "index.html", {
        **vehicle_context(request, vehicle),
        "makes": await selector.list_makes(), "models": models, "vehicles": vehicles,
        "make_id": make_id, "model_id": model_id,
        "categories": categories, "garage": await customer_garage(request),
        "vehicle_labels": {v.id: vehicle_label(request, v) for v in vehicles},
    })


async def vehicle_select(request: web.Request) -> web.StreamResponse:
    """GET /vehicle?vehicle=ID remembers the choice and shows its categories; without one, forgets."""
    wanted = request.query.get("vehicle", "")
    if not wanted:
        await remember(request, "vehicle", None)
        redirect(request, "index", query={k: request.query.get(k) for k in ("make", "model")})
    vehicle = await selector.get_vehicle(selector.as_id(wanted) or 0)
    await remember(request, "vehicle", vehicle.id)
    redirect(request, "index", query={"vehicle": vehicle.id})


async def search(request: web.Request) -> web.Response:
    """Search with the chosen vehicle; when nothing fits it, what exists for other vehicles is
    shown marked "does not fit" (a typed part number must not look unknown)."""
    query = clean_text(request.query.get("q", ""), MAX_QUERY)
    vehicle = await chosen_vehicle(request)
    page = page_number(request.query.get("page"))
    result = elsewhere = None
    if query:
        result = await catalogue_search.search_parts(query, vehicle_id=vehicle.id if vehicle else None, page=page)
        if vehicle is not None and not result.total:
            elsewhere = not_fitting(await catalogue_search.search_parts(query, page=page))
    showing(request, [*(result.items if result else ()), *(elsewhere.items if elsewhere else ())])
    return render(request, "search.html", {**vehicle_context(request, vehicle), "query": query, "result": result,
                                           "elsewhere": elsewhere})


def not_fitting(found: catalogue_search.SearchPage) -> catalogue_search.SearchPage:
    """A search without the vehicle, after the one with it found nothing: none of these fits it."""
    return dataclasses.replace(found, items=[dataclasses.replace(card, fits=False) for card in found.items])


async def category(request: web.Request) -> web.Response:
    # From the cached category tree: one database query fewer per page (docs/benchmarks.md).
    slug = request.match_info["slug"]
    found = next((c for c in (await category_tree()).by_id.values() if c.slug == slug), None)
    if found is None:
        raise NotFound("There is no such category.")
    vehicle = await chosen_vehicle(request)
    result = await catalogue_search.search_parts(
        "", vehicle_id=vehicle.id if vehicle else None, category=found.slug,
        page=page_number(request.query.get("page")))
    showing(request, result.items)
    return render(request, "category.html", {**vehicle_context(request, vehicle), "category": found, "result": result})


async def part_page(request: web.Request, *, form: Form | None = None, status: int = 200,
                    review_form: Form | None = None) -> web.Response:
    """The part with price, stock, fitting vehicles, analogues, OE numbers and reviews.

    cart_add re-renders it (status 422) with the quantity error by the field; web.views.reviews
    with the review form's errors.
    """
    part_id = int(request.match_info["part_id"]) if "part_id" in request.match_info else form_part_id(form)
    vehicle = await chosen_vehicle(request)
    details = await catalogue_search.part_details(part_id, vehicle_id=vehicle.id if vehicle else None)
    context = {
        **vehicle_context(request, vehicle), "details": details, "part": details.part, "form": form,
        "fitting": [(v, vehicle_label(request, v), "; ".join(details.fitment_notes.get(v.id, [])))
                    for v in details.vehicles],
        "part_url": url_for(request, "part", part_id=details.part.id,
                            query={"vehicle": vehicle.id} if vehicle else None),
        **await reviews.reviews_context(request, details.part.id, review_form),
    }
    showing(request, [details.part, *details.analogues], reviews=(details.part.id, context["reviews"]))
    return render(request, "part.html", context, status=status)


def form_part_id(form: Form | None) -> int:
    found = selector.as_id(form.get("part_id")) if form else None
    if found is None:
        raise NotFound("There is no such part.")
    return found


def add_routes(router: web.UrlDispatcher) -> None:
    # Anonymous visitors' catalogue pages come from the page cache (web.page_cache has the rules).
    router.add_get("/", kept_page(index), name="index")
    router.add_get("/vehicle", vehicle_select, name="vehicle_select")
    router.add_get("/search", kept_page(search), name="search")
    router.add_get(r"/category/{slug:[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}}", kept_page(category), name="category")
    router.add_get(r"/part/{part_id:[1-9]\d{0,8}}", kept_page(part_page), name="part")
