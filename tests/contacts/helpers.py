"""Shortcuts shared by the contacts tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from blueprints.contacts import importing, services
from blueprints.contacts.models import Import

FILES = Path(__file__).parent / "files"


def run_file(path: Path | str, **options: Any) -> Import:
    """Import a file in-process, as the CLI does, and return the finished import."""
    path = FILES / path if isinstance(path, str) else path
    record = importing.create_import(None, filename=path.name, path=path, **options)
    return importing.run_import(None, record.id)


def errors(record: Import) -> list[tuple[int, str]]:
    return [(e["row"], e["reason"]) for e in importing.iter_errors(record)]


def counts(record: Import) -> dict[str, int]:
    return {
        "created": record.created,
        "updated": record.updated,
        "skipped": record.skipped,
        "invalid": record.invalid,
    }


def emails() -> list[str]:
    return sorted(c.email for c in services.list_contacts(None, limit=200).items)
