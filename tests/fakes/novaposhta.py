"""A local server speaking the Nova Poshta JSON API (InternetDocument.save), for delivery tests.

    async with FakeNovaPoshta() as np:   # api_url = np.url
        ...
        assert np.documents[0]["RecipientCityName"] == "Київ"

Every answer has Nova Poshta's envelope {success, data, errors, warnings, info, messageCodes,
errorCodes, ...}. A wrong apiKey gets success: false like the real API, and so does a waybill whose
values are not in the API's shapes (string values, DateTime dd.mm.yyyy, phone 380XXXXXXXXX, known
PayerType / PaymentMethod / CargoType / ServiceType / RecipientType). `np.refuse([...])` makes
the next save fail with those errors; `np.http_error(500)` answers HTTP 500.
"""

from __future__ import annotations

import itertools
import re
import uuid
from typing import Any

from aiohttp import web

API_KEY = "np-test-api-key-0123456789"


def _envelope(success: bool, data: list | None = None, errors: list[str] | None = None) -> dict[str, Any]:
    return {"success": success, "data": data or [], "errors": errors or [], "warnings": [], "info": [],
            "messageCodes": [], "errorCodes": [], "warningCodes": [], "infoCodes": []}


# What the real API checks in InternetDocument.save (values are strings; the phone is 380XXXXXXXXX).
_CHOICES = {
    "PayerType": {"Sender", "Recipient", "ThirdPerson"},
    "PaymentMethod": {"Cash", "NonCash"},
    "CargoType": {"Cargo", "Documents", "TiresWheels", "Pallet", "Parcel"},
    "ServiceType": {"WarehouseWarehouse", "WarehouseDoors", "DoorsWarehouse", "DoorsDoors"},
    "RecipientType": {"PrivatePerson", "Organization"},
}
_FORMATS = {
    "DateTime": r"\d{2}\.\d{2}\.\d{4}",
    "RecipientsPhone": r"380\d{9}",
    "Cost": r"\d+",
    "Weight": r"\d+(\.\d+)?",
    "SeatsAmount": r"[1-9]\d*",
    "AfterpaymentOnGoodsCost": r"\d+",
}


def _format_problem(props: dict[str, Any]) -> str:
    for key, allowed in _CHOICES.items():
        if props.get(key) not in allowed:
            return f"{key} is invalid"
    for key, pattern in _FORMATS.items():
        if key in props and not (isinstance(props[key], str) and re.fullmatch(pattern, props[key])):
            return f"{key} is invalid"
    return ""


class FakeNovaPoshta:
    def __init__(self, api_key: str = API_KEY):
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []  # methodProperties of accepted waybills
        self._refusals: list[list[str]] = []
        self._http_errors: list[int] = []
        self._numbers = itertools.count(20450000000001)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> FakeNovaPoshta:
        app = web.Application()
        app.router.add_post("/v2.0/json/", self._api)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/v2.0/json/"  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeNovaPoshta:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def refuse(self, errors: list[str], times: int = 1) -> None:
        self._refusals.extend([errors] * times)

    def http_error(self, status: int, times: int = 1) -> None:
        self._http_errors.extend([status] * times)

    async def _api(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        if self._http_errors:
            return web.Response(status=self._http_errors.pop(0), text="Internal Server Error")
        if body.get("apiKey") != self.api_key:
            return web.json_response(_envelope(False, errors=["API key expired"]))
        if (body.get("modelName"), body.get("calledMethod")) != ("InternetDocument", "save"):
            return web.json_response(_envelope(False, errors=["Method not found"]))
        if self._refusals:
            return web.json_response(_envelope(False, errors=self._refusals.pop(0)))
        props = body.get("methodProperties") or {}
        for required in ("RecipientsPhone", "RecipientCityName", "RecipientAddressName", "RecipientName"):
            if not props.get(required):
                return web.json_response(_envelope(False, errors=[f"{required} is empty"]))
        problem = _format_problem(props)
        if problem:
            return web.json_response(_envelope(False, errors=[problem]))
        self.documents.append(props)
        number = str(next(self._numbers))
        data = [{"Ref": str(uuid.uuid4()), "CostOnSite": 70, "EstimatedDeliveryDate": "25.11.2026",
                 "IntDocNumber": number, "TypeDocument": "InternetDocument"}]
        return web.json_response(_envelope(True, data))
