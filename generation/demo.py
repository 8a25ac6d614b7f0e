"""The generation part of `seed_demo`: make sure the demo models are registered as model profiles.

Cheap and idempotent: it copies the committed shapes model into MODELS_DIR when missing (files
only) and writes registry rows; it never imports torch. The shapes model, which draws its prompt,
is the default when no other default exists; the random-weight Wan model is registered when
`build_demo_model` has built it.
"""

from __future__ import annotations

from generation import services
from generation.demo_model import DEMO_MODEL_NAME
from generation.demo_models import first_frame, shapes, still_model


def seed(stdout=None) -> dict:
    for demo in (shapes, still_model):
        try:
            demo.install()
        except FileNotFoundError:  # a checkout without the committed weights
            pass
    default = services.ensure_shapes_profile()
    profile = services.ensure_demo_profile()
    i2v = services.ensure_i2v_demo_profile()  # image-to-video ("Animate"), when `build_demo_model` has built it
    still = services.ensure_still_profile()
    if stdout and still is not None:
        stdout.write(f"  generation: still model {still.name} (text-to-image, for storyboard panels)")
    if stdout:
        for registered, name in ((default, shapes.MODEL_NAME), (profile, DEMO_MODEL_NAME), (i2v, first_frame.MODEL_NAME)):
            if registered is None:
                stdout.write(f"  generation: {name} not built yet; run `python manage.py build_demo_model` to add it")
            else:
                registered.refresh_from_db()
                stdout.write(f"  generation: model {registered.name}{' (default)' if registered.is_default else ''}")
    chosen = default or profile
    return {"model_profile": chosen} if chosen is not None else {}
