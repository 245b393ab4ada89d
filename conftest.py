"""Root pytest configuration, shared by the unit tests and the nbval notebook runs."""

from __future__ import annotations

import os

# Kernels started by nbval inherit this: a fixed hash seed keeps any set/dict-of-str order stable.
os.environ.setdefault("PYTHONHASHSEED", "0")
# grad.viz.show_backward shows static frames, not a live slider, so stored outputs can be compared.
os.environ["GRAD_STATIC_OUTPUTS"] = "1"

# nbval compares text outputs exactly. Graph pictures (SVG, and HTML that embeds SVG) change with the
# Graphviz version, so they are not compared; PNG plots are already skipped by nbval.
NBVAL_SKIP = ("image/svg+xml", "text/html")


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        parent = getattr(item, "parent", None)
        if parent is not None and hasattr(parent, "skip_compare"):
            if not set(NBVAL_SKIP) <= set(parent.skip_compare):
                parent.skip_compare = tuple(parent.skip_compare) + NBVAL_SKIP
