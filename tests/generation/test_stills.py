"""Stills: a text-to-image model kind in the registry (a tiny random-weight folder in the real Stable
Diffusion 2.1-base layout, tests/generation/tiny_stills.py), still renders for storyboard panels
through the real task body (one PNG frame, a still take in the panel's gallery, lineage), the
missing-stills batch, picking a panel's still, and the API's tenancy, roles and bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image

from generation import services
from generation.families import detect
from generation.models import GenerationJob, ModelProfile, Take
from generation.tasks import render_generation
from projects import services as project_services
from projects.models import Panel, Sequence
from tests.generation.tiny_stills import SD21_BASE_COMPONENTS, SD21_BASE_UNET, SIZE_KEYS, build_sd21_base

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def sd_folder() -> Path:
    return build_sd21_base(Path(settings.MODELS_DIR) / "tiny-checkpoint-families")


@pytest.fixture
def still_model(db, sd_folder):
    out = io.StringIO()
    call_command(
        "register_model",
        str(sd_folder),
        "--name",
        "sd21-tiny",
        "--width",
        "64",
        "--height",
        "64",
        "--min-width",
        "64",
        "--min-height",
        "64",
        "--steps",
        "2",
        "--negative-prompt",
        "",
        stdout=out,
    )
    assert "loaded StableDiffusionPipeline" in out.getvalue(), out.getvalue()  # register_model loaded the folder
    return ModelProfile.objects.get(name="sd21-tiny")


@pytest.fixture
def board(world, still_model, settings):
    settings.GENERATION_QUEUE = "gpu-test-stills-nobody"  # the task body runs here, in the test
    world.sequence = Sequence.objects.create(project=world.mr, code="MR_010")
    world.panels = [
        project_services.create_panel(actor=world.supervisor, sequence=world.sequence, prompt=prompt, duration_frames=frames)
        for prompt, frames in (("a red circle on a blue background", 24), ("a green square on a white background", 12), ("", 36))
    ]
    return world


def stills_url(panel) -> str:
    return f"/api/v1/panels/{panel.id}/stills/"


def missing_url(sequence) -> str:
    return f"/api/v1/sequences/{sequence.id}/storyboard/stills/"


def test_the_tiny_folder_has_the_real_layout_and_registers_as_a_still_model(sd_folder, still_model, profile):
    index = json.loads((sd_folder / "model_index.json").read_text())
    assert {k: v for k, v in index.items() if not k.startswith("_")} == SD21_BASE_COMPONENTS
    unet = json.loads((sd_folder / "unet" / "config.json").read_text())
    changed = {k for k, v in SD21_BASE_UNET.items() if unet.get(k) != v}
    assert changed and changed <= SIZE_KEYS, changed  # block types, projections, channels are the real ones
    assert detect(sd_folder).family == "stable-diffusion" and detect(sd_folder).kind == "t2i"
    assert (still_model.kind, still_model.family, still_model.pipeline_class) == ("t2i", "stable-diffusion", "StableDiffusionPipeline")
    assert (still_model.default_frames, still_model.min_frames, still_model.max_frames) == (1, 1, 1)  # frames, not seconds: one
    assert not still_model.is_default and services.submit_generation  # a still model never becomes the shots' default
    from generation.selectors import default_profile

    assert default_profile() == profile


def test_a_panel_still_renders_as_a_png_take_and_the_panel_adopts_it(transactional_db, board, api):
    w, panel = board, board.panels[0]
    response = api(w.artist).post(stills_url(panel), {"seed": 7}, format="json")
    assert response.status_code == 201, response.content
    (job,) = response.json()["jobs"]
    assert (job["panel"], job["shot"], job["frames"], job["model"]) == (str(panel.id), None, 1, "sd21-tiny")
    assert job["prompt"] == "a red circle on a blue background"
    assert render_generation(job["id"]) == "succeeded"
    done = GenerationJob.objects.get(pk=job["id"])
    assert done.state == "succeeded", done.error
    take = done.take
    assert (take.panel_id, take.shot_id, take.native_frames, take.native_width, take.native_height) == (panel.id, None, 1, 64, 64)
    with take.media.open("rb") as handle:
        assert handle.read(8) == PNG_SIGNATURE
    assert take.lineage["model"]["kind"] == "t2i" and take.lineage["panel"] == str(panel.id) and take.lineage["seed"] == 7
    assert done.progress["step"] == done.progress["total"] >= 2  # progress reported per step like any render (PNDM adds a warm-up step)
    panel.refresh_from_db()
    assert (panel.still_source, panel.still_take_id, panel.still_width) == ("take", take.id, 64)  # a panel without a still adopts it
    listed = api(w.artist).get(stills_url(panel)).json()
    assert [t["id"] for t in listed["takes"]] == [str(take.id)] and listed["still_take"] == str(take.id)
    assert listed["takes"][0]["panel"] == str(panel.id)
    media = api(w.artist).get(f"/api/v1/takes/{take.id}/media/")
    assert media.status_code == 200 and media["Content-Type"] == "image/png"
    refused = api(w.artist).post(f"/api/v1/takes/{take.id}/publish/", {}, format="json")
    assert refused.status_code == 409 and "panel's still" in refused.json()["detail"]  # a still never becomes a version


def test_pick_the_panels_still_among_its_takes(transactional_db, board, api):
    w, panel = board, board.panels[0]
    response = api(w.artist).post(stills_url(panel), {"seed": 3, "count": 2}, format="json")
    assert response.status_code == 201, response.content
    jobs = response.json()["jobs"]
    assert [j["seed"] for j in jobs] == [3, 4] and len({j["batch_id"] for j in jobs}) == 1
    for job in jobs:
        assert render_generation(job["id"]) == "succeeded"
    first, second = (Take.objects.get(job_id=j["id"]) for j in jobs)
    panel.refresh_from_db()
    assert panel.still_take_id == first.id  # the first to finish became the still
    chosen = api(w.artist).post(stills_url(panel) + "use/", {"take": str(second.id)}, format="json")
    assert chosen.status_code == 200, chosen.content
    assert chosen.json()["still_take"] == str(second.id) and chosen.json()["still_source"] == "take"
    panel.refresh_from_db()
    with second.media.open("rb") as a, panel.still.open("rb") as b:
        assert a.read() == b.read()  # the take's PNG became the panel's still
    board_json = api(w.artist).get(f"/api/v1/sequences/{w.sequence.id}/storyboard/").json()
    assert board_json["panels"][0]["still_source"] == "take"

    other = board.panels[1]
    assert api(w.artist).post(stills_url(other) + "use/", {"take": str(first.id)}, format="json").status_code == 404
    services.discard_take(actor=w.artist, take=first)
    assert api(w.artist).post(stills_url(panel) + "use/", {"take": str(first.id)}, format="json").status_code == 409
    assert api(w.artist).post(stills_url(panel) + "use/", {"take": "nope"}, format="json").status_code == 400
    assert api(w.legal).post(stills_url(panel) + "use/", {"take": str(second.id)}, format="json").status_code == 403


def test_generate_missing_stills_is_one_batch_over_the_panels_without_one(board, api):
    w = board
    png = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 10)).save(png, format="PNG")
    png.seek(0)
    png.name = "drawing.png"
    from django.core.files.uploadedfile import SimpleUploadedFile

    project_services.upload_panel_still(
        actor=w.artist, panel=w.panels[1], file=SimpleUploadedFile("drawing.png", png.getvalue(), content_type="image/png")
    )
    response = api(w.supervisor).post(missing_url(w.sequence), {"seed": 11}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [j["panel"] for j in body["jobs"]] == [str(w.panels[0].id)]  # panel 2 has a still; panel 3 has no prompt
    assert body["skipped_panels"] == [str(w.panels[2].id)]
    again = api(w.supervisor).post(missing_url(w.sequence), {}, format="json")
    assert again.status_code == 400 and "no prompt" in json.dumps(again.json())  # panel 1's still is on the way
    assert GenerationJob.objects.filter(panel__isnull=False).count() == 1


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"model": "wan2.1-t2v-tiny"}, "model", "text-to-image"),
        ({"model": "no-such-model"}, "model", "Unknown model"),
        ({"count": 0}, "count", "out of range"),
        ({"steps": 1000}, "steps", ""),
        ({"width": 63}, "width", ""),
        ({"frames": 9}, "frames", "Unknown field"),
        ({"seed": -1}, "seed", ""),
    ],
)
def test_bad_still_requests_are_clear_400s_and_write_nothing(board, api, body, field, words):
    response = api(board.artist).post(stills_url(board.panels[0]), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"] and words in json.dumps(response.json()["fields"][field])
    assert not GenerationJob.objects.filter(panel__isnull=False).exists()


def test_a_panel_without_a_prompt_and_a_batch_prompt_are_refused(board, api):
    response = api(board.artist).post(stills_url(board.panels[2]), {}, format="json")
    assert response.status_code == 400 and "Panel 3" in response.json()["fields"]["prompt"][0]
    response = api(board.artist).post(missing_url(board.sequence), {"prompt": "a red circle on a blue background"}, format="json")
    assert response.status_code == 400 and "prompt" in response.json()["fields"]


def test_a_still_model_cannot_render_a_shot(board, api):
    response = api(board.artist).post(f"/api/v1/shots/{board.shot.id}/generations/", {"prompt": "x", "model": "sd21-tiny"}, format="json")
    assert response.status_code == 400 and "text-to-image" in response.json()["fields"]["model"][0]


def test_other_studios_and_client_reviewers_get_404_and_roles_403(board, api):
    w, panel = board, board.panels[0]
    for user in (w.rival, w.reviewer):
        client = api(user)
        assert client.get(stills_url(panel)).status_code == 404
        assert client.post(stills_url(panel), {}, format="json").status_code == 404
        assert client.post(stills_url(panel) + "use/", {"take": str(panel.id)}, format="json").status_code == 404
        assert client.post(missing_url(w.sequence), {}, format="json").status_code == 404
    assert api(w.legal).get(stills_url(panel)).status_code == 200  # legal sees the board …
    assert api(w.legal).post(stills_url(panel), {}, format="json").status_code == 403  # … but does not render
    assert api(w.legal).post(missing_url(w.sequence), {}, format="json").status_code == 403
    assert api().post(stills_url(panel), {}, format="json").status_code in (401, 403)
    assert not GenerationJob.objects.filter(panel__isnull=False).exists()


def test_a_prompt_naming_a_protected_performer_is_refused_like_a_shots(board, api):
    from rights import services as rights_services

    rights_services.create_talent(actor=board.agent, agency=board.agency, name="Ava Reyes", aliases=["Ava Marisol Reyes"])
    panel = board.panels[0]
    Panel.objects.filter(pk=panel.pk).update(prompt="A.V.A. R E Y E S on a rooftop at dusk")
    response = api(board.artist).post(stills_url(panel), {}, format="json")
    assert response.status_code == 403, response.content
    assert "Ava Reyes" in json.dumps(response.json())
    assert not GenerationJob.objects.filter(panel__isnull=False).exists()


def test_a_queued_still_is_cancelled_like_any_render(board, api):
    response = api(board.artist).post(stills_url(board.panels[0]), {}, format="json")
    (job,) = response.json()["jobs"]
    cancelled = api(board.artist).post(f"/api/v1/generations/{job['id']}/cancel/", {}, format="json")
    assert cancelled.status_code in (200, 202), cancelled.content
    assert GenerationJob.objects.get(pk=job["id"]).state == "cancelled"
    assert render_generation(job["id"]) == "skipped"
