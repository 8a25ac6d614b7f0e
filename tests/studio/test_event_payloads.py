"""The payloads the services send match their declarations in the registry of realtime message types
(studio/realtime/events.py): every durable project event and every personal notification of a flow
through projects, versions, notes, decisions, playlists, imports, renders and consent transitions.
(The consumers' own messages: tests/realtime/test_event_payloads.py.)
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from studio.realtime import events
from studio.realtime.models import Event


def _domain_flow(demo) -> dict:
    """Drive the services the way people do: projects, shots, versions, notes, decisions, playlists,
    imports, then renders and consent (`_consent_flow`). Returns what the test needs afterwards."""
    from projects import services as projects
    from projects.models import ProjectMember, Version

    users = demo["users"]
    producer, artist = users["producer@northlight.test"], users["artist@northlight.test"]
    client = users["client@northlight.test"]
    studio = demo["organizations"]["northlight"]
    project = projects.create_project(actor=producer, organization=studio, name="Registry", code="RG")
    projects.update_project(actor=producer, project=project, description="Event payloads", required_lanes=["producer", "client"])
    projects.add_project_member(actor=producer, project=project, email=client.email)
    member = ProjectMember.objects.get(project=project, user=client)
    sequence = projects.create_sequence(actor=producer, project=project, code="RG_010")
    projects.update_sequence(actor=producer, sequence=sequence, name="Opening")
    shot = projects.create_shot(actor=producer, project=project, code="RG_010_0010", sequence=sequence, frame_in=1001, frame_out=1048)
    other = projects.create_shot(actor=producer, project=project, code="RG_010_0020", sequence=sequence)
    projects.update_shot(actor=producer, shot=shot, description="The harbour at dawn")
    projects.reorder_shots(actor=producer, project=project, shot_ids=[other.pk, shot.pk])
    projects.apply_shot_specs(
        actor=producer, project=project, source="csv",
        specs=[projects.ShotSpec(code="RG_020_0010", values={"sequence": "RG_020", "description": "Imported"})],
    )
    version = projects.create_version(shot=shot, source="upload", created_by=artist, frame_count=48, fps=(24, 1), size=(64, 64))
    Version.objects.filter(pk=version.pk).update(processing_status=Version.Processing.READY, proxy=f"versions/{project.pk}/rg/proxy.mp4")
    version.refresh_from_db()
    projects.submit_to_client(actor=producer, project=project, versions=[version.pk], note="For the client")
    projects.update_version(actor=artist, version=version, note="First pass")
    note = projects.create_comment(actor=producer, version=version, body="@Alex the dust starts late", frame=1012, mentions=[artist.pk])
    reply = projects.create_comment(actor=artist, version=version, body="On it", parent=note)
    projects.create_comment(actor=producer, version=version, body="Studio only", frame=1020, internal=True)
    projects.edit_comment(actor=producer, comment=note, body="The dust starts late")
    projects.edit_comment(actor=producer, comment=note, resolved=True)
    projects.delete_comment(actor=artist, comment=reply)
    projects.decide_approval(actor=producer, version=version, lane="producer", decision="approved")
    projects.decide_approval(actor=client, version=version, lane="client", decision="changes_requested", note="Warmer light")
    playlist = projects.create_playlist(actor=producer, project=project, name="Dailies", audience="client", versions=[version.pk])
    projects.update_playlist(actor=producer, playlist=playlist, name="Dailies 2")
    projects.delete_playlist(actor=producer, playlist=playlist)
    panel = projects.create_panel(actor=producer, sequence=sequence, prompt="Wide: the harbour", duration_frames=24)  # storyboard.updated
    projects.comment_on_panel(actor=artist, panel=panel, body="Lower the horizon")
    projects.change_project_member_role(actor=producer, member=member, role="reviewer")
    flow = _consent_flow(demo, project=project, shot=shot, other=other)
    projects.remove_project_member(actor=producer, member=member)
    projects.delete_shot(actor=producer, shot=projects.create_shot(actor=producer, project=project, code="RG_099"))
    return {**flow, "project": project, "note": note, "artist": artist}


def _finish_as_take(job):
    """The worker's side of a render, through its services, with a clip from ffmpeg instead of diffusers."""
    import tempfile
    from fractions import Fraction
    from pathlib import Path

    import numpy as np

    from generation import encoding
    from generation import services as generation

    worker = generation.WorkerIdentity(node="registry-test@here", host="registry-test", pid=1)
    job = generation.start_attempt(job_id=job.id, worker=worker)
    with tempfile.TemporaryDirectory() as tmp:
        clip = encoding.encode_mp4(np.full((17, 64, 64, 3), 90, np.uint8), Path(tmp) / "clip.mp4", fps=Fraction(16))
        return generation.complete_attempt(job_id=job.id, attempt=job.attempts, video=clip, lineage={"job": str(job.pk)},
                                           timings={"total": 1.0}, store_started=0.0)


def _consent_flow(demo, *, project, shot, other) -> dict:
    """A render of Ava Reyes under a grant that needs the agency's approval of each use, then every
    grant transition: suspend (quarantine), resume (release), revoke (cancel), decline, expire."""
    from generation import services as generation
    from projects.consent import project_ref
    from rights import services as rights
    from rights.models import LikenessUse

    users = demo["users"]
    producer, artist, agent = users["producer@northlight.test"], users["artist@northlight.test"], users["agent@crescent.test"]
    studio = demo["organizations"]["northlight"]
    ava = demo["talent"]["Ava Reyes"]
    now = timezone.now()
    purpose = "Digital replica of Ava Reyes as Mara in the harbour exteriors of the registry test, no dialogue changes."
    grant = rights.request_grant(
        actor=producer, talent=ava, studio=studio, project=project, use_types=["digital_replica"], media=["streaming"],
        territories=["WORLD"], valid_from=now - dt.timedelta(days=1), valid_until=now + dt.timedelta(days=30),
        intended_use=purpose, requires_per_use_approval=True, note="",
    )
    grant = rights.grant_consent(actor=agent, grant=grant, document_sha256="a" * 64, signed_at=now, signed_by="Ava Reyes",
                                 signer_capacity="self")
    (job,) = generation.submit_generation(actor=artist, shot=shot, prompt="A figure on the harbour wall", cast=[ava.pk], steps=2)
    (cancelled,) = generation.submit_generation(actor=artist, shot=other, prompt="Empty quay", steps=2)
    generation.cancel_generation(actor=artist, job=cancelled)
    take = _finish_as_take(job)  # take.created
    generation.star_take(actor=artist, take=take)  # take.updated
    rendered = generation.publish_take(actor=artist, take=take)  # version.created, take.updated; attaches the likeness use
    use = LikenessUse.objects.get(job_id=job.pk)
    rights.decide_use(actor=agent, use=use, decision="approve", note="Fine")
    rights.suspend_grant(actor=agent, grant=grant, reason="Dispute hold")  # invalidates, quarantines, notifies
    rights.resume_grant(actor=agent, grant=grant, note="Resolved")  # restores and releases
    (queued,) = generation.submit_generation(actor=artist, shot=shot, prompt="Another take", cast=[ava.pk], steps=2)
    rights.revoke_grant(actor=agent, grant=grant, reason="Withdrawn")  # cancels the queued render (notifies the artist)
    declined = rights.request_grant(
        actor=producer, talent=ava, studio=studio, project=project, use_types=["digital_replica"], media=["streaming"],
        territories=["WORLD"], valid_until=now + dt.timedelta(days=30), intended_use=purpose, note="",
    )
    rights.revoke_grant(actor=agent, grant=declined, reason="Not this time")
    lapsed = rights.request_grant(
        actor=producer, talent=ava, studio=studio, project=project, use_types=["digital_replica"], media=["streaming"],
        territories=["WORLD"], valid_until=now + dt.timedelta(days=2), intended_use=purpose, note="",
    )
    rights.grant_consent(actor=agent, grant=lapsed, document_sha256="b" * 64, signed_at=now, signed_by="Ava Reyes", signer_capacity="self")
    rights.expire_lapsed_grants(at=now + dt.timedelta(days=3))
    asked = rights.create_consent_request(  # consent_request.changed
        actor=producer, talent=ava, project=project_ref(project), use_types=["digital_replica"], description=purpose,
        valid_until=now + dt.timedelta(days=30),
    )
    rights.refuse_consent_request(actor=agent, request=asked, reason="Not for this project")
    return {"rendered": rendered, "queued": queued}


def test_the_payloads_the_code_paths_publish_match_their_declarations(demo):
    """Validation is on under pytest, so each publish above already checked its payload; here every
    stored event is checked once more, and the flow must have produced every durable domain type."""
    from generation.models import GenerationJob
    from projects.models import Version

    assert events.validation_enabled()
    flow = _domain_flow(demo)
    stored = list(Event.objects.filter(stream_id=flow["project"].pk).order_by("seq"))
    for event in stored:
        events.validate(event.type, event.data)
    project_types = {name for name, e in events.registered().items() if e.channel == "project" and e.owner != "tests"}
    assert project_types - {e.type for e in stored} == set()
    variants = {(e.type, e.data.get("change"), e.data.get("kind")) for e in stored}
    for expected in [("version.updated", "quarantined", None), ("version.updated", "released", None),
                     ("consent.changed", "invalidated", "likeness_use"), ("consent.changed", "expired", "consent_grant"),
                     ("consent.changed", "declined", "consent_grant"), ("shot.updated", "imported", None),
                     ("comment.updated", "resolved", None), ("project.updated", "member_removed", None)]:
        assert expected in variants, expected
    # The personal notifications were validated when sent (they are not stored): the paths that send them ran.
    assert flow["note"].mentions.filter(pk=flow["artist"].pk).exists()  # comment.mentioned
    assert Version.objects.get(pk=flow["rendered"].pk).quarantined_at is not None  # quarantined twice: version.quarantined
    assert GenerationJob.objects.get(pk=flow["queued"].pk).state == "cancelled"  # generation.cancelled
