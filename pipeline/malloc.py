"""The C allocator's settings for a run: keep freed memory for reuse instead of handing it back.

spaCy allocates its batch arrays (token vectors, parser states) afresh for every batch, and frees
them at its end. glibc's malloc gives freed memory at the top of its heap back to the kernel once
it exceeds a small threshold (and serves blocks above another threshold with their own mmap), so
the next batch faults every page in again. A parse worker keeps nothing between batches, so its
heap shrinks back every time, and the settings below save most of those page faults and the kernel
time they cost (docs/performance.md; a one-process run gains less, since what it keeps pins the
heap's top). Forked workers inherit the settings.

What it costs: a process may keep up to `TRIM_THRESHOLD` of freed memory it no longer uses.
Where the C library is not glibc this does nothing; a `MALLOC_*_` environment variable of the
user's (glibc's own tunables) wins over these settings. Dask workers are not forked from the run,
so the parse sets it in each of them too.
"""

from __future__ import annotations

import ctypes
import os
import platform

#: glibc mallopt parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3

#: Free memory at the top of the heap kept rather than returned to the kernel.
TRIM_THRESHOLD = 128 << 20
#: Extra memory asked of the kernel each time the heap grows (fewer, larger growths).
TOP_PAD = 16 << 20
#: Blocks below this come from the heap (reused) rather than their own mmap (faulted in anew).
#: glibc's own threshold moves up to this size as mmapped blocks are freed, but starts at 128 KB.
MMAP_THRESHOLD = 32 << 20

#: The environment variables that set the same parameters (the user's choice wins).
ENVIRONMENT = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_")


def keep_freed_memory(
    *, trim_threshold: int = TRIM_THRESHOLD, top_pad: int = TOP_PAD, mmap_threshold: int = MMAP_THRESHOLD
) -> bool:
    """Set glibc's malloc to keep freed memory for reuse; returns whether the settings were applied."""
    for name, value in (("trim_threshold", trim_threshold), ("top_pad", top_pad), ("mmap_threshold", mmap_threshold)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative number of bytes, got {value!r}")
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc" or any(v in os.environ for v in ENVIRONMENT):
        return False
    libc = ctypes.CDLL(None)  # this process's own symbols: glibc's mallopt among them (no ldconfig lookup)
    applied = [
        libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold),
        libc.mallopt(M_TRIM_THRESHOLD, trim_threshold),
        libc.mallopt(M_TOP_PAD, top_pad),
    ]
    return all(r == 1 for r in applied)
