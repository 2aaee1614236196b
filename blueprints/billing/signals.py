"""Signals billing emits for other domains (notifications, campaigns).

Every signal is sent with the organization id as the sender and keyword arguments
documented below (and in docs/billing.md). Receivers run synchronously inside the
transaction that caused the change: do side effects through ``task.delay(...)`` (held
until commit), so a rolled-back change never notifies anyone. A receiver that raises
aborts that transaction.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: The organization's plan changed.
#: kwargs: ``old_plan`` (code or None), ``new_plan`` (code), ``source`` ("stripe" or
#: "operator").
plan_changed = _signals.signal("billing.plan_changed")

#: The subscription's status changed (e.g. ``past_due`` -> ``active`` once an invoice is
#: paid, which is the moment to resume campaigns paused for non-payment).
#: kwargs: ``old_status``, ``new_status``.
status_changed = _signals.signal("billing.status_changed")

#: A Stripe invoice payment failed.
#: kwargs: ``invoice_id`` (Stripe id), ``amount_due`` (cents), ``currency``,
#: ``hosted_invoice_url``, ``grace_ends_at`` (aware datetime: sending pauses after it).
payment_failed = _signals.signal("billing.payment_failed")

#: The metered emails of the period crossed a threshold for the first time in the period.
#: kwargs: ``threshold`` (80 or 100), ``used``, ``limit``, ``period_end``.
quota_threshold_reached = _signals.signal("billing.quota_threshold_reached")

QUOTA_THRESHOLDS = (80, 100)
