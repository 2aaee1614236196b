"""Claiming batches, holding them with a lease, and recording their outcome in bulk.

**Claim**: one ``UPDATE campaign_batches ... WHERE id = (SELECT ... ORDER BY number
LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING`` takes the next batch that is pending (and
past its back-off) or whose lease has expired, only while the campaign is ``sending``.
Workers on any number of machines never wait for each other and never take the same
batch. On SQLite (the embedded mode) the database serializes writers, so the same
statement without the lock clause is just as exclusive.

**Lease**: a claimed batch belongs to its worker until ``lease_expires_at``; a
``Lease`` thread renews it every third of the lease on its own connection while the
batch is delivered. A worker that dies stops renewing, and the batch is claimed again
after the lease runs out: at most that batch is delivered twice.

**Record**: one ``UPDATE`` per outcome (and per distinct error), guarded by
``status = 'queued'``, so the counters that are added to the campaign are the rows that
really changed, even when a batch was delivered twice.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from blueprints.campaigns import states
from blueprints.campaigns.models import Campaign, CampaignBatch, CampaignRecipient
from engagex.db import as_utc, db

log = logging.getLogger(__name__)

MAX_BACKOFF = 900.0


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def now_expr() -> Any:
    """The database's clock on PostgreSQL (all workers agree), this host's on SQLite."""
    return sa.func.now() if _postgres() else datetime.now(UTC)


def later_expr(seconds: float) -> Any:
    if _postgres():
        return sa.func.now() + timedelta(seconds=seconds)
    return datetime.now(UTC) + timedelta(seconds=seconds)


def db_now() -> datetime:
    return as_utc(db.session.scalar(sa.select(sa.func.now())) if _postgres() else datetime.now(UTC))


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Claimed:
    id: int
    number: int
    size: int
    attempts: int
    token: str


def claim(org_id: int, campaign_id: int, *, worker: str, lease_seconds: float) -> Claimed | None:
    """Take the next batch of a sending campaign, or None when none is ready."""
    b = CampaignBatch
    now = now_expr()
    ready = sa.or_(
        sa.and_(b.status == "pending", sa.or_(b.not_before.is_(None), b.not_before <= now)),
        sa.and_(b.status == "sending", b.lease_expires_at < now),
    )
    running = (
        sa.select(Campaign.id)
        .where(Campaign.id == campaign_id, Campaign.status == "sending")
        .exists()
    )
    pick = (
        sa.select(b.id)
        .where(b.organization_id == org_id, b.campaign_id == campaign_id, ready, running)
        .order_by(b.number)
        .limit(1)
        .with_for_update(skip_locked=True, of=b)
        .scalar_subquery()
    )
    token = uuid.uuid4().hex
    stmt = (
        sa.update(b)
        .where(b.id == pick)
        .values(
            status="sending",
            claim_token=token,
            worker=worker[:200],
            attempts=b.attempts + 1,
            lease_expires_at=later_expr(lease_seconds),
            started_at=sa.func.coalesce(b.started_at, now),
        )
        .returning(b.id, b.number, b.size, b.attempts)
        .execution_options(synchronize_session=False)
    )
    row = db.session.execute(stmt).first()
    if row is None:
        return None
    return Claimed(row.id, row.number, row.size, row.attempts, token)


class Lease(threading.Thread):
    """Renews a claimed batch's lease until ``stop()``; ``lost`` if another worker
    took it over (this one stalled longer than the lease)."""

    def __init__(self, engine: sa.Engine, org_id: int, claimed: Claimed, seconds: float) -> None:
        super().__init__(name=f"lease-{claimed.id}", daemon=True)
        self.engine = engine
        self.org_id = org_id
        self.claimed = claimed
        self.seconds = seconds
        self.lost = False
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.seconds / 3):
            try:
                if not self._renew():
                    self.lost = True
                    log.warning("lease of batch %s was taken over", self.claimed.id)
                    return
            except Exception:  # a database hiccup: try again at the next beat
                log.exception("could not renew the lease of batch %s", self.claimed.id)

    def _renew(self) -> bool:
        postgres = self.engine.dialect.name == "postgresql"
        with self.engine.begin() as conn:
            if postgres:
                # This connection carries no tenant setting of its own: set it, bounded.
                conn.exec_driver_sql(
                    "SELECT set_config('engagex.org_id', %(org)s, true), "
                    "set_config('lock_timeout', '2s', true)",
                    {"org": str(self.org_id)},
                )
                expires: Any = sa.func.now() + timedelta(seconds=self.seconds)
            else:
                expires = datetime.now(UTC) + timedelta(seconds=self.seconds)
            table = CampaignBatch.__table__
            result = conn.execute(
                sa.update(table)
                .where(table.c.id == self.claimed.id, table.c.claim_token == self.claimed.token)
                .values(lease_expires_at=expires)
            )
            return result.rowcount == 1

    def stop(self) -> None:
        self._halt.set()
        if self.is_alive():
            self.join(timeout=5)


# --- outcomes ---------------------------------------------------------------------------


@dataclass
class Outcomes:
    """What happened to each recipient of a batch."""

    sent: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    #: temporary failures: (id, error, seconds the provider asked to wait)
    deferred: list[tuple[int, str, float | None]] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return len(self.sent) + len(self.failed) + len(self.deferred)

    @property
    def errors(self) -> int:
        return len(self.failed) + len(self.deferred)

    def last_error(self) -> str | None:
        if self.deferred:
            return self.deferred[-1][1]
        if self.failed:
            return self.failed[-1][1]
        return None


@dataclass(frozen=True)
class Recorded:
    sent: int
    failed: int
    skipped: int
    deferred: int
    cancelled: int
    campaign_status: str
    window_attempts: int
    window_errors: int
    recipients: int
    owned: bool


def _ids_in(column: Any, ids: list[int]) -> sa.ColumnElement[bool]:
    """``column IN ids``: one array parameter on PostgreSQL (one cached statement
    whatever the batch), an expanded list on SQLite."""
    if _postgres():
        return column == sa.any_(sa.bindparam("ids", ids, type_=postgresql.ARRAY(sa.BigInteger)))
    return column.in_(ids)


def _set(ids: Iterable[int], **values: Any) -> int:
    ids = list(ids)
    if not ids:
        return 0
    r = CampaignRecipient
    result = db.session.execute(
        sa.update(r)
        .where(_ids_in(r.id, ids), r.status == "queued")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return max(result.rowcount, 0)


def _by_error(rows: Iterable[tuple[Any, ...]]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        groups[(row[1] or "")[:500]].append(row[0])
    return groups


def backoff(attempt: int, base: float, asked: float | None) -> float:
    """Seconds before a batch with deferred recipients is tried again."""
    wait = min(base * 2 ** max(attempt - 1, 0), MAX_BACKOFF)
    return max(wait, asked or 0.0)


def record(
    org_id: int,
    campaign_id: int,
    claimed: Claimed,
    outcomes: Outcomes,
    attempts: dict[int, int],
    *,
    max_attempts: int,
    retry_seconds: float,
    window: int,
) -> Recorded:
    """Write a batch's outcomes, release the batch and add to the campaign's counters.

    ``attempts`` are the recipients' earlier delivery attempts (a deferred recipient at
    ``max_attempts`` fails for good). Flushes; the caller commits.
    """
    r = CampaignRecipient
    now = now_expr()
    sent = _set(outcomes.sent, status="sent", sent_at=now, attempts=r.attempts + 1, error=None)
    failed = 0
    for error, ids in _by_error(outcomes.failed).items():
        failed += _set(ids, status="failed", error=error, attempts=r.attempts + 1)
    skipped = 0
    for reason, ids in _by_error(outcomes.skipped).items():
        skipped += _set(ids, status="skipped", error=reason)
    exhausted = [
        (rid, f"gave up after {attempts.get(rid, 0) + 1} attempts: {error}")
        for rid, error, _ in outcomes.deferred
        if attempts.get(rid, 0) + 1 >= max_attempts
    ]
    retry = [
        (rid, error)
        for rid, error, _ in outcomes.deferred
        if attempts.get(rid, 0) + 1 < max_attempts
    ]
    for error, ids in _by_error(exhausted).items():
        failed += _set(ids, status="failed", error=error, attempts=r.attempts + 1)
    for error, ids in _by_error(retry).items():
        _set(ids, error=error, attempts=r.attempts + 1)

    status = db.session.scalar(sa.select(Campaign.status).where(Campaign.id == campaign_id))
    cancelled = 0
    b = CampaignBatch
    owned_batch = sa.and_(b.id == claimed.id, b.claim_token == claimed.token)
    if status == "cancelled":
        cancelled = max(
            db.session.execute(
                sa.update(r)
                .where(r.campaign_id == campaign_id, r.batch_no == claimed.number)
                .where(r.status == "queued")
                .values(status="cancelled")
                .execution_options(synchronize_session=False)
            ).rowcount,
            0,
        )
        batch_values: dict[str, Any] = {"status": "cancelled", "finished_at": now}
    elif retry:
        asked = max((after or 0.0 for _, _, after in outcomes.deferred), default=0.0)
        wait = backoff(claimed.attempts, retry_seconds, asked)
        batch_values = {"status": "pending", "not_before": later_expr(wait)}
    else:
        batch_values = {"status": "done", "finished_at": now}
    result = db.session.execute(
        sa.update(b)
        .where(owned_batch)
        .values(
            **batch_values,
            claim_token=None,
            lease_expires_at=None,
            sent=b.sent + sent,
            failed=b.failed + failed,
            skipped=b.skipped + skipped,
            deferred=len(retry),
            last_error=(outcomes.last_error() or "")[:1000] or None,
        )
        .execution_options(synchronize_session=False)
    )
    owned = result.rowcount == 1

    c = Campaign
    attempted, errors = outcomes.attempted, outcomes.errors
    cap = 2 * window
    grown = c.window_attempts + attempted > cap
    row = db.session.execute(
        sa.update(c)
        .where(c.id == campaign_id)
        .values(
            sent_count=c.sent_count + sent,
            failed_count=c.failed_count + failed,
            skipped_count=c.skipped_count + skipped,
            cancelled_count=c.cancelled_count + cancelled,
            window_attempts=sa.case(
                (grown, (c.window_attempts + attempted) // 2), else_=c.window_attempts + attempted
            ),
            window_errors=sa.case(
                (grown, (c.window_errors + errors) // 2), else_=c.window_errors + errors
            ),
            last_activity_at=now,
        )
        .returning(c.status, c.window_attempts, c.window_errors, c.recipients_total)
        .execution_options(synchronize_session=False)
    ).one()
    return Recorded(
        sent=sent,
        failed=failed,
        skipped=skipped,
        deferred=len(retry),
        cancelled=cancelled,
        campaign_status=row.status,
        window_attempts=int(row.window_attempts),
        window_errors=int(row.window_errors),
        recipients=row.recipients_total,
        owned=owned,
    )


def release(claimed: Claimed) -> None:
    """Give a claimed batch back untouched (a runner that stops before delivering it)."""
    b = CampaignBatch
    db.session.execute(
        sa.update(b)
        .where(b.id == claimed.id, b.claim_token == claimed.token)
        .values(status="pending", claim_token=None, lease_expires_at=None, attempts=b.attempts - 1)
        .execution_options(synchronize_session=False)
    )


# --- the state of a campaign's batches ---------------------------------------------------


@dataclass(frozen=True)
class Outlook:
    """What is left of a campaign: open batches and when the next may be claimed."""

    status: str
    open: int  # batches pending or in flight
    next_at: datetime | None  # earliest back-off end or lease expiry
    now: datetime


def outlook(campaign_id: int) -> Outlook:
    b = CampaignBatch
    status = db.session.scalar(sa.select(Campaign.status).where(Campaign.id == campaign_id))
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.min(
                sa.case(
                    (b.status == "sending", b.lease_expires_at),
                    else_=sa.func.coalesce(b.not_before, sa.func.now()),
                )
            ),
        ).where(b.campaign_id == campaign_id, b.status.in_(("pending", "sending")))
    ).one()
    return Outlook(status or "", int(row[0] or 0), _aware(row[1]), db_now())


def complete(campaign_id: int) -> bool:
    """Move a sending campaign with no open batch to ``sent``; True if this call did."""
    b = CampaignBatch
    open_batches = (
        sa.select(b.id)
        .where(b.campaign_id == campaign_id, b.status.in_(("pending", "sending")))
        .exists()
    )
    return states.transition(
        campaign_id,
        "sent",
        only_from=["sending"],
        values={"finished_at": now_expr(), "status_code": None, "status_reason": None},
        where=[sa.not_(open_batches)],
    )


def cancel_open(campaign_id: int) -> int:
    """Cancel what a cancelled campaign has not sent: pending batches and their queued
    recipients (batches in flight are finished by their worker). Returns recipients."""
    b, r = CampaignBatch, CampaignRecipient
    in_flight = sa.select(b.number).where(b.campaign_id == campaign_id, b.status == "sending")
    count = db.session.execute(
        sa.update(r)
        .where(r.campaign_id == campaign_id, r.status == "queued", r.batch_no.notin_(in_flight))
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        sa.update(b)
        .where(b.campaign_id == campaign_id, b.status == "pending")
        .values(status="cancelled", finished_at=now_expr())
        .execution_options(synchronize_session=False)
    )
    return max(count, 0)
