"""Shipping prices from configuration ([shipping] in config.toml)."""

from __future__ import annotations

from core.config import ShippingSettings
from core.orders.models import DeliveryMethod


def shipping_price(method: DeliveryMethod, subtotal: int, shipping: ShippingSettings) -> int:
    """The price in minor units of the shop currency; free from `free_from` when that is set."""
    if shipping.free_from > 0 and subtotal >= shipping.free_from:
        return 0
    prices = {
        DeliveryMethod.COURIER: shipping.courier_price,
        DeliveryMethod.PICKUP: shipping.pickup_price,
        DeliveryMethod.CARRIER: shipping.carrier_price,
    }
    return prices[DeliveryMethod(method)]
