"""The HTTP surface of the core: OpenAPI, docs offline, error shape, health, SPA."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from engagex import create_app
from tests.conftest import app_config


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code and body["message"]
    return body


def test_openapi_document_validates(client):
    spec = client.get("/api/openapi.json").get_json()
    validate(spec)
    assert "/api/v1/members" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_docs_page_uses_only_local_assets(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    refs = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert refs, "the docs page should load scripts and styles"
    for ref in refs:
        assert not re.match(r"^(https?:)?//", ref), f"external reference {ref}"
        asset = client.get(ref)
        assert asset.status_code == 200 and len(asset.data) > 1000, ref
    assert "http://" not in html and "https://" not in html


def test_unknown_api_route_is_a_json_404(client):
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error(client.get("/webhooks/nope"), 404, "not_found")


def test_wrong_method_is_a_json_405(client):
    response = client.delete("/api/v1/organization")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_invalid_fields_are_a_json_422(client):
    from tests.factories import auth, make_key, make_org

    token = make_key(make_org())
    body = assert_error(
        client.patch("/api/v1/organization", json={"name": "", "bogus": 1}, headers=auth(token)),
        422,
        "validation_error",
    )
    assert set(body["details"]["fields"]["json"]) == {"name", "bogus"}
    assert_error(
        client.patch("/api/v1/organization", json={"name": "a\x00b"}, headers=auth(token)),
        422,
        "validation_error",
    )
    assert_error(
        client.patch(
            "/api/v1/organization",
            data="{not json",
            content_type="application/json",
            headers=auth(token),
        ),
        400,
        "bad_request",
    )


def test_out_of_range_ids_are_404_not_database_errors(client):
    from tests.factories import auth, make_key, make_org

    token = make_key(make_org())
    for raw in ("0", "-1", "9" * 30, "abc", "1.5"):
        assert_error(client.get(f"/api/v1/members/{raw}", headers=auth(token)), 404, "not_found")


def test_unhandled_exception_is_a_json_500_with_request_id(tmp_path, pg_url):
    app = create_app(app_config(tmp_path, DATABASE_URL=pg_url))

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-123"})
    body = assert_error(response, 500, "internal_error")
    assert "secret internals" not in response.get_data(as_text=True)
    assert body["details"]["request_id"] == "req-123"
    assert response.headers["X-Request-ID"] == "req-123"


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["database"] == "ok"


def test_readyz_is_503_when_redis_is_unreachable(tmp_path, pg_url):
    app = create_app(app_config(tmp_path, DATABASE_URL=pg_url, REDIS_URL="redis://127.0.0.1:1/0"))
    body = assert_error(app.test_client().get("/readyz"), 503, "unavailable")
    assert body["details"]["checks"]["redis"].startswith("error")
    assert body["details"]["checks"]["database"] == "ok"


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"
    app = create_app(app_config(tmp_path, DATABASE_URL=url))
    body = assert_error(app.test_client().get("/readyz"), 503, "unavailable")
    assert body["details"]["checks"]["database"].startswith("error")


def test_metrics_exposes_request_latency_by_route(client):
    client.get("/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert (
        'engagex_http_request_duration_seconds_count{endpoint="/healthz",method="GET",status="200"}'
        in text
    )
    assert "engagex_jobs_total" in text and "engagex_emails_sent_total" in text


def test_request_id_is_generated_when_missing_or_unsafe(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    unsafe = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"}).headers[
        "X-Request-ID"
    ]
    assert unsafe != "bad id <script>" and re.fullmatch(r"[0-9a-f]{32}", unsafe)


@pytest.mark.parametrize("path", ["/", "/campaigns/42", "/settings/api-keys"])
def test_spa_is_served_with_history_fallback(tmp_path, pg_url, path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root></div>")
    (dist / "assets" / "app-abc123.js").write_text("console.log(1)")
    app = create_app(app_config(tmp_path, DATABASE_URL=pg_url, ENGAGEX_FRONTEND_DIST=str(dist)))
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200 and "id=root" in page.get_data(as_text=True)
    asset = client.get("/assets/app-abc123.js")
    assert asset.status_code == 200 and "immutable" in asset.headers["Cache-Control"]
    assert_error(client.get("/api/v1/missing"), 404, "not_found")
