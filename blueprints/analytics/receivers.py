"""What the analytics do when campaigns move (receivers of the campaigns' signals).

Each runs inside the emitting transaction, in the campaign's tenant context: the sends
are copied into the statistics when a campaign stops sending, campaign events go to the
outgoing webhooks, and a campaign that starts while its organization is over the
complaint threshold is paused (``guard``).
"""

from __future__ import annotations

from typing import Any

from blueprints.analytics import guard, sent
from blueprints.analytics.outgoing import services as outgoing

_TYPES = {
    "started": "campaign.started",
    "finished": "campaign.sent",
    "paused": "campaign.paused",
    "cancelled": "campaign.cancelled",
    "failed": "campaign.failed",
}


def _data(kwargs: dict[str, Any]) -> dict[str, Any]:
    data = {"campaign_id": kwargs["campaign_id"], "name": kwargs.get("name")}
    for name in ("counts", "recipients", "reason", "code", "automatic"):
        if name in kwargs:
            data[name] = kwargs[name]
    return data


def _receiver(kind: str) -> Any:
    def receive(sender: Any, **kwargs: Any) -> None:
        org_id = kwargs["organization_id"]
        if kind != "started":
            sent.sync(kwargs["campaign_id"])
        outgoing.emit(org_id, _TYPES[kind], _data(kwargs))
        if kind == "started":
            guard.on_campaign_started(sender, **kwargs)

    receive.__name__ = f"on_campaign_{kind}"
    return receive


RECEIVERS = {kind: _receiver(kind) for kind in _TYPES}
