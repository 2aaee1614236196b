"""Translate other domains' signals into notifications.

Each receiver runs inside the emitting transaction, so the in-app rows commit or roll
back with the event; emails are queued and leave after the commit.
"""

from __future__ import annotations

from typing import Any

from blueprints.notifications.services import notify


def on_domain_status_changed(
    sender: Any,
    *,
    domain_id: int,
    organization_id: int,
    name: str,
    old_status: str,
    new_status: str,
    records: list[dict[str, Any]],
    **_: Any,
) -> None:
    problems = [
        f"{r['type']} {r['name']}: {r['detail']}" for r in records if r.get("status") != "ok"
    ]
    if new_status == "verified":
        kind, title = "domain.verified", f"{name} is verified: you can send from it"
    elif old_status == "verified":
        kind, title = (
            "domain.downgraded",
            f"{name} lost its DNS records: sending from it is blocked",
        )
    elif new_status == "failed":
        kind, title = "domain.failed", f"{name} failed verification"
    else:
        return
    notify(
        organization_id,
        kind,
        title=title,
        body="\n".join(problems),
        link=f"/domains/{domain_id}",
        subject=("domain", domain_id),
    )


def connect() -> None:
    from blueprints.domains.signals import domain_status_changed

    domain_status_changed.connect(on_domain_status_changed)
