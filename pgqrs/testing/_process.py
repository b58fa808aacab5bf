"""Process control for local clusters: free ports, polling with a deadline, pid checks,
children, killing a postmaster and its backends, OS users.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from ._server import ClusterError


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(
    ready: Callable[[], bool], timeout: float, what: str, on_timeout: Callable[[], str]
) -> None:
    """Poll ``ready`` with a short back-off until it returns True or ``timeout`` expires."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while not ready():
        if time.monotonic() > deadline:
            raise ClusterError(f"timed out after {timeout:.0f}s waiting for {what}\n{on_timeout()}")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def can_connect(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


def wait_connectable(dsn: str, timeout: float, on_timeout: Callable[[], str]) -> None:
    wait_until(lambda: can_connect(dsn), timeout, "the server to accept connections", on_timeout)


def _proc_state(pid: int) -> str | None:
    """Linux process state letter ('R', 'S', 'Z', ...), None if gone, '?' if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return "?"
    return stat.rsplit(")", 1)[1].split()[0]


def pid_alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie counts as dead: its parent may never reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return _proc_state(pid) not in (None, "Z", "X")


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc on Linux, else ``pgrep -P``)."""
    proc = Path("/proc")
    if proc.is_dir():
        kids: list[int] = []
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry.name))
        return kids
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in out.stdout.split()]


def postmaster_pid(data_dir: Path) -> int | None:
    try:
        first = (data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return None
    return int(first) if first.strip().isdigit() else None


def kill_postmaster(data_dir: Path) -> list[int]:
    """SIGKILL the postmaster of ``data_dir`` and all its children; return their pids.

    Every PostgreSQL child makes itself a process group leader, so a group kill would miss
    them. The postmaster is stopped first, so that it cannot fork while its children are
    listed, and no process gets to shut down cleanly: it is a crash.
    """
    pid = postmaster_pid(data_dir)
    if pid is None or not pid_alive(pid):
        return []
    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        return []
    # Children first: a child that outlives its postmaster by a moment notices, and says
    # "terminating connection due to unexpected postmaster exit" to its client.
    pids = [*_children(pid), pid]
    for each in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(each, signal.SIGKILL)
    return pids


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
