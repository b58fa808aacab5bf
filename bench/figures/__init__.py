"""The figures of ``make bench``, by the number they have in the table and in
docs/performance.md.

A figure is one module here with one ``async def fig_...(env: Env) -> list[Figure]``: it runs its
measurements against a floor measured in the same run (helpers in bench/_common.py), reports its
progress, and returns its rows of the table. bench/run.py runs the figures of :data:`FIGURES` in
order (``--only`` picks some), and records a figure that raises as an error of the run. Adding a
figure: its module, and one line in :data:`FIGURES`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from _common import Env, Figure

from figures.bulk import fig_bulk
from figures.counts import fig_counts
from figures.horizon import fig_horizon
from figures.large import fig_large
from figures.latency import fig_latency
from figures.queues import fig_queues
from figures.replay import fig_replay
from figures.retention import fig_retention
from figures.scale_out import fig_proxy_step_cost, fig_shards_throughput
from figures.step_cost import fig_step_cost
from figures.storage import fig_storage
from figures.throughput import fig_throughput

#: number -> (title, figure function)
FIGURES: dict[int, tuple[str, Callable[[Env], Awaitable[list[Figure]]]]] = {
    1: ("step cost", fig_step_cost),
    2: ("statements and commits per step", fig_counts),
    3: ("replay", fig_replay),
    4: ("throughput", fig_throughput),
    5: ("pickup latency", fig_latency),
    6: ("storage", fig_storage),
    7: ("cost with a large database", fig_large),
    8: ("throughput with the xmin horizon pinned", fig_horizon),
    9: ("retention: the hot path while pruning", fig_retention),
    10: ("bulk start", fig_bulk),
    11: ("claims with queues", fig_queues),
    12: ("step cost through a proxy", fig_proxy_step_cost),
    13: ("throughput through a proxy over 1, 2 and 3 shards", fig_shards_throughput),
}
