"""The OpenAPI schema documents every endpoint without warnings and validates."""

from django.core.management import call_command


def test_openapi_schema_validates_without_warnings(db, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ["/api/v1/me/", "/api/v1/projects/", "/api/v1/shots/{shot_pk}/versions/", "/api/v1/generations/{id}/cancel/",
                 "/api/v1/consents/", "/api/v1/likeness-uses/{id}/decide/"]:
        assert f"  {path}:" in text, path
