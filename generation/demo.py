"""The generation part of `seed_demo`: make sure the demo model is registered as a model profile.

Cheap and idempotent: it only writes a registry row when `build_demo_model` has built the folder
(it never imports torch). `make demo` builds the model before seeding.
"""

from __future__ import annotations

from generation import services
from generation.demo_model import DEMO_MODEL_NAME


def seed(stdout=None) -> dict:
    profile = services.ensure_demo_profile()
    if stdout:
        if profile is None:
            stdout.write(f"  generation: demo model not built yet; run `python manage.py build_demo_model` to add {DEMO_MODEL_NAME}")
        else:
            stdout.write(f"  generation: model {profile.name}{' (default)' if profile.is_default else ''}")
    return {"model_profile": profile} if profile is not None else {}
