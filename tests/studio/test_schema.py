"""The OpenAPI schema documents every endpoint without warnings and validates."""

from django.core.management import call_command


def test_openapi_schema_validates_without_warnings(db, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ["/api/v1/me/", "/api/v1/projects/", "/api/v1/shots/{shot_pk}/versions/", "/api/v1/generations/{id}/cancel/",
                 "/api/v1/consents/", "/api/v1/likeness-uses/{id}/decide/"]:
        assert f"  {path}:" in text, path


def test_conditional_reads_document_if_none_match_etag_and_304(db):
    """Every read answered with an ETag documents the If-None-Match header, the ETag header and the
    304 answer (studio.http.schema.ConditionalGetSchema); other operations do not claim a 304."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    conditional = [
        "/api/v1/projects/{project_pk}/shots/", "/api/v1/versions/{version_pk}/comments/", "/api/v1/projects/{project_pk}/sequences/",
        "/api/v1/projects/{project_pk}/sequences/{id}/", "/api/v1/shots/{id}/", "/api/v1/shots/{shot_pk}/versions/",
        "/api/v1/versions/{id}/",
    ]
    for path in conditional:
        get = paths[path]["get"]
        headers = [p for p in get.get("parameters", []) if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["If-None-Match"], path
        assert "ETag" in get["responses"]["200"]["headers"], path
        assert "ETag" in get["responses"]["304"]["headers"] and "content" not in get["responses"]["304"], path
    assert "304" not in paths["/api/v1/versions/{version_pk}/comments/"]["post"]["responses"]
    assert "304" not in paths["/api/v1/shots/{id}/"]["patch"]["responses"]
    assert "304" not in paths["/api/v1/projects/"]["get"]["responses"]
