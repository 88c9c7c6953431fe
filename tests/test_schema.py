"""A1: the OpenAPI schema matches API.md's paths and the docs work offline."""

import yaml
from django.core.management import call_command

API_MD_PATHS = {
    "/api/v1/databases/",
    "/api/v1/databases/{id}/",
    "/api/v1/databases/{id}/fields/",
    "/api/v1/databases/{id}/fields/{name}/",
    "/api/v1/databases/{id}/profiles/",
    "/api/v1/profiles/{id}/",
    "/api/v1/profiles/{id}/export/",
}


def test_schema_documents_the_api_md_paths(client, tmp_path):
    # when
    response = client.get("/api/schema/")
    # then
    schema = yaml.safe_load(response.content)
    assert response.status_code == 200
    assert set(schema["paths"]) >= API_MD_PATHS
    assert set(schema["paths"]["/api/v1/profiles/{id}/"]) >= {"get", "patch", "delete"}
    assert "put" not in schema["paths"]["/api/v1/profiles/{id}/"]
    assert set(schema["paths"]["/api/v1/databases/{id}/profiles/bulk-update/"]) == {"post"}
    export = schema["paths"]["/api/v1/databases/{id}/profiles/export/"]["get"]
    assert {p["name"] for p in export["parameters"]} >= {"format", "status", "is_test", "q"}
    status_enum = schema["components"]["schemas"]["StatusEnum"]["enum"]
    assert status_enum == [
        "subscribed",
        "unsubscribed",
        "complainer",
        "hard_bounced",
        "unconfirmed",
        "suspended",
        "invalid",
    ]


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").stat().st_size > 1000


def test_interactive_docs_load_their_assets_locally(client):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_profile_create_documents_detect_geo_and_patch_does_not(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    components = schema["components"]["schemas"]
    create = schema["paths"]["/api/v1/databases/{id}/profiles/"]["post"]["requestBody"]
    created = create["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert components[created]["properties"]["detect_geo"]["type"] == "boolean"
    assert "detect_geo" not in components["PatchedProfileInputRequest"]["properties"]
