"""REST /api/v1/domains: create, list, get, verify, delete; permissions and isolation."""

from __future__ import annotations

from tests.domains.conftest import SENDGRID_TARGETS, publish
from tests.factories import auth, make_key, make_org

RECORD_KEYS = {"purpose", "type", "name", "value", "status", "detail"}


def test_create_returns_status_and_records_ready_to_paste(client, zone, org):
    token = make_key(org)
    response = client.post(
        "/api/v1/domains",
        json={"name": " Mail.Example.COM. ", "provider": "sendgrid"},
        headers=auth(token),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == "mail.example.com" and body["status"] == "pending"
    assert body["provider"] == "sendgrid" and isinstance(body["id"], int)
    assert all(set(r) == RECORD_KEYS for r in body["records"])
    assert [r["type"] for r in body["records"]] == ["TXT", "TXT", "CNAME", "CNAME", "TXT"]
    assert body["records"][2]["value"] == SENDGRID_TARGETS[0]
    assert "dkim_private_key" not in body and "verification_token" not in body


def test_smtp_is_the_default_provider_and_never_exposes_the_private_key(client, zone, org):
    body = client.post(
        "/api/v1/domains", json={"name": "example.com"}, headers=auth(make_key(org))
    ).get_json()
    assert body["provider"] == "smtp" and body["dkim_selector"].startswith("egx")
    dkim = next(r for r in body["records"] if r["purpose"] == "dkim")
    assert dkim["value"].startswith("v=DKIM1; k=rsa; p=MII")
    assert "PRIVATE" not in str(body)


def test_verify_list_get_delete(client, zone, org):
    token = make_key(org)
    created = client.post(
        "/api/v1/domains", json={"name": "example.com"}, headers=auth(token)
    ).get_json()
    publish(zone, created)
    response = client.post(f"/api/v1/domains/{created['id']}/verify", headers=auth(token))
    assert response.status_code == 200
    verified = response.get_json()
    assert verified["status"] == "verified"
    assert {r["status"] for r in verified["records"]} == {"verified"}
    assert verified["verified_at"] and verified["last_checked_at"]

    client.post("/api/v1/domains", json={"name": "b.example.com"}, headers=auth(token))
    page = client.get("/api/v1/domains?limit=1", headers=auth(token)).get_json()
    assert [d["name"] for d in page["items"]] == ["example.com"] and page["next_cursor"]
    rest = client.get(
        f"/api/v1/domains?limit=1&cursor={page['next_cursor']}", headers=auth(token)
    ).get_json()
    assert [d["name"] for d in rest["items"]] == ["b.example.com"]

    got = client.get(f"/api/v1/domains/{created['id']}", headers=auth(token)).get_json()
    assert got["status"] == "verified"
    assert client.delete(f"/api/v1/domains/{created['id']}", headers=auth(token)).status_code == 204
    assert client.get(f"/api/v1/domains/{created['id']}", headers=auth(token)).status_code == 404


def test_failed_verification_is_a_200_with_diagnostics(client, zone, org):
    token = make_key(org)
    created = client.post(
        "/api/v1/domains", json={"name": "example.com"}, headers=auth(token)
    ).get_json()
    body = client.post(f"/api/v1/domains/{created['id']}/verify", headers=auth(token)).get_json()
    assert body["status"] == "failed"
    assert all(r["detail"].startswith("expected") for r in body["records"]), body["records"]


def test_other_organizations_domains_are_404(client, zone, org):
    theirs = make_org()
    created = client.post(
        "/api/v1/domains", json={"name": "example.com"}, headers=auth(make_key(theirs))
    ).get_json()
    token = make_key(org)
    for method, path in [
        ("get", f"/api/v1/domains/{created['id']}"),
        ("post", f"/api/v1/domains/{created['id']}/verify"),
        ("delete", f"/api/v1/domains/{created['id']}"),
    ]:
        response = getattr(client, method)(path, headers=auth(token))
        assert response.status_code == 404, path
        assert response.get_json()["code"] == "domain_not_found"
    assert client.get("/api/v1/domains", headers=auth(token)).get_json()["items"] == []


def test_permissions(client, zone, org):
    analyst = make_key(org, role="analyst")
    assert client.get("/api/v1/domains", headers=auth(analyst)).status_code == 200
    response = client.post("/api/v1/domains", json={"name": "example.com"}, headers=auth(analyst))
    assert response.status_code == 403
    assert response.get_json()["details"] == {"permission": "domains:manage"}
    assert client.get("/api/v1/domains").status_code == 401


def test_bad_input(client, zone, org):
    token = make_key(org)
    for payload, code in [
        ({"name": "localhost"}, "invalid_domain"),
        ({"name": "news@example.com"}, "invalid_domain"),
        ({"name": "exa mple.com"}, "invalid_domain"),
        ({"name": "a" * 64 + ".com"}, "invalid_domain"),
        ({"name": "1.2.3.4"}, "invalid_domain"),
        ({}, "validation_error"),
        ({"name": "example.com", "provider": "postfix"}, "validation_error"),
        ({"name": "example.com", "secret": 1}, "validation_error"),
    ]:
        response = client.post("/api/v1/domains", json=payload, headers=auth(token))
        assert response.status_code == 422, payload
        assert response.get_json()["code"] == code, payload
    client.post("/api/v1/domains", json={"name": "example.com"}, headers=auth(token))
    again = client.post("/api/v1/domains", json={"name": "EXAMPLE.com"}, headers=auth(token))
    assert again.status_code == 409 and again.get_json()["code"] == "domain_exists"


def test_unicode_names_are_stored_as_idna(client, zone, org):
    body = client.post(
        "/api/v1/domains", json={"name": "bücher.example"}, headers=auth(make_key(org))
    ).get_json()
    assert body["name"] == "xn--bcher-kva.example"


def test_openapi_documents_the_domain_routes(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {
        "/api/v1/domains",
        "/api/v1/domains/{domain_id}",
        "/api/v1/domains/{domain_id}/verify",
    } <= set(paths)


def test_a_misconfigured_resolver_is_a_clear_503(client, zone, org, app, monkeypatch):
    token = make_key(org)
    created = client.post(
        "/api/v1/domains", json={"name": "example.com"}, headers=auth(token)
    ).get_json()
    monkeypatch.setitem(app.config, "ENGAGEX_DNS_NAMESERVERS", ["127.0.0.1:99999"])
    response = client.post(f"/api/v1/domains/{created['id']}/verify", headers=auth(token))
    assert response.status_code == 503
    assert response.get_json()["code"] == "dns_unavailable"
    assert "127.0.0.1:99999" in response.get_json()["message"]
