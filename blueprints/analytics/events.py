"""The events every source hands to ``ingest.record``, and what a call did."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from blueprints.analytics.recipients import RecipientRef

#: activity counter an event adds to (opens and clicks: the machine_ one when machine)
_ACTIVITY = {
    "delivered": "delivered",
    "deferred": "deferred",
    "dropped": "dropped",
    "spamreport": "complaints",
    "unsubscribe": "unsubscribes",
}
ACTIVITY_COUNTERS = (
    "delivered",
    "deferred",
    "dropped",
    "bounces",
    "soft_bounces",
    "opens",
    "machine_opens",
    "clicks",
    "machine_clicks",
    "complaints",
    "unsubscribes",
)


@dataclass
class EventIn:
    """One event to record, from any source."""

    type: str
    recipient_id: int
    occurred_at: datetime
    key: str  # unique per organization: the provider's event id or our own
    source: str
    link_index: int | None = None
    user_agent: str | None = None  # raw; only a coarse name is stored
    machine_reason: str | None = None  # decided by the source (HEAD, provider flag)
    data: dict[str, Any] = field(default_factory=dict)
    #: ids the source claims (SendGrid custom_args): must match the stored recipient
    claimed_org: int | None = None
    claimed_campaign: int | None = None
    ref: RecipientRef | None = None
    client: str | None = None

    @property
    def machine(self) -> bool:
        return self.machine_reason is not None

    @property
    def hard(self) -> bool:
        return self.type == "bounce" and bool(self.data.get("hard", True))

    def counter(self) -> str | None:
        if self.type == "bounce":
            return "bounces" if self.hard else "soft_bounces"
        if self.type == "open":
            return "machine_opens" if self.machine else "opens"
        if self.type == "click":
            return "machine_clicks" if self.machine else "clicks"
        return _ACTIVITY.get(self.type)


@dataclass
class Recorded:
    """What a call of ``record`` did."""

    received: int = 0
    recorded: int = 0
    duplicates: int = 0
    unmatched: int = 0
    types: Counter[str] = field(default_factory=Counter)
    organizations: set[int] = field(default_factory=set)

    def add(self, other: Recorded) -> None:
        self.received += other.received
        self.recorded += other.recorded
        self.duplicates += other.duplicates
        self.unmatched += other.unmatched
        self.types.update(other.types)
        self.organizations |= other.organizations

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "unmatched": self.unmatched,
            "types": dict(self.types),
        }
