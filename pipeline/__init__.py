"""News claim-extraction pipeline."""

__version__ = "0.1.0"

from .notebook import duckdb_connection, load  # noqa: E402  (needs __version__ above)

__all__ = ["__version__", "duckdb_connection", "load"]
