"""A lazily opened aiohttp client shared by the HTTP adapters; network trouble is transient."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from core.notifications.ports import TransientError


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Any  # parsed JSON, or None
    text: str
    headers: dict[str, str]


class HttpClient:
    def __init__(self, timeout_seconds: float = 20.0, *, secrets: tuple[str, ...] = ()):
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None
        # Values (tokens in URLs) that must never appear in an error text.
        self._secrets = tuple(secret for secret in secrets if secret)

    def _open(self) -> aiohttp.ClientSession:
        # Opened on first use, inside the running loop; closed by close().
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def request(self, method: str, url: str, **kwargs: Any) -> Reply:
        try:
            async with self._open().request(method, url, **kwargs) as response:
                text = await response.text()
                status, headers = response.status, dict(response.headers)
        except aiohttp.ClientConnectorError as exc:
            raise TransientError(f"cannot connect to {exc.host}:{exc.port}", reached=False) from exc
        except TimeoutError as exc:
            raise TransientError("the provider did not answer in time") from exc
        except aiohttp.ClientError as exc:
            raise TransientError(self.scrub(f"HTTP request failed: {exc.__class__.__name__}: {exc}")) from exc
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        return Reply(status, body, text, headers)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
