"""The generation API without a worker: submitting (validation, seeds, batches), permissions,
tenancy (foreign rows are 404), listing, cancelling queued jobs and the model catalogue."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from generation import constraints, services
from generation.models import GenerationJob, ModelProfile
from projects.models import Project
from rights.models import LikenessUse
from studio.audit.models import AuditEvent
from tests.generation.conftest import consent

pytestmark = pytest.mark.django_db


def post(api, user, shot, body, fmt="json"):
    return api(user).post(f"/api/v1/shots/{shot.id}/generations/", body, format=fmt)


def fields(response) -> dict:
    body = response.json()
    assert body["error"] == "invalid", body
    return body["fields"]


# ----------------------------------------------------------------------------- submitting


def test_a_seed_is_an_integer_or_absent_and_form_data_digits_count_as_one(api, world):
    """JSON 7 and form "8" are seeds; null, "" and absent are random ones, recorded; form "abc" is a
    400 (the browser once turned "abc" into null and rendered a random seed)."""
    assert post(api, world.artist, world.shot, {"prompt": "a lighthouse", "seed": 7}).json()["jobs"][0]["seed"] == 7
    assert post(api, world.artist, world.shot, {"prompt": "a lighthouse", "seed": "8"}, fmt="multipart").json()["jobs"][0]["seed"] == 8
    for body, fmt in (({"seed": None}, "json"), ({"seed": ""}, "multipart"), ({}, "json")):
        job = post(api, world.artist, world.shot, {"prompt": "a lighthouse", **body}, fmt=fmt).json()["jobs"][0]
        assert isinstance(job["seed"], int) and 0 <= job["seed"] < 2**32 and GenerationJob.objects.get(pk=job["id"]).seed == job["seed"]
    before = GenerationJob.objects.count()
    response = post(api, world.artist, world.shot, {"prompt": "a lighthouse", "seed": "abc"}, fmt="multipart")
    assert response.status_code == 400 and "not a whole number" in fields(response)["seed"][0]
    assert GenerationJob.objects.count() == before
    with pytest.raises(Exception, match="not a whole number"):
        services.submit_generation(actor=world.artist, shot=world.shot, prompt="a lighthouse", seed="abc")
def test_submit_queues_a_job_with_the_model_defaults_and_a_recorded_random_seed(api, world):
    response = post(api, world.artist, world.shot, {"prompt": "a lighthouse at dusk, slow push-in"})
    assert response.status_code == 201, response.content
    body = response.json()
    (job,) = body["jobs"]
    assert job["state"] == "queued" and job["model"] == "wan2.1-t2v-tiny" and job["shot_code"] == "MR_010_0040"
    assert (job["frames"], job["width"], job["height"], job["steps"], job["fps"]) == (17, 64, 64, 4, "16/1")
    assert isinstance(job["seed"], int) and 0 <= job["seed"] < 2**32
    assert job["parameters"]["max_sequence_length"] == 32
    assert job["created_by"]["id"] == str(world.artist.id)
    stored = GenerationJob.objects.get(pk=job["id"])
    assert stored.organization_id == world.northlight.id and stored.queued_at is not None and stored.task_id
    assert AuditEvent.objects.filter(action="generation.submitted", target_id=job["id"]).count() == 1


def test_count_renders_consecutive_seeds_in_one_batch(api, world):
    talent, _grant = consent(world)
    response = post(api, world.supervisor, world.shot, {"prompt": "rain on a neon street", "seed": 100, "count": 3,
                                                        "frames": 21, "width": 96, "height": 48, "steps": 3, "guidance": 4.5,
                                                        "fps": "24000/1001", "negative_prompt": "blurry",
                                                        "cast": [str(talent.pk)]})
    assert response.status_code == 201, response.content
    jobs = response.json()["jobs"]
    assert [j["seed"] for j in jobs] == [100, 101, 102]
    assert [j["batch_index"] for j in jobs] == [0, 1, 2]
    assert len({j["batch_id"] for j in jobs}) == 1 == len({response.json()["batch_id"]})
    assert all((j["frames"], j["width"], j["height"], j["steps"], j["guidance"], j["fps"], j["negative_prompt"])
               == (21, 96, 48, 3, 4.5, "24000/1001", "blurry") for j in jobs)
    assert all(j["cast"] == [str(talent.pk)] for j in jobs)  # kept for the consent check at render time
    # One likeness use per job and talent, covered by the grant.
    recorded = LikenessUse.objects.filter(talent=talent).values_list("job_id", flat=True)
    assert sorted(str(u) for u in recorded) == sorted(j["id"] for j in jobs)


@pytest.mark.parametrize("fps, expected", [(24, "24/1"), ("25", "25/1"), (23.976, "24000/1001"), ("29.97", "30000/1001"), ("30/1", "30/1")])
def test_fps_accepts_integers_rationals_and_ntsc_decimals(api, world, fps, expected):
    response = post(api, world.artist, world.shot, {"prompt": "x", "fps": fps})
    assert response.status_code == 201, response.content
    assert response.json()["jobs"][0]["fps"] == expected


@pytest.mark.parametrize(
    "body, field, phrase",
    [
        ({"frames": 16}, "frames", "The nearest valid value is 17."),
        ({"frames": 15}, "frames", "The nearest valid values are 13 and 17."),
        ({"frames": 200}, "frames", "between 5 and 81. The nearest valid value is 81."),
        ({"width": 100}, "width", "multiple of 16 between 32 and 512 pixels. The nearest valid value is 96."),
        ({"height": 8}, "height", "The nearest valid value is 32."),
        ({"steps": 0}, "steps", "steps 0 is out of range: use 1 to 100. The nearest valid value is 1."),
        ({"steps": 101}, "steps", "The nearest valid value is 100."),
        ({"guidance": 25}, "guidance", "use 0 to 20. The nearest valid value is 20."),
        ({"guidance": -1}, "guidance", "The nearest valid value is 0."),
        ({"seed": -5}, "seed", "The nearest valid value is 0."),
        ({"seed": 2**53}, "seed", f"The nearest valid value is {2**53 - 1}."),
        ({"seed": "abc"}, "seed", "seed 'abc' is not a whole number. Send a whole number from 0 to"),
        ({"seed": 1.5}, "seed", "seed must be a whole number, not 1.5."),
        ({"seed": 2.0}, "seed", "seed must be a whole number, not 2."),
        ({"seed": True}, "seed", "seed must be a whole number, not true."),
        ({"seed": [7]}, "seed", "not a list"),
        ({"seed": "12abc"}, "seed", "is not a whole number"),
        ({"seed": "-3"}, "seed", "The nearest valid value is 0."),
        ({"count": 9}, "count", "render 1 to 8 seeds at once. The nearest valid value is 8."),
        ({"count": 0}, "count", "The nearest valid value is 1."),
        ({"model": "wan9-super"}, "model", "Unknown model 'wan9-super'. Available models: wan2.1-t2v-tiny."),
        ({"prompt": "x" * 2001}, "prompt", "2001 characters long; the limit is 2000. Shorten it by 1 character."),
        ({"prompt": "   "}, "prompt", "The prompt is empty."),
        ({"negative_prompt": "y" * 2100}, "negative_prompt", "Shorten it by 100 characters."),
        ({"fps": 0}, "fps", "out of range: use 1 to 120"),
        ({"fps": "fast"}, "fps", '"24000/1001"'),
        ({"fps": 23.5}, "fps", "not an exact frame rate"),
        ({"fps": "2\u00b2"}, "fps", "use the digits 0-9 only"),  # a superscript digit: int() refused it with Python's text
        ({"fps": "24/\u00b9"}, "fps", "use the digits 0-9 only"),
        ({"fps": "9" * 5000}, "fps", "use the digits 0-9 only"),  # past int()'s digit limit
        ({"frames": "ten"}, "frames", "A valid integer is required."),
        ({"num_frames": 17}, "num_frames", "Did you mean 'frames'?"),
        ({"cast": ["not-a-uuid"]}, "cast", "valid UUID"),
    ],
)
def test_invalid_parameters_get_a_400_naming_the_field_and_the_fix(api, world, body, field, phrase):
    before_jobs, before_audit = GenerationJob.objects.count(), AuditEvent.objects.count()
    response = post(api, world.artist, world.shot, {"prompt": "a lighthouse", **body})
    assert response.status_code == 400, response.content
    messages = fields(response)[field]
    assert any(phrase in str(m) for m in (messages if isinstance(messages, list) else [messages])), messages
    assert field in response.json()["detail"]
    assert "int()" not in response.content.decode() and len(response.content) < 2000
    # Nothing half-written.
    assert GenerationJob.objects.count() == before_jobs and AuditEvent.objects.count() == before_audit


def test_every_invalid_field_is_reported_at_once(api, world):
    response = post(api, world.artist, world.shot, {"prompt": "", "frames": 16, "width": 100, "steps": 0})
    assert response.status_code == 400
    assert set(fields(response)) == {"prompt", "frames", "width", "steps"}
    assert GenerationJob.objects.count() == 0


def test_an_init_image_on_a_text_to_video_model_is_refused(api, world):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 80, 20)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "frame.png"
    response = post(api, world.artist, world.shot, {"prompt": "x", "init_image": buffer}, fmt="multipart")
    assert response.status_code == 400
    assert "is text-to-video and takes no init_image" in fields(response)["init_image"][0]
    assert GenerationJob.objects.count() == 0


def test_a_non_image_upload_is_refused(api, world):
    upload = io.BytesIO(b"%PDF-1.4 not an image")
    upload.name = "frame.png"
    response = post(api, world.artist, world.shot, {"prompt": "x", "init_image": upload}, fmt="multipart")
    assert response.status_code == 400
    assert "init_image" in fields(response)


def test_malformed_json_is_a_clear_400(api, world):
    response = api(world.artist).post(f"/api/v1/shots/{world.shot.id}/generations/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_request"


def test_a_studio_cannot_flood_the_queue(api, world, monkeypatch):
    from generation.services import submit

    monkeypatch.setattr(submit, "MAX_ACTIVE_JOBS_PER_ORGANIZATION", 4)  # the limit lives where submit reads it
    assert post(api, world.artist, world.shot, {"prompt": "x", "count": 3}).status_code == 201
    response = post(api, world.artist, world.shot, {"prompt": "x", "count": 2})
    assert response.status_code == 429
    assert "already has 3 generations queued or running (limit 4)" in response.json()["detail"]
    assert GenerationJob.objects.count() == 3


def test_an_archived_project_takes_no_new_renders(api, world):
    Project.objects.filter(pk=world.project.pk).update(status="archived")
    response = post(api, world.artist, world.shot, {"prompt": "x"})
    assert response.status_code == 409
    assert "archived" in response.json()["detail"]


# ----------------------------------------------------------------------------- who may submit
@pytest.mark.parametrize("role", ["owner", "admin", "producer", "supervisor", "artist"])
def test_studio_roles_that_make_pictures_may_submit(api, world, role):
    assert post(api, getattr(world, role), world.shot, {"prompt": "x"}).status_code == 201


def test_a_vendor_artist_added_to_the_project_may_submit_there_only(api, world):
    assert post(api, world.vendor, world.shot, {"prompt": "x"}).status_code == 201
    assert post(api, world.vendor, world.other_shot, {"prompt": "x"}).status_code == 404


@pytest.mark.parametrize("who", ["reviewer", "legal"])
def test_client_reviewers_and_legal_may_not_submit(api, world, who):
    response = post(api, getattr(world, who), world.shot, {"prompt": "x"})
    assert response.status_code == 403
    assert "needs one of: admin, artist, owner, producer, supervisor" in response.json()["detail"]
    assert GenerationJob.objects.count() == 0


def test_a_client_reviewer_sees_no_renders_of_their_project(api, world):
    """Jobs (prompts, seeds, cast, workers, artists) are studio internals (projects.access): a client
    reviewer of the project lists none on any route and reads none; the studio's people still do."""
    job = post(api, world.artist, world.shot, {"prompt": "Ava on the pier", "seed": 7}).json()["jobs"][0]
    client = api(world.reviewer)
    assert client.get(f"/api/v1/generations/{job['id']}/").status_code == 404
    assert client.get("/api/v1/generations/").json()["results"] == []
    assert client.get(f"/api/v1/generations/?project={world.project.id}").json()["results"] == []
    assert client.get(f"/api/v1/shots/{world.shot.id}/generations/").json()["results"] == []
    assert client.get(f"/api/v1/projects/{world.project.id}/generations/").json()["results"] == []
    assert client.post(f"/api/v1/generations/{job['id']}/cancel/").status_code == 404
    producer = api(world.producer)
    assert [j["prompt"] for j in producer.get(f"/api/v1/shots/{world.shot.id}/generations/").json()["results"]] == ["Ava on the pier"]
    assert producer.get(f"/api/v1/generations/{job['id']}/").json()["seed"] == 7
    assert len(api(world.vendor).get(f"/api/v1/shots/{world.shot.id}/generations/").json()["results"]) == 1


def test_anonymous_callers_are_401(api, world):
    assert api().post(f"/api/v1/shots/{world.shot.id}/generations/", {"prompt": "x"}, format="json").status_code == 401
    assert api().get("/api/v1/generations/").status_code == 401
    assert api().get("/api/v1/generation-models/").status_code == 401


# ----------------------------------------------------------------------------- tenancy
def test_foreign_shots_jobs_and_projects_are_404(api, world):
    job = post(api, world.artist, world.shot, {"prompt": "x"}).json()["jobs"][0]
    for outsider in (world.foreign, world.agent):
        client = api(outsider)
        assert client.post(f"/api/v1/shots/{world.shot.id}/generations/", {"prompt": "x"}, format="json").status_code == 404
        assert client.get(f"/api/v1/shots/{world.shot.id}/generations/").status_code == 404
        assert client.get(f"/api/v1/projects/{world.project.id}/generations/").status_code == 404
        assert client.get(f"/api/v1/generations/{job['id']}/").status_code == 404
        assert client.post(f"/api/v1/generations/{job['id']}/cancel/").status_code == 404
        assert client.get("/api/v1/generations/").json()["results"] == []
    assert GenerationJob.objects.get(pk=job["id"]).state == "queued"
    # Unknown and malformed ids look the same as foreign ones.
    client = api(world.artist)
    assert client.get(f"/api/v1/shots/{world.foreign_shot.id}/generations/").status_code == 404
    assert client.post(f"/api/v1/shots/{world.foreign_shot.id}/generations/", {"prompt": "x"}, format="json").status_code == 404
    assert client.get("/api/v1/generations/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/api/v1/shots/not-a-uuid/generations/").status_code == 404


def test_a_client_reviewer_does_not_see_other_projects_of_the_studio(api, world):
    other = post(api, world.artist, world.other_shot, {"prompt": "x"}).json()["jobs"][0]
    client = api(world.reviewer)
    assert client.get(f"/api/v1/generations/{other['id']}/").status_code == 404
    assert client.get(f"/api/v1/projects/{world.other_project.id}/generations/").status_code == 404


# ----------------------------------------------------------------------------- listing
def test_lists_per_project_shot_and_state(api, world):
    a = post(api, world.artist, world.shot, {"prompt": "x", "count": 2}).json()["jobs"]
    b = post(api, world.artist, world.other_shot, {"prompt": "y"}).json()["jobs"]
    client = api(world.producer)
    project_list = client.get(f"/api/v1/projects/{world.project.id}/generations/").json()
    assert {j["id"] for j in project_list["results"]} == {j["id"] for j in a}
    everything = client.get("/api/v1/generations/").json()
    assert everything["count"] == 3
    only_other = client.get(f"/api/v1/generations/?shot={world.other_shot.id}").json()["results"]
    assert [j["id"] for j in only_other] == [b[0]["id"]]
    services.cancel_generation(actor=world.producer, job=GenerationJob.objects.get(pk=a[0]["id"]))
    cancelled = client.get(f"/api/v1/projects/{world.project.id}/generations/?state=cancelled").json()["results"]
    assert [j["id"] for j in cancelled] == [a[0]["id"]]
    batch = client.get(f"/api/v1/generations/?batch={a[0]['batch_id']}").json()["results"]
    assert {j["id"] for j in batch} == {j["id"] for j in a}


@pytest.mark.parametrize("query, field", [("state=done", "state"), ("project=abc", "project"), ("shot=42", "shot"), ("batch=x", "batch")])
def test_bad_list_filters_are_400(api, world, query, field):
    response = api(world.producer).get(f"/api/v1/generations/?{query}")
    assert response.status_code == 400
    assert field in response.json()["fields"]


# ----------------------------------------------------------------------------- cancelling
def test_cancelling_a_queued_job_is_immediate_and_final(api, world):
    job = post(api, world.artist, world.shot, {"prompt": "x"}).json()["jobs"][0]
    response = api(world.artist).post(f"/api/v1/generations/{job['id']}/cancel/")
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled" and response.json()["cancel_requested"] is True
    stored = GenerationJob.objects.get(pk=job["id"])
    assert stored.finished_at is not None and stored.cancelled_by == world.artist and stored.version is None
    again = api(world.artist).post(f"/api/v1/generations/{job['id']}/cancel/")
    assert again.status_code == 409
    assert "already cancelled" in again.json()["detail"]
    assert AuditEvent.objects.filter(action="generation.cancelled", target_id=job["id"]).count() == 1


def test_artists_cancel_their_own_renders_supervisors_anyones(api, world):
    job = post(api, world.artist, world.shot, {"prompt": "x"}).json()["jobs"][0]
    refused = api(world.artist2).post(f"/api/v1/generations/{job['id']}/cancel/")
    assert refused.status_code == 403
    assert "Only the person who submitted this generation" in refused.json()["detail"]
    assert api(world.supervisor).post(f"/api/v1/generations/{job['id']}/cancel/").status_code == 200


# ----------------------------------------------------------------------------- the model catalogue
def test_the_model_catalogue_lists_defaults_and_constraints_but_not_server_paths(api, world):
    body = api(world.artist).get("/api/v1/generation-models/").json()
    assert body["count"] == 1
    (model,) = body["results"]
    assert model["name"] == "wan2.1-t2v-tiny" and model["is_default"] is True and model["kind"] == "t2v"
    assert model["constraints"]["frames"] == {"min": 5, "max": 81, "rule": "4k+1", "modulus": 4, "windowed_max": None}  # t2v: no windows
    assert model["constraints"]["width"]["multiple"] == 16
    assert model["constraints"]["prompt_max_chars"] == constraints.MAX_PROMPT_CHARS
    assert "folder" not in model and str(world.profile.resolved_folder().parent) not in str(body)


def test_agency_people_see_no_models(api, world):
    assert api(world.agent).get("/api/v1/generation-models/").json() == {"count": 0, "results": []}


def test_the_demo_seed_registers_the_built_demo_model_once(db, demo_model_folder):
    from generation import demo

    first = demo.seed()["model_profile"]
    again = demo.seed()["model_profile"]
    assert first == again and first.is_default and first.name == "shapes-t2v-demo"  # the model that draws its prompt
    assert ModelProfile.objects.filter(name="wan2.1-t2v-tiny", is_default=False).exists()
    # The image-to-video demo model is registered too once `build_demo_model` has built it (never the default).
    # So is the still model (text-to-image, for storyboard panels) once its committed weights are installed.
    from generation.demo_models import first_frame, still_model

    expected = {"shapes-t2v-demo", "wan2.1-t2v-tiny"} | ({first_frame.MODEL_NAME} if first_frame.is_built(first_frame.folder()) else set())
    expected |= {still_model.MODEL_NAME} if still_model.is_installed(still_model.folder()) else set()
    assert set(ModelProfile.objects.values_list("name", flat=True)) == expected
    assert ModelProfile.objects.filter(is_default=True).count() == 1
