"""Passwords (P4): argon2id hashes, computed in threads with bounded concurrency.

Argon2 is deliberately slow and memory-hungry; running it on the event loop would stall every
other request, and running unbounded numbers of it in threads would exhaust memory. So hashing
and verifying go through `asyncio.to_thread` behind a semaphore sized from the CPU count.
The policy is NIST-style: 12 to 128 characters, not on the shipped list of common passwords,
no composition rules. A password is never logged: no function here logs anything.
"""

from __future__ import annotations

import asyncio
import os
import unicodedata
import weakref
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import ValidationError

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")

TOO_SHORT = "Use at least 12 characters for your password."
TOO_LONG = "Use at most 128 characters for your password."
TOO_COMMON = "This password is too common. Choose one that is harder to guess."

_hasher = PasswordHasher()  # argon2id, m=64 MiB, t=3, p=4 unless configured otherwise
_dummy_hash: str | None = None
_max_concurrency = max(1, os.cpu_count() or 1)
# One semaphore per event loop: an asyncio primitive must not cross loops.
_semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def configure_hasher(*, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4,
                     max_concurrency: int | None = None) -> None:
    """Set the argon2id parameters (memory_cost in KiB) and how many hashes may run at once.

    Hashes made with other parameters keep verifying; they are replaced at the next sign-in.
    Tests use cheap parameters: configure_hasher(time_cost=1, memory_cost=1024, parallelism=1).
    """
    global _hasher, _dummy_hash, _max_concurrency
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    _dummy_hash = None
    if max_concurrency is not None:
        _max_concurrency = max(1, max_concurrency)
        _semaphores.clear()


def _semaphore() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    semaphore = _semaphores.get(loop)
    if semaphore is None:
        semaphore = _semaphores[loop] = asyncio.Semaphore(_max_concurrency)
    return semaphore


def _prepare(password: str) -> str:
    # The same text typed on different keyboards may arrive in different Unicode forms.
    return unicodedata.normalize("NFKC", password)


async def hash_password(password: str) -> str:
    """An argon2id hash of the password (call check_password_policy first for new passwords)."""
    hasher = _hasher
    async with _semaphore():
        return await asyncio.to_thread(hasher.hash, _prepare(password))


def _verify(hasher: PasswordHasher, stored_hash: str, password: str) -> tuple[bool, str | None]:
    try:
        hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if hasher.check_needs_rehash(stored_hash):
        return True, hasher.hash(password)
    return True, None


async def verify_password(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """(matches, new hash when the stored one used outdated parameters, else None)."""
    hasher = _hasher
    async with _semaphore():
        return await asyncio.to_thread(_verify, hasher, stored_hash, _prepare(password))


async def dummy_hash() -> str:
    """A hash of a random secret with the current parameters: verifying against it costs
    the same time as a real check, so an unknown account cannot be told apart by timing."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = await hash_password(os.urandom(16).hex())
    return _dummy_hash


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """The reason a new password is refused, or None when it is acceptable."""
    if not isinstance(password, str):
        return TOO_SHORT
    length = len(_prepare(password))
    if length < MIN_LENGTH:
        return TOO_SHORT
    if length > MAX_LENGTH:
        return TOO_LONG
    if _prepare(password).casefold() in common_passwords():
        return TOO_COMMON
    return None


def check_password_policy(password: str, field: str = "password") -> None:
    """Raise ValidationError (on `field`) unless the password is acceptable as a new one."""
    problem = password_problem(password)
    if problem:
        raise ValidationError(problem, fields={field: problem})
