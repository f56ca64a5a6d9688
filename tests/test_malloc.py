"""The allocator settings: freed memory is reused, not faulted in again batch after batch."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from pipeline.malloc import ENVIRONMENT, keep_freed_memory

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="the settings are glibc's"
)

#: A worker's pattern: allocate a batch's arrays (200 x 256 KB), free them all, again and again;
#: prints the page faults of the rounds after the first.
BATCHES = """
import json, resource, sys
if sys.argv[1] == "tuned":
    from pipeline.malloc import keep_freed_memory
    assert keep_freed_memory()
def batch():
    arrays = [bytearray(256 * 1024) for _ in range(200)]
    del arrays
batch()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    batch()
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before))
"""


def _faults(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    done = subprocess.run([sys.executable, "-c", BATCHES, mode], env=env, capture_output=True, text=True, check=True)
    return int(json.loads(done.stdout))


@glibc
def test_freed_batches_are_reused_instead_of_faulted_in_again() -> None:
    pages_per_batch = 200 * 256 * 1024 // 4096
    untuned, tuned = _faults("stock"), _faults("tuned")
    # stock glibc hands the freed batch back to the kernel and faults it in again each round
    assert untuned > 3 * pages_per_batch
    # with the settings, later rounds reuse the first round's memory
    assert tuned < pages_per_batch // 2


@glibc
def test_a_users_malloc_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert keep_freed_memory() is False


@pytest.mark.parametrize(
    "settings",
    [
        {"trim_threshold": -1},  # a negative size
        {"top_pad": 1.5},  # not a whole number of bytes
        {"mmap_threshold": True},  # a bool is not a size
    ],
)
def test_settings_must_be_byte_counts(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="non-negative number of bytes"):
        keep_freed_memory(**settings)  # type: ignore[arg-type]
