"""Privacy commands: `purge` (retention, P17) and `customer-data` (staff export for a legal request, P18)."""

from __future__ import annotations

import argparse
import json

from core.cli import row_id
from core.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    purge = commands.add_parser("purge", help="delete personal data past its retention period")
    purge.set_defaults(run=run_purge)
    export = commands.add_parser("customer-data", help="staff: export a customer's data (audited)")
    export.add_argument("customer_id", type=row_id)
    export.add_argument("--staff", type=row_id, required=True, help="id of the staff member asking")
    export.add_argument("--reason", required=True, help="why (e.g. the legal request's reference)")
    export.set_defaults(run=run_export)


async def run_purge(settings: Settings, args: argparse.Namespace) -> int:
    from core.db import database
    from core.privacy.retention import purge

    async with database(settings.database.url):
        counts = await purge(settings)
    for kind, count in counts.items():
        print(f"{kind}: {count}")
    return 0


async def run_export(settings: Settings, args: argparse.Namespace) -> int:
    from core.cli import CommandError
    from core.customers.models import Customer
    from core.db import database
    from core.errors import ShopError
    from core.privacy.staff import view_customer_data

    async with database(settings.database.url):
        staff = await Customer.get_or_none(id=args.staff)
        if staff is None:
            raise CommandError(f"no staff member with id {args.staff}")
        try:
            data = await view_customer_data(staff, args.customer_id, args.reason, ip=None)
        except ShopError as exc:
            raise CommandError(str(exc)) from None
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    return 0
