"""Roles, permissions and the role -> permission matrix.

The matrix is data: ``MATRIX`` below is the single source, ``docs/permissions.md`` is
generated from it (``engagex roles --markdown``) and a test keeps the two equal.
Services check permissions through ``require(actor, permission)`` so that the API, the
CLI and jobs all get the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    CAMPAIGN_MANAGER = "campaign_manager"
    ANALYST = "analyst"
    EDITOR = "editor"


# permission -> (description, roles that hold it)
_ALL = frozenset(Role)
_MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
_SENDERS = _MANAGERS | {Role.CAMPAIGN_MANAGER}
_AUTHORS = _SENDERS | {Role.EDITOR}

MATRIX: dict[str, tuple[str, frozenset[Role]]] = {
    "org:read": ("See the organization's profile and settings", _ALL),
    "org:manage": ("Rename the organization, change its settings", _MANAGERS),
    "org:delete": ("Delete the organization, transfer ownership", frozenset({Role.OWNER})),
    "members:read": ("List members and their roles", _ALL),
    "members:manage": ("Invite, remove and change roles of members", _MANAGERS),
    "api_keys:manage": ("Create and revoke API keys", _MANAGERS),
    "audit:read": ("Read the audit log", _MANAGERS),
    "contacts:read": ("See contacts, groups and segments", _ALL),
    "contacts:write": ("Create, edit and delete contacts, groups and segments", _SENDERS),
    "contacts:import": ("Import contacts from CSV or Excel", _SENDERS),
    "contacts:export": ("Export contacts", _SENDERS | {Role.ANALYST}),
    "templates:read": ("See templates", _ALL),
    "templates:write": ("Create and edit templates", _AUTHORS),
    "campaigns:read": ("See campaigns", _ALL),
    "campaigns:write": ("Create and edit draft campaigns, send tests", _AUTHORS),
    "campaigns:send": ("Send, schedule, pause, resume and cancel campaigns", _SENDERS),
    "analytics:read": ("See reports and analytics", _ALL),
    "domains:read": ("See sending domains and their DNS records", _ALL),
    "domains:manage": ("Add, verify and remove sending domains", _MANAGERS),
    "webhooks:manage": ("Configure outgoing webhooks", _MANAGERS),
    "billing:read": ("See plan, usage and invoices", _MANAGERS),
    "billing:manage": ("Change plan and payment details", frozenset({Role.OWNER})),
}

PERMISSIONS = frozenset(MATRIX)


def permissions_of(role: Role | str) -> frozenset[str]:
    role = Role(role)
    return frozenset(p for p, (_, roles) in MATRIX.items() if role in roles)


def role_has(role: Role | str | None, permission: str) -> bool:
    if permission not in MATRIX:
        raise KeyError(f"unknown permission {permission!r}")
    return role is not None and Role(role) in MATRIX[permission][1]


class PermissionDenied(Exception):
    """The actor's role does not grant the permission (HTTP 403, code ``forbidden``)."""

    def __init__(self, permission: str) -> None:
        super().__init__(f"this action needs the '{permission}' permission")
        self.permission = permission


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs an operation, resolved by the boundary for one organization.

    ``kind`` is ``user``, ``api_key`` or ``system``. A system actor (cron, jobs, the
    operator at the server's terminal) holds every permission.
    """

    kind: str
    role: Role | None = None
    user_id: int | None = None
    api_key_id: int | None = None
    organization_id: int | None = None

    # flask-login reads these when an Actor is the request's ``current_user``.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.kind}:{self.api_key_id or self.user_id or ''}"

    @classmethod
    def system(cls) -> Actor:
        return cls(kind="system")

    def can(self, permission: str) -> bool:
        if self.kind == "system":
            if permission not in MATRIX:
                raise KeyError(f"unknown permission {permission!r}")
            return True
        return role_has(self.role, permission)


def require(actor: Actor | None, permission: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may do ``permission``.

    ``None`` is the system actor: services are called with ``actor=None`` for system work.
    """
    if actor is not None and not actor.can(permission):
        raise PermissionDenied(permission)
    if actor is None and permission not in MATRIX:
        raise KeyError(f"unknown permission {permission!r}")


def matrix_markdown() -> str:
    """The matrix as the Markdown table published in docs/permissions.md."""
    roles = list(Role)
    head = "| permission | meaning | " + " | ".join(r.value for r in roles) + " |"
    rule = "|---|---|" + "|".join(":-:" for _ in roles) + "|"
    rows = [
        f"| `{perm}` | {desc} | " + " | ".join("yes" if r in held else "" for r in roles) + " |"
        for perm, (desc, held) in MATRIX.items()
    ]
    return "\n".join([head, rule, *rows]) + "\n"
