"""An HTTP/1.1 load generator for the web benchmarks, run in a process of its own.

`python -m bench.load` reads a JSON plan on stdin and writes JSON figures on stdout:

    {"host": "127.0.0.1", "port": 8080, "paths": ["/part/1", ...], "connections": 64,
     "prime": true, "warmup_seconds": 2, "seconds": 10, "seed": 1, "server_pid": 1234}

Each of `connections` keep-alive connections sends a GET, reads the whole response, and sends
the next one (a closed loop, like wrk); each keeps the cookies it is given, as one visitor's
browser would (the shop's anonymous CSRF cookie). With `prime` every distinct path is first requested once
(the server's cache fills; that pass is reported as "cold"), then paths are drawn at random for
`warmup_seconds` (not reported) and `seconds` (reported as "warm").

Plain asyncio streams rather than aiohttp's client: a client costs CPU on the same small machine,
and this one costs far less per request, so it is the server that saturates. The figures say how
busy both processes were (CPU seconds per wall second), so a saturated generator is visible.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import sys
import time

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) gearshop-bench/1"
MAX_ERRORS_KEPT = 5


class Phase:
    """Latencies and statuses of one phase."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []
        self.bytes = 0

    def record(self, status: int, latency: float, size: int) -> None:
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.bytes += size

    def figures(self, seconds: float, cpu: dict) -> dict:
        ordered = sorted(self.latencies)

        def percentile(share: float) -> float:
            if not ordered:
                return float("nan")
            return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000

        return {
            "requests": len(ordered),
            "seconds": seconds,
            "rps": len(ordered) / seconds if seconds else 0.0,
            "p50_ms": percentile(0.50),
            "p90_ms": percentile(0.90),
            "p99_ms": percentile(0.99),
            "max_ms": ordered[-1] * 1000 if ordered else float("nan"),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": len(self.errors),
            "error_samples": self.errors[:MAX_ERRORS_KEPT],
            "mean_body_bytes": self.bytes / len(ordered) if ordered else 0,
            **cpu,
        }


def _request(host: str, port: int, path: str) -> bytes:
    """The request's head without its final empty line (a Cookie header may follow)."""
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: {USER_AGENT}\r\n"
        "Accept: text/html\r\nAccept-Encoding: identity\r\n"
    ).encode("latin-1")


async def _read_response(reader: asyncio.StreamReader, cookies: dict[str, str]) -> tuple[int, int, bool]:
    """(status, body size, server wants to close) of one response; Set-Cookie goes into `cookies`."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked, close = 0, False, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and value.strip().lower() == "close":
            close = True
        elif name == "set-cookie":
            cookie, _, _attributes = value.strip().partition(";")
            key, _, cookie_value = cookie.partition("=")
            if cookie_value:
                cookies[key] = cookie_value
            else:
                cookies.pop(key, None)
    if not chunked:
        await reader.readexactly(length)
        return status, length, close
    size = 0
    while True:
        chunk = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        await reader.readexactly(chunk + 2)
        size += chunk
        if chunk == 0:
            return status, size, close


class Load:
    def __init__(self, plan: dict) -> None:
        self.host, self.port = plan["host"], plan["port"]
        self.requests = [_request(self.host, self.port, p) for p in plan["paths"]]
        self.rng = random.Random(plan.get("seed", 1))
        self.phase: Phase | None = None
        self.queue: list[bytes] | None = None  # the priming pass: each path once
        self.stop = False

    def _next(self) -> bytes | None:
        if self.queue is not None:
            return self.queue.pop() if self.queue else None
        return None if self.stop else self.rng.choice(self.requests)

    async def connection(self) -> None:
        """One visitor: a keep-alive connection that keeps the cookies it is given, like a browser."""
        reader = writer = None
        cookies: dict[str, str] = {}
        try:
            while (request := self._next()) is not None:
                if writer is None:
                    reader, writer = await asyncio.open_connection(self.host, self.port)
                phase = self.phase
                if cookies:
                    jar = "; ".join(f"{k}={v}" for k, v in cookies.items())
                    request += f"Cookie: {jar}\r\n".encode("latin-1")
                started = time.perf_counter()
                try:
                    writer.write(request + b"\r\n")
                    status, size, close = await _read_response(reader, cookies)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    if phase is not None:
                        phase.errors.append(f"{type(exc).__name__}: {exc}")
                    writer.close()
                    reader = writer = None
                    continue
                if phase is not None:
                    phase.record(status, time.perf_counter() - started, size)
                if close:
                    writer.close()
                    reader = writer = None
        finally:
            if writer is not None:
                writer.close()


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of a process (Linux /proc), None when unknown."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _measure(load: Load, connections: int, seconds: float | None, server_pid: int | None) -> dict:
    phase = Phase()
    load.phase = phase
    cpu_server, cpu_own = _cpu_seconds(server_pid), _own_cpu()
    started = time.perf_counter()
    load.stop = False
    workers = [asyncio.create_task(load.connection()) for _ in range(connections)]
    if seconds is not None:
        await asyncio.sleep(seconds)
        load.stop = True
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - started
    after = _cpu_seconds(server_pid)
    cpu = {
        "server_cpu": (after - cpu_server) / elapsed
        if after is not None and cpu_server is not None
        else None,
        "client_cpu": (_own_cpu() - cpu_own) / elapsed,
    }
    return phase.figures(elapsed, cpu)


async def run(plan: dict) -> dict:
    load = Load(plan)
    connections, pid = plan.get("connections", 64), plan.get("server_pid")
    figures: dict = {}
    if plan.get("prime"):
        load.queue = list(reversed(load.requests))
        figures["cold"] = await _measure(load, connections, None, pid)
        load.queue = None
    if plan.get("warmup_seconds"):
        await _measure(load, connections, plan["warmup_seconds"], pid)
    figures["warm"] = await _measure(load, connections, plan["seconds"], pid)
    return figures


def main() -> int:
    plan = json.load(sys.stdin)
    json.dump(asyncio.run(run(plan)), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
