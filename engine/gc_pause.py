"""Pausing Python's cyclic garbage collector while a run builds many objects: the one place it is done.

Evaluation and a ``check`` run allocate hundreds of thousands of objects (findings, their evidence,
resource references, the rendered output) and none of them form reference cycles, so a collection
during a run finds nothing to free and only costs time: each full collection walks every live
object, the whole inventory included. Evaluating the built-in library over the benchmark's
100,000-resource inventory (``bench/run.py``; the inventory held in memory, examples/ownership.yaml)
took 1.99 s with the collector on and 1.10 s paused, median of 5, on a 2-core machine; reference
counting frees everything as usual either way. :func:`paused_gc` is used by
:func:`engine.evaluate` (for every caller of the library) and by the ``check`` command (for the
whole command: loading, evaluation and writing the output).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic collector off inside the block, and back as it was after (nested blocks are no-ops)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
