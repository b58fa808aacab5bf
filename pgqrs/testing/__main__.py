"""``python -m pgqrs.testing``: the command line of ``pgqrs.testing`` (see its ``main``)."""

from __future__ import annotations

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
