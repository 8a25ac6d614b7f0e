"""One vocabulary (issue 13): the server's state labels (studio/vocabulary.py) are the browser's
(frontend/src/lib/states.ts), and the API hands them out as `state_label`."""

from __future__ import annotations

import re
from pathlib import Path

from studio import vocabulary

STATES_TS = Path(__file__).resolve().parents[2] / "frontend" / "src" / "lib" / "states.ts"


def _table(name: str) -> dict[str, str]:
    text = STATES_TS.read_text()
    body = re.search(rf"export const {name}\b[^=]*= \{{(.*?)\n\}};", text, re.S)
    assert body, f"{name} not found in {STATES_TS}"
    return dict(re.findall(r'(\w+): \{ label: "([^"]+)"', body.group(1)))


def test_the_browser_uses_the_servers_words():
    assert _table("LANE_STATES") == vocabulary.LANE_STATES
    assert _table("USE_STATES") == vocabulary.USE_STATES


def test_the_agency_lane_speaks_of_uses():
    assert vocabulary.lane_state_label("agency", "changes_requested") == "Use rejected"
    assert vocabulary.lane_state_label("agency", "quarantined") == vocabulary.use_state_label("invalidated") == "Quarantined"
    assert vocabulary.lane_state_label("producer", "pending") == "Awaiting decision"
    assert vocabulary.worst_use_state(["approved", "pending_review", "invalidated"]) == "invalidated"
    assert vocabulary.worst_use_state([]) is None
