"""How the CLI and the dashboard write a duration for a reader: ``45s``, ``3m12s``, ``2h05m``."""

from __future__ import annotations


def span(seconds: float, *, fine: bool = False) -> str:
    """A duration, coarsely: ``45s``, ``3m12s``, ``2h05m``, ``3d04h``. With ``fine``, one under
    ten seconds keeps its fraction (``850ms``, ``2.5s``): a step's run, not an age."""
    if fine and seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if fine and seconds < 10:
        return f"{seconds:.1f}s"
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"
