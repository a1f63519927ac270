"""P4: passwords are argon2id hashes, checked against a list of common ones, never composition rules."""

import asyncio
import time

import argon2
import pytest

from core.customers import passwords
from core.customers.passwords import (
    check_password_policy,
    common_passwords,
    configure_hasher,
    hash_password,
    password_problem,
    verify_password,
)
from core.errors import ValidationError


async def test_hash_is_argon2id_and_verifies():
    stored = await hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert await verify_password(stored, "correct horse battery staple") == (True, None)
    assert await verify_password(stored, "correct horse battery stapler") == (False, None)
    assert await verify_password("not a hash", "whatever") == (False, None)


async def test_changed_parameters_give_a_new_hash_at_verification():
    old = await hash_password("my long passphrase here")
    configure_hasher(time_cost=2, memory_cost=2048, parallelism=1)
    ok, new = await verify_password(old, "my long passphrase here")
    assert ok and new is not None
    params = argon2.extract_parameters(new)
    assert (params.time_cost, params.memory_cost, params.type) == (2, 2048, argon2.Type.ID)
    assert await verify_password(new, "my long passphrase here") == (True, None)


async def test_hashing_runs_off_the_event_loop():
    # With real-world parameters a hash takes a while; the loop keeps serving other tasks meanwhile.
    configure_hasher(time_cost=2, memory_cost=32768, parallelism=1)
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    await asyncio.gather(*(hash_password(f"passphrase number {i}") for i in range(4)))
    elapsed = time.perf_counter() - started
    task.cancel()
    assert ticks > elapsed * 1000 / 10  # the ticker ran through the hashing, not after it


def test_length_limits_without_composition_rules():
    assert password_problem("short pass1") == passwords.TOO_SHORT  # 11 characters
    assert password_problem("lowercase only words") is None  # no digits or symbols required
    assert password_problem("x" * 16) == passwords.TOO_COMMON  # a repeated letter is on the list
    assert password_problem("ab" + "c" * 126) is None  # 128 characters are fine
    assert password_problem("ab" + "c" * 127) == passwords.TOO_LONG
    assert password_problem("пароль для магазину") is None  # any script counts by characters


@pytest.mark.parametrize("common", ["password1234", "Qwerty123456", "QWERTYUIOPASDFGHJKL", "iloveyou2024",
                                    "1q2w3e4r5t6y", "123456789012", "Password123!"])
def test_common_passwords_are_refused_whatever_the_case(common):
    with pytest.raises(ValidationError) as caught:
        check_password_policy(common)
    assert caught.value.fields == {"password": passwords.TOO_COMMON}


def test_the_shipped_list_is_large_and_real():
    words = common_passwords()
    assert len(words) > 5000
    for known in ("123456", "password", "qwerty", "iloveyou", "gfhjkm", "contraseña", "1qaz2wsx"):
        assert known in words
