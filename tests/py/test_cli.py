"""The pgqrs command line."""

from __future__ import annotations

import subprocess
import sys


def _pgqrs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pgqrs", *args], capture_output=True, text=True, timeout=60
    )


def test_install_and_version(empty_dsn: str) -> None:
    first = _pgqrs("--dsn", empty_dsn, "install")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "applied pgqrs--0.1.0.sql"
    again = _pgqrs("--dsn", empty_dsn, "install")
    assert again.stdout.strip() == "pgqrs is up to date"
    version = _pgqrs("--dsn", empty_dsn, "version")
    assert version.stdout.strip() == "0.1.0"


def test_missing_dsn_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pgqrs", "install"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert "no database" in done.stderr
