"""The starter templates offered when a template is created (``starter`` field).

Each is a complete, table-based, responsive email (Outlook conditional comments,
bulletproof buttons, a mobile media query, dark-mode hints) whose links are static
placeholders the author replaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Starter:
    key: str
    name: str
    description: str
    subject: str
    preheader: str
    variables: tuple[dict[str, Any], ...] = field(default=())

    @property
    def html(self) -> str:
        return _read(self.key)

    def fields(self) -> dict[str, Any]:
        """The template fields a new template created from this starter gets."""
        return {
            "subject": self.subject,
            "preheader": self.preheader,
            "html": self.html,
            "variables": [dict(v) for v in self.variables],
        }


@cache
def _read(key: str) -> str:
    return (_HERE / f"{key}.html").read_text(encoding="utf-8")


STARTERS: dict[str, Starter] = {
    starter.key: starter
    for starter in (
        Starter(
            key="newsletter",
            name="Newsletter",
            description="A featured story with a button, two shorter stories side by side "
            "(stacked on phones) and a full footer.",
            subject="{{ organization.name }}: this month's highlights",
            preheader="What we shipped, what we learned and what comes next.",
        ),
        Starter(
            key="announcement",
            name="Announcement",
            description="A bold headline band, a short explanation, a details table and "
            "one call to action.",
            subject="Introducing something new at {{ organization.name }}",
            preheader="One sentence that says what changes, and why it matters.",
        ),
        Starter(
            key="letter",
            name="Plain letter",
            description="A personal, text-first letter with a signature: no banner, no "
            "columns; reads like an email from a person.",
            subject="A note from {{ organization.name }}",
            preheader="A short personal note.",
            variables=({"name": "sender_name", "default": "The team", "required": False},),
        ),
    )
}
