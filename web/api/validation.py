"""Strict reading of API input against the same JSON Schemas the OpenAPI document publishes.

One small checker for the subset of JSON Schema the API uses (object with properties,
required and no extra keys; string with length/enum/pattern; integer with a range;
boolean; `[type, "null"]`; `$ref` to a component). A wrong JSON type, an unknown field or
unreadable JSON is a 400; a missing field or a value out of range is a 422. Every string is
checked for characters a database cannot store, so a strange request never becomes a 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from web.api.errors import ApiError

Schema = dict[str, Any]
FieldErrors = dict[str, tuple[str, dict[str, Any]]]

MAX_DEPTH = 16
# C0 controls other than tab, newline and carriage return (NUL breaks PostgreSQL text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INTEGER = re.compile(r"-?[0-9]{1,18}")

_ANYTHING: Schema = {"type": ["string", "integer", "boolean", "object", "array", "null"]}
_TYPE_WORDS = {
    "object": "Must be an object.",
    "array": "Must be a list.",
    "string": "Must be text.",
    "integer": "Must be a whole number.",
    "boolean": "Must be true or false.",
}


class Checker:
    """Walks a value against a schema, collecting structural (400) and value (422) errors."""

    def __init__(self, components: Mapping[str, Schema]):
        self.components = components
        self.malformed: FieldErrors = {}
        self.invalid: FieldErrors = {}

    def resolve(self, schema: Schema) -> Schema:
        ref = schema.get("$ref")
        if ref:
            return self.components[ref.rsplit("/", 1)[-1]]
        return schema

    def check(self, schema: Schema, value: Any, path: str) -> None:
        schema = self.resolve(schema)
        if "oneOf" in schema:
            self._check_one_of(schema["oneOf"], value, path)
            return
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if value is None and "null" in types:
            return
        kind = next((t for t in types if t != "null" and _is_type(value, t)), None)
        if kind is None:
            main = next(t for t in types if t != "null")
            self.malformed[path or "body"] = (_TYPE_WORDS[main], {})
            return
        getattr(self, f"_check_{kind}")(schema, value, path)

    def _check_one_of(self, choices: list[Schema], value: Any, path: str) -> None:
        for choice in choices:
            trial = Checker(self.components)
            trial.check(choice, value, path)
            if not trial.malformed and not trial.invalid:
                return
        self.malformed[path or "body"] = ("Has an invalid format.", {})

    def _check_object(self, schema: Schema, value: dict, path: str) -> None:
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for name in value:
            if name in properties:
                continue
            if extra is False:
                self.malformed[_join(path, name)] = ("Unknown field.", {})
            elif isinstance(extra, dict):
                self.check(extra, value[name], _join(path, name))
        for name in schema.get("required", ()):
            if name not in value:
                self.invalid[_join(path, name)] = ("This field is required.", {})
        for name, item in value.items():
            if name in properties:
                self.check(properties[name], item, _join(path, name))

    def _check_string(self, schema: Schema, value: str, path: str) -> None:
        where = path or "body"
        if _CONTROL.search(value) or not _encodable(value):
            self.invalid[where] = ("Contains characters that are not allowed.", {})
        elif "enum" in schema and value not in schema["enum"]:
            self.invalid[where] = ("Must be one of: {choices}.", {"choices": ", ".join(schema["enum"])})
        elif len(value) < schema.get("minLength", 0):
            message = "This field is required." if not value else "Must be at least {count} characters."
            self.invalid[where] = (message, {"count": schema["minLength"]})
        elif "maxLength" in schema and len(value) > schema["maxLength"]:
            self.invalid[where] = ("Must be at most {count} characters.", {"count": schema["maxLength"]})
        elif "pattern" in schema and not re.fullmatch(schema["pattern"], value):
            self.invalid[where] = ("Has an invalid format.", {})

    def _check_integer(self, schema: Schema, value: int, path: str) -> None:
        where = path or "body"
        if "minimum" in schema and value < schema["minimum"]:
            self.invalid[where] = ("Must be at least {limit}.", {"limit": schema["minimum"]})
        elif "maximum" in schema and value > schema["maximum"]:
            self.invalid[where] = ("Must be at most {limit}.", {"limit": schema["maximum"]})

    def _check_boolean(self, schema: Schema, value: bool, path: str) -> None:
        pass

    def _check_array(self, schema: Schema, value: list, path: str) -> None:
        for index, item in enumerate(value):
            self.check(schema.get("items", _ANYTHING), item, f"{path}[{index}]")

    def raise_if_any(self) -> None:
        if self.malformed:
            raise ApiError(400, "malformed", "The request is malformed.", fields=self.malformed)
        if self.invalid:
            raise ApiError(422, "invalid", "Please correct the marked fields.", fields=self.invalid)


def _is_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, {"object": dict, "array": list, "string": str, "boolean": bool}[kind])


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from "\ud800" in JSON
        return False
    return True


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def validate(schema: Schema, value: Any, components: Mapping[str, Schema], *, values: bool = True) -> Any:
    """Raise ApiError for a structural problem (400) or, when `values`, a bad value (422)."""
    checker = Checker(components)
    checker.check(schema, value, "")
    if not values:  # the service checks the values and reports every field at once
        checker.invalid = {}
    checker.raise_if_any()
    return value


# ---------------------------------------------------------------- request bodies


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, no duplicate keys, bounded nesting."""
    try:
        text = raw.decode("utf-8")
        if _nesting(text) > MAX_DEPTH:
            raise ValueError("nested too deeply")
        return json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ApiError(400, "malformed", "The request body is not valid JSON.") from None


def _nesting(text: str) -> int:
    # An upper bound on the depth (brackets inside strings count too): cheap and safe.
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _check_content_type(request: web.Request) -> None:
    if request.content_type != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the request body as application/json.")
    charset = request.charset
    if charset and charset.lower() not in ("utf-8", "utf8"):
        raise ApiError(415, "unsupported_media_type", "Send the request body as application/json.")


async def read_body(
    request: web.Request,
    schema: Schema | None,
    components: Mapping[str, Schema],
    *,
    limit: int,
    values: bool = True,
) -> dict:
    """The request's JSON object checked against `schema`; None means "no body expected"."""
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "request_entity_too_large", "The request body is too large.")
    raw = await request.content.read(limit + 1)
    if len(raw) > limit:
        raise ApiError(413, "request_entity_too_large", "The request body is too large.")
    if schema is None:
        if raw.strip():
            raise ApiError(400, "malformed", "This request takes no body.")
        return {}
    _check_content_type(request)
    if not raw.strip():
        raise ApiError(400, "malformed", "The request body must be a JSON object.")
    value = parse_json(raw)
    if not isinstance(value, dict):
        raise ApiError(400, "malformed", "The request body must be a JSON object.")
    return validate(schema, value, components, values=values)


# ---------------------------------------------------------------- query strings


def read_query(query: MultiDictProxy[str], parameters: list[Schema]) -> dict[str, Any]:
    """Query parameters by the OpenAPI `parameters` list (in: query); unknown or repeated = 400."""
    known = {p["name"]: p for p in parameters if p["in"] == "query"}
    malformed: FieldErrors = {}
    invalid: FieldErrors = {}
    values: dict[str, Any] = {}
    for name in set(query.keys()):
        if name not in known:
            malformed[name] = ("Unknown parameter.", {})
        elif len(query.getall(name)) > 1:
            malformed[name] = ("Give this parameter once.", {})
    for name, parameter in known.items():
        if name in malformed or name not in query:
            if parameter.get("required") and name not in query:
                invalid[name] = ("This field is required.", {})
            continue
        text = query[name]
        value = _query_value(parameter["schema"], text, name, malformed)
        if name in malformed:
            continue
        checker = Checker({})
        checker.check(parameter["schema"], value, name)
        malformed.update(checker.malformed)
        invalid.update(checker.invalid)
        values[name] = value
    checker = Checker({})
    checker.malformed, checker.invalid = malformed, invalid
    checker.raise_if_any()
    return values


def _query_value(schema: Schema, text: str, name: str, malformed: FieldErrors) -> Any:
    if schema["type"] == "integer":
        if not _INTEGER.fullmatch(text):
            malformed[name] = ("Must be a whole number.", {})
            return None
        return int(text)
    return text


def path_id(request: web.Request, name: str = "id") -> int:
    """A numeric path id; anything that cannot be a row id is simply not found."""
    text = request.match_info[name]
    if not text.isascii() or not text.isdigit() or len(text) > 10 or not 1 <= int(text) <= 2**31 - 1:
        raise ApiError(404, "not_found", "Not found.")
    return int(text)
