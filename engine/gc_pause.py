"""Pausing Python's cyclic garbage collector while a run builds many objects: the one place it is done.

Evaluation and a ``check`` run allocate hundreds of thousands of objects (findings, their evidence,
resource references, the rendered output) and none of them form reference cycles, so a collection
during a run finds nothing to free and only costs time: each full collection walks every live
object, the whole inventory included. Evaluating the built-in library over the benchmark's
100,000-resource inventory (``bench/run.py``; the inventory held in memory, examples/ownership.yaml)
took 1.99 s with the collector on and 1.10 s paused, median of 5, on a 2-core machine; reference
counting frees everything as usual either way. :func:`paused_gc` is used by
:func:`engine.evaluate` (for every caller of the library), by loading an inventory (parsing allocates
millions of objects) and by the ``check`` command (for the whole command: loading, evaluation and
writing the output).

A process that loads its inventory once and keeps it to the end, as ``check`` does, also calls
:func:`freeze_tracked` after loading (``load_inventory(..., freeze_gc=True)``): the collector then never
walks those objects again, whenever it next runs.

No other module of ``engine`` calls ``gc.disable``, ``gc.enable`` or ``gc.freeze``
(``tests/test_gc_pause.py`` checks it).
"""

from __future__ import annotations

import gc


class paused_gc:  # noqa: N801 - used as a function: ``with paused_gc():``
    """The cyclic collector off inside the block, and back as it was after (nested blocks are no-ops).

    Written as a class rather than with ``contextlib``: re-enabling is the very last thing its exit
    does. Objects allocated while the collector is paused count towards its next collection, which
    the first allocation after ``gc.enable()`` starts; a generator-based context manager allocates
    on its way out and would run that collection (a full one, over the whole inventory: 60 ms in the
    benchmark) inside the block's caller rather than wherever the caller next allocates.
    """

    __slots__ = ("collecting",)

    def __enter__(self) -> None:
        self.collecting = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info) -> None:
        if self.collecting:
            gc.enable()


def freeze_tracked() -> None:
    """Move every object the cyclic collector now tracks to its permanent generation (``gc.freeze()``).

    Later collections skip them, so they cost nothing however often the collector runs afterwards.
    For objects kept to the end of the process and holding no reference cycles (a loaded inventory):
    frozen objects are still freed by reference counting, but a cycle among them would never be
    collected, and ``gc.unfreeze()`` is the only way back.
    """
    gc.freeze()
