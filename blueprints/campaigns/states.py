"""The campaign status machine: which moves exist, and the one way a status changes.

```
draft ──schedule──> scheduled ──(due / send now)──> sending ──> sent
  │  <──unschedule──┘   │                            │  ^
  └──────send now───────┼──────────────────────────> │  │ resume
                        └──cancel──> cancelled <──── ├> paused
                                     failed <─────── ┘
```

Every change goes through ``transition``: one conditional ``UPDATE ... WHERE status IN
(allowed sources) RETURNING``. Two requests racing for the same move both run it; the
row lock makes the second wait for the first to commit, after which its ``WHERE`` no
longer matches, so exactly one of them gets the row back. That is what makes "send"
move a campaign to ``sending`` once, whoever triggers it and however often.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from blueprints.campaigns.models import STATUSES, Campaign
from engagex.db import db
from engagex.errors import Conflict

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"scheduled", "sending"}),
    "scheduled": frozenset({"scheduled", "draft", "sending", "cancelled", "failed"}),
    "sending": frozenset({"paused", "sent", "cancelled", "failed"}),
    "paused": frozenset({"sending", "cancelled", "failed"}),
    "sent": frozenset(),
    "cancelled": frozenset(),
    "failed": frozenset(),
}
TERMINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
#: statuses in which the audience, content and sender may still be edited
EDITABLE = frozenset({"draft", "scheduled"})

assert set(TRANSITIONS) == set(STATUSES)


class InvalidTransition(Conflict):
    code = "invalid_transition"


def sources(target: str) -> frozenset[str]:
    """The statuses a campaign may be in to move to ``target``."""
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def transition(
    campaign_id: int,
    target: str,
    *,
    only_from: Iterable[str] | None = None,
    values: Mapping[str, Any] | None = None,
    where: Iterable[sa.ColumnElement[bool]] = (),
) -> bool:
    """Move the campaign to ``target`` if its status allows it; True if this call did.

    ``only_from`` narrows the allowed sources (e.g. ``send-due`` starts only scheduled
    campaigns); ``values`` are written in the same statement; ``where`` adds conditions
    (e.g. ``scheduled_at <= now()``). Runs in the caller's tenant context.
    """
    froms = sources(target)
    if only_from is not None:
        wanted = frozenset(only_from)
        if not wanted <= froms:
            raise ValueError(f"{sorted(wanted - froms)} cannot move to {target}")
        froms = wanted
    stmt = (
        sa.update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status.in_(sorted(froms)), *where)
        .values(status=target, **dict(values or {}))
        .returning(Campaign.id)
        .execution_options(synchronize_session=False)
    )
    moved = db.session.execute(stmt).first() is not None
    if moved:
        # Objects already loaded must not keep the old status.
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, Campaign) and obj.id == campaign_id:
                db.session.expire(obj)
    return moved


def refuse(campaign: Campaign, target: str, action: str) -> InvalidTransition:
    """The 409 for a move the campaign's current status does not allow."""
    possible = sorted(TRANSITIONS.get(campaign.status, ()))
    return InvalidTransition(
        f"cannot {action} a campaign that is {campaign.status}",
        details={"status": campaign.status, "target": target, "allowed_targets": possible},
    )
