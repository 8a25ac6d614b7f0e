"""seed_demo runs what the apps registered (studio.seeding), in dependency order, idempotently."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from studio import seeding


@pytest.fixture
def registry():
    """The registry as the apps left it, restored after a test that adds to it."""
    saved = dict(seeding._seeders)
    yield seeding._seeders
    seeding._seeders.clear()
    seeding._seeders.update(saved)


def test_every_app_registered_its_seeder_and_each_runs_after_what_it_needs():
    order = [s.name for s in seeding.seeders()]
    assert sorted(order) == ["generation", "projects", "rights", "tenancy"]
    for seeder in seeding.seeders():
        assert all(order.index(before) < order.index(seeder.name) for before in seeder.after), (seeder, order)
    assert order[0] == "tenancy" and order.index("projects") < order.index("rights")


def test_dependencies_reorder_and_a_circle_is_refused(registry):
    ran = []
    registry.clear()
    seeding.register_seeder(name="late", seed=lambda stdout=None: ran.append("late") or {"late": 1}, after=("early",))
    seeding.register_seeder(name="early", seed=lambda stdout=None: ran.append("early") or {"early": 1})
    assert seeding.run_seeders() == {"late": 1, "early": 1} and ran == ["early", "late"]
    seeding.register_seeder(name="early", seed=lambda stdout=None: None, after=("late",))
    with pytest.raises(ValueError, match="circle"):
        seeding.seeders()


def test_seed_demo_creates_the_demo_once(db, settings):
    from projects.models import Project, Shot
    from rights.models import ConsentGrant, Talent
    from studio.tenancy.models import Membership, Organization

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo data ready" in out.getvalue()
    counts = [m.objects.count() for m in (Organization, Membership, Project, Shot, Talent, ConsentGrant)]
    assert all(counts), counts
    call_command("seed_demo", stdout=io.StringIO())
    assert [m.objects.count() for m in (Organization, Membership, Project, Shot, Talent, ConsentGrant)] == counts
