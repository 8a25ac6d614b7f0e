"""The inbox: who is told what (mentions, replies, decisions, renders, agency decisions), only what
they may see, once per cause; unread counts, mark read, preferences; another's notification is 404."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from notifications.models import Notification
from studio.realtime.publish import publish
from tests.notifications.conftest import comment, inbox
from tests.projects.conftest import show_to_client


def test_a_mention_reaches_the_mentioned_person_with_where_and_who(studio, version, api):
    note = comment(api, studio.supervisor, version, frame=1012, body="@artist the sky flickers", mentions=[str(studio.artist.pk)])
    [item] = inbox(api, studio.artist)
    assert item["kind"] == "mention" and item["read"] is False
    assert item["title"] == f"{studio.supervisor.name} mentioned you on {studio.shot.code} v001"
    assert item["body"] == "@artist the sky flickers" and item["actor_name"] == studio.supervisor.name
    assert item["target"] == {
        "project": str(studio.project.pk), "version": str(version.pk), "shot": str(studio.shot.pk), "frame": 1012,
        "comment": note["id"], "label": f"{studio.shot.code} v001",
    }
    assert api(studio.artist).get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    assert inbox(api, studio.supervisor) == []  # the author is not told about their own note


def test_a_reply_tells_the_thread_author_once_and_an_internal_reply_never_reaches_a_client(studio, version, api):
    version.processing_status = "ready"
    version.save(update_fields=["processing_status"])
    show_to_client(studio.producer, version)  # the client writes only on what was submitted to them (and is told of it)
    root = comment(api, studio.client, version, frame=1020, body="Why is it green?")
    comment(api, studio.supervisor, version, parent=root["id"], body="Grading pass pending")
    comment(api, studio.artist, version, parent=root["id"], body="Staff-only aside: it's a temp", internal=True)
    comment(api, studio.client, version, parent=root["id"], body="Thanks")  # their own reply: nothing
    submission, reply = sorted(inbox(api, studio.client), key=lambda n: n["kind"] != "submission")
    assert submission["kind"] == "submission"
    assert reply["kind"] == "reply" and reply["body"] == "Grading pass pending"
    assert "temp" not in str(inbox(api, studio.client))
    assert not Notification.objects.filter(recipient=studio.client, body__contains="temp").exists()

    staff_root = comment(api, studio.artist, version, frame=1030, body="Roto edge")
    comment(api, studio.supervisor, version, parent=staff_root["id"], body="@artist fix it", mentions=[str(studio.artist.pk)])
    kinds = [n["kind"] for n in inbox(api, studio.artist)]
    assert kinds == ["mention"]  # mentioned in the reply: told once, as a mention


def test_a_decision_on_my_version_tells_me(studio, version, api):
    version.processing_status = "ready"
    version.save(update_fields=["processing_status"])
    response = api(studio.producer).post(
        f"/api/v1/versions/{version.id}/approvals/", {"lane": "producer", "decision": "changes_requested", "note": "Warmer"}, format="json",
    )
    assert response.status_code in (200, 201), response.json()
    [item] = inbox(api, studio.artist)
    assert item["kind"] == "version_decision" and item["body"] == "Warmer"
    assert item["title"] == f"{studio.producer.name} asked for changes on {studio.shot.code} v001 (producer lane)"


def _job_event(studio, version, *, state: str, error: str = "") -> dict:
    return {
        "id": str(uuid.uuid4()), "state": state, "shot": str(studio.shot.pk), "batch": str(uuid.uuid4()), "model": "demo",
        "seed": 1, "attempts": 1, "cancel_requested": False, "progress": {}, "error": error, "timings": {},
        "version": str(version.pk) if version else None, "priority": 0, "released": True,
    }


def test_renders_that_finish_or_fail_tell_whoever_started_them_once(studio, version, api):
    from generation.models import GenerationJob, ModelProfile
    from generation.services import ensure_demo_profile

    profile = ModelProfile.objects.first() or ensure_demo_profile()
    job = GenerationJob.objects.create(
        organization=studio.org, project=studio.project, shot=studio.shot, model=profile, created_by=studio.artist, prompt="Secret prompt",
        seed=4242, frames=17, width=64, height=64, fps_num=24, fps_den=1, steps=2, guidance=1.0, state="succeeded", version=version,
        finished_at=timezone.now(),
    )
    data = {**_job_event(studio, version, state="succeeded"), "id": str(job.pk)}
    for _ in range(2):  # a redelivered state change tells nobody twice
        publish(type="job.state_changed", project_id=studio.project.pk, job_id=job.pk, audience="internal", data=data)
    [done] = inbox(api, studio.artist)
    assert done["kind"] == "render_finished" and done["target"]["version"] == str(version.pk) and done["target"]["job"] == str(job.pk)
    assert "Secret prompt" not in str(done) and "4242" not in str(done)
    GenerationJob.objects.filter(pk=job.pk).update(state="failed", error="CUDA out of memory")
    publish(type="job.state_changed", project_id=studio.project.pk, job_id=job.pk, audience="internal",
            data={**data, "state": "failed", "error": "x"})
    failed = inbox(api, studio.artist, kind="render_failed")
    assert [n["body"] for n in failed] == ["CUDA out of memory"]


def test_mark_read_one_and_all_and_unread_again(studio, version, api):
    for frame in (1001, 1002, 1003):
        comment(api, studio.supervisor, version, frame=frame, body=f"f{frame}", mentions=[str(studio.artist.pk)])
    items = inbox(api, studio.artist)
    me = api(studio.artist)
    one = me.post(f"/api/v1/notifications/{items[0]['id']}/read/", {}, format="json")
    assert one.status_code == 200 and one.json()["read"] is True
    assert me.get("/api/v1/notifications/unread-count/").json()["unread"] == 2
    assert [n["id"] for n in inbox(api, studio.artist, unread="true")] == [items[1]["id"], items[2]["id"]]
    again = me.post(f"/api/v1/notifications/{items[0]['id']}/read/", {"read": False}, format="json")
    assert again.json()["read"] is False
    everything = me.post("/api/v1/notifications/mark-read/", {"all": True}, format="json")
    assert everything.json() == {"unread": 0, "changed": 3}
    some = me.post("/api/v1/notifications/mark-read/", {"ids": [items[1]["id"]], "read": False}, format="json")
    assert some.json() == {"unread": 1, "changed": 1}


@pytest.mark.parametrize("payload,field,words", [
    ({}, "ids", "either ids"),
    ({"ids": ["nope"]}, "ids", ""),
    ({"ids": [str(uuid.uuid4())]}, "ids", "No notification of yours"),
    ({"ids": [], "all": True}, "ids", "either ids"),
])
def test_mark_read_refuses_bad_input_and_changes_nothing(studio, version, api, payload, field, words):
    comment(api, studio.supervisor, version, frame=1001, body="x", mentions=[str(studio.artist.pk)])
    response = api(studio.artist).post("/api/v1/notifications/mark-read/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"] and words in str(response.json()["fields"][field])
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_someone_elses_notification_is_404_and_never_listed(studio, rival, version, api):
    comment(api, studio.supervisor, version, frame=1001, body="for the artist", mentions=[str(studio.artist.pk)])
    notification = Notification.objects.get()
    for outsider in (studio.producer, studio.client, rival.owner):
        client = api(outsider)
        assert client.get(f"/api/v1/notifications/{notification.pk}/").status_code == 404
        assert client.post(f"/api/v1/notifications/{notification.pk}/read/", {}, format="json").status_code == 404
        assert client.get("/api/v1/notifications/").json()["results"] == []
        refused = client.post("/api/v1/notifications/mark-read/", {"ids": [str(notification.pk)]}, format="json")
        assert refused.status_code == 400
    assert Notification.objects.get().read_at is None
    assert api().get("/api/v1/notifications/").status_code in (401, 403)


def test_preferences_choose_inbox_and_email_per_kind(studio, version, api):
    me = api(studio.artist)
    prefs = {p["kind"]: p for p in me.get("/api/v1/notification-preferences/").json()}
    assert prefs["mention"]["in_app"] is True and prefs["mention"]["email"] is True and "submission" in prefs
    changed = me.patch("/api/v1/notification-preferences/", {"preferences": [{"kind": "mention", "in_app": False, "email": False}]},
                       format="json")
    assert changed.status_code == 200, changed.json()
    assert {p["kind"]: p for p in changed.json()}["mention"]["in_app"] is False
    comment(api, studio.supervisor, version, frame=1001, body="nobody hears this", mentions=[str(studio.artist.pk)])
    assert not Notification.objects.exists()
    me.patch("/api/v1/notification-preferences/", {"preferences": [{"kind": "mention", "email": True}]}, format="json")
    comment(api, studio.supervisor, version, frame=1002, body="email only", mentions=[str(studio.artist.pk)])
    stored = Notification.objects.get()
    assert stored.in_app is False and stored.email_pending is True
    assert inbox(api, studio.artist) == []  # email only: not in the inbox


@pytest.mark.parametrize("payload,words", [
    ({}, "preferences"),
    ({"preferences": "mention"}, "list"),
    ({"preferences": [{"kind": "gossip", "email": True}]}, "is not a kind"),
    ({"preferences": [{"kind": "mention", "email": "yes"}]}, "true or false"),
    ({"preferences": [{"kind": "mention"}]}, "changes nothing"),
    ({"preferences": [{"kind": "mention", "email": False}, {"kind": "reply", "sms": True}]}, "unknown fields: sms"),
])
def test_bad_preferences_are_refused_whole(studio, api, payload, words):
    from notifications.models import NotificationPreference

    response = api(studio.artist).patch("/api/v1/notification-preferences/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert words in str(response.json())
    assert not NotificationPreference.objects.exists()


def test_an_agency_decision_on_my_renders_likeness_use_tells_me_and_not_the_client(studio, rights, clips, api):
    from rights.models import LikenessUse
    from tests.projects.test_consent import generated_version, grant

    grant(studio, rights, per_use=True)
    version = generated_version(studio, rights, clips["good"])  # made for the artist
    use = LikenessUse.objects.get()
    response = api(rights.agent).post(f"/api/v1/likeness-uses/{use.pk}/decide/", {"decision": "reject", "note": "Not this wardrobe"},
                                      format="json")
    assert response.status_code == 200, response.json()
    [item] = inbox(api, studio.artist, kind="likeness_decision")
    assert item["title"] == f"{rights.crescent.name} rejected the use of Ava Reyes in {studio.shot.code} v001"
    assert item["body"] == "Not this wardrobe" and item["target"]["version"] == str(version.pk)
    assert len(inbox(api, studio.artist)) == 1  # the agency lane's approval.decided does not tell them twice
    assert inbox(api, studio.client) == []
