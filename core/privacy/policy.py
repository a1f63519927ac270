"""What the privacy page and the bot's /privacy show, built from the inventory and config (P8, P19, P22)."""

from __future__ import annotations

from typing import Any

from core.config import Settings
from core.privacy.inventory import COOKIES, INVENTORY, retention_days


def policy_context(settings: Settings, processors: list[dict[str, Any]]) -> dict[str, Any]:
    shop = settings.shop
    return {
        "shop_name": shop.name,
        "controller": {
            "name": shop.controller_name,
            "address": shop.controller_address,
            "contact": shop.controller_contact,
        },
        "version": shop.policy_version,
        "date": shop.policy_date,
        "inventory": [
            {
                "key": kind.key,
                "title": kind.title,
                "fields": list(kind.fields),
                "purpose": kind.purpose,
                "retention_days": retention_days(settings, kind),
            }
            for kind in INVENTORY
        ],
        "cookies": [{"name": name, "purpose": purpose} for name, purpose in COOKIES],
        # Only the processors configured here exist (P8): nothing is sold or given to anyone else.
        "processors": processors,
        "minimum_age": 14,
    }
