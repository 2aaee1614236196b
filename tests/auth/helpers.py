"""Helpers of the accounts and auth tests: sign-up/sign-in through the API, the outbox."""

from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from blueprints.auth.services import mfa

PASSWORD = "violet-Kestrel-harbour-42"


def sign_up(
    client: FlaskClient,
    email_address: str,
    org_name: str = "Acme",
    *,
    password: str = PASSWORD,
    slug: str | None = None,
) -> dict:
    body = {"email": email_address, "password": password, "organization_name": org_name}
    if slug:
        body["organization_slug"] = slug
    response = client.post("/api/v1/auth/sign-up", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def sign_in(client: FlaskClient, email_address: str, password: str = PASSWORD, **extra) -> dict:
    response = client.post(
        "/api/v1/auth/sign-in", json={"email": email_address, "password": password, **extra}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def csrf(client: FlaskClient) -> dict[str, str]:
    """The header a cookie-authenticated write needs."""
    state = client.get("/api/v1/auth/me").get_json()
    return {"X-CSRF-Token": state["csrf_token"]}


def cookie(client: FlaskClient, name: str = "engagex_session") -> str | None:
    found = client.get_cookie(name)
    return found.value if found else None


def set_cookie_header(response, name: str = "engagex_session") -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.getlist('Set-Cookie')}")


def outbox(app: Flask, to: str) -> list[email.message.EmailMessage]:
    """Messages the outbox backend wrote for ``to``, oldest first."""
    directory = Path(app.config["ENGAGEX_OUTBOX_DIR"])
    found = []
    for path in sorted(directory.glob("*.eml")) if directory.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if to.lower() in str(message["To"]).lower():
            found.append(message)
    return found


def text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def last_token(app: Flask, to: str) -> str:
    """The ``token`` of the link in the newest email to ``to``."""
    messages = outbox(app, to)
    assert messages, f"no email to {to}"
    url = re.search(r"https?://\S+token=\S+", text_of(messages[-1])).group(0)
    return parse_qs(urlsplit(url).query)["token"][0]


def totp_now(secret: str, offset_steps: int = 0) -> str:
    """The code of the server's current time step, or of one ``offset_steps`` away."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(int(mfa.time.time() // totp.interval) + offset_steps)


def freeze_totp_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop the server's TOTP clock in the middle of the current step, so that "this
    step" and "the next step" stay the same while a test runs, even across a 30-second
    boundary."""
    interval = pyotp.TOTP(pyotp.random_base32()).interval
    frozen = (time.time() // interval + 0.5) * interval
    monkeypatch.setattr(mfa, "time", SimpleNamespace(time=lambda: frozen))
