"""Small SQL helpers shared by the analytics writers: dialect-specific upserts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from engagex.db import as_utc, db


def dialect() -> str:
    return db.session.get_bind().dialect.name


def insert(model: Any) -> Any:
    """A Core ``INSERT`` into ``model``'s table with ``on_conflict_do_*`` for the current
    backend. Run it with a list of parameter dicts (``db.session.execute(stmt, rows)``):
    SQLAlchemy's "insertmanyvalues" sends them in multi-row batches with one compiled
    statement, where ``.values(rows)`` would compile a new statement per batch."""
    table = getattr(model, "__table__", model)
    return (postgresql if dialect() == "postgresql" else sqlite).insert(table)


def later_of(current: Any, incoming: Any) -> Any:
    """The later of two nullable timestamps (``GREATEST`` ignores NULLs only on
    PostgreSQL; SQLite's ``max`` returns NULL)."""
    return sa.case(
        (incoming.is_(None), current),
        (current.is_(None), incoming),
        (incoming > current, incoming),
        else_=current,
    )


def earlier_of(current: Any, incoming: Any) -> Any:
    return sa.case(
        (incoming.is_(None), current),
        (current.is_(None), incoming),
        (incoming < current, incoming),
        else_=current,
    )


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes (stored in UTC)."""
    return None if value is None else as_utc(value)


def hour_of(value: datetime) -> datetime:
    value = aware(value) or value
    return value.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def truncate_hour(column: Any) -> Any:
    """SQL: ``column`` truncated to its UTC hour."""
    if dialect() == "postgresql":
        return sa.func.date_trunc("hour", sa.func.timezone("UTC", column))
    return sa.func.strftime("%Y-%m-%d %H:00:00", column)


def now() -> datetime:
    """The database's time on PostgreSQL, this host's on SQLite (both UTC-aware)."""
    if dialect() == "postgresql":
        return aware(db.session.scalar(sa.select(sa.func.now())))  # type: ignore[return-value]
    return datetime.now(UTC)


def unnest_insert(
    table: str,
    columns: dict[str, str],
    rows: list[dict[str, Any]],
    tail: str,
) -> sa.CursorResult[Any]:
    """PostgreSQL: ``INSERT INTO table (...) SELECT * FROM unnest(<one array per column>)``
    followed by ``tail`` (``ON CONFLICT ... RETURNING ...``).

    One bind parameter per column whatever the number of rows: the statement text is
    the same for every batch (parsed and planned once), where a multi-row ``VALUES``
    has thousands of placeholders for the driver to rewrite each time. ``columns``
    maps names to SQL types; ``jsonb`` values are passed as JSON text.
    """
    names = list(columns)
    arrays = ", ".join(f"CAST(:{name} AS {columns[name]}[])" for name in names)
    params: dict[str, list[Any]] = {}
    for name in names:
        values = [row[name] for row in rows]
        if columns[name] == "jsonb":
            values = [None if v is None else json.dumps(v, separators=(",", ":")) for v in values]
        params[name] = values
    listed = ", ".join(names)
    # Table, columns and tail are constants of this package; values are bound.
    statement = sa.text(
        f"INSERT INTO {table} ({listed}) SELECT * FROM unnest({arrays}) AS u({listed}) {tail}"  # noqa: S608
    )
    return db.session.execute(statement, params)
