"""The notification types: who hears about what, and through which channel by default.

Kept as data so that the preferences screen, the API and the audience rules read the
same table. Emitting domains name a type; this domain decides the recipients.
"""

from __future__ import annotations

from dataclasses import dataclass

from engagex.permissions import Role

CHANNELS = ("in_app", "email")

_OWNERS = frozenset({Role.OWNER})
_MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
_SENDERS = _MANAGERS | {Role.CAMPAIGN_MANAGER}


@dataclass(frozen=True)
class NotificationType:
    key: str
    label: str
    audience: frozenset[Role]
    email_default: bool
    in_app_default: bool = True


_TYPES = [
    NotificationType("campaign.sent", "A campaign finished sending", _SENDERS, True),
    NotificationType("campaign.failed", "A campaign failed", _SENDERS, True),
    NotificationType("campaign.paused", "A campaign was paused automatically", _SENDERS, True),
    NotificationType("import.finished", "A contact import finished", _SENDERS, False),
    NotificationType("domain.verified", "A sending domain was verified", _MANAGERS, True),
    NotificationType("domain.failed", "A sending domain failed verification", _MANAGERS, True),
    NotificationType(
        "domain.downgraded", "A verified domain lost its DNS records", _MANAGERS, True
    ),
    NotificationType("billing.payment_failed", "A payment failed", _OWNERS, True),
    NotificationType("billing.plan_changed", "The plan changed", _OWNERS, True),
    NotificationType("billing.quota_80", "80 % of the monthly email quota used", _OWNERS, True),
    NotificationType("billing.quota_100", "The monthly email quota is used up", _OWNERS, True),
    NotificationType("member.invitation_accepted", "An invitation was accepted", _MANAGERS, False),
    NotificationType("analytics.complaint_rate", "Spam complaints are too high", _SENDERS, True),
]

TYPES: dict[str, NotificationType] = {t.key: t for t in _TYPES}


def get_type(key: str) -> NotificationType:
    try:
        return TYPES[key]
    except KeyError:
        raise KeyError(f"unknown notification type {key!r}") from None
