"""Engagement conditions for segments: who opened or clicked.

Registered with ``blueprints.contacts.segments.register_condition``::

    {"condition": "opened"}                                    opened any campaign, ever
    {"condition": "opened", "within_last_days": 30}            ... in the last 30 days
    {"condition": "clicked", "campaign_id": 12}                clicked a link of campaign 12
    {"condition": "opened", "campaign_id": 12, "include_machine": true}

Only people's opens and clicks count unless ``include_machine`` is true (mail privacy
proxies "open" everything). Negate with ``{"not": {...}}``. Compiled to an ``EXISTS``
over ``recipient_activity`` by its ``(organization_id, contact_id)`` index.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from blueprints.analytics.models import RecipientActivity
from blueprints.campaigns.models import Campaign
from blueprints.contacts.models import Contact
from blueprints.contacts.segments import MAX_DAYS, Context, SegmentInvalid
from engagex.db import db

KEYS = {"condition", "campaign_id", "within_last_days", "include_machine"}


def _int(node: Mapping[str, Any], name: str, path: str, low: int, high: int) -> int | None:
    value = node.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise SegmentInvalid(f"{path}.{name}", f"must be a whole number from {low} to {high}")
    return value


class Engagement:
    """``opened`` or ``clicked`` (see the module docstring)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def validate(self, node: Mapping[str, Any], path: str, ctx: Context) -> dict[str, Any]:
        extra = sorted(set(node) - KEYS)
        if extra:
            raise SegmentInvalid(
                f"{path}.{extra[0]}",
                f"unknown key for condition {self.kind!r}; allowed: "
                "campaign_id, within_last_days, include_machine",
            )
        campaign_id = _int(node, "campaign_id", path, 1, 2**63 - 1)
        days = _int(node, "within_last_days", path, 1, MAX_DAYS)
        include_machine = node.get("include_machine", False)
        if not isinstance(include_machine, bool):
            raise SegmentInvalid(f"{path}.include_machine", "must be true or false")
        if campaign_id is not None:
            exists = db.session.scalar(
                sa.select(Campaign.id)
                .where(Campaign.id == campaign_id)
                .execution_options(include_deleted=True)
            )
            if exists is None:
                raise SegmentInvalid(f"{path}.campaign_id", f"no campaign with id {campaign_id}")
        checked: dict[str, Any] = {"condition": self.kind}
        if campaign_id is not None:
            checked["campaign_id"] = campaign_id
        if days is not None:
            checked["within_last_days"] = days
        if include_machine:
            checked["include_machine"] = True
        return checked

    def compile(self, node: Mapping[str, Any], ctx: Context) -> sa.ColumnElement[bool]:
        a = RecipientActivity
        machine = bool(node.get("include_machine"))
        if self.kind == "opened":
            human, robot = a.opens, a.machine_opens
            human_at, robot_at = a.last_open_at, a.last_machine_open_at
        else:
            human, robot = a.clicks, a.machine_clicks
            human_at, robot_at = a.last_click_at, a.last_machine_click_at
        conditions: list[sa.ColumnElement[bool]] = [a.contact_id == Contact.id]
        days = node.get("within_last_days")
        since = ctx.now - timedelta(days=days) if days else None
        if machine:
            if since is None:
                conditions.append(sa.or_(human > 0, robot > 0))
            else:
                conditions.append(sa.or_(human_at >= since, robot_at >= since))
        else:
            conditions.append(human > 0 if since is None else human_at >= since)
        if node.get("campaign_id") is not None:
            conditions.append(a.campaign_id == int(node["campaign_id"]))
        return sa.select(a.recipient_id).where(*conditions).exists()


OPENED = Engagement("opened")
CLICKED = Engagement("clicked")
