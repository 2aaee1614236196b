"""The pre-send review of a campaign (``GET /campaigns/{id}/review``).

It runs, without changing anything, the checks that sending would run (audience,
template, sender domain, billing standing, quota) and reports each one with a message
a person can act on, instead of stopping at the first refusal as ``send`` does. The
recipient count is what the audience selects now; the snapshot taken when sending
starts is authoritative (contacts may unsubscribe in between).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blueprints.billing import services as billing
from blueprints.campaigns import audience
from blueprints.campaigns.services.campaigns import get_campaign, sender_of
from blueprints.campaigns.services.lifecycle import check_audience, prepare
from blueprints.domains import services as domains
from engagex.errors import AppError, ValidationFailed
from engagex.permissions import Actor

#: Statuses a campaign can be sent (or scheduled) from.
SENDABLE = ("draft", "scheduled")


def _check(name: str, ok: bool, message: str, code: str | None = None) -> dict[str, Any]:
    return {"name": name, "ok": ok, "message": message, "code": None if ok else code}


def _attempt(name: str, step: Callable[[], str]) -> dict[str, Any]:
    """Run ``step`` (which returns the success message) and turn a refusal into a
    failed check carrying the refusal's own message and code."""
    try:
        return _check(name, True, step())
    except AppError as exc:
        return _check(name, False, exc.message, exc.code)


def _count(n: int) -> str:
    return f"{n:,}"


def review_campaign(actor: Actor | None, campaign_id: int) -> dict[str, Any]:
    """Every sending check of the campaign with its outcome, the recipient count, the
    quota and the sender; ``ready`` when all checks pass."""
    campaign = get_campaign(actor, campaign_id)
    org_id = campaign.organization_id
    checks: list[dict[str, Any]] = []
    if campaign.status not in SENDABLE:
        checks.append(
            _check("status", False, f"the campaign is {campaign.status}", "campaign_not_sendable")
        )

    recipients = 0

    def audience_step() -> str:
        nonlocal recipients
        check_audience(campaign)
        recipients = audience.count(campaign)
        if recipients == 0:
            raise ValidationFailed(
                "no subscribed, unsuppressed contact in the chosen groups and segments",
                code="no_recipients",
            )
        people = "contact" if recipients == 1 else "contacts"
        return f"{_count(recipients)} {people} will receive it"

    checks.append(_attempt("audience", audience_step))

    revision: Any = None

    def template_step() -> str:
        nonlocal revision
        revision, _sender, _compiled = prepare(campaign, audience=False)
        return f"template revision {revision.number} compiles and has an unsubscribe link"

    checks.append(_attempt("template", template_step))

    sender: dict[str, Any] = {"email": None, "domain": None, "verified": False, "allowed": False}

    def sender_step() -> str:
        address = (
            sender_of(campaign, revision).from_email
            if revision is not None
            else campaign.from_email
        )
        if not address:
            raise ValidationFailed("choose a sender address", code="no_sender")
        sender["email"] = address
        sender["domain"] = address.rpartition("@")[2].lower()
        domains.assert_sender_allowed(org_id, address)
        sender["verified"] = domains.sender_domain_status(org_id, address) == "verified"
        sender["allowed"] = True
        if sender["verified"]:
            return f"the sending domain {sender['domain']} is verified"
        # Only where ENGAGEX_ALLOW_UNVERIFIED_SENDERS is on (development, embedded mode).
        return (
            f"the sending domain {sender['domain']} is not verified, which this installation allows"
        )

    checks.append(_attempt("sender", sender_step))

    decision = billing.sending_allowed(org_id)
    checks.append(
        _check(
            "billing",
            decision.allowed,
            decision.message or "the subscription is in good standing",
            decision.reason,
        )
    )

    used, limit, _start, period_end = billing.emails_used(org_id)
    remaining = max(0, limit - used)
    fits = recipients <= remaining
    checks.append(
        _check(
            "quota",
            fits,
            f"uses {_count(recipients)} of the {_count(remaining)} emails left this period "
            f"(renews {period_end:%Y-%m-%d})"
            if fits
            else f"needs {_count(recipients)} emails but only {_count(remaining)} are left "
            f"this period (renews {period_end:%Y-%m-%d}); upgrade the plan or send to fewer "
            "recipients",
            "quota_exceeded",
        )
    )
    return {
        "campaign_id": campaign.id,
        "ready": all(check["ok"] for check in checks),
        "recipients": recipients,
        "checks": checks,
        "quota": {"limit": limit, "used": used, "remaining": remaining},
        "sender": sender,
    }
