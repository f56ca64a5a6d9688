"""Benchmarks, kept outside the installed `pipeline` package: `throughput` (words per second against
raw spaCy, memory, the 2-process speed-up), `dedup` (dedup and conflicts at 10k to 1M claims) and
`worst` (pathological articles). Run from the project root: `make bench`, `make bench-dedup`, or
`python -m bench.throughput` and so on. Results go to bench/*.json (not committed)."""
