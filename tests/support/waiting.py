"""Waiting on the event itself: poll a condition until it holds (tests never sleep to order events
and never assert how long something took; docs/CONVENTIONS.md, "Tests")."""

from __future__ import annotations

import time


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.05, what: str = "condition"):
    """The first truthy value `predicate()` returns; AssertionError naming `what` after `timeout` seconds.

    The timeout only bounds a wait that never ends; it is not a figure the test checks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
