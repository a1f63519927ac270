"""P11 for requests aiohttp cannot parse or serve: a real `python -m web` receives an over-long URL,
broken request lines and headers (with a browser and a referrer in them), and its whole output
names no visitor's IP address (v4 or v6), browser, referrer or search words, while each error is
still logged with its kind (web/server_log.py)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import re
import socket
import sys

import pytest
from aiohttp import web

from core import db as core_db
from tests.web.test_app import ROOT
from web.server_log import hide_visitors_in_server_log

AGENT = b"PrivacyProbe/9.9 (Windows NT 10.0) Firefox/131.0"
REFERRER = b"https://referrer.example/private-path?who=olena"
SEARCH = b"/search?q=shevchenko+brake"
BAD_REQUESTS = {  # what is sent -> what the log still says about it
    "url of 20 kB": (b"GET " + SEARCH + b"a" * 20_000 + b" HTTP/1.1\r\nHost: shop\r\nUser-Agent: " + AGENT
                     + b"\r\n\r\n", "400 LineTooLong: Got more than 8190 bytes when reading"),
    "broken request line": (b"GET " + SEARCH + b" HTTP/1.1 extra\r\nHost: shop\r\n\r\n",
                            "400 BadStatusLine: Bad status line: Expected CRLF after version"),
    "control character in the browser": (b"GET / HTTP/1.1\r\nHost: shop\r\nUser-Agent: " + AGENT + b"\x01\r\n\r\n",
                                         "400 BadHttpMessage: Invalid header value char"),
    "control character in the referrer": (b"GET / HTTP/1.1\r\nHost: shop\r\nReferer: " + REFERRER + b"\x01\r\n\r\n",
                                          "400 BadHttpMessage: Invalid header value char"),
    "header name with a space": (b"GET / HTTP/1.1\r\nHost: shop\r\nUser-Agent: " + AGENT + b"\r\nBad Header: "
                                 + REFERRER + b"\r\n\r\n", "400 BadHttpMessage: Invalid header token"),
    "header of 20 kB": (b"GET / HTTP/1.1\r\nHost: shop\r\nUser-Agent: " + AGENT + b"\r\nReferer: " + REFERRER
                        + b"b" * 20_000 + b"\r\n\r\n", "400 LineTooLong"),
    "bad chunk size": (b"POST /cart/add HTTP/1.1\r\nHost: shop\r\nUser-Agent: " + AGENT
                       + b"\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n", "400 BadHttpMessage: Invalid character in chunk size"),
}
# After a good request on the same connection, a bad method is logged at ERROR too.
GOOD_THEN_BAD = b"GET /healthz HTTP/1.1\r\nHost: shop\r\nUser-Agent: " + AGENT + b"\r\n\r\n"
ADDRESS_LIKE = re.compile(r"[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*")


def addresses_in(line: str) -> list[str]:
    found = []
    for token in ADDRESS_LIKE.findall(line):
        for candidate in (token, *token.split(":")):  # "127.0.0.2:5555" holds an IPv4 address
            try:
                found.append(str(ipaddress.ip_address(candidate.strip("."))))
            except ValueError:
                continue
    return found


async def send(host: str, port: int, data: bytes, source: str) -> bytes:
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    writer.write(data)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(200), 10)
    writer.close()
    return answer


async def good_then_bad(host: str, port: int, source: str) -> bytes:
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    writer.write(GOOD_THEN_BAD)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 200"), head
    await reader.readexactly(int(re.search(rb"Content-Length: (\d+)", head, re.IGNORECASE).group(1)))
    writer.write(b"\x7fBAD / HTTP/1.1\r\nUser-Agent: " + AGENT + b"\r\n\r\n")
    answer = await asyncio.wait_for(reader.read(200), 10)
    writer.close()
    return answer


async def start_web(tmp_path, host: str, port: int) -> asyncio.subprocess.Process:
    url = f"sqlite://{tmp_path}/shop.sqlite3"
    await core_db.create_schema(url)
    env = {"GEARSHOP_DATABASE__URL": url, "GEARSHOP_WEB__HOST": host, "GEARSHOP_WEB__PORT": str(port),
           "GEARSHOP_BOT__TOKEN": "", "GEARSHOP_NOTIFICATIONS__WORKER_IN_PROCESS": "false"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "web", cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    for _ in range(200):
        try:
            await send(host, port, b"GET /healthz HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n", host)
            return process
        except OSError:
            await asyncio.sleep(0.05)
    process.kill()
    raise AssertionError(f"the web shop did not start: {(await process.stdout.read()).decode()}")


def free_port(family: socket.AddressFamily, host: str) -> int:
    with socket.socket(family) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# The visitor comes from another address than the one the shop listens on (which it prints at start).
@pytest.mark.parametrize(("listen", "visitor", "family"), [("127.0.0.1", "127.0.0.2", socket.AF_INET),
                                                           ("::", "::1", socket.AF_INET6)], ids=["ipv4", "ipv6"])
async def test_bad_requests_leave_no_visitor_in_the_server_output(tmp_path, listen, visitor, family):
    port = free_port(family, listen)
    process = await start_web(tmp_path, listen, port)
    connect_to = "127.0.0.1" if family == socket.AF_INET else "::1"
    try:
        for name, (data, _) in BAD_REQUESTS.items():
            assert (await send(connect_to, port, data, visitor)).startswith(b"HTTP/1.0 400"), name
        assert (await good_then_bad(connect_to, port, visitor)).startswith(b"HTTP/1.0 400")
        await asyncio.sleep(0.2)
    finally:
        process.terminate()
        output = (await asyncio.wait_for(process.stdout.read(), 20)).decode()
        await process.wait()

    lines = output.splitlines()
    errors = [line for line in lines if "ERROR aiohttp.server" in line]
    assert len(errors) == len(BAD_REQUESTS) + 1, output  # every bad request was logged...
    for name, (_, kind) in BAD_REQUESTS.items():  # ...with what was wrong with it
        assert any(f"Error handling request: {kind}" in line for line in errors), (name, output)
    for line in lines:
        if not line.startswith("gearshop web shop: http://"):  # the shop's own address, not a visitor's
            assert not addresses_in(line), line
    for trace in (visitor, "PrivacyProbe", "Firefox", "referrer.example", "olena", "shevchenko", "aaaaaaaa"):
        assert trace not in output, trace
    assert "Traceback" not in output  # a request aiohttp cannot parse is one line, not a parser traceback


async def test_an_error_while_serving_keeps_its_traceback_but_not_the_address(aiohttp_client, caplog):
    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("the price list is unreadable")

    app = web.Application()
    app.router.add_get("/", broken)
    hide_visitors_in_server_log()
    client = await aiohttp_client(app)
    with caplog.at_level(logging.ERROR, logger="aiohttp.server"):
        response = await client.get("/", headers={"User-Agent": AGENT.decode()})
    assert response.status == 500
    [record] = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert record.getMessage() == "Error handling request"
    assert "RuntimeError: the price list is unreadable" in caplog.text  # the traceback is still there
    assert "127.0.0.1" not in caplog.text and "PrivacyProbe" not in caplog.text
