"""`python -m core staff grant|revoke|list`: who may use the staff pages of the web shop."""

from __future__ import annotations

import argparse

from core.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    staff = commands.add_parser("staff", help="grant or revoke the staff role (web staff pages)")
    what = staff.add_subparsers(dest="staff_command", required=True, metavar="grant|revoke|list")
    for name, text in (("grant", "make a registered customer staff"), ("revoke", "take the staff role away")):
        command = what.add_parser(name, help=text)
        command.add_argument("email", help="the customer's email address")
        command.set_defaults(run=run_staff)
    listing = what.add_parser("list", help="list the staff")
    listing.set_defaults(run=run_staff)


async def run_staff(settings: Settings, args: argparse.Namespace) -> int:
    from core.cli import CommandError
    from core.customers.staff import list_staff, set_staff
    from core.db import database
    from core.errors import NotFound

    async with database(settings.database.url):
        if args.staff_command == "list":
            for customer in await list_staff():
                print(f"{customer.id}\t{customer.email}\t{customer.full_name}")
            return 0
        try:
            customer = await set_staff(args.email, args.staff_command == "grant")
        except NotFound as exc:
            raise CommandError(f"{exc} ({args.email})") from None
    state = "is staff now" if customer.is_staff else "is no longer staff"
    print(f"{customer.email} {state}")
    return 0
