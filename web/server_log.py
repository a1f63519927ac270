"""P11 for aiohttp's own log lines: no visitor's IP address, browser or referrer in the server's output.

`python -m web` keeps no access log, but aiohttp still logs, at ERROR level, every request it cannot
parse or serve: "Error handling request from <client IP>", with a traceback whose exception quotes
the bytes that were wrong (the request line with its search words, a `User-Agent` or `Referer`
header). Those lines go to stderr and the journal, where they are kept.

`hide_visitors_in_server_log()` (called by `init_app`, so every way of serving the app has it) puts
one `logging.Filter` on aiohttp's loggers. It rewrites such a record, before any handler sees it, to
"Error handling request: 400 BadHttpMessage: Invalid header value char": the kind of error stays,
the address and the quoted request data go. An error raised by the shop's own code keeps its
traceback. Any IP address left in an aiohttp message or traceback becomes "<address>", and
access-log records are dropped should an access log ever be switched on.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from aiohttp.http_exceptions import BadStatusLine, HttpProcessingError, InvalidURLError, TransferEncodingError

AIOHTTP_LOGGERS = ("aiohttp.server", "aiohttp.web", "aiohttp.internal", "aiohttp.websocket", "aiohttp.access")
ERROR_FROM_PEER = "Error handling request from %s"  # aiohttp's web_protocol.RequestHandler.handle_error
# Where an exception message starts quoting the request: b'…', bytearray(…), ": '…'" or a quote
# opening a line (llhttp puts the offending bytes on a line of their own).
QUOTED_DATA = re.compile(r"""bytearray\(|\bb['"]|:\s*['"]|\n\s*['"]""")
# Candidates for IPv4 / IPv6 addresses; each is checked with the ipaddress module before it goes.
ADDRESS_LIKE = re.compile(r"(?<![\w.:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*(?:%\w+)?|\b\d{1,3}(?:\.\d{1,3}){3}\b")


def hide_visitors_in_server_log() -> None:
    """Install the filter on aiohttp's loggers (once, however many apps are built)."""
    for name in AIOHTTP_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideVisitors) for f in logger.filters):
            logger.addFilter(HideVisitors())


class HideVisitors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "aiohttp.access":
            return False  # one line per request with the client's address and browser (P11)
        if record.msg == ERROR_FROM_PEER:
            exc = record.exc_info[1] if record.exc_info else None
            if isinstance(exc, HttpProcessingError):  # the request could not be parsed: a 4xx
                record.msg, record.args = "Error handling request: %s", (describe_bad_request(exc),)
                record.exc_info = record.exc_text = None
            else:  # an error while serving it: the traceback is worth keeping
                record.msg, record.args = "Error handling request", ()
        message = record.getMessage()
        scrubbed = without_addresses(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = without_addresses(logging.Formatter().formatException(record.exc_info))
        return True


def describe_bad_request(exc: HttpProcessingError) -> str:
    """'400 LineTooLong: Got more than 8190 bytes when reading', without the bytes themselves."""
    summary = f"{exc.code} {type(exc).__name__}"
    if isinstance(exc, InvalidURLError) or (isinstance(exc, BadStatusLine) and exc.line):
        return summary  # the message is the URL or the request line itself
    found = QUOTED_DATA.search(exc.message)
    if found is None and isinstance(exc, TransferEncodingError):
        return summary  # the pure-Python parser's message is the chunk-size line itself
    reason = " ".join(exc.message[: found.start() if found else None].split()).rstrip(" :.")
    return f"{summary}: {reason}" if reason else summary


def without_addresses(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        address = token.rstrip(".")  # "from ::1." ends a sentence
        try:
            ipaddress.ip_address(address.split("%")[0])  # fe80::1%eth0
        except ValueError:
            return token
        return "<address>" + token[len(address):]

    return ADDRESS_LIKE.sub(replace, text)
