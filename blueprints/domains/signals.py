"""Signals of the domains package (blinker), for other domains to subscribe to.

``domain_status_changed`` is sent whenever a check moves a domain to another status
(``pending``/``verified``/``failed``), from ``verify_domain`` and from the daily
``engagex domains recheck-all``. Receivers are called synchronously, inside the
transaction of the check and in the tenant context of the domain's organization, with:

- sender: the Flask app
- ``domain_id``, ``organization_id``, ``name`` (str), ``old_status``, ``new_status``
- ``records``: the per-record results (``{purpose, type, name, value, status, detail}``)

so a receiver can write its rows in the same transaction (rolled back together) and must
defer external effects with ``task.delay(...)`` or ``engagex.mail.queue(...)``, which run
only after the commit. A downgrade is ``old_status == "verified"`` and
``new_status != "verified"``: sending from the domain is blocked from that moment.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

domain_status_changed = _signals.signal("domain-status-changed")
