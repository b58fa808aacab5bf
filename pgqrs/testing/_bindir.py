"""Where the system's PostgreSQL server binaries are (``find_bindir``)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from ._server import ClusterError


def _major_version(bindir: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def find_bindir(version: int | None = None) -> Path:
    """Find PostgreSQL server binaries (a directory with ``initdb``, ``pg_ctl``, ``postgres``).

    Looks at ``$PGQRS_PG_BINDIR``, ``pg_config --bindir``, then ``/usr/lib/postgresql/*/bin``
    (highest version first). With ``version``, only binaries of that major version qualify.
    """
    candidates: list[Path] = []
    if env := os.environ.get("PGQRS_PG_BINDIR"):
        candidates.append(Path(env))
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted(
            (p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: -int(p.name)
        )
        if version is not None:
            versions = [p for p in versions if int(p.name) == version]
        candidates.extend(p / "bin" for p in versions)
    for bindir in candidates:
        if not all((bindir / exe).is_file() for exe in ("initdb", "pg_ctl", "postgres")):
            continue
        if version is None or _major_version(bindir) == version:
            return bindir
    wanted = f"PostgreSQL {version}" if version else "PostgreSQL"
    pkg = f"postgresql-{version or 15}"
    raise ClusterError(
        f"no {wanted} server binaries found (tried {', '.join(map(str, candidates)) or 'nothing'});"
        f" install them (Debian: apt-get install {pkg}) or set PGQRS_PG_BINDIR"
    )
