"""The baseline of the web benchmarks: a bare aiohttp "hello" handler, served like the shop.

`python -m bench.hello HOST PORT`: one process, aiohttp's default event loop, no access log,
exactly as `python -m web` serves the shop, so the two differ only in what the shop does.
"""

from __future__ import annotations

import sys

from aiohttp import web


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="Hello, world")


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def init_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> int:
    host, port = sys.argv[1], int(sys.argv[2])
    web.run_app(init_app(), host=host, port=port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
