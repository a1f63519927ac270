"""Single-use account tokens (reset links, Telegram deep links): only their sha256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from core.customers.models import AccountToken, Customer, TokenPurpose


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def issue_token(customer: Customer, purpose: TokenPurpose, lifetime: dt.timedelta) -> str:
    """A new random token (43 URL-safe characters); earlier unused ones of that purpose are void."""
    token = secrets.token_urlsafe(32)
    await AccountToken.filter(customer_id=customer.id, purpose=purpose, used_at=None).delete()
    await AccountToken.create(customer_id=customer.id, purpose=purpose, token_hash=hash_token(token),
                              expires_at=now() + lifetime)
    return token


async def find_valid_token(token: str, purpose: TokenPurpose) -> AccountToken | None:
    """The unused, unexpired token row, or None."""
    if not token or len(token) > 128:
        return None
    return await AccountToken.get_or_none(token_hash=hash_token(token), purpose=purpose, used_at=None,
                                          expires_at__gt=now())


async def use_token(row: AccountToken) -> bool:
    """Mark the token used; False when another request used it first (a conditional update)."""
    changed = await AccountToken.filter(id=row.id, used_at=None, expires_at__gt=now()).update(used_at=now())
    return changed == 1
