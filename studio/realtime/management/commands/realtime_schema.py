"""Print the registry of realtime message types as JSON (name, channel, audiences, JSON Schema).

`frontend/scripts/gen-api.mjs` turns it into the browser's types (src/api/generated/events.ts).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from studio.realtime import events


class Command(BaseCommand):
    help = "Print every registered realtime message type with the JSON Schema of its data."

    def handle(self, *args, **options) -> None:
        self.stdout.write(json.dumps(events.describe(), indent=2, sort_keys=True))
