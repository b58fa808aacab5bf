"""Typed values over JSON: :class:`TypedCodec`, and the type hints it decodes values with.

pgqrs stores every value as JSON. With ``pgqrs.connect(dsn, codec=pgqrs.TypedCodec())``,
dataclasses, pydantic models, datetimes, dates, times, ``Decimal``, ``UUID``, enums and sets are
stored as JSON too (objects, ISO 8601 text, decimal text), and are turned back into those types
from the annotations of the code that reads them: a step's or workflow's return annotation, a
workflow parameter's annotation. The SQL side sees plain JSON, so other languages can still read
every value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import inspect
import types
import typing
from collections import abc
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

from . import _codec, errors

_NONE = type(None)


class TypedCodec(_codec.Codec):
    """A codec for the usual Python value types; see the module docstring.

    ===============================  ===========================  ==========================
    type                             stored as                    read back from
    ===============================  ===========================  ==========================
    dataclass                        an object of its fields      its field annotations
    pydantic model (v2)              ``model_dump(mode="json")``  ``model_validate``
    ``datetime``, ``date``, ``time`` ISO 8601 text                ``fromisoformat``
    ``Decimal``                      text (exact)                 ``Decimal(text)``
    ``UUID``                         text                         ``UUID(text)``
    ``Enum``                         its value                    ``EnumType(value)``
    ``set``, ``frozenset``           an array                     the annotation's type
    ===============================  ===========================  ==========================

    ``list[T]``, ``tuple[...]``, ``dict[K, V]``, ``T | None`` and unions are decoded element by
    element. A value whose annotation is missing or ``Any`` comes back as stored (plain JSON).
    Annotations must be resolvable at run time (``typing.get_type_hints``): a type defined inside
    a function cannot be found from a string annotation. Subclass it and extend
    :meth:`default` and :meth:`decode` for other types.
    """

    def default(self, value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        dump = getattr(value, "model_dump", None)
        if callable(dump) and not isinstance(value, type):  # a pydantic model
            return dump(mode="json")
        if isinstance(value, dt.datetime | dt.date | dt.time):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, UUID):
            return str(value)
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, set | frozenset):
            return list(value)
        return super().default(value)

    def decode(self, value: Any, hint: Any) -> Any:
        try:
            return self._decode(value, hint)
        except (TypeError, ValueError, KeyError, ArithmeticError) as exc:
            if isinstance(exc, errors.InvalidValueError):
                raise
            raise errors.InvalidValueError(
                f"stored value {_short(value)} cannot be read as {_name(hint)}: {exc}"
            ) from exc

    def _decode(self, value: Any, hint: Any) -> Any:
        if hint is Any or hint is object or hint is None or isinstance(hint, typing.TypeVar):
            return value
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is typing.Annotated:
            return self._decode(value, args[0])
        if origin is typing.Literal:
            return value
        if origin in (typing.Union, types.UnionType):
            if value is None and _NONE in args:
                return None
            last: Exception | None = None
            for option in args:
                if option is _NONE:
                    continue
                try:
                    return self._decode(value, option)
                except (TypeError, ValueError, KeyError, ArithmeticError) as exc:
                    last = exc
            raise last or TypeError(f"no type of {_name(hint)} fits")
        if value is None:
            return None
        if origin is not None:
            return self._generic(value, origin, args)
        if not isinstance(hint, type):
            return value
        if dataclasses.is_dataclass(hint):
            hints = _hints(hint)
            known = {f.name: f for f in dataclasses.fields(hint) if f.init}
            return hint(
                **{
                    key: self._decode(item, hints.get(key, Any))
                    for key, item in _mapping(value, hint).items()
                    if key in known
                }
            )
        validate = getattr(hint, "model_validate", None)
        if callable(validate):  # a pydantic model
            return validate(value)
        if issubclass(hint, enum.Enum):
            return hint(value)
        if hint is dt.datetime:
            return dt.datetime.fromisoformat(_text(value, hint))
        if hint is dt.date:
            return dt.date.fromisoformat(_text(value, hint))
        if hint is dt.time:
            return dt.time.fromisoformat(_text(value, hint))
        if hint is Decimal:
            return Decimal(str(value))
        if hint is UUID:
            return UUID(_text(value, hint))
        if hint is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if hint is int and isinstance(value, str):  # a JSON object's key
            return int(value)
        if hint in (set, frozenset, tuple, list):
            return hint(value)
        return value

    def _generic(self, value: Any, origin: Any, args: tuple[Any, ...]) -> Any:
        if origin in (list, set, frozenset) or origin in _ABSTRACT_SEQUENCES:
            item = args[0] if args else Any
            items = [self._decode(v, item) for v in value]
            return origin(items) if origin in (set, frozenset) else items
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(self._decode(v, args[0]) for v in value)
            if args and len(args) != len(value):
                raise ValueError(f"expected {len(args)} items, got {len(value)}")
            types_ = args or (Any,) * len(value)
            return tuple(self._decode(v, t) for v, t in zip(value, types_, strict=True))
        if origin is dict or origin in _ABSTRACT_MAPPINGS:
            key_type, item_type = args if len(args) == 2 else (Any, Any)
            return {
                self._decode(k, key_type): self._decode(v, item_type)
                for k, v in _mapping(value, origin).items()
            }
        return value


_ABSTRACT_SEQUENCES = frozenset({abc.Sequence, abc.MutableSequence, abc.Iterable, abc.Collection})
_ABSTRACT_MAPPINGS = frozenset({abc.Mapping, abc.MutableMapping})


def _mapping(value: Any, hint: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a JSON object for {_name(hint)}, got {type(value).__name__}")
    return value


def _text(value: Any, hint: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text for {_name(hint)}, got {type(value).__name__}")
    return value


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@functools.cache
def _hints(target: Any) -> dict[str, Any]:
    """``typing.get_type_hints`` of a function or class, or nothing when they cannot be
    resolved (then values come back as stored)."""
    try:
        return typing.get_type_hints(target)
    except Exception:
        return {}


def return_hint(fn: Callable[..., Any]) -> Any:
    """The declared return type of a step or workflow function (``Any`` when undeclared)."""
    return _hints(inspect.unwrap(fn)).get("return", Any)


def parameter_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    """The declared types of a function's parameters, by name."""
    hints = dict(_hints(inspect.unwrap(fn)))
    hints.pop("return", None)
    return hints
