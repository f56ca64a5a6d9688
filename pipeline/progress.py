"""Progress bars for the long stages: a tqdm bar on a terminal, nothing otherwise.

The stages report progress through a plain callback (`advance(n)`), so the stage functions stay
free of I/O and work the same whether or not anyone watches. The CLI turns bars on only when
stderr is a terminal and `--quiet` is not given, so logs and CI output stay clean.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: What a stage calls as work gets done: the number of units (articles, pairs) just finished.
Advance = Callable[[int], object]


def _ignore(n: int) -> None:
    return None


@contextlib.contextmanager
def progress_bar(total: int, *, desc: str, unit: str, enabled: bool) -> Iterator[Advance]:
    """An `advance(n)` callback drawing a bar of `total` `unit`s labelled `desc`, closed on exit."""
    if total < 0:
        raise ValueError(f"total must be a non-negative integer, got {total!r}")
    if not enabled:
        yield _ignore
        return
    from tqdm import tqdm  # imported only when a bar is drawn

    with tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True) as bar:
        yield bar.update


def counted(items: Iterable[T], advance: Advance | None) -> Iterator[T]:
    """`items` unchanged, calling `advance(1)` after each one is consumed."""
    if advance is None:
        yield from items
        return
    for item in items:
        yield item
        advance(1)
