"""The outbox worker: claims due rows, sends each through its channel's adapter, records the outcome.

Outcomes: sent (plus a Disclosure when personal data went to a processor, P7, and a carrier's
tracking number stored on the order); refused (a `marketing` row without current consent, P6,
or nobody to send to); undeliverable (the customer cannot be reached on that channel: Telegram
says they blocked the bot, deleted the account or never opened the chat; the customer's Telegram
link is marked unreachable, so their later Telegram messages are undeliverable at once without a
call, until they write to the bot again; no staff alert: their email/SMS copies go as usual);
retried later with full-jitter exponential backoff
(`uniform(0, min(cap, base * 2**attempt))`, or the provider's own retry_after); dead after a
permanent failure or `max_attempts`, with a `dead_letter` alert to the staff channels.

Flood control: a provider's retry_after (Telegram's 429) holds the whole recipient (the staff
group, a customer's chat), not only the row that got it: the worker's later rows for that
recipient are given back untried, due when the wait is over, without counting an attempt. So a
burst of orders bigger than the staff group's limit is posted in order as the limit allows,
instead of every card being refused again and again until it is dead-lettered.

Stopping: `stop()` lets the row in flight finish and gives back the claimed rows not yet tried.
A worker that dies instead (killed, its task cancelled) leaves its rows leased; another worker
claims them when the lease runs out. Sends are bounded by `send_timeout` (< the lease), so a live
worker's row is never claimed by a second one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from core.config import Settings
from core.customers.consents import current_marketing_consent
from core.customers.models import Customer
from core.customers.telegram_link import mark_telegram_unreachable
from core.i18n import normalise_locale
from core.notifications import claims
from core.notifications.context import message_context, order_facts
from core.notifications.dead_letters import alert_staff
from core.notifications.messages import DELIVERY_CHANNEL, STAFF_CHANNELS, UnknownMessage, spec_for
from core.notifications.models import OutboxMessage, OutboxStatus, Purpose
from core.notifications.personal import personal_payload
from core.notifications.ports import (
    Adapter,
    DeliveryError,
    Outgoing,
    PermanentError,
    RecipientUnreachable,
    SendResult,
    TransientError,
    processor_name,
)
from core.notifications.render import TemplateProblem, render
from core.orders.models import Order
from core.privacy.models import Disclosure

log = logging.getLogger("gearshop.notifications")

DEFAULT_LEASE_SECONDS = claims.DEFAULT_LEASE_SECONDS


@dataclass
class _Attempt:
    # What happened to one row; `adapter`/`personal` say what (if anything) reached a processor.
    sent: SendResult | None = None
    error: DeliveryError | None = None
    refused: str = ""
    undeliverable: str = ""
    held_until: dt.datetime | None = None  # not tried: the recipient is under flood control
    adapter: Adapter | None = None
    personal: dict | None = None
    recipient: tuple[str, str] = ("", "")  # (channel, contact) that a flood-control wait holds


class OutboxWorker:
    def __init__(self, settings: Settings, adapters: Mapping[str, Adapter], name: str = "", *,
                 lease_seconds: float = DEFAULT_LEASE_SECONDS, send_timeout: float | None = None,
                 rng: random.Random | None = None):
        self.settings = settings
        self.adapters = dict(adapters)
        base = name or f"{socket.gethostname()}:{os.getpid()}"
        # Unique per worker object, so two workers given the same name never share claims.
        self.name = f"{base[:55]}/{secrets.token_hex(3)}"
        self.lease_seconds = lease_seconds
        self.send_timeout = send_timeout if send_timeout is not None else lease_seconds / 2
        self._random = rng or random.Random()
        self._stopping = asyncio.Event()
        # (channel, contact) -> when its provider allows sending again (retry_after).
        self._held: dict[tuple[str, str], dt.datetime] = {}
        # Rows this worker has handled (sent, refused, retried later or given up) since it started.
        self.handled = 0

    # ------------------------------------------------------------ running

    async def run_once(self) -> int:
        """Claim one batch and handle it; returns how many rows were handled."""
        rows = await claims.claim_due(self.name, limit=self.settings.notifications.batch_size,
                                      lease_seconds=self.lease_seconds)
        handled = 0
        try:
            for row in rows:
                if self._stopping.is_set():
                    break
                # Counted before the send: a row whose handling fails half-way (its result could
                # not be recorded) is not given back at once but waits for its lease, so a
                # failing database means one repeat per lease at most, never a tight resend loop.
                handled += 1
                if await self._keep_lease(row):
                    await self._handle(row)
        finally:
            self.handled += handled
            # Stopping (or failing) between rows: the rows not yet started are given back at once.
            # A cancelled task does not get here with a usable connection: its rows wait for the lease.
            if handled < len(rows) and not _cancelling():
                await claims.release(rows[handled:], self.name)
        return handled

    async def run_forever(self) -> None:
        """Poll until stop(); every `poll_seconds` when idle, at once while there is more."""
        log.info("outbox worker %s started", self.name)
        poll = self.settings.notifications.poll_seconds
        while not self._stopping.is_set():
            try:
                handled = await self.run_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
                log.exception("outbox worker %s: a round failed", self.name)
                handled = 0
            if handled < self.settings.notifications.batch_size:
                await self._pause(poll)
        log.info("outbox worker %s stopped", self.name)

    def stop(self) -> None:
        """Ask the worker to finish the row in flight, give back the rest and return."""
        self._stopping.set()

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    # ------------------------------------------------------------ one row

    async def _keep_lease(self, row: OutboxMessage) -> bool:
        """Renew the lease when what is left of it might not cover a send (slow rows earlier in
        the batch); False when another worker has taken the row meanwhile."""
        now = dt.datetime.now(dt.UTC)
        if row.claimed_until and row.claimed_until - now > dt.timedelta(seconds=self.send_timeout + 5):
            return True
        row.claimed_until = now + dt.timedelta(seconds=self.lease_seconds)
        return bool(await claims.mine(row, self.name).update(claimed_until=row.claimed_until))

    async def _handle(self, row: OutboxMessage) -> None:
        try:
            attempt = await self._attempt(row)
        except (KeyError, ValueError, TypeError, LookupError) as exc:
            # Our bug or bad data in the row: it will not get better by waiting.
            log.exception("outbox message %s could not be prepared", row.id)
            attempt = _Attempt(error=PermanentError(f"cannot prepare the message: {exc}", reached=False))
        await self._record(row, attempt)

    async def _attempt(self, row: OutboxMessage) -> _Attempt:
        max_attempts = self.settings.notifications.max_attempts
        if row.attempts > max_attempts:
            return _Attempt(error=PermanentError(f"gave up after {row.attempts - 1} attempts", reached=False))
        try:
            spec = spec_for(row.kind)
        except UnknownMessage as exc:
            return _Attempt(error=PermanentError(str(exc), reached=False))
        if row.purpose == Purpose.MARKETING and not await _has_marketing_consent(row.customer):
            return _Attempt(refused="no current marketing consent")
        adapter = self.adapters.get(row.channel)
        if adapter is None:
            return _Attempt(error=PermanentError(f"no adapter for channel {row.channel!r}", reached=False))
        personal = self._personal(row, adapter, spec.uses)
        if adapter.contact_field and not personal.get(adapter.contact_field):
            return _Attempt(refused=f"no {adapter.contact_field} to send to")
        if await _known_unreachable(row):
            return _Attempt(undeliverable="not sent: the customer blocked the bot or left Telegram earlier")
        recipient = (row.channel, str(personal.get(adapter.contact_field, "")) if adapter.contact_field else "")
        held = self._held.get(recipient)
        if held is not None and held > dt.datetime.now(dt.UTC):
            return _Attempt(held_until=held)
        try:
            outgoing = await self._outgoing(row, adapter, personal)
        except TemplateProblem as exc:
            return _Attempt(error=PermanentError(str(exc), reached=False))
        attempt = _Attempt(adapter=adapter, personal=personal, recipient=recipient)
        try:
            async with asyncio.timeout(self.send_timeout):
                attempt.sent = await adapter.send(outgoing)
        except DeliveryError as exc:
            attempt.error = exc
            if isinstance(exc, RecipientUnreachable) and adapter.contact_field:
                attempt.undeliverable = str(exc)  # a customer's own contact; staff chats dead-letter
        except TimeoutError:
            attempt.error = TransientError(f"no answer within {self.send_timeout:g} s")
        return attempt

    def _personal(self, row: OutboxMessage, adapter: Adapter, uses: frozenset[str]) -> dict:
        """Only what the adapter declared and the message uses (P7), resolved now."""
        wanted = adapter.fields & ((uses | {adapter.contact_field}) if adapter.contact_field else uses)
        if row.channel in STAFF_CHANNELS or row.channel == DELIVERY_CHANNEL:
            source = row.order or row.customer  # the order's own contact and delivery snapshot
        else:
            source = row.customer or row.order  # the customer's current contact data
        personal = personal_payload(source, wanted)
        if row.recipient and adapter.contact_field:
            # An explicit recipient (the old address after a change) replaces the current one.
            personal[adapter.contact_field] = row.recipient
        return personal

    async def _outgoing(self, row: OutboxMessage, adapter: Adapter, personal: dict) -> Outgoing:
        # The language the message is written in (an unknown one falls back, like the templates).
        locale = normalise_locale(self.settings.shop.default_locale if row.channel in STAFF_CHANNELS else row.locale)
        context = await message_context(self.settings, locale=locale, payload=row.payload or {},
                                        order=row.order, personal=personal)
        rendered = render(row.kind, row.channel, locale, context)
        return Outgoing(
            message_id=row.id, kind=row.kind, purpose=Purpose(row.purpose), channel=row.channel, locale=locale,
            personal=dict(personal), subject=rendered.subject, text=rendered.text, html=rendered.html,
            order=order_facts(row.order),
        )

    # ------------------------------------------------------------ outcomes

    async def _record(self, row: OutboxMessage, attempt: _Attempt) -> None:
        now = dt.datetime.now(dt.UTC)
        released = {"claimed_by": "", "claimed_until": None}
        retry = (attempt.error is not None and isinstance(attempt.error, TransientError)
                 and row.attempts < self.settings.notifications.max_attempts)
        async with in_transaction():
            if attempt.sent is not None:
                changed = await claims.mine(row, self.name).update(
                    status=OutboxStatus.SENT, sent_at=now, last_error="", **released)
                await self._store_tracking(row, attempt.sent)
            elif attempt.held_until is not None:
                log.info("outbox message %s: held until %s by flood control", row.id, attempt.held_until)
                changed = await claims.hold(row, self.name, attempt.held_until)
            elif attempt.refused:
                changed = await claims.mine(row, self.name).update(
                    status=OutboxStatus.REFUSED, last_error=attempt.refused[:500], **released)
            elif attempt.undeliverable:
                changed = await claims.mine(row, self.name).update(
                    status=OutboxStatus.UNDELIVERABLE, last_error=attempt.undeliverable[:500], **released)
                if changed and attempt.error is not None:
                    await _note_unreachable(row, attempt)
            elif retry:
                changed = await self._schedule_retry(row, attempt, now, released)
            else:
                changed = await self._give_up(row, attempt.error, released)
            if not retry and attempt.held_until is None:
                # Recorded once per message, when its fate is final.
                await self._record_disclosure(row, attempt)
        if not changed:
            log.warning("outbox message %s: the lease ran out before the result was recorded", row.id)

    async def _schedule_retry(self, row: OutboxMessage, attempt: _Attempt, now: dt.datetime,
                              released: dict) -> int:
        error = attempt.error
        retry_after = getattr(error, "retry_after", None)
        delay = self._backoff(row.attempts, retry_after)
        log.info("outbox message %s: %s; retry in %.1f s", row.id, error, delay)
        due = now + dt.timedelta(seconds=delay)
        if retry_after is not None:  # the recipient's later rows wait as long (and keep their order)
            self._held = {key: until for key, until in self._held.items() if until > now}
            self._held[attempt.recipient] = due
        return await claims.mine(row, self.name).update(
            status=OutboxStatus.PENDING, next_attempt_at=due, last_error=str(error)[:500], **released)

    async def _give_up(self, row: OutboxMessage, error: DeliveryError | None, released: dict) -> int:
        error = error or PermanentError("unknown failure")
        log.warning("outbox message %s is dead after %s attempt(s): %s", row.id, row.attempts, error)
        changed = await claims.mine(row, self.name).update(
            status=OutboxStatus.DEAD, last_error=str(error)[:500], **released)
        if changed and row.kind != "dead_letter":  # a failed alert does not raise another alert
            await alert_staff(row, str(error), locale=self.settings.shop.default_locale)
        return changed

    def _backoff(self, attempts: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(0.0, retry_after)
        n = self.settings.notifications
        return self._random.uniform(0, min(n.backoff_cap_seconds, n.backoff_base_seconds * 2 ** max(0, attempts - 1)))

    async def _store_tracking(self, row: OutboxMessage, result: SendResult) -> None:
        if result.tracking_number and row.order_id is not None:
            await Order.filter(id=row.order_id, tracking_number="").update(tracking_number=result.tracking_number)

    async def _record_disclosure(self, row: OutboxMessage, attempt: _Attempt) -> None:
        # Console adapters are not processors: nothing left the server, nothing to disclose.
        adapter, personal = attempt.adapter, attempt.personal
        if adapter is None or not adapter.external or not personal:
            return
        if attempt.sent is None and (attempt.error is None or not attempt.error.reached):
            return
        customer_id = row.customer_id or (row.order.customer_id if row.order else None)
        await Disclosure.create(processor=processor_name(adapter.processor), fields_sent=sorted(personal),
                                purpose=str(row.purpose), customer_id=customer_id, order_id=row.order_id)


async def _known_unreachable(row: OutboxMessage) -> bool:
    # Telegram is the channel where a customer can shut the shop out (block the bot). Read now,
    # not from the claimed row: an earlier row of the same batch may just have found it out.
    return row.channel == "telegram" and row.customer_id is not None and await Customer.filter(
        id=row.customer_id, telegram_unreachable_at__isnull=False).exists()


async def _note_unreachable(row: OutboxMessage, attempt: _Attempt) -> None:
    log.info("outbox message %s: customer %s cannot be reached on %s (%s); not retried, no alert",
             row.id, row.customer_id, row.channel, attempt.error)
    contact = (attempt.personal or {}).get("telegram_user_id")
    if row.channel == "telegram" and row.customer_id is not None and contact:
        await mark_telegram_unreachable(row.customer_id, int(contact), str(attempt.error))


def _cancelling() -> bool:
    task = asyncio.current_task()
    return bool(task and task.cancelling())


async def _has_marketing_consent(customer: Customer | None) -> bool:
    return customer is not None and await current_marketing_consent(customer)


def start_in_process(settings: Settings, adapters: Mapping[str, Adapter] | None = None, *, bot=None,
                     name: str = "", grace_seconds: float = 10.0) -> asyncio.Task:
    """Run a worker as a task of the running loop (the web process); the database must be open.

    Cancelling the task stops the worker gracefully: the row in flight gets `grace_seconds` to
    finish, claimed rows not yet tried are given back. Adapters built here are closed here.
    """
    return asyncio.create_task(_serve(settings, adapters, bot, name, grace_seconds), name="outbox-worker")


async def _serve(settings: Settings, adapters: Mapping[str, Adapter] | None, bot, name: str, grace: float) -> None:
    from core.notifications.registry import build_adapters, close_adapters

    owned = adapters is None
    adapters = build_adapters(settings, bot) if adapters is None else adapters
    worker = OutboxWorker(settings, adapters, name or f"{socket.gethostname()}:{os.getpid()}:web")
    run = asyncio.create_task(worker.run_forever(), name=f"outbox-worker {worker.name}")
    try:
        await asyncio.shield(run)
    except asyncio.CancelledError:
        worker.stop()
        try:
            await asyncio.wait_for(run, grace)  # on timeout the run is cancelled: leases recover
        except TimeoutError:
            log.warning("outbox worker %s did not stop within %s s", worker.name, grace)
        raise
    finally:
        if owned:
            await close_adapters(adapters)
