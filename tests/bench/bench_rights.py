"""Benchmark: rights.policy.check_generation (cast check + prompt name guard) as the talent registry grows.

Runs against a throw-away PostgreSQL database (created and dropped here; set BENCH_DATABASE_NAME to
choose its name). The registry has realistic names: 63 common first names shared by many talent
(about 1,600 named Ava at 100,000), unique made-up surnames, two aliases each. Prints, per registry
size and prompt length: median and p95 latency of one check, the SQL queries it issued, how many
candidate keys the prompt produced and how many talent the key lookup loaded (to be told apart by
rights.names).

    .venv/bin/python tests/bench/bench_rights.py            # or: make bench (runs every bench_*.py)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SIZES = [100, 10_000, 100_000]
REPEAT = 60
SHORT = "Ava Reyes walks along the harbour wall at dusk, wide shot, soft rim light, 35mm anamorphic"
LONG = (
    "Night exterior, rain-slick harbour. Ava Reyes, in a long grey coat, walks past stacked containers while the camera "
    "tracks left at shoulder height; sodium lights flare in the puddles and a ferry horn sounds far off. She stops, "
    "turns her head toward the lighthouse, breath visible in the cold air, then continues toward the pier where a "
    "small boat waits with its engine idling. Fishermen in yellow oilskins unload crates in the background, gulls "
    "circle under the floodlights, mist rolls in from the sea. Slow push-in to a medium close-up as she reaches the "
    "edge of the pier and looks down at the black water; a faint smile. Cinematic, anamorphic lens, shallow depth of "
    "field, film grain, muted teal and amber palette, volumetric fog, 24 fps motion blur, highly detailed. "
) * 3


def setup_world():
    import datetime as dt

    from django.utils import timezone

    from projects.models import Project
    from rights import services
    from studio.tenancy.models import Membership, Organization, User

    studio = Organization.objects.create(kind="studio", name="Bench Studio", slug="bench-studio")
    agency = Organization.objects.create(kind="agency", name="Bench Agency", slug="bench-agency")
    producer = User.objects.create_user(email="p@bench.test", password=None)
    agent = User.objects.create_user(email="a@bench.test", password=None)
    Membership.objects.create(user=producer, organization=studio, role="producer")
    Membership.objects.create(user=agent, organization=agency, role="agent")
    project = Project.objects.create(organization=studio, name="Bench", code="BN")
    ava = services.create_talent(actor=agent, agency=agency, name="Ava Reyes", aliases=["Ava Marisol Reyes"])
    grant = services.request_grant(
        actor=producer, talent=ava, studio=studio, project=project, use_types=["digital_replica"], media=["theatrical"],
        territories=["WORLD"], valid_until=timezone.now() + dt.timedelta(days=30),
        intended_use="Digital replica of Ava Reyes as Mara in the harbour night exteriors of the bench project, no dialogue.",
    )
    services.grant_consent(
        actor=agent, grant=grant, document_sha256="a" * 64, signed_at=timezone.now(), signed_by="Ava Reyes", signer_capacity="self"
    )
    return studio, agency, project, ava


FIRST_NAMES = (
    "Ava Leo Mia Noah Emma Liam Olivia Lucas Sofia Mateo Grace Will Rose Jordan Faith Dante Nova Kai Noor Ezra Isla Omar "
    "Priya Hiro Amara Sven Chloe Marcus Elena Tomas Lucia Rafael Bella Aiden Zara Felix Ines Hugo Maya Ivan Lena Theo "
    "Nadia Oscar Clara Jonah Alma Rowan Iris Milo Esme Caleb Vera Arlo Anya Silas June Otis Nora Abel Leah Ravi Yara"
).split()
SYLLABLES = "ka lo ren mi sa to vel dor an be ri na sol tem qua ber fin gal hor jes".split()


def person(i: int) -> tuple[str, list[str]]:
    """A realistic, unique name: a common first name (so many talent share one, as in a real registry) and
    a made-up surname of three syllables; aliases with a middle initial and a stage name."""
    first = FIRST_NAMES[i % len(FIRST_NAMES)]
    n, parts = i // len(FIRST_NAMES), []
    for _ in range(3):
        n, digit = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    surname = "".join(parts).capitalize()
    stage = FIRST_NAMES[(i * 7 + 3) % len(FIRST_NAMES)] + " " + "".join(reversed(parts)).capitalize()
    return f"{first} {surname}", [f"{first} {chr(65 + i % 26)}. {surname}", stage]


def grow_registry(agency, target: int) -> None:
    from rights import names
    from rights.models import Talent, TalentNameKey

    have = Talent.objects.filter(organization=agency).count()
    for start in range(have, target, 5000):
        batch = []
        for i in range(start, min(start + 5000, target)):
            name, aliases = person(i)
            batch.append(Talent(organization=agency, name=name, aliases=aliases))
        Talent.objects.bulk_create(batch)
        TalentNameKey.objects.bulk_create(
            [TalentNameKey(talent=t, key=k) for t in batch for k in names.talent_keys(t.name, t.aliases)]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE rights_talent")
        cursor.execute("ANALYZE rights_talentnamekey")


def measure(studio, project, ava, prompt: str) -> tuple[float, float, int, int, int]:
    from rights import names, policy
    from rights.models import TalentNameKey

    timings = []
    queries = 0
    for i in range(REPEAT):
        start = time.perf_counter()
        if i == 0:
            with CaptureQueriesContext(connection) as captured:
                decision = policy.check_generation(studio=studio, project=project, cast=[ava], prompt=prompt)
            queries = len(captured.captured_queries)
        else:
            decision = policy.check_generation(studio=studio, project=project, cast=[ava], prompt=prompt)
        timings.append((time.perf_counter() - start) * 1000)
        assert decision.outcome == policy.NEEDS_AGENCY_REVIEW, decision.as_dict()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    keys = names.prompt_keys(prompt)
    loaded = TalentNameKey.objects.filter(key__in=sorted(keys)).values("talent_id").distinct().count()  # not timed
    return statistics.median(timings), p95, queries, len(keys), loaded


def main() -> int:
    name = os.environ.get("BENCH_DATABASE_NAME", "bench_gl_rights")
    connection.settings_dict["TEST"]["NAME"] = name
    created = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    print(f"database: {created} (throw-away); PostgreSQL {connection.pg_version}")
    try:
        studio, agency, project, ava = setup_world()
        print(f"prompts: short = {len(SHORT)} chars, long = {len(LONG)} chars; {REPEAT} checks each")
        print(f"{'talent':>8} {'prompt':>6} {'keys':>6} {'loaded':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
        for size in SIZES:
            grow_registry(agency, size)
            for label, prompt in (("short", SHORT), ("long", LONG)):
                median, p95, queries, keys, loaded = measure(studio, project, ava, prompt)
                print(f"{size:>8} {label:>6} {keys:>6} {loaded:>6} {queries:>7} {median:>10.2f} {p95:>8.2f}", flush=True)
    finally:
        connection.creation.destroy_test_db(created, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
