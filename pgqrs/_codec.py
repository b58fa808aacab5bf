"""The JSON codec: how values and failures are sent to and read back from the database.

Values are checked for what PostgreSQL's jsonb would refuse (NaN, Infinity, NUL characters)
before anything is sent; failures are stored as ``{"type", "message", "traceback"}`` objects.
A :class:`Codec` (``pgqrs.connect(codec=...)``) stores values that are not plain JSON as JSON and
turns them back into Python values; the default one accepts plain JSON only.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from . import errors

# Text fields of a stored error are cut to this many characters, so that recording a failure can
# never itself fail on the payload limit.
MAX_ERROR_TEXT = 16_384

# How deep the SQL lets JSON values nest (PQ013): the top value is level 0.
MAX_DEPTH = 256

# The pgqrs function a statement calls, to name it in an error.
_CALLED = re.compile(r"pgqrs\.(\w+)\(")

# A \u0000 escape in encoded JSON: preceded by an even number of backslashes (an odd number would
# mean the backslash itself is escaped and the text is a literal "\u0000").
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


class Codec:
    """How pgqrs stores values that are not plain JSON, and turns them back into Python values.

    pgqrs stores every value (inputs, step results, outputs, messages, events) as JSON, so that
    any language can read it. A codec extends that: :meth:`default` turns a value that
    ``json.dumps`` cannot serialize into one it can (as ``json.dumps(default=...)`` does), and
    :meth:`decode` turns a stored JSON value back into what the code expects, given the type the
    code declares for it (a step's or workflow's return annotation, a workflow parameter's
    annotation; ``typing.Any`` when there is none). A step returns ``decode(stored)`` on its first
    run as on a replay, so code sees the same value both times.

    This base class is the default codec: plain JSON only, every value decoded as it is stored.
    :class:`pgqrs.TypedCodec` handles dataclasses, pydantic models, datetimes, dates, times,
    ``Decimal``, ``UUID`` and enums. Subclass either to add your own types.
    """

    @property
    def plain(self) -> bool:
        """True for this plain JSON codec itself: nothing to convert, so pgqrs skips the type
        hints (a subclass is never plain)."""
        return type(self) is Codec

    def default(self, value: Any) -> Any:
        """A JSON-serializable form of ``value``, or TypeError (the value cannot be stored)."""
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    def decode(self, value: Any, hint: Any) -> Any:
        """The Python value for the stored JSON ``value``, of the declared type ``hint``."""
        return value


# The default codec: plain JSON.
JSON = Codec()


def encode(value: Any, what: str, codec: Codec = JSON) -> str:
    """Serialize a value to JSON text, or raise InvalidValueError naming ``what``.

    Rejects what PostgreSQL's jsonb would reject, before anything is sent: values that are not
    JSON-serializable (after ``codec.default``), NaN and Infinity, and strings that contain a NUL
    character.
    """
    try:
        text = json.dumps(
            value,
            allow_nan=False,
            separators=(",", ":"),
            default=None if codec.plain else codec.default,
        )
    except ValueError as exc:  # NaN or Infinity, or a circular reference
        raise errors.InvalidValueError(f"{what} is not valid JSON: {exc}") from exc
    except TypeError as exc:
        raise errors.InvalidValueError(f"{what} is not JSON-serializable: {exc}") from exc
    except RecursionError:
        raise errors.ValueTooDeepError(
            f"{what} is nested too deep (pgqrs accepts at most {MAX_DEPTH} levels)",
            sqlstate="PQ013",
        ) from None
    if _NUL_ESCAPE.search(text):
        raise errors.InvalidValueError(
            f"{what} contains a NUL character (\\u0000), which PostgreSQL cannot store"
        )
    return text


def loads(text: str | bytes) -> Any:
    """Decode JSON read from the database. A value nested too deep for Python's decoder (one
    stored before pgqrs bounded the depth, or written around the API) raises
    InvalidValueError, never RecursionError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise errors.ValueTooDeepError(
            f"a stored JSON value is nested too deep to decode (pgqrs accepts at most {MAX_DEPTH}"
            " levels)",
            sqlstate="PQ013",
        ) from None


def check_text_params(query: str, params: Sequence[Any]) -> None:
    """Raise InvalidArgumentError for a text argument with a NUL character, which PostgreSQL
    cannot store (psycopg would raise a bare DataError). JSON values are encoded already, with
    their NULs refused by :func:`encode`."""
    for param in params:
        if isinstance(param, str) and "\x00" in param:
            called = _CALLED.search(query)
            raise errors.InvalidArgumentError(
                f"a text argument of pgqrs.{called.group(1) if called else '?'} contains a NUL"
                f" character (\\x00), which PostgreSQL cannot store: {param[:60]!r}",
                sqlstate="PQ008",
            )
        if isinstance(param, list | tuple):
            check_text_params(query, param)


def as_uuid(value: UUID | str) -> UUID:
    """A workflow id as a UUID, or InvalidArgumentError for anything that is not one."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise errors.InvalidArgumentError(f"not a valid workflow id: {value!r}") from None


def roundtrip(text: str) -> Any:
    """The value a replay will see for JSON text: a step returns this on its first run too."""
    return json.loads(text)


def error_object(error: BaseException | str) -> dict[str, Any]:
    """The stored form of a failure: ``{"type", "message", "traceback"}``, text fields capped."""
    if isinstance(error, BaseException):
        kind = type(error)
        name = getattr(kind, "stored_type", None) or (
            kind.__qualname__
            if kind.__module__ == "builtins"
            else (f"{kind.__module__}.{kind.__qualname__}")
        )
        tb = "".join(traceback.format_exception(error))
        return {"type": name, "message": _cap(str(error)), "traceback": _cap(tb, tail=True)}
    return {"type": None, "message": _cap(str(error)), "traceback": None}


def error_text(error: BaseException | str) -> str:
    """:func:`error_object` as JSON text, ready to send. Never fails: every field is text."""
    return json.dumps(error_object(error))


def _cap(text: str, *, tail: bool = False) -> str:
    text = text.replace("\x00", "\ufffd")  # PostgreSQL cannot store NUL in text
    if len(text) <= MAX_ERROR_TEXT:
        return text
    marker = "...[truncated]..."
    keep = MAX_ERROR_TEXT - len(marker)
    return marker + text[-keep:] if tail else text[:keep] + marker
