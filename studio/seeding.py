"""The demo data registry: apps register their part of `manage.py seed_demo` at start.

The core does not know which apps have demo data. Each app that has some calls
`register_seeder(name=..., seed=..., after=(...))` from its `AppConfig.ready`; `seed_demo` (and the
tests' `demo` fixture) run them with `run_seeders`, every seeder after the ones it names in `after`,
otherwise in registration order (the order of INSTALLED_APPS). A seeder is
`seed(stdout=None) -> dict` and must be idempotent: running it again creates nothing twice and
deletes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Seed = Callable[..., dict | None]


@dataclass(frozen=True)
class Seeder:
    name: str
    seed: Seed
    after: tuple[str, ...] = ()


_seeders: dict[str, Seeder] = {}


def register_seeder(*, name: str, seed: Seed, after: tuple[str, ...] = ()) -> None:
    """Add (or replace, by name) an app's demo seeder; call it from the app's `ready()`."""
    _seeders[name] = Seeder(name=name, seed=seed, after=tuple(after))


def seeders() -> list[Seeder]:
    """The registered seeders in the order they run: each after those it names (when registered)."""
    ordered: list[Seeder] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(seeder: Seeder) -> None:
        if seeder.name in placed:
            return
        if seeder.name in visiting:
            raise ValueError(f"Demo seeders depend on each other in a circle (at {seeder.name!r}); fix their `after`.")
        visiting.add(seeder.name)
        for name in seeder.after:
            if name in _seeders:
                place(_seeders[name])
        visiting.discard(seeder.name)
        placed.add(seeder.name)
        ordered.append(seeder)

    for seeder in list(_seeders.values()):
        place(seeder)
    return ordered


def run_seeders(*, stdout=None) -> dict:
    """Run every registered seeder in order; returns what they returned, merged."""
    result: dict = {}
    for seeder in seeders():
        result.update(seeder.seed(stdout=stdout) or {})
    return result
