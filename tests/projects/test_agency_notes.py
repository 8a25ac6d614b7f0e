"""Agency frame notes (issue 13): the agency reviewing a likeness use leaves frame and range notes
(with drawings) on the use's version; the studio sees them marked with the agency, client reviewers
never; the agency sees its own threads and the replies in them, nothing else; fails closed."""

from __future__ import annotations

from studio.tenancy.models import Organization, Role
from tests.projects.conftest import make_org, make_user, show_to_client
from tests.projects.test_allowed_actions import agency_world, rendered, version_of

ARROW = {"type": "arrow", "from": [0.1, 0.2], "to": [0.5, 0.5], "color": "#ff3b30", "width": 0.004}


def notes_url(version) -> str:
    return f"/api/v1/versions/{version.pk}/agency-notes/"


def test_the_agency_notes_a_range_with_a_drawing_and_the_studio_sees_it_marked(studio, api):
    crescent = agency_world(studio)
    version = rendered(studio, crescent)
    posted = api(crescent["agent"]).post(notes_url(version), {
        "body": "Her jawline drifts from 1010 on; hold the likeness.", "frame": 1005, "frame_end": 1012,
        "annotations": [{"frame": 1010, "shapes": [ARROW]}],
    }, format="json")
    assert posted.status_code == 201, posted.json()
    note = posted.json()
    assert note["internal"] is True and note["agency"] == {"id": str(crescent["org"].pk), "name": crescent["org"].name}
    assert (note["frame"], note["frame_end"], len(note["annotations"])) == (1005, 1012, 1)

    # The studio: among the version's notes, marked with the agency; it replies in the thread.
    studio_notes = api(studio.producer).get(f"/api/v1/versions/{version.pk}/comments/").json()
    assert [(c["id"], c["agency"]["name"]) for c in studio_notes] == [(note["id"], crescent["org"].name)]
    reply = api(studio.producer).post(f"/api/v1/versions/{version.pk}/comments/", {"body": "Fixed in v002.", "parent": note["id"]},
                                      format="json")
    assert reply.status_code == 201 and reply.json()["internal"] is True
    own = api(studio.producer).post(f"/api/v1/versions/{version.pk}/comments/", {"body": "Studio only", "frame": 1001, "internal": True},
                                    format="json")
    assert own.status_code == 201
    assert [c["id"] for c in api(studio.producer).get(notes_url(version)).json()] == [note["id"]]

    # The agency: its thread with the studio's reply, not the studio's own notes.
    seen = api(crescent["agent"]).get(notes_url(version)).json()
    assert [c["id"] for c in seen] == [note["id"]]
    assert [r["body"] for r in seen[0]["replies"]] == ["Fixed in v002."]
    answer = api(crescent["agent"]).post(notes_url(version), {"body": "Thanks, will check.", "parent": note["id"]}, format="json")
    assert answer.status_code == 201 and answer.json()["parent"] == note["id"]
    refused = api(crescent["agent"]).post(notes_url(version), {"body": "Hi", "parent": own.json()["id"]}, format="json")
    assert refused.status_code == 400 and "parent" in refused.json()["fields"]

    # Client reviewers never see them, through either list (even once the version is submitted to them).
    show_to_client(studio.producer, version)
    assert all(c["agency"] is None for c in api(studio.client).get(f"/api/v1/versions/{version.pk}/comments/").json())
    assert api(studio.client).get(notes_url(version)).json() == []


def test_bad_frames_and_drawings_outside_the_range_are_refused_in_the_agencys_terms(studio, api):
    crescent = agency_world(studio)
    version = rendered(studio, crescent)
    outside = api(crescent["agent"]).post(notes_url(version), {"body": "x", "frame": 2000}, format="json")
    assert outside.status_code == 400 and "runs from frame 1001" in str(outside.json()["fields"]["frame"])
    drawing = api(crescent["agent"]).post(notes_url(version), {
        "body": "x", "frame": 1005, "frame_end": 1006, "annotations": [{"frame": 1020, "shapes": [ARROW]}]}, format="json")
    assert drawing.status_code == 400 and "outside the comment's frames" in str(drawing.json()["fields"])


def test_agency_notes_fail_closed(studio, rival, api):
    crescent = agency_world(studio)
    used = rendered(studio, crescent)
    unused = version_of(studio.shot, user=studio.artist)  # no use of Crescent's talent
    body = {"body": "Looks off", "frame": 1001}
    assert api(crescent["agent"]).get(notes_url(unused)).status_code == 404
    assert api(crescent["agent"]).post(notes_url(unused), body, format="json").status_code == 404
    # Another agency, a rival studio's people, a stranger: 404.
    other = make_org("aa-other-agency", kind=Organization.Kind.AGENCY)
    for user in (make_user("agent@aa-other-agency.test", org=other, role=Role.AGENT), rival.producer, make_user("nobody@nowhere.test")):
        assert api(user).get(notes_url(used)).status_code == 404, user.email
        assert api(user).post(notes_url(used), body, format="json").status_code == 404, user.email
    # The agency's people who do not review uses, and the studio: 403 with the reason.
    assistant = make_user("assistant@aa-crescent.test", org=crescent["org"], role=Role.ARTIST)
    refused = api(assistant).post(notes_url(used), body, format="json")
    assert refused.status_code == 403 and "may not write notes" in refused.json()["detail"]
    studio_try = api(studio.producer).post(notes_url(used), body, format="json")
    assert studio_try.status_code == 403 and "reply in their thread" in studio_try.json()["detail"]
