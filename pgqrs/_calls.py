"""Workflow calls: how ``start_workflow(fn, *args, **kwargs)`` splits start options from the
workflow's own arguments, how a call is stored so that any language can read it, and the check
of a call against the workflow's signature (when it is enqueued, when a worker starts it, and
when a context is run with it).

The stored input of a workflow is its call:

* one positional argument and no keyword arguments: the argument itself (as in pgqrs 0.1.0);
* anything else: ``{"$args": [...], "$kwargs": {...}}``, an object with exactly those two keys
  (a single argument that looks like one is stored in that form too, so reading is never
  ambiguous);
* a stored ``null`` is the single argument None, or no argument for a workflow that takes none.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

from . import _codec, _convert, errors

P = ParamSpec("P")
R = TypeVar("R")

# What start_workflow's callers may pass: an async def or a plain def workflow function (the
# first parameter is the context, of either kind).
AsyncWorkflowFn = Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]
SyncWorkflowFn = Callable[Concatenate[Any, P], R]

ARGS = "$args"
KWARGS = "$kwargs"

# The keywords of start_workflow that are start options, unless the workflow function has a
# parameter of that name (then the keyword is the function's).
START_OPTIONS = frozenset(
    {
        "id",
        "idempotency_key",
        "run_at",
        "max_recoveries",
        "timeout",
        "deadline",
        "retries",
        "retry_backoff",
        "retry_max_backoff",
        "queue",
        "priority",
        "concurrency_key",
        "debounce_key",
        "debounce",
    }
)

# The options of a workflow that runs here, not on a worker (admin.run, create_workflow).
RUN_OPTIONS = frozenset(
    {
        "id",
        "idempotency_key",
        "timeout",
        "deadline",
        "retries",
        "retry_backoff",
        "retry_max_backoff",
    }
)

# The @workflow(...) defaults that apply to a workflow run here.
DEFAULT_RUN_OPTIONS = ("timeout", "retries", "retry_backoff", "retry_max_backoff")

# The options of a bulk start: those that name one workflow are refused.
BULK_OPTIONS = START_OPTIONS - {"id", "idempotency_key", "debounce_key", "debounce"}


@functools.cache
def signature(workflow: Callable[..., Any]) -> inspect.Signature | None:
    """The signature of a workflow function without its context parameter (its annotations
    evaluated when they can be, for error messages); None when it cannot be read."""
    try:
        sig = inspect.signature(workflow, eval_str=True)
    except Exception:
        try:
            sig = inspect.signature(workflow)
        except (TypeError, ValueError):
            return None
    params = list(sig.parameters.values())
    if not params or params[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        return None
    return sig.replace(parameters=params[1:])


def _signature_of(workflow: str | Callable[..., Any]) -> inspect.Signature | None:
    return None if isinstance(workflow, str) else signature(workflow)


def split(
    workflow: str | Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any], dict[str, Any]]:
    """``(args, kwargs, options)`` of ``start_workflow(workflow, *args, **kwargs)``: a keyword in
    START_OPTIONS is an option unless the function has a parameter of that name. ``input=x``
    with no positional argument is the one argument x (the 0.1.0 keyword), unless the function
    has a parameter called ``input``."""
    sig = _signature_of(workflow)
    names = set(sig.parameters) if sig is not None else set()
    options: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key in START_OPTIONS and key not in names:
            options[key] = value
        else:
            rest[key] = value
    if "input" in rest and "input" not in names and not args:
        args = (rest.pop("input"),)
    return args, rest, options


def _binds(sig: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    try:
        sig.bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def check(
    workflow: str | Callable[..., Any], name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """InvalidArgumentError unless ``workflow(ctx, *args, **kwargs)`` fits its signature (a
    workflow given by name is not checked)."""
    sig = _signature_of(workflow)
    if sig is None:
        return
    try:
        sig.bind(*args, **kwargs)
    except TypeError as exc:
        raise errors.InvalidArgumentError(
            f"workflow {name!r} cannot be called with these arguments: {exc}"
            f" (its signature is {name}(ctx{_rest(sig)}))"
        ) from None


def _rest(sig: inspect.Signature) -> str:
    text = str(sig)[1:-1]
    return f", {text}" if text else ""


def is_call(value: Any) -> bool:
    """True for a stored call object ``{"$args": [...], "$kwargs": {...}}``."""
    return (
        isinstance(value, dict)
        and len(value) == 2
        and isinstance(value.get(ARGS), list)
        and isinstance(value.get(KWARGS), dict)
    )


def stored_form(
    workflow: str | Callable[..., Any], name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """What is stored as the input of ``workflow(ctx, *args, **kwargs)``, after checking the call
    against the signature. No argument at all: ``None`` for a workflow given by name or one whose
    single parameter takes it (the 0.1.0 default input), else an empty call."""
    sig = _signature_of(workflow)
    if (not args and not kwargs) and (
        sig is None or (not _binds(sig, (), {}) and _binds(sig, (None,), {}))
    ):
        return None
    check(workflow, name, args, kwargs)
    if len(args) == 1 and not kwargs and not is_call(args[0]):
        return args[0]
    return {ARGS: list(args), KWARGS: kwargs}


def encode(
    workflow: str | Callable[..., Any],
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    codec: _codec.Codec,
) -> str:
    """The JSON text of the stored input of a call (see :func:`stored_form`)."""
    value = stored_form(workflow, name, args, kwargs)
    return _codec.encode(value, f"input of workflow {name!r}", codec)


def unpack(stored: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The positional and keyword arguments of a stored input."""
    if is_call(stored):
        return tuple(stored[ARGS]), dict(stored[KWARGS])
    return (stored,), {}


def arguments(
    fn: Callable[..., Any], name: str, stored: Any, codec: _codec.Codec
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments a worker calls ``fn(ctx, ...)`` with for a stored input, decoded by the
    codec from the parameters' annotations; InvalidArgumentError when they do not fit the
    signature (the code changed, or the workflow was started with other arguments)."""
    args, kwargs = unpack(stored)
    sig = signature(fn)
    if sig is None:
        return args, kwargs
    if stored is None and not _binds(sig, args, kwargs) and _binds(sig, (), {}):
        args = ()
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError as exc:
        raise errors.InvalidArgumentError(
            f"workflow {name!r} was started with arguments that do not fit its signature"
            f" {name}(ctx{_rest(sig)}): {exc}; stored input: {_short(stored)}"
        ) from None
    if codec.plain:
        return args, kwargs
    hints = _convert.parameter_hints(fn)
    for key, value in bound.arguments.items():
        hint = hints.get(key, Any)
        kind = sig.parameters[key].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            bound.arguments[key] = tuple(codec.decode(v, hint) for v in value)
        elif kind is inspect.Parameter.VAR_KEYWORD:
            bound.arguments[key] = {k: codec.decode(v, hint) for k, v in value.items()}
        else:
            bound.arguments[key] = codec.decode(value, hint)
    return bound.args, bound.kwargs


def matches(
    stored: Any, args: tuple[Any, ...], kwargs: dict[str, Any], codec: _codec.Codec
) -> bool:
    """True when a call passes the arguments a workflow was stored with (compared as JSON). A
    stored null matches a call with no argument or with the single argument None."""
    if stored is None and not kwargs and args in ((), (None,)):
        return True
    if len(args) == 1 and not kwargs and not is_call(args[0]):
        value: Any = args[0]
    else:
        value = {ARGS: list(args), KWARGS: kwargs}
    try:
        given = json.loads(_codec.encode(value, "the call's arguments", codec))
    except errors.InvalidValueError:
        return False
    return _canonical(given) == _canonical(stored)


def describe(stored: Any) -> str:
    """A stored input, for an error message."""
    if is_call(stored):
        return describe_call(tuple(stored[ARGS]), stored[KWARGS])
    return f"({_short(stored)})"


def describe_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """A call's arguments, for an error message."""
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 200 else text[:197] + "..."


def start_options(given: dict[str, Any], allowed: frozenset[str], where: str) -> dict[str, Any]:
    """``given``, or InvalidArgumentError naming the first option ``where`` does not take."""
    for key in given:
        if key not in allowed:
            raise errors.InvalidArgumentError(f"{where} takes no {key!r} option")
    return given
