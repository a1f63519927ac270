"""Shipments through the Nova Poshta JSON API: a waybill for an order to a Nova Poshta branch.

On a `delivery` outbox row (written when a carrier order is confirmed) the adapter calls
`InternetDocument.save` with the shop's sender references and the recipient's name, phone, city
and branch — nothing else about the customer. The waybill number (`data[0].IntDocNumber`) comes
back as the tracking number, which the worker stores on the order; the customer receives it with
order_shipped. `success: false` is permanent (the request is wrong); HTTP 429/5xx transient. No
waybill is made for an order cancelled meanwhile, nor for one in another currency than UAH.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from core.adapters.http import HttpClient
from core.config import DeliverySettings
from core.notifications.personal import check_declaration
from core.notifications.ports import OrderFacts, Outgoing, PermanentError, SendResult, TransientError

# Nova Poshta dates a waybill on its own (Ukrainian) calendar, whatever the server's or shop's zone.
CARRIER_ZONE = ZoneInfo("Europe/Kyiv")

NEEDED = frozenset({"name", "phone", "city", "branch"})


class NovaPoshtaAdapter:
    channel = "delivery"
    processor = "Nova Poshta"
    purpose = "Creates the waybill for orders delivered to a Nova Poshta branch (name, phone, city, branch)."
    external = True
    contact_field = None

    def __init__(self, settings: DeliverySettings):
        self.fields = check_declaration(NEEDED)
        self.settings = settings
        self.http = HttpClient(secrets=(settings.api_key,))

    async def send(self, message: Outgoing) -> SendResult:
        order = message.order
        if order is None or order.delivery_method != "carrier":
            raise PermanentError("a Nova Poshta waybill needs an order delivered by the carrier", reached=False)
        if order.tracking_number:
            # A repeat after a crash: the waybill exists already, do not make a second one.
            return SendResult(tracking_number=order.tracking_number)
        if order.status == "cancelled":
            # Confirmed, then cancelled before the waybill was made (e.g. while the API was down).
            raise PermanentError(f"order {order.number} was cancelled; no waybill made", reached=False)
        if order.currency != "UAH":
            # The declared value and the cash to collect are hryvnias; another currency's amount
            # would be declared (and collected) as if it were hryvnias.
            raise PermanentError(f"Nova Poshta takes amounts in UAH, order {order.number} is in {order.currency}",
                                 reached=False)
        missing = NEEDED - message.personal.keys()
        if missing:
            raise PermanentError(f"the order lacks {', '.join(sorted(missing))} for the waybill", reached=False)
        request = {
            "apiKey": self.settings.api_key,
            "modelName": "InternetDocument",
            "calledMethod": "save",
            "methodProperties": self.waybill(order, message.personal),
        }
        reply = await self.http.request("POST", self.settings.api_url, json=request)
        if reply.status == 429 or reply.status >= 500:
            raise TransientError(f"Nova Poshta answered HTTP {reply.status}")
        body = reply.body if isinstance(reply.body, dict) else None
        if reply.status != 200 or body is None:
            raise PermanentError(f"Nova Poshta answered HTTP {reply.status}: {reply.text[:200]}")
        if not body.get("success"):
            errors = "; ".join(str(e) for e in body.get("errors") or []) or "no reason given"
            raise PermanentError(f"Nova Poshta refused the waybill: {errors}")
        try:
            document = body["data"][0]
            number = str(document["IntDocNumber"])
        except (KeyError, IndexError, TypeError):
            raise PermanentError("Nova Poshta answered without a waybill number") from None
        return SendResult(provider_id=str(document.get("Ref", "")), tracking_number=number)

    def waybill(self, order: OrderFacts, personal: dict[str, Any]) -> dict[str, str]:
        s = self.settings
        cost = str(max(1, round(order.total / 100)))
        properties = {
            "NewAddress": "1",
            # The customer paid the shop's shipping price (maybe free) with the order: the shop pays
            # the carrier, so the customer is not charged for delivery a second time at the branch.
            "PayerType": "Sender",
            "PaymentMethod": "Cash",
            "CargoType": "Parcel",
            "ServiceType": "WarehouseWarehouse",
            "SeatsAmount": "1",
            "Weight": "1",
            "Description": f"Auto parts, order {order.number}",
            "Cost": cost,
            "DateTime": dt.datetime.now(CARRIER_ZONE).strftime("%d.%m.%Y"),
            "CitySender": s.sender_city_ref,
            "Sender": s.sender_ref,
            "SenderAddress": s.sender_address_ref,
            "ContactSender": s.sender_contact_ref,
            "SendersPhone": s.sender_phone.lstrip("+"),
            "RecipientType": "PrivatePerson",
            "RecipientName": str(personal["name"]),
            "RecipientsPhone": str(personal["phone"]).lstrip("+"),
            "RecipientCityName": str(personal["city"]),
            "RecipientArea": "",
            "RecipientAreaRegions": "",
            "RecipientAddressName": str(personal["branch"]),
            "RecipientHouse": "",
            "RecipientFlat": "",
        }
        if order.payment_method == "cash" and order.payment_state != "paid":
            # Cash on delivery: the carrier collects the order total for the shop.
            properties["AfterpaymentOnGoodsCost"] = cost
        return properties

    async def close(self) -> None:
        await self.http.close()
