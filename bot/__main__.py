"""`python -m bot`: the bot alone, in polling mode (webhook mode runs inside `python -m web`)."""

from __future__ import annotations

import asyncio
import logging
import sys

from core.config import ConfigError, Settings, load_settings


class DatabaseNotReady(Exception):
    """The database has no shop tables yet (`python -m core migrate` was not run)."""


async def check_database() -> None:
    from tortoise.exceptions import DBConnectionError, OperationalError

    from core.customers.models import Customer

    try:
        await Customer.exists()
    except (OperationalError, DBConnectionError) as error:
        raise DatabaseNotReady(str(error).splitlines()[0] if str(error) else type(error).__name__) from None


async def run(settings: Settings) -> None:
    # Imported here: aiogram takes seconds to import, and a missing token should be said at once.
    from bot.app import build_bot, build_dispatcher
    from core.db import close_database, open_database

    await open_database(settings.database.url)
    try:
        # Otherwise every update would fail, each with "something went wrong".
        await check_database()
    except DatabaseNotReady:
        await close_database()
        raise
    bot = build_bot(settings)
    dispatcher = build_dispatcher(settings)
    try:
        # A webhook left from webhook mode would make getUpdates fail with 409 Conflict.
        await bot.delete_webhook(drop_pending_updates=False)
        await dispatcher.start_polling(
            bot, allowed_updates=dispatcher.resolve_used_update_types(), handle_signals=True
        )
    finally:
        await close_database()


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    if not settings.bot.token:
        print("Telegram bot: not configured (set GEARSHOP_BOT__TOKEN); nothing to run", file=sys.stderr)
        return 2
    if settings.bot.mode == "webhook":
        print(
            'bot.mode is "webhook": the bot runs inside the web app (python -m web), not here',
            file=sys.stderr,
        )
        return 2
    try:
        asyncio.run(run(settings))
    except DatabaseNotReady as error:
        print(
            f"the database (database.url) is not ready ({error}): run `python -m core migrate` first",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
