"""Build the proxy's install script from the public API's signatures and a routing table.

Usage: python tools/gen_proxy.py [--check]      (make gen; make lint runs --check)

A pgqrs proxy (docs/scale-out.md) is a database whose schema ``pgqrs`` has every public function
of a single-node install, with the same signature, each running on the shard that owns its work
through PL/Proxy. Those functions are generated, so that the API can grow without the proxy
falling behind: a new public function is one line in ``sql/proxy/routes.txt``.

The sources:

* ``sql/pgqrs--VERSION.sql`` (itself generated from sql/src/ by tools/gen_sql.py): the public
  functions (``pgqrs.name``, not ``pgqrs._name``), their parameters, results, volatility and
  ``comment on function``.
* ``sql/proxy/routes.txt``: one line per public function, saying how it routes (the file's
  header lists the routes).
* ``sql/proxy/src/00_cluster.sql``: the proxy's own schema ``pgqrs_proxy`` (shards, routing
  functions), written by hand.
* ``sql/proxy/src/10_functions.sql``: the functions routed ``custom``, written by hand with the
  shard's exact signature (checked here).

What it writes: ``sql/proxy/pgqrs-proxy--VERSION.sql``: 00_cluster.sql, then a PL/Proxy helper
per custom or ``all`` function (``pgqrs_proxy.on_NAME(p_shard, ...)`` runs NAME on one shard,
``pgqrs_proxy.all_NAME(...)`` on every shard), then schema ``pgqrs`` with every public function
in the order of the shard's script. It fails (exit 1) when a public function has no route, a
route names no public function, or a custom function is missing or has another signature. With
--check, exit 1 when the script differs from what is checked in, instead of writing it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL = ROOT / "sql"
PROXY = SQL / "proxy"
ROUTES = PROXY / "routes.txt"
CLUSTER = "pgqrs_cluster"

_CREATE = re.compile(r"^create function pgqrs\.([a-z]\w*)\(", re.M)
_COMMENT = re.compile(
    r"^comment on function pgqrs\.(\w+)\(([^)]*)\) is(?: |\n)(?:.*\n)*?.*;\n", re.M
)
_VOLATILITY = re.compile(r"^(immutable|stable|volatile)$", re.M)


class RouteError(Exception):
    """The routing table and the API disagree."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None


@dataclass(frozen=True)
class Function:
    """One public function of the shard's script."""

    name: str
    params_text: str  # the text between the parentheses, defaults included
    params: tuple[Param, ...]
    returns: str  # the text after "returns", e.g. "void" or "table (...)", one line
    returns_text: str  # the same as written
    volatility: str
    block: str  # from its contract comment to the end of its comment on function
    comment: str  # the comment on function statement

    @property
    def setof(self) -> bool:
        return self.returns.startswith(("table", "setof"))

    @property
    def identity(self) -> str:
        types = ", ".join(p.type for p in self.params)
        return f"pgqrs.{self.name}({types})"


def _normal(text: str) -> str:
    return " ".join(text.split())


def _split_params(text: str) -> tuple[Param, ...]:
    params = []
    depth = 0
    current = ""
    for char in text + ",":
        if char == "," and depth == 0:
            if current.strip():
                params.append(current.strip())
            current = ""
            continue
        depth += char in "(["
        depth -= char in ")]"
        current += char
    result = []
    for raw in params:
        raw = _normal(raw)
        head, _, default = raw.partition(" default ")
        name, _, type_ = head.partition(" ")
        result.append(Param(name, type_, default or None))
    return tuple(result)


def _close_paren(text: str, start: int) -> int:
    """The index of the parenthesis closing the one at ``start``."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise RouteError("unbalanced parentheses")


def _with_contract(text: str, start: int) -> int:
    """``start`` moved up over the comment lines right above it."""
    while start > 0:
        previous = text.rfind("\n", 0, start - 1) + 1
        line = text[previous:start]
        if not line.startswith("--") or line.startswith("-- sql/src/"):
            break
        start = previous
    return start


def functions(script: str, where: str) -> dict[str, Function]:
    """The public functions of a script (``pgqrs.name``, not ``pgqrs._name``), by name."""
    found: dict[str, Function] = {}
    for match in _CREATE.finditer(script):
        name = match.group(1)
        open_at = match.end() - 1
        close_at = _close_paren(script, open_at)
        rest = script[close_at + 1 :]
        returns = re.match(r"\s*returns (.*?)\n(?:language)", rest, re.S)
        volatility = _VOLATILITY.search(rest)
        comment = None
        for found_comment in _COMMENT.finditer(script, close_at):
            if found_comment.group(1) == name:
                comment = found_comment
                break
        if returns is None or volatility is None or comment is None:
            raise RouteError(f"{where}: cannot read the header of pgqrs.{name}")
        if name in found:
            raise RouteError(f"{where}: pgqrs.{name} is overloaded; route overloads by hand")
        start = _with_contract(script, match.start())
        found[name] = Function(
            name=name,
            params_text=script[open_at + 1 : close_at],
            params=_split_params(script[open_at + 1 : close_at]),
            returns=_normal(returns.group(1)),
            returns_text=returns.group(1),
            volatility=volatility.group(1),
            block=script[start : comment.end()],
            comment=comment.group(0),
        )
    return found


def routes(text: str) -> dict[str, list[str]]:
    """The routing table: function name -> its route's words."""
    table: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, *route = line.split()
        if not route:
            raise RouteError(f"routes.txt:{number}: {name} has no route")
        if name in table:
            raise RouteError(f"routes.txt:{number}: {name} is routed twice")
        table[name] = route
    return table


def building() -> str:
    found = re.search(r"^default_version = '([^']+)'", (SQL / "pgqrs.control").read_text(), re.M)
    if found is None:
        raise RouteError("sql/pgqrs.control has no default_version")
    return found.group(1)


# -- what each route generates -----------------------------------------------------------------


def _args(fn: Function) -> str:
    return ", ".join(p.name for p in fn.params)


def _wrapped_args(fn: Function) -> str:
    """The arguments of a call, one per line."""
    return ",\n".join(f"          {p.name}" for p in fn.params)


def _bare_params(fn: Function, shard: bool = False) -> str:
    params = [f"{p.name} {p.type}" for p in fn.params]
    if shard:
        params.insert(0, "p_shard integer")
    return ", ".join(params)


def _header(name: str, params: str, returns: str, language: str, volatility: str) -> str:
    if language == "plproxy":
        volatility = "volatile"  # PL/Proxy refuses anything else
    return (
        f"create function {name}({params})\n"
        f"returns {returns}\n"
        f"language {language}\n"
        f"{volatility}\n"
        "security definer\n"
        "set search_path = pg_catalog, pg_temp\n"
    )


def _setof(fn: Function) -> str:
    return fn.returns_text if fn.setof else f"setof {fn.returns}"


def _remote_select(fn: Function) -> str:
    if fn.setof:
        return f"select * from pgqrs.{fn.name}({_args(fn)})"
    return f"select pgqrs.{fn.name}({_args(fn)}) as {fn.name}"


def helpers(fn: Function, *, every: bool) -> str:
    """pgqrs_proxy.on_NAME(p_shard, ...): NAME on one shard; with ``every``, also
    pgqrs_proxy.all_NAME(...): NAME on every shard (PL/Proxy RUN ON ALL: all must answer)."""
    drop = f"drop function if exists pgqrs_proxy.on_{fn.name}(integer{_types_tail(fn)});\n"
    on = (
        drop
        + f"-- on_{fn.name}(shard, ...): pgqrs.{fn.name} on that shard.\n"
        + _header(
            f"pgqrs_proxy.on_{fn.name}",
            _bare_params(fn, True),
            fn.returns_text,
            "plproxy",
            fn.volatility,
        )
        + "as $$\n"
        f"    cluster '{CLUSTER}';\n"
        "    run on p_shard;\n"
        f"    {_remote_select(fn)};\n"
        "$$;\n"
        f"comment on function pgqrs_proxy.on_{fn.name}(integer{_types_tail(fn)}) is\n"
        f"    'pgqrs.{fn.name} on one shard.';\n"
    )
    if not every:
        return on
    every_text = (
        f"drop function if exists pgqrs_proxy.all_{fn.name}({_types(fn)});\n"
        f"-- all_{fn.name}(...): pgqrs.{fn.name} on every shard, their rows together.\n"
        + _header(
            f"pgqrs_proxy.all_{fn.name}", _bare_params(fn), _setof(fn), "plproxy", fn.volatility
        )
        + "as $$\n"
        f"    cluster '{CLUSTER}';\n"
        "    run on all;\n"
        f"    {_remote_select(fn)};\n"
        "$$;\n"
        f"comment on function pgqrs_proxy.all_{fn.name}({_types(fn)}) is\n"
        f"    'pgqrs.{fn.name} on every shard.';\n"
    )
    return on + "\n" + every_text


def _types(fn: Function) -> str:
    return ", ".join(p.type for p in fn.params)


def _types_tail(fn: Function) -> str:
    return "".join(f", {p.type}" for p in fn.params)


def _arg(fn: Function, name: str, route: list[str]) -> str:
    if name not in {p.name for p in fn.params}:
        raise RouteError(f"{fn.name}: route {' '.join(route)!r} names no parameter {name}")
    return name


# Every API function of the proxy raises the errors it catches again without PL/Proxy's
# prefixes (pgqrs_proxy._raise_remote): the same message, detail and hint as on a shard.
DECLARE = (
    "declare\n    v_state   text;\n    v_message text;\n    v_detail  text;\n    v_hint    text;\n"
)
HANDLER = (
    "exception when others then\n"
    "    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,\n"
    "                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;\n"
    "    perform pgqrs_proxy._raise_remote(v_state, v_message, v_detail, v_hint);\n"
)


def _public(fn: Function, call: str, where: str) -> str:
    """The proxy's pgqrs.NAME: a PL/pgSQL function that runs ``call`` (statements)."""
    contract = (
        f"-- {fn.name} through the proxy: {where}.\n"
        f"-- The contract is pgqrs.{fn.name}'s on a shard (docs/sql-api.md; docs/scale-out.md).\n"
    )
    return (
        contract
        + _header(f"pgqrs.{fn.name}", fn.params_text, fn.returns_text, "plpgsql", fn.volatility)
        + "as $$\n"
        + DECLARE
        + "begin\n"
        + call
        + HANDLER
        + "end\n"
        + "$$;\n"
        + fn.comment
    )


def _on_call(fn: Function, shard: str) -> str:
    """Statements that run NAME on one shard and return what it returns."""
    args = ", ".join([shard, *(p.name for p in fn.params)])
    call = f"pgqrs_proxy.on_{fn.name}({args})"
    if fn.setof:
        return f"    return query select * from {call};\n"
    if fn.returns == "void":
        return f"    perform {call};\n"
    return f"    return {call};\n"


def generated(fn: Function, route: list[str]) -> str:
    """The proxy's pgqrs.NAME for a generated route."""
    kind, *words = route
    write = fn.volatility == "volatile"
    if kind == "id":
        target = _arg(fn, words[0], route) if words else ""
        if len(words) == 1:
            shard = f"pgqrs_proxy.{'_route_write' if write else '_route'}({target})"
        elif len(words) == 3 and words[1] in ("also", "new"):
            other = _arg(fn, words[2], route)
            shard = f"pgqrs_proxy._route_{words[1]}({target}, {other})"
        else:
            raise RouteError(f"{fn.name}: bad route {' '.join(route)!r}")
        return _public(fn, _on_call(fn, shard), f"runs on the shard of {target}")
    if kind == "create" and len(words) == 2:
        ident, key = (_arg(fn, w, route) for w in words)
        shard = f"pgqrs_proxy._route_create({ident}, {key})"
        where = f"runs on the shard of {ident}, else of {key}, else on a random one"
        return _public(fn, _on_call(fn, shard), where)
    if kind == "key" and len(words) == 1:
        value = _arg(fn, words[0], route)
        shard = f"pgqrs_proxy.{'_route_key' if write else '_hash'}({value})"
        return _public(fn, _on_call(fn, shard), f"runs on the shard that owns {value}")
    if kind == "all":
        rest = " ".join(words)
        source = f"pgqrs_proxy.all_{fn.name}({_args(fn)}) r"
        if fn.setof:
            order = re.match(r"(?i)^(?:order by (.*?))?\s*(?:limit (\w+))?$", rest)
            if order is None:
                raise RouteError(f"{fn.name}: bad route {' '.join(route)!r}")
            call = f"    return query\n        select * from {source}\n"
            if order.group(1):
                keys = ", ".join(f"r.{key.strip()}" for key in order.group(1).split(","))
                call += f"         order by {keys.lower()}\n"
            if order.group(2):
                call += f"         limit {order.group(2)}\n"
            call = call.rstrip("\n") + ";\n"
            where = "runs on every shard, their rows merged" + (f":\n--   {rest}" if rest else "")
        else:
            if not re.fullmatch(r"[a-z_]+", rest):
                raise RouteError(f"{fn.name}: a scalar 'all' route needs an aggregate")
            call = f"    return (select {rest}(r) from {source});\n"
            where = f"runs on every shard, the answers combined by {rest}"
        return _public(fn, call, where)
    raise RouteError(f"{fn.name}: unknown route {' '.join(route)!r}")


def local(fn: Function) -> str:
    """The shard's own function, run on the proxy (it must touch no table)."""
    if re.search(r"\b(from|join|update|into)\s+pgqrs\.", fn.block.split("as $$", 1)[1]):
        raise RouteError(f"{fn.name}: a 'local' function must not read pgqrs tables")
    return fn.block


def check(
    api: dict[str, Function], table: dict[str, list[str]], custom: dict[str, Function]
) -> None:
    """Raise RouteError unless every public function has a route, every route a function, and
    every custom function the shard's signature and comment, and raises errors as a shard."""
    problems = [f"pgqrs.{n} has no route in sql/proxy/routes.txt" for n in api if n not in table]
    problems += [
        f"routes.txt routes {n}, which is no public function" for n in table if n not in api
    ]
    for name, fn in custom.items():
        shard = api.get(name)
        if table.get(name, [""])[0] != "custom" or shard is None:
            problems.append(f"10_functions.sql defines pgqrs.{name}, which is not routed custom")
            continue
        header = (_normal(fn.params_text), fn.returns, fn.volatility)
        if header != (_normal(shard.params_text), shard.returns, shard.volatility):
            problems.append(f"10_functions.sql: pgqrs.{name} has not the shard's signature")
        elif _normal(shard.comment) != _normal(fn.comment):
            problems.append(f"10_functions.sql: pgqrs.{name} has another comment on function")
        elif re.search(r"pgqrs_proxy\.(on|all)_", fn.block) and "_raise_remote" not in fn.block:
            problems.append(
                f"10_functions.sql: pgqrs.{name} raises shards' errors as PL/Proxy does"
            )
    problems += [
        f"pgqrs.{name} is routed custom but 10_functions.sql does not define it"
        for name, route in table.items()
        if route[0] == "custom" and name not in custom
    ]
    if problems:
        raise RouteError("\n".join(problems))


def generate() -> dict[Path, str]:
    version = building()
    api = functions((SQL / f"pgqrs--{version}.sql").read_text(), f"pgqrs--{version}.sql")
    table = routes(ROUTES.read_text())
    custom_text = (PROXY / "src" / "10_functions.sql").read_text()
    custom = functions(custom_text, "sql/proxy/src/10_functions.sql")
    check(api, table, custom)

    parts = [
        f"-- pgqrs {version} proxy: the pgqrs API of a cluster of shards, through PL/Proxy.\n"
        "--\n"
        "-- GENERATED by tools/gen_proxy.py from sql/proxy/routes.txt, sql/proxy/src/ and the\n"
        f"-- public functions of sql/pgqrs--{version}.sql. Do not edit this file: edit those and\n"
        "-- run `make gen` (`make lint` fails while it is stale). docs/scale-out.md explains.\n"
        "--\n"
        "-- Install it into the proxy database (pgqrs cluster init does, and records the shards).\n"
        "-- It may run again over an older one: it replaces schema pgqrs (functions only; grant\n"
        "-- EXECUTE to your roles again) and keeps pgqrs_proxy's tables.\n"
        "--\n\n"
        "-- sql/proxy/src/00_cluster.sql " + "-" * 69 + "\n\n",
        (PROXY / "src" / "00_cluster.sql").read_text().rstrip("\n") + "\n",
        "\n-- PL/Proxy helpers (generated) " + "-" * 69 + "\n\n",
    ]
    for name, fn in api.items():
        if table[name][0] != "local":
            parts.append(helpers(fn, every=table[name][0] in ("custom", "all")) + "\n")
    parts.append(
        "-- Schema pgqrs: the API (generated) " + "-" * 64 + "\n\n"
        "drop schema if exists pgqrs cascade;\n"
        "create schema pgqrs;\n"
        "comment on schema pgqrs is 'pgqrs proxy: the pgqrs API over the shards of "
        "pgqrs_proxy.shards. See docs/scale-out.md.';\n"
        "revoke all on schema pgqrs from public;\n"
    )
    for name, fn in api.items():
        route = table[name]
        if route[0] == "custom":
            text = custom[name].block
        elif route[0] == "local":
            text = local(fn)
        else:
            text = generated(fn, route)
        parts.append("\n" + text)
    parts.append(
        "\n-- Nothing is executable by PUBLIC: grant EXECUTE on the functions of schema pgqrs to\n"
        '-- application roles, as on a single server (docs/sql-api.md, "Roles").\n'
        "revoke all on all functions in schema pgqrs from public;\n"
        "revoke all on all functions in schema pgqrs_proxy from public;\n"
    )
    return {PROXY / f"pgqrs-proxy--{version}.sql": "".join(parts)}


def main(argv: list[str]) -> int:
    try:
        outputs = generate()
    except RouteError as exc:
        print(f"gen_proxy: {exc}", file=sys.stderr)
        return 1
    stale = []
    for path, text in outputs.items():
        if "--check" in argv:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.write_text(text)
    if stale:
        print(f"gen_proxy: out of date: {', '.join(stale)}: run `make gen`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
