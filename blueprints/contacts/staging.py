"""Applying validated import rows with set-based SQL, one chunk at a time.

PostgreSQL: each chunk is ``COPY``-ed into a temporary table through psycopg, then one
``INSERT ... SELECT`` (``ON CONFLICT`` unless the organization had no contacts) or
``UPDATE ... FROM`` applies it. While the server applies a chunk, the import's reader
thread parses and validates the next one and assembles its custom attributes into JSON,
so that the server, the bottleneck, only parses it.

The first import into an organization without contacts inserts optimistically: a plain
``INSERT`` skips the conflict check that ``ON CONFLICT`` pays on every row. A conflict
can then only come from a contact written meanwhile by someone else; it raises
``ConcurrentWrite`` and the caller applies the file again the careful way
(``blueprints.contacts.importing``).

SQLite (the embedded mode): chunks are inserted into a temporary table as they come and
applied in one pass at the end; writing to a temporary table takes no lock on the
database, so the import's progress stays visible until the final statement.

Rows reaching this module are valid and unique within the file. The SQL text is built
from fixed fragments and column names of this module; every value is a bound parameter
or travels through ``COPY``. Row-level security applies to the application role, so
every statement names the organization explicitly.
"""
# The statements are assembled from the fixed fragments of this module only (see above).
# ruff: noqa: S608

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import psycopg
import sqlalchemy as sa

from engagex.db import db
from engagex.tenancy import sync_connection

STAGE = "contact_import_stage"
BUILTIN_COLUMNS = ("email", "first_name", "last_name", "status", "consent_at", "consent_ip")


class ConcurrentWrite(Exception):
    """An optimistic insert met a contact written by another transaction meanwhile."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped


# The status a suppressed new contact gets (NULL when neither its address nor its
# domain is suppressed); ``se``/``sd`` are the joined address and domain entries.
SUPPRESSED_STATUS = (
    "CASE WHEN 'bounce' IN (se.reason, sd.reason) THEN 'bounced' "
    "WHEN 'complaint' IN (se.reason, sd.reason) THEN 'complained' "
    "WHEN se.id IS NOT NULL OR sd.id IS NOT NULL THEN 'unsubscribed' END"
)


def _copy_text(columns: list[list[Any]]) -> str | None:
    """The rows in ``COPY``'s text format, or None when a value would need escaping.

    Text format needs no quoting, which makes it several times cheaper to produce than
    CSV; the common chunk (addresses, names, attribute JSON) has nothing to escape.
    Anything else (a backslash, a tab, a line break, a value that is not text) gets CSV.
    """
    if not columns[0]:
        return ""
    cleaned = []
    for column in columns:
        present = list(filter(None, column))
        try:
            joined = "".join(present)
        except TypeError:  # a date-time
            return None
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            return None
        if len(present) != len(column):  # empty cells are NULL, as in the CSV form
            column = [value or r"\N" for value in column]
        cleaned.append(column)
    return "\n".join(map("\t".join, zip(*cleaned, strict=True))) + "\n"


class Stage:
    """The staging of one import inside the caller's transaction."""

    weight = 1.0
    """Share of the work done by the time the last chunk is applied (for progress)."""

    def __init__(
        self,
        org_id: int,
        mode: str,
        builtins: list[str],
        attributes: list[tuple[str, str]],
        group_id: int | None,
    ) -> None:
        self.org_id = org_id
        self.mode = mode
        self.attributes = attributes
        self.group_id = group_id
        self.attr_columns = [f"a{i}" for i in range(len(attributes))]
        # Only mapped columns travel; the others stay NULL in the staging table.
        self.columns = [name for name in BUILTIN_COLUMNS if name in builtins or name == "email"]
        self.optimistic = False
        """Whether chunks are inserted without conflict checks (see the module's docstring)."""

    @staticmethod
    def for_session(
        org_id: int,
        mode: str,
        builtins: list[str],
        attributes: list[tuple[str, str]],
        group_id: int | None,
    ) -> Stage:
        backend = (
            PostgresStage if db.session.get_bind().dialect.name == "postgresql" else SqliteStage
        )
        return backend(org_id, mode, builtins, attributes, group_id)

    def open(self, *, optimistic: bool = True) -> None:  # pragma: no cover - abstract
        """Create the staging table; ``optimistic`` allows plain inserts (see above)."""
        raise NotImplementedError

    def attributes_json(self, columns: dict[str, list[Any]]) -> list[str]:
        """Each row's custom attributes as a JSON object, without the empty (None) ones.

        Values are parsed cells (``validation.parse_cells``): integers have at most 18
        digits, so they always fit orjson's 64 bits.
        """
        if not self.attributes:
            return ["{}"] * len(columns["email"])
        names = [name for name, _ in self.attributes]
        return [
            orjson.dumps(
                {name: value for name, value in zip(names, row, strict=True) if value is not None}
            ).decode()
            for row in zip(*(columns[c] for c in self.attr_columns), strict=True)
        ]

    def prepare(self, columns: dict[str, list[Any]]) -> Any:
        """Turn a chunk's valid rows into what ``apply`` sends (runs in the reader thread)."""
        raise NotImplementedError  # pragma: no cover

    def apply(self, prepared: Any, rows: int) -> Counts:  # pragma: no cover - abstract
        raise NotImplementedError

    def finish(self) -> Counts:
        """Apply what is still staged and drop the staging table."""
        return Counts()

    def _update_sets(self, target: str, new: str) -> dict[str, str]:
        """Column -> new value for an existing contact (empty cells keep the old value)."""
        return {
            "first_name": f"COALESCE({new}.first_name, {target}.first_name)",
            "last_name": f"COALESCE({new}.last_name, {target}.last_name)",
            "consent_at": f"COALESCE({new}.consent_at, {target}.consent_at)",
            "consent_ip": f"COALESCE({new}.consent_ip, {target}.consent_ip)",
            # An import never resubscribes: only a subscribed contact changes status.
            "status": f"CASE WHEN {target}.status = 'subscribed' THEN {new}.status "
            f"ELSE {target}.status END",
        }


class PostgresStage(Stage):
    def open(self, *, optimistic: bool = True) -> None:
        self.conn = sync_connection(db.session())
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGE}")
        self.conn.exec_driver_sql(
            f'CREATE TEMP TABLE {STAGE} (email text COLLATE "C", '
            "first_name text, last_name text, status text, consent_at timestamptz, "
            "consent_ip text, attributes jsonb)"
        )
        self.cursor = self.conn.connection.driver_connection.cursor()
        self.params: dict[str, Any] = {"org": self.org_id, "group": self.group_id}
        (suppressed, populated) = self._count(
            "SELECT EXISTS (SELECT FROM suppressions WHERE organization_id = %(org)s), "
            "EXISTS (SELECT FROM contacts WHERE organization_id = %(org)s "
            "AND deleted_at IS NULL)"
        )
        self.optimistic = optimistic and self.mode != "update" and not populated
        if suppressed:
            # A suppressed new address starts bounced/complained/unsubscribed; without any
            # entry (the common case) the two joins are left out.
            status = f"COALESCE(NULLIF(s.status, 'subscribed'), {SUPPRESSED_STATUS}, 'subscribed')"
            joins = (
                "LEFT JOIN suppressions se ON se.organization_id = %(org)s AND se.value = s.email "
                "LEFT JOIN suppressions sd ON sd.organization_id = %(org)s "
                "AND sd.value = split_part(s.email, '@', 2)"
            )
        else:
            status, joins = "COALESCE(s.status, 'subscribed')", ""
        self.source = (
            "SELECT s.email, s.first_name, s.last_name, COALESCE(s.attributes, '{}') "
            f"AS attributes, {status} AS status, s.consent_at, s.consent_ip FROM {STAGE} s {joins}"
        )

    def prepare(self, columns: dict[str, list[Any]]) -> tuple[str, str]:
        """The chunk as ``COPY`` data: (format, text)."""
        values = [columns[c] for c in self.columns]
        if self.attributes:
            values.append(self.attributes_json(columns))
        text = _copy_text(values)
        if text is not None:
            return "text", text
        buffer = io.StringIO()
        csv.writer(buffer).writerows(zip(*values, strict=True))
        return "csv", buffer.getvalue()

    def _count(self, sql: str) -> tuple[int, ...]:
        self.cursor.execute(sql, self.params)
        return tuple(self.cursor.fetchone())

    def apply(self, prepared: tuple[str, str], rows: int) -> Counts:
        if not rows:
            return Counts()
        self.cursor.execute(f"TRUNCATE {STAGE}")
        columns = [*self.columns, "attributes"] if self.attributes else self.columns
        data_format, data = prepared
        with self.cursor.copy(
            f"COPY {STAGE} ({', '.join(columns)}) FROM STDIN (FORMAT {data_format})"
        ) as copy:
            copy.write(data)
        sets = self._update_sets("c", "EXCLUDED")
        changed = (
            " OR ".join(f"c.{col} IS DISTINCT FROM {value}" for col, value in sets.items())
            + " OR c.attributes IS DISTINCT FROM c.attributes || EXCLUDED.attributes"
        )
        assignments = ", ".join(f"{col} = {value}" for col, value in sets.items())
        insert_new = (
            "INSERT INTO contacts AS c (organization_id, email, first_name, last_name, "
            "attributes, status, source, consent_at, consent_ip) "
            "SELECT %(org)s, email, first_name, last_name, attributes, status, 'import', "
            f"consent_at, consent_ip FROM ({self.source}) src"
        )
        insert = f"{insert_new} ON CONFLICT (organization_id, email) WHERE deleted_at IS NULL "
        member = (
            "INSERT INTO contact_group_members (organization_id, group_id, contact_id) "
            "SELECT %(org)s, %(group)s, {ids} ON CONFLICT DO NOTHING"
        )
        grouped = self.group_id is not None
        if self.optimistic:
            statement = insert_new
            if grouped:
                statement = f"WITH ins AS ({insert_new} RETURNING id) " + member.format(
                    ids="id FROM ins"
                )
            try:
                self.cursor.execute(statement, self.params)
            except psycopg.errors.UniqueViolation as exc:
                raise ConcurrentWrite from exc
            return Counts(created=rows)  # every row was new, or the insert failed
        if self.mode == "create":
            group = f", grp AS ({member.format(ids='id FROM ins')})" if grouped else ""
            (created,) = self._count(
                f"WITH ins AS ({insert} DO NOTHING RETURNING id){group} SELECT count(*) FROM ins"
            )
            return Counts(created=created, skipped=rows - created)
        if self.mode == "update":
            matched = (
                f"SELECT c.id, src.* FROM ({self.source}) src JOIN contacts c "
                "ON c.organization_id = %(org)s AND c.email = src.email AND c.deleted_at IS NULL"
            )
            new_sets = self._update_sets("c", "m")
            new_changed = (
                " OR ".join(f"c.{col} IS DISTINCT FROM {value}" for col, value in new_sets.items())
                + " OR c.attributes IS DISTINCT FROM c.attributes || m.attributes"
            )
            group = f", grp AS ({member.format(ids='id FROM m')})" if grouped else ""
            matched_n, changed_n = self._count(
                f"WITH m AS ({matched}), upd AS (UPDATE contacts c SET "
                + ", ".join(f"{col} = {value}" for col, value in new_sets.items())
                + ", attributes = c.attributes || m.attributes, updated_at = now() "
                f"FROM m WHERE c.id = m.id AND ({new_changed}) RETURNING c.id){group} "
                "SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM upd)"
            )
            return Counts(
                updated=matched_n, unchanged=matched_n - changed_n, skipped=rows - matched_n
            )
        created, changed_n = self._count(
            f"WITH up AS ({insert} DO UPDATE SET {assignments}, "
            "attributes = c.attributes || EXCLUDED.attributes, updated_at = now() "
            f"WHERE {changed} RETURNING (xmax = 0) AS created) "
            "SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up"
        )
        if grouped:
            self.cursor.execute(
                member.format(
                    ids=f"c.id FROM {STAGE} s JOIN contacts c ON c.organization_id = %(org)s "
                    "AND c.email = s.email AND c.deleted_at IS NULL"
                ),
                self.params,
            )
        return Counts(created=created, updated=rows - created, unchanged=rows - created - changed_n)

    def finish(self) -> Counts:
        self.cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        self.cursor.close()
        return Counts()


def _sqlite_time(value: datetime | None) -> str | None:
    """A timestamp the way SQLAlchemy stores one in SQLite (naive UTC text)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


class SqliteStage(Stage):
    weight = 0.5  # the set-based statements run in ``finish``

    def open(self, *, optimistic: bool = True) -> None:
        self.conn = sync_connection(db.session())
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{STAGE}")
        self.conn.exec_driver_sql(
            f"CREATE TEMP TABLE {STAGE} (row_no INTEGER, email TEXT, first_name TEXT, "
            "last_name TEXT, status TEXT, consent_at TEXT, consent_ip TEXT, attributes TEXT)"
        )
        self.rows = 0

    def prepare(self, columns: dict[str, list[Any]]) -> list[tuple[Any, ...]]:
        empty = [None] * len(columns["email"])
        first, last, status, consent_at, consent_ip = (
            columns.get(name, empty)
            for name in ("first_name", "last_name", "status", "consent_at", "consent_ip")
        )
        return list(
            zip(
                columns["row_no"],
                columns["email"],
                first,
                last,
                status,
                [_sqlite_time(value) for value in consent_at],
                consent_ip,
                self.attributes_json(columns),
                strict=True,
            )
        )

    def apply(self, prepared: list[tuple[Any, ...]], rows: int) -> Counts:
        if prepared:
            self.conn.exec_driver_sql(
                f"INSERT INTO temp.{STAGE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", prepared
            )
            self.rows += len(prepared)
        return Counts()

    def _scalar(self, sql: str, params: dict[str, Any]) -> int:
        return int(self.conn.execute(sa.text(sql), params).scalar_one())

    def finish(self) -> Counts:
        params = {"org": self.org_id, "group": self.group_id}
        source = (
            f"SELECT s.row_no, s.email, s.first_name, s.last_name, s.attributes, "
            f"COALESCE(NULLIF(s.status, 'subscribed'), {SUPPRESSED_STATUS}, "
            "'subscribed') AS status, s.consent_at, s.consent_ip "
            f"FROM temp.{STAGE} s "
            "LEFT JOIN suppressions se ON se.organization_id = :org AND se.value = s.email "
            "LEFT JOIN suppressions sd ON sd.organization_id = :org "
            "AND sd.value = substr(s.email, instr(s.email, '@') + 1)"
        )
        join = (
            f"FROM temp.{STAGE} s JOIN contacts c ON c.organization_id = :org "
            "AND c.email = s.email AND c.deleted_at IS NULL"
        )
        matched = self._scalar(f"SELECT count(*) {join}", params)
        counts = Counts()
        if self.mode != "create":
            sets = self._update_sets("contacts", "m")
            sets["attributes"] = "json_patch(contacts.attributes, m.attributes)"
            changed = " OR ".join(
                f"{'json(contacts.attributes)' if col == 'attributes' else 'contacts.' + col} "
                f"IS NOT {value}"
                for col, value in sets.items()
            )
            changed_n = len(
                self.conn.execute(
                    sa.text(
                        "UPDATE contacts SET "
                        + ", ".join(f"{col} = {value}" for col, value in sets.items())
                        + ", updated_at = CURRENT_TIMESTAMP "
                        f"FROM ({source}) m WHERE contacts.organization_id = :org "
                        "AND contacts.email = m.email AND contacts.deleted_at IS NULL "
                        f"AND ({changed}) RETURNING contacts.id"
                    ),
                    params,
                ).all()
            )
            counts.updated, counts.unchanged = matched, matched - changed_n
        if self.mode == "update":
            counts.skipped = self.rows - matched
        else:
            # In create mode, existing contacts are left alone and counted as skipped.
            new_ids = [
                row[0]
                for row in self.conn.execute(
                    sa.text(
                        "INSERT INTO contacts (organization_id, email, first_name, last_name, "
                        "attributes, status, source, consent_at, consent_ip) "
                        "SELECT :org, email, first_name, last_name, attributes, status, "
                        f"'import', consent_at, consent_ip FROM ({source}) src WHERE true "
                        "ON CONFLICT (organization_id, email) WHERE deleted_at IS NULL "
                        "DO NOTHING RETURNING id"
                    ),
                    params,
                )
            ]
            counts.created = len(new_ids)
            if self.mode == "create":
                counts.skipped = self.rows - counts.created
        if self.group_id is not None:
            self.conn.execute(
                sa.text(
                    "INSERT OR IGNORE INTO contact_group_members "
                    "(organization_id, group_id, contact_id, created_at) "
                    f"SELECT :org, :group, c.id, CURRENT_TIMESTAMP {join}"
                    + (
                        " WHERE c.id IN (SELECT value FROM json_each(:ids))"
                        if self.mode == "create"
                        else ""
                    )
                ),
                {**params, "ids": json.dumps(new_ids if self.mode == "create" else [])},
            )
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{STAGE}")
        return counts


def refresh_statistics() -> None:
    """Have PostgreSQL re-read the statistics of the contacts tables, through the
    owner's function (migration 0010): after a bulk import the planner's old picture
    would read every contact of an organization for each page of the list."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT engagex_analyze_contacts()"))
