"""Signals other domains subscribe to (blinker); sent inside the emitting transaction.

- ``contact_erased(org_id=..., email=..., contact_ids=[...])``: personal data of one
  address was erased; holders of copies (campaign recipients, engagement events) must
  anonymise theirs in the same transaction.
- ``import_completed(org_id=..., import_id=..., created=..., updated=...)``: an import
  applied its rows (usage metering, notifications).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

contact_erased = _signals.signal("contacts.contact-erased")
import_completed = _signals.signal("contacts.import-completed")
