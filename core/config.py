"""Typed, validated, immutable settings read from `config.toml`.

`GEARSHOP_CONFIG` names another file; `GEARSHOP_<SECTION>__<KEY>` environment
variables override single keys (nested tables join with `__` too:
`GEARSHOP_NOTIFICATIONS__EMAIL__PASSWORD`). Secrets arrive that way, never from
a commit. Every error names the key and the file.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.notifications.settings import validate_notifications

ENV_PREFIX = "GEARSHOP_"
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "config.toml"


class ConfigError(Exception):
    """A configuration problem; the message names the key and the file."""


@dataclass(frozen=True, slots=True)
class ShopSettings:
    name: str = "gearshop"
    base_url: str = "http://127.0.0.1:8080"
    currency: str = "EUR"
    locales: tuple[str, ...] = ("en", "uk", "ru", "es")
    default_locale: str = "en"
    timezone: str = "UTC"
    controller_name: str = "gearshop"
    controller_address: str = ""
    controller_contact: str = "privacy@example.com"
    policy_version: str = "1"
    policy_date: str = "2026-11-01"


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str = "sqlite://var/gearshop.sqlite3"


@dataclass(frozen=True, slots=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    https: bool = False
    behind_proxy: bool = False
    session_key: str = ""
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    max_body_kb: int = 256
    login_failures_per_hour_per_account: int = 100
    login_attempts_per_hour_per_ip: int = 300
    registrations_per_hour_per_ip: int = 20
    resets_per_hour_per_ip: int = 20
    catalogue_page_seconds: float = 5.0


@dataclass(frozen=True, slots=True)
class BotSettings:
    token: str = ""
    username: str = ""
    mode: str = "polling"
    webhook_path: str = "/telegram/webhook"
    webhook_secret: str = ""
    api_server: str = "https://api.telegram.org"
    staff_chat_id: int = 0
    staff_user_ids: tuple[int, ...] = ()
    updates_per_minute_per_user: int = 60
    payments_provider_token: str = ""


@dataclass(frozen=True, slots=True)
class EmailSettings:
    adapter: str = "console"
    host: str = "127.0.0.1"
    port: int = 25
    tls: str = "none"
    username: str = ""
    password: str = ""
    sender: str = "gearshop <shop@example.com>"
    reply_to: str = ""
    timeout_seconds: float = 10.0


@dataclass(frozen=True, slots=True)
class SmsSettings:
    adapter: str = "console"
    api_base: str = "https://api.twilio.com"
    account_sid: str = ""
    auth_token: str = ""
    sender: str = ""


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    adapter: str = "console"
    api_url: str = "https://api.novaposhta.ua/v2.0/json/"
    api_key: str = ""
    sender_ref: str = ""
    sender_city_ref: str = ""
    sender_address_ref: str = ""
    sender_contact_ref: str = ""
    sender_phone: str = ""


@dataclass(frozen=True, slots=True)
class StaffSettings:
    telegram: bool = False
    emails: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    worker_in_process: bool = True
    poll_seconds: float = 1.0
    batch_size: int = 20
    max_attempts: int = 8
    backoff_base_seconds: float = 5.0
    backoff_cap_seconds: float = 3600.0
    email: EmailSettings = field(default_factory=EmailSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    staff: StaffSettings = field(default_factory=StaffSettings)


@dataclass(frozen=True, slots=True)
class LiqpaySettings:
    public_key: str = ""
    private_key: str = ""
    checkout_url: str = "https://www.liqpay.ua/api/3/checkout"


@dataclass(frozen=True, slots=True)
class PaymentSettings:
    providers: tuple[str, ...] = ("sandbox",)
    liqpay: LiqpaySettings = field(default_factory=LiqpaySettings)


@dataclass(frozen=True, slots=True)
class ShippingSettings:
    courier_price: int = 500
    pickup_price: int = 0
    carrier_price: int = 300
    free_from: int = 0


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    anonymous_cart_days: int = 30
    session_days: int = 1
    access_log_days: int = 180
    unconfirmed_account_days: int = 7
    visit_stats_days: int = 400
    disclosure_log_days: int = 1095
    purge_interval_minutes: int = 60


@dataclass(frozen=True, slots=True)
class RedisSettings:
    url: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    shop: ShopSettings = field(default_factory=ShopSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    web: WebSettings = field(default_factory=WebSettings)
    bot: BotSettings = field(default_factory=BotSettings)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    payments: PaymentSettings = field(default_factory=PaymentSettings)
    shipping: ShippingSettings = field(default_factory=ShippingSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    source: str = field(default="<defaults>", compare=False)


# ---------------------------------------------------------------- loading


def load_settings(path: str | os.PathLike[str] | None = None, environ: typing.Mapping[str, str] | None = None) -> Settings:
    """Read the config file, apply environment overrides, validate."""
    environ = os.environ if environ is None else environ
    path = Path(path or environ.get("GEARSHOP_CONFIG") or DEFAULT_FILE)
    source = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read: {exc.strerror or exc}") from None
    _apply_environment(raw, environ, source)
    settings = _build(Settings, raw, (), source)
    settings = dataclasses.replace(settings, source=source)
    validate(settings)
    return settings


def _apply_environment(raw: dict[str, Any], environ: typing.Mapping[str, str], source: str) -> None:
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name or name == "GEARSHOP_CONFIG":
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX):].split("__")]
        _check_environment_key(name, parts, source)
        target = raw
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ConfigError(f"{source}: environment variable {name}: [{part}] is not a table")
        target[parts[-1]] = _EnvText(value)


def _check_environment_key(name: str, parts: list[str], source: str) -> None:
    """The variable must name a key of the settings: say which variable when it does not."""
    kind: Any = Settings
    for depth, part in enumerate(parts):
        key = ".".join(parts[: depth + 1])
        fields = {f.name for f in dataclasses.fields(kind) if f.name != "source"}
        if part not in fields:
            raise ConfigError(f"{source}: environment variable {name} names unknown key '{key}'")
        kind = typing.get_type_hints(kind)[part]
        if depth < len(parts) - 1 and not dataclasses.is_dataclass(kind):
            raise ConfigError(f"{source}: environment variable {name}: '{key}' is a value, not a table")
    if dataclasses.is_dataclass(kind):
        raise ConfigError(f"{source}: environment variable {name} names the table [{'.'.join(parts)}], not a key")


class _EnvText(str):
    """A value from the environment: text that is converted to the key's type."""


def _build(cls: type, raw: Any, path: tuple[str, ...], source: str) -> Any:
    where = ".".join(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: [{where}] must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        key = ".".join((*path, unknown[0]))
        raise ConfigError(f"{source}: unknown key '{key}'")
    values = {}
    for name, value in raw.items():
        values[name] = _convert(hints[name], value, (*path, name), source)
    return cls(**values)


def _convert(kind: Any, value: Any, path: tuple[str, ...], source: str) -> Any:
    key = ".".join(path)
    if dataclasses.is_dataclass(kind):
        return _build(kind, value, path, source)
    origin = typing.get_origin(kind)
    if origin is tuple:
        item_type = typing.get_args(kind)[0]
        if isinstance(value, _EnvText):
            value = [_EnvText(v.strip()) for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ConfigError(f"{source}: key '{key}' must be a list")
        return tuple(_convert(item_type, v, path, source) for v in value)
    if isinstance(value, _EnvText):
        value = _from_env_text(kind, value, key, source)
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{source}: key '{key}' must be true or false, not {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{source}: key '{key}' must be a whole number, not {value!r}")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{source}: key '{key}' must be a number, not {value!r}")
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{source}: key '{key}' must be text, not {value!r}")
        return str(value)
    raise ConfigError(f"{source}: key '{key}' has an unsupported type")  # pragma: no cover


_TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number"}


def _from_env_text(kind: Any, text: str, key: str, source: str) -> Any:
    if kind is str or isinstance(kind, types.UnionType):
        return str(text)
    try:
        if kind is bool:
            lowered = text.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
    except ValueError:
        raise ConfigError(f"{source}: key '{key}' (from the environment) must be {_TYPE_NAMES.get(kind, 'text')}, not {text!r}") from None
    return text


# ---------------------------------------------------------------- validation

CHOICES: dict[str, tuple[str, ...]] = {
    "bot.mode": ("polling", "webhook"),
    "notifications.email.adapter": ("console", "smtp"),
    "notifications.email.tls": ("none", "starttls", "implicit"),
    "notifications.sms.adapter": ("console", "twilio"),
    "notifications.delivery.adapter": ("console", "novaposhta"),
}
KNOWN_LOCALES = ("en", "uk", "ru", "es")
KNOWN_PROVIDERS = ("sandbox", "liqpay")


def _get(settings: Settings, key: str) -> Any:
    value: Any = settings
    for part in key.split("."):
        value = getattr(value, part)
    return value


def _iso_currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def _time_zone_problem(name: str) -> str | None:
    """Why `name` is not a time zone this machine knows, or None."""
    import zoneinfo

    from core.i18n import shop_zone

    try:
        shop_zone(name)
    except (KeyError, ValueError, OSError):  # unknown name, not a relative path, not a zone file
        if not zoneinfo.available_timezones():
            return (f"names {name!r}, but this machine has no time zone database: install tzdata "
                    "(the system package, or `pip install tzdata`)")
        return f"must be an IANA time zone such as Europe/Kyiv or UTC, not {name!r}"
    return None


def validate(s: Settings) -> None:
    src = s.source

    def fail(key: str, why: str) -> typing.NoReturn:
        raise ConfigError(f"{src}: key '{key}' {why}")

    for key, allowed in CHOICES.items():
        if _get(s, key) not in allowed:
            fail(key, f"must be one of {', '.join(allowed)}, not {_get(s, key)!r}")
    if not s.shop.locales:
        fail("shop.locales", "must name at least one locale")
    for locale in s.shop.locales:
        if locale not in KNOWN_LOCALES:
            fail("shop.locales", f"has unknown locale {locale!r} (known: {', '.join(KNOWN_LOCALES)})")
    if s.shop.default_locale not in s.shop.locales:
        fail("shop.default_locale", "must be one of shop.locales")
    if s.shop.currency not in _iso_currencies():
        fail("shop.currency", f"must be a three-letter ISO 4217 code such as EUR, not {s.shop.currency!r}")
    if problem := _time_zone_problem(s.shop.timezone):
        fail("shop.timezone", problem)
    if not s.database.url.startswith(("sqlite://", "postgres://", "asyncpg://", "psycopg://")):
        fail("database.url", "must start with sqlite:// or postgres://")
    if not 1 <= s.web.port <= 65535:
        fail("web.port", "must be between 1 and 65535")
    for key in ("web.session_idle_minutes", "web.session_absolute_hours", "web.max_body_kb",
                "notifications.max_attempts", "notifications.batch_size"):
        if _get(s, key) <= 0:
            fail(key, "must be greater than zero")
    if s.web.https and len(s.web.session_key) < 32:
        fail("web.session_key", "is a required secret when web.https is true: set GEARSHOP_WEB__SESSION_KEY (32+ characters)")
    if s.bot.token and s.bot.mode == "webhook" and len(s.bot.webhook_secret) < 16:
        fail("bot.webhook_secret", "is a required secret in webhook mode: set GEARSHOP_BOT__WEBHOOK_SECRET (16+ characters)")
    for provider in s.payments.providers:
        if provider not in KNOWN_PROVIDERS:
            fail("payments.providers", f"has unknown provider {provider!r} (known: {', '.join(KNOWN_PROVIDERS)})")
    if "liqpay" in s.payments.providers:
        if not s.payments.liqpay.public_key:
            fail("payments.liqpay.public_key", "is required when liqpay is among payments.providers")
        if not s.payments.liqpay.private_key:
            fail("payments.liqpay.private_key", "is a required secret: set GEARSHOP_PAYMENTS__LIQPAY__PRIVATE_KEY")
    validate_notifications(s, fail)  # the notifications area's own keys
    for key in ("shipping.courier_price", "shipping.pickup_price", "shipping.carrier_price", "shipping.free_from"):
        if _get(s, key) < 0:
            fail(key, "must not be negative")
    for f in dataclasses.fields(PrivacySettings):
        if getattr(s.privacy, f.name) <= 0:
            fail(f"privacy.{f.name}", "must be greater than zero")
    if s.redis.url and not s.redis.url.startswith(("redis://", "rediss://", "unix://")):
        fail("redis.url", "must start with redis://, rediss:// or unix://")
