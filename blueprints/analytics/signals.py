"""Signals of the analytics domain (blinker), for notifications.

Sent inside the transaction of the complaint guard's check, in the organization's
tenant context; the sender is the organization id. Receivers write their rows in the
same transaction and defer outside effects (``task.delay``, ``engagex.mail.queue``).

| signal | sent when | kwargs |
|---|---|---|
| ``complaint_rate_warning`` | the 24-hour complaint rate reached the warning threshold (0.1 %); at most once per 24 hours per organization | ``organization_id, rate, complaints, volume, window_hours, threshold`` |
| ``complaint_rate_exceeded`` | the rate reached the pause threshold (0.3 %): its sending campaigns were paused (code ``complaint_rate``) | ``organization_id, rate, complaints, volume, window_hours, threshold, paused_campaign_ids`` |

``rate`` is a fraction (0.004 = 0.4 %); ``volume`` the messages it is measured on.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

complaint_rate_warning = _signals.signal("analytics.complaint-rate-warning")
complaint_rate_exceeded = _signals.signal("analytics.complaint-rate-exceeded")
