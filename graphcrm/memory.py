"""Memory housekeeping for the large in-memory graphs of the projection and the analytics."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small objects are built or scanned.

    Each full collection walks every live container, which for a million-customer projection is
    tens of millions of dicts and tuples; the repeated passes cost about a quarter of the
    projection time and up to half of an analysis. Reference counting still frees everything
    promptly; cycles made meanwhile are collected when the collector resumes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
