"""Where import files live: ``ENGAGEX_UPLOAD_DIR`` or ``<instance>/uploads``.

Workers read uploads from here, so in a multi-host setup it is shared storage. Each
import has its own directory (``<org id>/imports/<import id>/``): the uploaded file
(removed once the import has run) and ``rejected.csv``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from flask import current_app

from blueprints.contacts.models import Import


def upload_root() -> Path:
    configured = current_app.config.get("ENGAGEX_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def import_dir(record: Import) -> Path:
    return upload_root() / str(record.organization_id) / "imports" / str(record.id)


def org_import_files(org_id: int, name: str) -> list[Path]:
    """Every ``name`` file of the organization's imports (erasure scrubs them)."""
    base = upload_root() / str(org_id) / "imports"
    return sorted(base.glob(f"*/{name}")) if base.is_dir() else []


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
        path.unlink()
