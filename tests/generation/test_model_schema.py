"""A model's `defaults` and `constraints` are typed in the OpenAPI schema (the browser's types come
from it), and what the API returns matches those declared shapes exactly."""

from __future__ import annotations

import json

from django.core.management import call_command

from generation import constraints
from generation.api.serializers import ModelConstraintsSerializer, ModelDefaultsSerializer


def test_the_schema_declares_every_default_and_constraint(db, tmp_path):
    out = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out))
    schemas = json.loads(out.read_text())["components"]["schemas"]
    profile = schemas["ModelProfile"]["properties"]
    assert profile["defaults"]["allOf"][0]["$ref"].endswith("/ModelDefaults")
    assert profile["constraints"]["allOf"][0]["$ref"].endswith("/ModelConstraints")
    declared = schemas["ModelConstraints"]
    assert set(declared["required"]) == {
        "frames", "width", "height", "steps", "guidance", "prompt_max_chars", "count_max", "seed_max", "init_image", "max_attempts",
    }
    assert set(schemas["ModelDefaults"]["required"]) == {"frames", "width", "height", "fps", "steps", "guidance", "negative_prompt"}


def test_the_catalogue_returns_exactly_the_declared_shapes(api, world):
    (model,) = api(world.artist).get("/api/v1/generation-models/").json()["results"]
    for serializer, value in ((ModelDefaultsSerializer, model["defaults"]), (ModelConstraintsSerializer, model["constraints"])):
        parsed = serializer(data=value)
        assert parsed.is_valid(), parsed.errors
        assert set(value) == set(serializer().fields)
    assert model["constraints"]["seed_max"] == constraints.SEED_MAX
    assert model["constraints"]["guidance"] == {"min": world.profile.min_guidance, "max": world.profile.max_guidance}
    assert model["constraints"]["init_image"] == "not accepted"
