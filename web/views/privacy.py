"""Placeholder module: its owner replaces it with the real views."""

from aiohttp import web


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's named routes."""
