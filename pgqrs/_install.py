"""The install scripts this package ships, the plan that brings a database to the newest one,
and the check that an installed schema fits this client."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from . import errors

# This client's release: the one source of the version (pyproject.toml reads it from here, see
# [tool.hatch.version]). It needs a schema at least as new as the newest script it ships
# (Scripts.latest).
CLIENT_VERSION = "0.2.0"

# The distribution on PyPI ("pgqrs" there is another project); the import name is pgqrs.
DISTRIBUTION = "pgqrs-workflows"

# How a DBA runs the scripts this package ships without Python on the database side.
PSQL = "psql -X -1 -v ON_ERROR_STOP=1"

_SCRIPT = re.compile(r"^pgqrs--(\d+\.\d+\.\d+)(?:--(\d+\.\d+\.\d+))?\.sql$")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def script_dir() -> Path:
    """Where the install scripts are: ``pgqrs/sql`` in a wheel, ``sql/`` in a source checkout."""
    packaged = Path(str(resources.files("pgqrs"))) / "sql"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "sql"


def version_key(version: str) -> tuple[int, ...]:
    """``'0.10.2'`` -> ``(0, 10, 2)``, for comparing release versions."""
    return _version_key(version)


def upgrade_command(installed: str, target: str, *, extension: bool) -> str:
    """What a user runs to bring a database from ``installed`` to ``target``."""
    if extension:
        return (
            f"install the pgqrs {target} extension files on the server (`pgqrs install "
            '--extension-files "$(pg_config --sharedir)/extension"`), then run '
            f"ALTER EXTENSION pgqrs UPDATE TO '{target}'"
        )
    return (
        f"run `pgqrs install` (or have a DBA run `pgqrs install --print-sql --from {installed} "
        f"| {PSQL}`)"
    )


def not_installed_hint() -> str:
    """What to run on a database without pgqrs."""
    return (
        f"run `pgqrs install` (or have a DBA run `pgqrs install --print-sql | {PSQL}`, or "
        "CREATE EXTENSION pgqrs)"
    )


def check_schema_version(
    installed: str, min_client: str | None, *, client: str, required: str, extension: bool
) -> None:
    """Raise SchemaError unless a client of version ``client``, which needs at least schema
    ``required``, can use a database whose schema is ``installed``.

    A schema older than ``required`` lacks what this client calls. A newer schema serves every
    client from its ``min_client`` on (its expand-only upgrades keep old signatures), so it is
    refused only when ``min_client`` is newer than this client.
    """
    if _version_key(installed) < _version_key(required):
        raise errors.SchemaError(
            f"the database has pgqrs {installed}, older than this client needs ({required}): "
            + upgrade_command(installed, required, extension=extension)
        )
    if min_client is not None and _version_key(min_client) > _version_key(client):
        raise errors.SchemaError(
            f"the database has pgqrs {installed}, which serves clients from {min_client} on; "
            f"this client is {client}: upgrade the pgqrs package "
            f"(pip install '{DISTRIBUTION}>={min_client}')"
        )


@dataclass(frozen=True, slots=True)
class Scripts:
    """The install scripts on disk: full scripts by version and upgrade deltas by (from, to)."""

    full: Mapping[str, Path]
    deltas: Mapping[tuple[str, str], Path]

    @classmethod
    def load(cls, directory: Path | None = None) -> Scripts:
        directory = directory or script_dir()
        full: dict[str, Path] = {}
        deltas: dict[tuple[str, str], Path] = {}
        for path in directory.glob("pgqrs--*.sql"):
            match = _SCRIPT.match(path.name)
            if not match:
                continue
            if match.group(2):
                deltas[(match.group(1), match.group(2))] = path
            else:
                full[match.group(1)] = path
        if not full:
            raise errors.SchemaError(f"no pgqrs install scripts found in {directory}")
        return cls(full, deltas)

    @property
    def latest(self) -> str:
        return max(self.full, key=_version_key)

    @property
    def oldest(self) -> str:
        """The first released version: where every upgrade path starts."""
        return min(self.full, key=_version_key)

    def sql(self, installed: str | None = None) -> str:
        """The SQL that brings a database from ``installed`` (None: no pgqrs) to ``latest``, as
        one script for ``psql -1``: the newest full script, or the upgrade deltas in order."""
        paths = self.plan(None if installed is None else {installed})
        return "\n".join(path.read_text(encoding="utf-8") for path in paths)

    def extension_files(self) -> list[Path]:
        """What ``CREATE EXTENSION pgqrs`` needs in the server's extension directory: the
        control file and every script."""
        directory = next(iter(self.full.values())).parent
        return [directory / "pgqrs.control", *sorted(directory.glob("pgqrs--*.sql"))]

    def plan(self, installed: set[str] | None, *, extension: str | None = None) -> list[Path]:
        """The scripts to run, in order, to bring a database to ``latest``.

        ``installed`` is None when the database has no pgqrs schema, else the ledger's versions.
        ``extension`` is the version of a pgqrs installed with CREATE EXTENSION: such a database
        is upgraded by ALTER EXTENSION only, never by running scripts from here.
        """
        if extension is not None:
            if _version_key(extension) > _version_key(self.latest):
                raise errors.SchemaError(
                    f"the database has the pgqrs extension {extension}, newer than this client "
                    f"supports ({self.latest}); upgrade the pgqrs package"
                )
            if extension != self.latest:
                raise errors.SchemaError(
                    f"pgqrs is installed as an extension ({extension}); this client does not "
                    "upgrade extensions: " + upgrade_command(extension, self.latest, extension=True)
                )
            return []
        if installed is None:
            return [self.full[self.latest]]
        if not installed:
            raise errors.SchemaError("schema pgqrs exists but its ledger is empty")
        current = max(installed, key=_version_key)
        if _version_key(current) > _version_key(self.latest):
            raise errors.SchemaError(
                f"the database has pgqrs {current}, newer than this client supports "
                f"({self.latest}); upgrade the pgqrs package"
            )
        steps: list[Path] = []
        while current != self.latest:
            nxt = [b for (a, b) in self.deltas if a == current]
            if not nxt:
                raise errors.SchemaError(
                    f"no upgrade script from pgqrs {current} towards {self.latest}"
                )
            target = max(nxt, key=_version_key)
            steps.append(self.deltas[(current, target)])
            current = target
        return steps
