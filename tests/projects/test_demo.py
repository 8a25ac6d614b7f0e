"""seed_demo's production data: Moonrise for Northlight, idempotent."""

from __future__ import annotations

from projects import demo as projects_demo
from projects.models import Comment, Playlist, Project, ProjectMember, Sequence, Shot, Version


def test_moonrise_is_seeded_with_a_client_member_and_both_lanes(demo, api):
    project = demo["projects"]["moonrise"]
    assert (project.code, project.name, project.organization.slug) == ("MR", "Moonrise", "northlight")
    assert project.required_lanes == ["producer", "client"]
    assert list(Sequence.objects.filter(project=project).values_list("code", flat=True)) == ["MR_010", "MR_020"]
    codes = list(Shot.objects.filter(project=project).order_by("order").values_list("code", flat=True))
    assert len(codes) >= 12 and codes[0] == "MR_010_0010" and all(c.startswith(("MR_010_", "MR_020_")) for c in codes)
    client = demo["users"]["client@northlight.test"]
    assert ProjectMember.objects.filter(project=project, user=client, role="reviewer").exists()
    assert Version.objects.filter(project=project).count() == 2
    assert Comment.objects.filter(project=project, internal=True).count() == 2
    assert Playlist.objects.filter(project=project, audience="client").exists()
    # the client sees what was submitted to them (one of the two versions), not the internal notes
    listed = api(client).get(f"/api/v1/projects/{project.id}/shots/").json()
    assert [row["code"] for row in listed["results"]] == [projects_demo.SUBMITTED_DEMO_SHOT]
    version = Version.objects.get(project=project, shot__code=projects_demo.SUBMITTED_DEMO_SHOT)
    assert version.submissions.filter(withdrawn_at__isnull=True).count() == 1
    notes = api(client).get(f"/api/v1/versions/{version.id}/comments/").json()
    assert [c["internal"] for c in notes] == [False]
    other = Version.objects.exclude(pk=version.pk).get(project=project)
    assert api(client).get(f"/api/v1/versions/{other.id}/").status_code == 404


def test_seeding_twice_creates_nothing_twice(demo):
    counts = (Project.objects.count(), Shot.objects.count(), Version.objects.count(), Comment.objects.count(), Playlist.objects.count())
    again = projects_demo.seed()
    assert again["projects"]["moonrise"].pk == demo["projects"]["moonrise"].pk
    assert counts == (
        Project.objects.count(),
        Shot.objects.count(),
        Version.objects.count(),
        Comment.objects.count(),
        Playlist.objects.count(),
    )
