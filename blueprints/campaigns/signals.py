"""Signals of the campaigns domain (blinker), for notifications, metering, analytics.

Sent inside the transaction that made the change, in the tenant context of the
campaign's organization; the sender is the campaign id. Receivers write their rows in
the same transaction and defer outside effects with ``task.delay(...)`` or
``engagex.mail.queue(...)`` (released only by the commit). Keyword arguments:

| signal | sent when | kwargs |
|---|---|---|
| ``campaign_started`` | a campaign moved to ``sending`` (once per campaign) | ``organization_id, campaign_id, name, recipients`` |
| ``campaign_finished`` | the last batch is recorded; stats are final (once) | ``organization_id, campaign_id, name, counts`` |
| ``campaign_paused`` | a running campaign was paused, by a person or automatically | ``organization_id, campaign_id, name, counts, reason, code, automatic`` |
| ``campaign_failed`` | a campaign could not start or continue (once) | ``organization_id, campaign_id, name, counts, reason, code`` |
| ``campaign_cancelled`` | a campaign was cancelled | ``organization_id, campaign_id, name, counts`` |

``counts`` is ``{"recipients", "sent", "failed", "skipped", "cancelled", "queued"}``.
``code`` is a stable reason code: ``error_rate``, ``sender_domain_unverified``,
``payment_overdue``, ``quota_exceeded``, ``sending_paused``, ``template_invalid``,
``no_recipients``, ``manual``.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

campaign_started = _signals.signal("campaigns.started")
campaign_finished = _signals.signal("campaigns.finished")
campaign_paused = _signals.signal("campaigns.paused")
campaign_failed = _signals.signal("campaigns.failed")
campaign_cancelled = _signals.signal("campaigns.cancelled")
