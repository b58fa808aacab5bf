"""Every ```python block of README.md and docs/*.md runs, as a reader would paste it.

A block is a script: it runs on its own, with ``$PGQRS_DSN`` naming a fresh database (so
``pgqrs.connect()`` finds it) and a temporary directory as the current one. Top-level ``await``
is allowed, as in ``python -m asyncio``. An HTML comment on the line before the block changes
that, and is checked here:

* ``<!-- doc-test: continue -->``: the block goes on from the previous block of the page, in the
  same namespace and event loop (the same ``python -m asyncio`` session);
* ``<!-- doc-test: pytest -->``: the block is a test file; it runs under pytest with
  ``pgqrs.pytest_plugin``, against this session's server;
* ``<!-- doc-test: fragment: WHY -->``: the block is intentionally partial (WHY says why); it
  must still compile.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import re
import subprocess
import sys
import types
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pgqrs.testing import Server, create_database, drop_database

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```$", re.M | re.S)
MARK = re.compile(r"^<!-- doc-test: (continue|pytest|fragment: (?P<why>\S.*?)) -->$")
ANY_MARK = re.compile(r"<!--\s*doc-test")
MODES = ("script", "continue", "pytest", "fragment")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    code: str
    mode: str
    why: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO_ROOT)}:{self.line}"


def _blocks() -> list[Block]:
    found = []
    for path in PAGES:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            line = text[: match.start()].count("\n") + 1
            marked = MARK.match(before)
            if marked is None:
                assert not ANY_MARK.search(before), f"{path}:{line}: malformed mark {before!r}"
                found.append(Block(path, line, match.group(1), "script"))
            else:
                mode = marked.group(1).split(":")[0]
                found.append(Block(path, line, match.group(1), mode, marked.group("why")))
    return found


BLOCKS = _blocks()


def _chains() -> list[list[Block]]:
    chains: list[list[Block]] = []
    for block in BLOCKS:
        if block.mode == "script":
            chains.append([block])
        elif block.mode == "continue":
            assert chains and chains[-1][0].path == block.path, (
                f"{block.where}: 'continue' needs a script block before it on the same page"
            )
            chains[-1].append(block)
    return chains


CHAINS = _chains()


@pytest.fixture
def doc_dsn(
    pg_server: Server, template_dsn: str, monkeypatch: Any, tmp_path: Path
) -> Iterator[str]:
    """A fresh database as $PGQRS_DSN, and a temporary current directory."""
    name = f"t_doc_{uuid.uuid4().hex[:12]}"
    dsn = create_database(pg_server.dsn, name, template="pgqrs_template")
    monkeypatch.setenv("PGQRS_DSN", dsn)
    monkeypatch.chdir(tmp_path)
    try:
        yield dsn
    finally:
        drop_database(pg_server.dsn, name)


def _run(block: Block, namespace: dict[str, Any], runner: asyncio.Runner) -> None:
    code = compile(
        block.code, block.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )
    if code.co_flags & inspect.CO_COROUTINE:
        runner.run(eval(code, namespace))
    else:
        exec(code, namespace)


@pytest.mark.parametrize("chain", CHAINS, ids=[chain[0].where for chain in CHAINS])
def test_python_block_runs(chain: list[Block], doc_dsn: str, monkeypatch: Any) -> None:
    # A module of its own, as a script has (dataclasses and typing look their module up).
    module = types.ModuleType("pgqrs_doc_block")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    with asyncio.Runner() as runner:
        for block in chain:
            try:
                _run(block, module.__dict__, runner)
            except BaseException as exc:
                raise AssertionError(f"{block.where} raised {type(exc).__name__}: {exc}") from exc


FRAGMENTS = [block for block in BLOCKS if block.mode == "fragment"]


@pytest.mark.parametrize("block", FRAGMENTS, ids=[b.where for b in FRAGMENTS])
def test_a_fragment_says_why_and_compiles(block: Block) -> None:
    assert block.why and len(block.why) > 10, f"{block.where}: say why the block is partial"
    compile(block.code, block.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


PYTEST_BLOCKS = [block for block in BLOCKS if block.mode == "pytest"]


@pytest.mark.parametrize("block", PYTEST_BLOCKS, ids=[b.where for b in PYTEST_BLOCKS])
def test_a_test_file_block_passes_under_pytest(
    block: Block, pg_server: Server, tmp_path: Path
) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["pgqrs.pytest_plugin"]\n')
    (tmp_path / "test_from_docs.py").write_text(block.code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PGQRS_")}
    env["PGQRS_TEST_DSN"] = pg_server.dsn
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, f"{block.where}:\n{done.stdout}\n{done.stderr}"
    assert " passed" in done.stdout


def test_every_block_is_accounted_for() -> None:
    assert BLOCKS, "no python blocks found"
    assert {block.mode for block in BLOCKS} <= set(MODES)
    ran = sum(len(chain) for chain in CHAINS) + len(FRAGMENTS) + len(PYTEST_BLOCKS)
    assert ran == len(BLOCKS)
    # Partial blocks are the exception: most of the documentation runs as written.
    assert len(FRAGMENTS) * 4 <= len(BLOCKS), [b.where for b in FRAGMENTS]


LINK = re.compile(r"\]\(([^)\s]+)\)")
REPOSITORY = "https://github.com/pgqrs/pgqrs/blob/main/"


def test_readme_links_resolve_outside_the_repository() -> None:
    """README.md is the long description on PyPI: its links are absolute, and those into this
    repository name files that exist."""
    for target in LINK.findall((REPO_ROOT / "README.md").read_text(encoding="utf-8")):
        assert target.startswith(("https://", "#")), f"README.md links to {target!r}"
        if target.startswith(REPOSITORY):
            path = target.removeprefix(REPOSITORY).split("#")[0]
            assert (REPO_ROOT / path).exists(), f"README.md links to a missing {path}"
