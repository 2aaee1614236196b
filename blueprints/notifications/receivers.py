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


def on_import_completed(sender: Any, *, org_id: int, import_id: int, **_: Any) -> None:
    from blueprints.contacts.importing import get_import

    record = get_import(None, import_id)
    rejected = record.invalid + record.skipped
    notify(
        org_id,
        "import.finished",
        title=(
            f"Import of {record.filename} finished: {record.created:,} created, "
            f"{record.updated:,} updated, {rejected:,} not imported"
        ),
        body="Download the rejected rows with their reasons from the import page."
        if rejected
        else "",
        link=f"/contacts/imports/{import_id}",
        subject=("contact_import", import_id),
        extra_user_ids=[record.created_by_id] if record.created_by_id else [],
    )


def on_plan_changed(org_id: int, *, old_plan: str | None, new_plan: str, **_: Any) -> None:
    before = f" (was {old_plan})" if old_plan else ""
    notify(
        org_id,
        "billing.plan_changed",
        title=f"Your plan is now {new_plan}{before}",
        link="/billing",
    )


def on_payment_failed(
    org_id: int, *, amount_due: int, currency: str, grace_ends_at: Any, **_: Any
) -> None:
    due = f"{amount_due / 100:,.2f} {currency.upper()}"
    notify(
        org_id,
        "billing.payment_failed",
        title=f"A payment of {due} failed",
        body=f"Sending pauses on {grace_ends_at:%d %B %Y} unless the invoice is paid.",
        link="/billing",
    )


def on_quota_threshold(org_id: int, *, threshold: int, used: int, limit: int, **_: Any) -> None:
    title = (
        f"{threshold} % of this month's email quota is used ({used:,} of {limit:,})"
        if threshold < 100
        else f"This month's email quota is used up ({used:,} of {limit:,}): sending is refused"
    )
    notify(org_id, f"billing.quota_{threshold}", title=title, link="/billing")


def on_invitation_accepted(
    org_id: int, *, email: str, role: str, invited_by_id: int | None, **_: Any
) -> None:
    notify(
        org_id,
        "member.invitation_accepted",
        title=f"{email} joined as {role.replace('_', ' ')}",
        link="/team",
        extra_user_ids=[invited_by_id] if invited_by_id else [],
    )


def _sent_line(counts: dict[str, int]) -> str:
    line = f"{counts.get('sent', 0):,} of {counts.get('recipients', 0):,} sent"
    if counts.get("failed"):
        line += f", {counts['failed']:,} failed"
    return line


def on_campaign_finished(
    sender: Any,
    *,
    organization_id: int,
    campaign_id: int,
    name: str,
    counts: dict[str, int],
    **_: Any,
) -> None:
    notify(
        organization_id,
        "campaign.sent",
        title=f"“{name}” was sent: {_sent_line(counts)}",
        link=f"/campaigns/{campaign_id}",
        subject=("campaign", campaign_id),
    )


def on_campaign_paused(
    sender: Any,
    *,
    organization_id: int,
    campaign_id: int,
    name: str,
    counts: dict[str, int],
    reason: str,
    automatic: bool,
    **_: Any,
) -> None:
    if not automatic:  # the person who paused it knows
        return
    notify(
        organization_id,
        "campaign.paused",
        title=f"“{name}” was paused: {reason}",
        body=f"So far {_sent_line(counts)}. Resume it once the cause is fixed.",
        link=f"/campaigns/{campaign_id}",
        subject=("campaign", campaign_id),
    )


def on_campaign_failed(
    sender: Any, *, organization_id: int, campaign_id: int, name: str, reason: str, **_: Any
) -> None:
    notify(
        organization_id,
        "campaign.failed",
        title=f"“{name}” failed: {reason}",
        link=f"/campaigns/{campaign_id}",
        subject=("campaign", campaign_id),
    )


def on_complaint_rate(
    sender: Any, *, organization_id: int, rate: float, complaints: int, volume: int, **kw: Any
) -> None:
    paused = kw.get("paused_campaign_ids") or []
    action = (
        f"{len(paused)} sending campaign(s) were paused."
        if paused
        else "Mailbox providers start filtering above 0.3 %: clean the list before the next send."
    )
    notify(
        organization_id,
        "analytics.complaint_rate",
        title=f"Spam complaints at {rate:.2%} over 24 hours ({complaints:,} of {volume:,})",
        body=action,
        link="/analytics",
    )


def connect() -> None:
    from blueprints.accounts.signals import invitation_accepted
    from blueprints.analytics import signals as analytics
    from blueprints.billing import signals as billing
    from blueprints.campaigns import signals as campaigns
    from blueprints.contacts.signals import import_completed
    from blueprints.domains.signals import domain_status_changed

    domain_status_changed.connect(on_domain_status_changed)
    invitation_accepted.connect(on_invitation_accepted)
    import_completed.connect(on_import_completed)
    billing.plan_changed.connect(on_plan_changed)
    billing.payment_failed.connect(on_payment_failed)
    billing.quota_threshold_reached.connect(on_quota_threshold)
    campaigns.campaign_finished.connect(on_campaign_finished)
    campaigns.campaign_paused.connect(on_campaign_paused)
    campaigns.campaign_failed.connect(on_campaign_failed)
    analytics.complaint_rate_warning.connect(on_complaint_rate)
    analytics.complaint_rate_exceeded.connect(on_complaint_rate)
