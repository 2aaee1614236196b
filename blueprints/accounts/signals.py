"""Signals of the accounts domain (blinker), sent inside the emitting transaction.

- ``invitation_accepted(org_id, user_id=..., email=..., role=..., invited_by_id=...)``:
  a person joined the organization through an invitation.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

invitation_accepted = _signals.signal("accounts.invitation-accepted")
