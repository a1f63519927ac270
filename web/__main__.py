"""`python -m web`: the composition root of the web shop process."""

from __future__ import annotations

import argparse
import logging
import sys

from aiohttp import web

from core.config import ConfigError, load_settings

BOT_MISSING = "Telegram bot: not configured (set GEARSHOP_BOT__TOKEN) — serving the web shop only"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m web", description="serve the gearshop web shop (and the bot's webhook, when configured)")
    parser.add_argument("--config", help="config file (default: $GEARSHOP_CONFIG or ./config.toml)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # an unknown argument is a usage error, not ignored
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(args.config)
        from web.app import init_app

        app = init_app(settings)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if not settings.bot.token:
        print(BOT_MISSING, flush=True)
    elif settings.bot.mode == "polling":
        print("Telegram bot: polling mode — run `python -m bot` next to this process", flush=True)
    print(f"gearshop web shop: http://{settings.web.host}:{settings.web.port}", flush=True)
    try:
        # No access log: it would keep every visitor's IP; visits are counted in aggregate (P11).
        web.run_app(app, host=settings.web.host, port=settings.web.port, print=None, access_log=None)
    except OSError as exc:  # the port is taken, the address is wrong...
        print(f"cannot serve on {settings.web.host}:{settings.web.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
