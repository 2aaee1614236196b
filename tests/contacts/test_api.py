"""The contacts REST API: resources, imports as jobs, exports, permissions."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.contacts.helpers import FILES
from tests.factories import auth, make_key, make_org


@pytest.fixture
def key(session):
    return make_key(make_org(), role="admin")


def test_contact_lifecycle(client, key):
    headers = auth(key)
    field = client.post(
        "/api/v1/contacts/fields", json={"name": "plan", "type": "text"}, headers=headers
    )
    assert field.status_code == 201, field.get_json()
    group = client.post("/api/v1/groups", json={"name": "Customers"}, headers=headers).get_json()
    created = client.post(
        "/api/v1/contacts",
        json={
            "email": " Ann@Example.COM ",
            "first_name": "Ann",
            "attributes": {"plan": "pro"},
            "group_ids": [group["id"]],
            "consent_at": "2024-05-01T10:00:00+02:00",
            "consent_ip": "192.0.2.1",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["email"] == "ann@example.com" and body["group_ids"] == [group["id"]]
    assert body["status"] == "subscribed" and body["source"] == "api"
    assert body["consent_at"].startswith("2024-05-01T08:00:00")
    duplicate = client.post("/api/v1/contacts", json={"email": "ANN@example.com"}, headers=headers)
    assert duplicate.status_code == 409 and duplicate.get_json()["code"] == "contact_exists"
    patched = client.patch(
        f"/api/v1/contacts/{body['id']}",
        json={"attributes": {"plan": None}, "group_ids": [], "last_name": "Lee"},
        headers=headers,
    ).get_json()
    assert (
        patched["attributes"] == {} and patched["group_ids"] == [] and patched["last_name"] == "Lee"
    )
    listed = client.get("/api/v1/contacts?q=lee", headers=headers).get_json()
    assert [c["id"] for c in listed["items"]] == [body["id"]] and listed["next_cursor"] is None
    assert client.get("/api/v1/contacts/count", headers=headers).get_json() == {"count": 1}
    assert client.delete(f"/api/v1/contacts/{body['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/contacts/{body['id']}", headers=headers).status_code == 404
    assert client.get("/api/v1/contacts/count", headers=headers).get_json() == {"count": 0}


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"email": "not-an-email"}, "invalid_email"),
        ({"email": "a@b.example", "attributes": {"nope": 1}}, "unknown_field"),
        ({"email": "a@b.example", "status": "gone"}, "validation_error"),
        ({"email": "a@b.example", "consent_ip": "nowhere"}, "invalid_value"),
        ({"email": "a@b.example", "extra": 1}, "validation_error"),
        ({"email": "a\x00@b.example"}, "validation_error"),
    ],
)
def test_bad_contacts_are_422(client, key, payload, code):
    response = client.post("/api/v1/contacts", json=payload, headers=auth(key))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == code


def test_typed_attributes_through_the_api(client, key):
    headers = auth(key)
    client.post(
        "/api/v1/contacts/fields", json={"name": "score", "type": "number"}, headers=headers
    )
    bad = client.post(
        "/api/v1/contacts",
        json={"email": "a@b.example", "attributes": {"score": "lots"}},
        headers=headers,
    )
    assert bad.status_code == 422 and bad.get_json()["details"]["field"] == "attributes.score"
    good = client.post(
        "/api/v1/contacts",
        json={"email": "a@b.example", "attributes": {"score": 4.5}},
        headers=headers,
    )
    assert good.get_json()["attributes"] == {"score": 4.5}


def test_groups_members_and_pagination(client, key):
    headers = auth(key)
    group = client.post("/api/v1/groups", json={"name": "Weekly"}, headers=headers).get_json()
    ids = [
        client.post(
            "/api/v1/contacts", json={"email": f"u{i}@x.example"}, headers=headers
        ).get_json()["id"]
        for i in range(5)
    ]
    added = client.post(
        f"/api/v1/groups/{group['id']}/members",
        json={"contact_ids": ids[:3], "emails": ["U4@x.example"]},
        headers=headers,
    )
    assert added.get_json() == {"changed": 4}
    again = client.post(
        f"/api/v1/groups/{group['id']}/members", json={"contact_ids": ids[:3]}, headers=headers
    )
    assert again.get_json() == {"changed": 0}
    assert (
        client.get(f"/api/v1/groups/{group['id']}", headers=headers).get_json()["contact_count"]
        == 4
    )
    page = client.get(
        f"/api/v1/contacts?group_id={group['id']}&limit=3", headers=headers
    ).get_json()
    assert [c["id"] for c in page["items"]] == [ids[4], ids[2], ids[1]]
    rest = client.get(
        f"/api/v1/contacts?group_id={group['id']}&limit=3&cursor={page['next_cursor']}",
        headers=headers,
    ).get_json()
    assert [c["id"] for c in rest["items"]] == [ids[0]] and rest["next_cursor"] is None
    removed = client.delete(
        f"/api/v1/groups/{group['id']}/members", json={"contact_ids": [ids[0]]}, headers=headers
    )
    assert removed.get_json() == {"changed": 1}
    clash = client.post("/api/v1/groups", json={"name": "Weekly"}, headers=headers)
    assert clash.status_code == 409
    renamed = client.patch(f"/api/v1/groups/{group['id']}", json={"name": "Daily"}, headers=headers)
    assert renamed.get_json()["name"] == "Daily"
    assert client.delete(f"/api/v1/groups/{group['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/contacts/count", headers=headers).get_json() == {"count": 5}


def test_segments_endpoints(client, key):
    headers = auth(key)
    for email in ("a@gmail.com", "b@gmail.com", "c@work.example"):
        client.post("/api/v1/contacts", json={"email": email}, headers=headers)
    definition = {"field": "email", "op": "contains", "value": "gmail"}
    assert client.post(
        "/api/v1/segments/count", json={"definition": definition}, headers=headers
    ).get_json() == {"count": 2}
    preview = client.post(
        "/api/v1/segments/preview?limit=1", json={"definition": definition}, headers=headers
    ).get_json()
    assert [c["email"] for c in preview["items"]] == ["b@gmail.com"] and preview["next_cursor"]
    saved = client.post(
        "/api/v1/segments", json={"name": "Gmail", "definition": definition}, headers=headers
    )
    assert saved.status_code == 201
    segment = saved.get_json()
    assert client.get(f"/api/v1/segments/{segment['id']}/count", headers=headers).get_json() == {
        "count": 2
    }
    items = client.get(f"/api/v1/segments/{segment['id']}/preview", headers=headers).get_json()[
        "items"
    ]
    assert [c["email"] for c in items] == ["b@gmail.com", "a@gmail.com"]
    listed = client.get(f"/api/v1/contacts?segment_id={segment['id']}", headers=headers).get_json()
    assert len(listed["items"]) == 2
    bad = client.post(
        "/api/v1/segments",
        json={
            "name": "Bad",
            "definition": {"and": [definition, {"field": "email", "op": "gt", "value": 1}]},
        },
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.get_json()["code"] == "invalid_segment"
    assert bad.get_json()["details"]["path"] == "$.and[1].op"
    changed = client.patch(
        f"/api/v1/segments/{segment['id']}",
        json={"definition": {"field": "email", "op": "starts_with", "value": "c"}},
        headers=headers,
    )
    assert changed.status_code == 200
    assert client.get(f"/api/v1/segments/{segment['id']}/count", headers=headers).get_json() == {
        "count": 1
    }
    assert client.delete(f"/api/v1/segments/{segment['id']}", headers=headers).status_code == 204


def test_suppressions_endpoints(client, key):
    headers = auth(key)
    address = client.post(
        "/api/v1/suppressions", json={"value": "X@Example.com", "reason": "bounce"}, headers=headers
    )
    assert address.status_code == 201
    assert address.get_json()["kind"] == "email" and address.get_json()["value"] == "x@example.com"
    domain = client.post(
        "/api/v1/suppressions", json={"value": "@Spam.example"}, headers=headers
    ).get_json()
    assert domain["kind"] == "domain" and domain["value"] == "spam.example"
    again = client.post("/api/v1/suppressions", json={"value": "x@example.com"}, headers=headers)
    assert again.status_code == 409
    bad = client.post("/api/v1/suppressions", json={"value": "not a domain"}, headers=headers)
    assert bad.status_code == 422
    listed = client.get("/api/v1/suppressions?kind=domain", headers=headers).get_json()
    assert [s["value"] for s in listed["items"]] == ["spam.example"]
    assert client.delete(f"/api/v1/suppressions/{domain['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/suppressions/{domain['id']}", headers=headers).status_code == 404


def test_import_runs_as_a_job_with_its_report(client, key):
    headers = auth(key)
    with (FILES / "duplicates_case.csv").open("rb") as fh:
        started = client.post(
            "/api/v1/contacts/imports",
            data={"file": (fh, "list.csv"), "group": "Imported", "mode": "upsert"},
            headers=headers,
            content_type="multipart/form-data",
        )
    assert started.status_code == 202, started.get_json()
    record = started.get_json()
    assert record["status"] == "pending" and record["filename"] == "list.csv"
    done = client.get(f"/api/v1/contacts/imports/{record['id']}", headers=headers).get_json()
    assert done["status"] == "completed", done
    assert (done["created"], done["updated"], done["skipped"], done["invalid"]) == (2, 0, 0, 3)
    assert done["progress"] == 100.0 and done["processed_rows"] == 5
    assert done["errors"][0] == {"row": 3, "field": "email", "reason": "duplicate of row 2"}
    assert done["has_rejected_rows"] is True and done["group_id"]
    rejected = client.get(f"/api/v1/contacts/imports/{record['id']}/rejected", headers=headers)
    assert rejected.status_code == 200 and rejected.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(rejected.get_data(as_text=True))))
    assert rows[0] == ["row", "field", "reason", "Email Address", "First"]
    assert rows[1] == ["3", "email", "duplicate of row 2", "ANN@EXAMPLE.COM", "Ann2"]
    listed = client.get("/api/v1/contacts/imports", headers=headers).get_json()
    assert [i["id"] for i in listed["items"]] == [record["id"]]
    group_id = done["group_id"]
    assert client.get(
        f"/api/v1/contacts/count?group_id={group_id}", headers=headers
    ).get_json() == {"count": 2}


def test_a_failed_import_reports_why_and_applies_nothing(client, key):
    headers = auth(key)
    with (FILES / "unclosed_quote.csv").open("rb") as fh:
        record = client.post(
            "/api/v1/contacts/imports",
            data={"file": (fh, "broken.csv")},
            headers=headers,
            content_type="multipart/form-data",
        ).get_json()
    done = client.get(f"/api/v1/contacts/imports/{record['id']}", headers=headers).get_json()
    assert done["status"] == "failed" and "not valid CSV at line 4" in done["error"]
    assert client.get("/api/v1/contacts/count", headers=headers).get_json() == {"count": 0}
    assert (
        client.get(f"/api/v1/contacts/imports/{record['id']}/rejected", headers=headers).status_code
        == 404
    )


def test_import_form_is_validated(client, key):
    headers = auth(key)
    missing = client.post(
        "/api/v1/contacts/imports", data={}, headers=headers, content_type="multipart/form-data"
    )
    assert missing.status_code == 422
    with (FILES / "latin1.csv").open("rb") as fh:
        bad_map = client.post(
            "/api/v1/contacts/imports",
            data={"file": (fh, "a.csv"), "mapping": "{not json"},
            headers=headers,
            content_type="multipart/form-data",
        )
    assert bad_map.status_code == 422


def test_export_is_formula_safe_in_csv_and_xlsx(client, key):
    headers = auth(key)
    client.post(
        "/api/v1/contacts/fields", json={"name": "company", "type": "text"}, headers=headers
    )
    client.post(
        "/api/v1/contacts/fields", json={"name": "score", "type": "number"}, headers=headers
    )
    client.post(
        "/api/v1/contacts",
        json={
            "email": "evil@x.example",
            "first_name": '=HYPERLINK("http://evil.example","x")',
            "last_name": "+1+1",
            "attributes": {"company": "@SUM(A1)", "score": -5},
        },
        headers=headers,
    )
    client.post(
        "/api/v1/contacts",
        json={
            "email": "tab@x.example",
            "first_name": "@cmd",
            "last_name": "-2",
            "attributes": {"company": "\tX"},
        },
        headers=headers,
    )
    client.post(
        "/api/v1/contacts",
        json={"email": "cr@x.example", "attributes": {"company": "\rY"}},
        headers=headers,
    )
    response = client.get("/api/v1/contacts/export", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert rows["evil@x.example"]["first_name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows["evil@x.example"]["last_name"] == "'+1+1"
    assert rows["evil@x.example"]["company"] == "'@SUM(A1)"
    assert rows["evil@x.example"]["score"] == "-5"  # a number is not a formula
    assert rows["tab@x.example"]["first_name"] == "'@cmd"
    assert rows["tab@x.example"]["last_name"] == "'-2"
    assert rows["tab@x.example"]["company"] == "'\tX"
    assert rows["cr@x.example"]["company"] == "'\rY"
    book = client.get("/api/v1/contacts/export?format=xlsx", headers=headers)
    assert book.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(book.data)).active
    header = [c.value for c in sheet[1]]
    cells = {
        row[1].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)
    }
    evil = cells["evil@x.example"]
    assert evil["first_name"].value.startswith("'=") and evil["first_name"].data_type == "s"
    assert evil["company"].value == "'@SUM(A1)"
    assert evil["score"].value == -5 and evil["score"].data_type == "n"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_export_of_a_group_or_segment(client, key):
    headers = auth(key)
    group = client.post("/api/v1/groups", json={"name": "G"}, headers=headers).get_json()
    client.post(
        "/api/v1/contacts",
        json={"email": "in@x.example", "group_ids": [group["id"]]},
        headers=headers,
    )
    client.post("/api/v1/contacts", json={"email": "out@x.example"}, headers=headers)
    grouped = client.get(f"/api/v1/contacts/export?group_id={group['id']}", headers=headers)
    emails = [r["email"] for r in csv.DictReader(io.StringIO(grouped.get_data(as_text=True)))]
    assert emails == ["in@x.example"]
    segment = client.post(
        "/api/v1/segments",
        json={"name": "Out", "definition": {"field": "email", "op": "starts_with", "value": "out"}},
        headers=headers,
    ).get_json()
    chosen = client.get(f"/api/v1/contacts/export?segment_id={segment['id']}", headers=headers)
    emails = [r["email"] for r in csv.DictReader(io.StringIO(chosen.get_data(as_text=True)))]
    assert emails == ["out@x.example"]


def test_roles_are_enforced(client, session):
    org = make_org()
    analyst = auth(make_key(org, role="analyst"))
    assert client.get("/api/v1/contacts", headers=analyst).status_code == 200
    assert client.get("/api/v1/contacts/export", headers=analyst).status_code == 200
    denied = client.post("/api/v1/contacts", json={"email": "a@b.example"}, headers=analyst)
    assert denied.status_code == 403 and denied.get_json()["code"] == "forbidden"
    with (FILES / "latin1.csv").open("rb") as fh:
        upload = client.post(
            "/api/v1/contacts/imports",
            data={"file": (fh, "a.csv")},
            headers=analyst,
            content_type="multipart/form-data",
        )
    assert upload.status_code == 403
    assert (
        client.post(
            "/api/v1/contacts/erase", json={"email": "a@b.example"}, headers=analyst
        ).status_code
        == 403
    )
    assert client.get("/api/v1/contacts").status_code == 401


def test_openapi_documents_the_contacts_resources(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/contacts",
        "/api/v1/contacts/imports",
        "/api/v1/contacts/export",
        "/api/v1/groups",
        "/api/v1/segments/{segment_id}/count",
        "/api/v1/segments/preview",
        "/api/v1/suppressions",
    ):
        assert path in paths, path
