"""Monthly billing periods computed from an anchor, the way Stripe bills.

Period ``k`` runs from ``anchor + k months`` to ``anchor + (k + 1) months``; a day that
does not exist in a short month is clamped to its last day (an anchor on the 31st bills
on 28 February, then on 31 March again), so periods never drift.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

from engagex.db import as_utc


def add_months(anchor: datetime, months: int) -> datetime:
    """``anchor`` moved by ``months`` calendar months, clamped to the month's last day."""
    index = anchor.year * 12 + (anchor.month - 1) + months
    year, month = divmod(index, 12)
    day = min(anchor.day, calendar.monthrange(year, month + 1)[1])
    return anchor.replace(year=year, month=month + 1, day=day)


def period_at(anchor: datetime, now: datetime) -> tuple[datetime, datetime]:
    """The monthly period that contains ``now`` (the first one if ``now`` precedes it)."""
    anchor = as_utc(anchor)
    now = as_utc(now)
    months = max(0, (now.year - anchor.year) * 12 + (now.month - anchor.month))
    start = add_months(anchor, months)
    while start > now and months > 0:
        months -= 1
        start = add_months(anchor, months)
    return start, add_months(anchor, months + 1)


def from_timestamp(value: int | float | None) -> datetime | None:
    """A Stripe Unix timestamp as an aware datetime (None stays None)."""
    if value is None:
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)
