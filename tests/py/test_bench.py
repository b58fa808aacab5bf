"""`make bench` keeps working: a quick run of the counting figures, with their invariants.

Timings are not asserted here (the benchmark reports them against a floor); the counts are
deterministic, so the round-trip budget is checked on every `make test`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.pg15_only
def test_bench_counts_meet_the_round_trip_budget(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--quick",
            "--reps",
            "1",
            "--only",
            "1,2,3",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(out.read_text())
    assert results["errors"] == {}
    figures = {f["key"]: f["value"] for f in results["figures"]}
    # A new step: at most 2 statements, one durable commit (WAL flush).
    for api in ("decorators", "lowlevel"):
        assert figures[f"statements_per_step_{api}"] <= 2
        assert figures[f"wal_flushes_per_step_{api}"] <= 1.05
    # Resuming costs the same few statements for 100 or 1,000 finished steps: 0 per step.
    assert figures["replay_1000_statements"] == figures["replay_100_statements"]
    assert figures["statements_per_replayed_step"] == 0
