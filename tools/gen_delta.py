"""Regenerate the functions of an upgrade script from the two full install scripts.

Usage: python tools/gen_delta.py FROM TO [--check]   (for example: 0.1.0 0.2.0)

``sql/pgqrs--FROM--TO.sql`` has two parts. Everything before the line ``-- New functions ---...``
is written by hand: the header, and the DDL for tables, columns and
indexes. Everything from that line on is generated here from ``sql/pgqrs--FROM.sql`` and
``sql/pgqrs--TO.sql``, so that the upgrade installs exactly the function bodies of the full
script, verbatim:

* a function only in TO is created (with its contract comment) and revoked from PUBLIC;
* a function in both whose text differs is replaced (``create or replace``), or dropped and
  created again when its result type changed;
* a function only in FROM is dropped (private helpers whose signature changed);
* the ledger row for TO is inserted.

A function is identified by its ``comment on function pgqrs.name(types)`` line. With --check,
exit 1 when the script is out of date instead of writing it. tests/py/test_upgrade.py compares
the catalogs of both install paths, so a hand edit that drifts is caught there too.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SQL = Path(__file__).resolve().parent.parent / "sql"
MARKER = "-- New functions"

_CREATE = re.compile(r"^create function (pgqrs\.\w+)\(", re.M)
_COMMENT = re.compile(r"^comment on function (pgqrs\.\w+\([^)]*\)) is(?: |\n)(?:.*\n)*?.*;\n", re.M)
_RETURNS = re.compile(r"^returns (.*?)\n(?:language|as)", re.M | re.S)


def functions(path: Path) -> dict[str, str]:
    """The function blocks of a full install script by identity: the comment lines just above
    ``create function`` through the end of its ``comment on function`` statement."""
    text = path.read_text()
    blocks: dict[str, str] = {}
    for match in _CREATE.finditer(text):
        start = match.start()
        while True:  # take in the contract comment lines right above it
            previous = text.rfind("\n", 0, start - 1) + 1
            if start == 0 or not text[previous:start].startswith("--"):
                break
            start = previous
        comment = _COMMENT.search(text, match.end())
        if comment is None:
            raise SystemExit(f"gen_delta: {path.name}: {match.group(1)} has no comment on it")
        blocks[comment.group(1)] = text[start : comment.end()]
    return blocks


def returns(block: str) -> str:
    found = _RETURNS.search(block)
    return " ".join(found.group(1).split()) if found else ""


def generate(old: str, new: str) -> str:
    before, after = functions(SQL / f"pgqrs--{old}.sql"), functions(SQL / f"pgqrs--{new}.sql")
    target = SQL / f"pgqrs--{old}--{new}.sql"
    text = target.read_text()
    marker = re.search("^" + re.escape(MARKER) + " -+$", text, re.M)
    head = text[: marker.start()] if marker else text
    out = [head.rstrip("\n") + "\n\n", MARKER + " " + "-" * (100 - len(MARKER) - 1) + "\n"]
    dropped = [ident for ident in before if ident not in after]
    recreated = [i for i in after if i in before and returns(before[i]) != returns(after[i])]
    for ident in dropped + recreated:
        out.append(f"\ndrop function {ident};\n")
    created = [i for i in after if i not in before or i in recreated]
    for ident in created:
        out.append("\n" + after[ident])
    replaced = [i for i in after if i in before and i not in recreated and before[i] != after[i]]
    if replaced:
        out.append("\n-- Replaced functions " + "-" * 79 + "\n")
    for ident in replaced:
        out.append("\n" + after[ident].replace("create function", "create or replace function", 1))
    out.append("\n")
    for ident in created:
        out.append(f"revoke all on function {ident} from public;\n")
    out.append(f"\ninsert into pgqrs.ledger (version) values ('{new}');\n")
    return "".join(out)


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    old, new = args
    target = SQL / f"pgqrs--{old}--{new}.sql"
    text = generate(old, new)
    if "--check" in argv:
        if target.read_text() != text:
            print(f"gen_delta: {target.name} is out of date: run tools/gen_delta.py {old} {new}")
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
