"""Order-preserving map over forked worker processes, for the work after parsing.

The parse has its own pool (pipeline.parse). After it, the per-article stages (mentions, timexes,
claims), the claims' text analyses and the pair judging of dedup and conflicts are independent per
item too. `ordered_map` runs such a function in `processes` forked workers:

* the function is inherited through fork, never pickled, so closures over the loaded model, the
  parse cache and the scorers work as they are; only items and results travel (pickled);
* results come back in input order, so outputs are identical to a one-process run;
* at most `window` chunks are in flight, so a streamed input is not read far ahead.

With one process (or where fork is unavailable) it is a plain in-process map.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: The function the forked workers apply (set before the pool forks, inherited by the workers).
_TASK: Callable[[Any], Any] | None = None


def _run_chunk(chunk: list[Any]) -> list[Any]:
    assert _TASK is not None
    return [_TASK(item) for item in chunk]


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the objects that exist now out of the cyclic collector while forked workers run.

    A forked worker shares the parent's memory until it writes to it; a collection in the worker
    walks (and so writes to) every object, copying the loaded model and parse cache page by page.
    ``gc.freeze`` spares the workers that walk; the parent's objects are unfrozen afterwards, unless
    an enclosing ``frozen_heap`` (a whole run's) still holds them.
    """
    outer = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not outer:
            gc.unfreeze()


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Pool initializer: on Linux, a worker gets SIGKILL when the run that forked it dies (even by
    `kill -9`), so no orphan outlives it holding the output folder's lock or the CPU."""
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # no prctl here: the lock is still released (see io)
        return
    if os.getppid() == 1:  # the parent died before the call: nothing will signal us
        os._exit(1)


def can_fork() -> bool:
    """Whether worker processes can inherit the parent's state (POSIX fork start method)."""
    return "fork" in multiprocessing.get_all_start_methods()


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    processes: int = 1,
    chunk_size: int = 1,
    window: int | None = None,
) -> Iterator[R]:
    """`fn` over `items`, in `processes` forked workers, yielding results in input order."""
    if processes < 1:
        raise ValueError(f"processes must be a positive integer, got {processes!r}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if processes == 1 or not can_fork():
        yield from map(fn, items)
        return
    global _TASK
    if _TASK is not None:  # a nested call inside a worker or another map: stay in this process
        yield from map(fn, items)
        return
    limit = window or processes * 4
    iterator = iter(items)
    chunks = iter(lambda: list(islice(iterator, chunk_size)), [])  # until a chunk comes back empty
    _TASK = fn
    try:
        context = multiprocessing.get_context("fork")
        with frozen_heap(), concurrent.futures.ProcessPoolExecutor(
            max_workers=processes, mp_context=context, initializer=die_with_parent
        ) as pool:
            pending: deque[concurrent.futures.Future[list[Any]]] = deque()
            for chunk in chunks:
                pending.append(pool.submit(_run_chunk, chunk))
                if len(pending) >= limit:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        _TASK = None
