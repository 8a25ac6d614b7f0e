"""Animate a still: an image-to-video render of a shot that starts from a panel's still, an uploaded
image or a frame of a version ("use this frame" in the player).

`animate_still` checks who may render, that the model takes an image, resolves the one source into
a checked init image with its lineage (`init_images`), and hands everything to `submit_generation`
— the one submit path (parameters, queue limit, quota, consent with the init image's likeness scan,
jobs, audit, events). Nothing of it is duplicated here.
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError

from generation.models import GenerationJob, ModelProfile
from generation.selectors import active_profiles
from generation.services import init_images
from generation.services._common import SUBMIT_ROLES
from generation.services.submit import _resolve_profile, submit_generation
from projects.access import require_project_role
from projects.models import Shot

SOURCES = ("panel", "image", "version")
ONE_SOURCE = (
    "Send exactly one first frame: `panel` (a storyboard panel's still), `image` (an uploaded PNG, JPEG or WebP) "
    "or `version` with `frame` (a frame number of that version, as the player shows it)."
)


def image_models() -> list[str]:
    return list(active_profiles().filter(kind=ModelProfile.Kind.IMAGE_TO_VIDEO).order_by("name").values_list("name", flat=True))


def _i2v_profile(model) -> ModelProfile:
    """The image-to-video model asked for (the first registered one when omitted); 400 for a text-to-video one."""
    names = image_models()
    if model in (None, ""):
        if not names:
            raise ValidationError(
                {
                    "model": [
                        "No image-to-video model is registered; ask an administrator to run "
                        "`manage.py build_demo_model` or to register one with `manage.py register_model`."
                    ]
                }
            )
        model = names[0]
    profile = _resolve_profile(model)
    if profile.kind != ModelProfile.Kind.IMAGE_TO_VIDEO:
        accepted = ", ".join(names) if names else "none is registered yet"
        raise ValidationError(
            {"model": [f"Model '{profile.name}' is text-to-video and cannot start from an image. Models that accept an image: {accepted}."]}
        )
    return profile


def resolve_init_image(*, shot: Shot, panel=None, image=None, version=None, frame=None) -> init_images.InitImage:
    """The one first frame the request names, checked (400) and found in the shot's project (404)."""
    given = [name for name, value in (("panel", panel), ("image", image), ("version", version)) if value is not None]
    if len(given) != 1:
        raise ValidationError({"source": [ONE_SOURCE + (f" This request sent {', '.join(given)}." if given else "")]})
    if frame is not None and version is None:
        raise ValidationError({"frame": ["`frame` picks a frame of a version: send `version` with it."]})
    if panel is not None:
        return init_images.from_panel(shot=shot, panel_id=panel)
    if image is not None:
        return init_images.from_upload(image)
    if frame is None:
        raise ValidationError({"frame": ["Send the frame number of the version to start from (as the player shows it, e.g. 1012)."]})
    return init_images.from_version_frame(shot=shot, version_id=version, frame=frame)


def animate_still(
    *,
    actor,
    shot: Shot,
    prompt: str,
    model=None,
    panel=None,
    image=None,
    version=None,
    frame: int | None = None,
    **render,
) -> list[GenerationJob]:
    """Queue image-to-video renders of `shot` from one first frame; `render`: seed, frames, width,
    height, steps, guidance, count, cast, use_type (as `submit_generation`). Raises 404 for a shot,
    panel or version the caller cannot reach, 403 for a role that may not render, 400 for a model
    that takes no image (naming those that do), a missing/extra source or a bad image, and the
    consent policy's 403 when the image shows a protected performer without cover."""
    require_project_role(user=actor, project=shot.project, roles=SUBMIT_ROLES, action="animate a still")
    profile = _i2v_profile(model)
    init = resolve_init_image(shot=shot, panel=panel, image=image, version=version, frame=frame)
    return submit_generation(actor=actor, shot=shot, prompt=prompt, model=profile, init_image=init.file, init_source=init.source, **render)
