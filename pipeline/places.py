"""Place containment from models/places/containment.json (Hamburg is in Germany)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import MODELS_DIR, read_json_data

CONTAINMENT_PATH = MODELS_DIR / "places" / "containment.json"


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Which places contain which, by canonical name."""

    parents: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = CONTAINMENT_PATH) -> Gazetteer:
        """Read the containment table, with a clear error naming the file."""
        raw = read_json_data(path, "place containment table")
        return cls({k.casefold(): frozenset(v.casefold() for v in vs) for k, vs in raw.items() if not k.startswith("_")})

    def contains(self, outer: str, inner: str) -> bool:
        """True when `outer` is `inner` or contains it."""
        o, i = outer.casefold(), inner.casefold()
        return o == i or o in self.parents.get(i, frozenset())

    #: Every place the table names, as a member or as a container (filled from `parents`).
    known: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        names = set(self.parents)
        for outer in self.parents.values():
            names |= outer
        object.__setattr__(self, "known", frozenset(names))

    def knows(self, place: str) -> bool:
        """Whether the table names this place, as a member or as a container."""
        return place.casefold() in self.known

    def compatible(self, a: str, b: str) -> bool:
        """Same place, or one inside the other: not a disagreement."""
        return self.contains(a, b) or self.contains(b, a)
