"""`python -m core <command>`: the shop's command line for staff and scripts.

Each area registers its own commands (core/catalogue/cli.py, ...). Errors a user can
make (bad config, bad arguments, unreadable files) end with one clear line and exit 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from core.config import ConfigError, Settings, load_settings


class CommandError(Exception):
    """A user-facing failure of a command: printed as one line."""


# Row ids are 32-bit integers on PostgreSQL; a larger number can name no row.
LARGEST_ID = 2**31 - 1


def row_id(text: str) -> int:
    """argparse type for a database id: a whole number from 1 to LARGEST_ID."""
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= LARGEST_ID:
        raise argparse.ArgumentTypeError(f"not an id (a whole number from 1 to {LARGEST_ID}): {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="gearshop command line")
    parser.add_argument("--config", help="config file (default: $GEARSHOP_CONFIG or ./config.toml)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(run=run_migrate)

    from core.catalogue import cli as catalogue_cli
    from core.customers import cli as customers_cli
    from core.notifications import cli as notifications_cli
    from core.privacy import cli as privacy_cli

    catalogue_cli.register(commands)
    customers_cli.register(commands)
    notifications_cli.register(commands)
    privacy_cli.register(commands)
    return parser


async def run_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from core.db import migrate

    await migrate(settings.database.url)
    print(f"database migrated: {settings.database.url.split('@')[-1]}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
        return asyncio.run(args.run(settings, args))
    except (ConfigError, CommandError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        # "var/x.csv: Permission denied" rather than "[Errno 13] Permission denied: 'var/x.csv'".
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
