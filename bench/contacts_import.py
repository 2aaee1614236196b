"""Contacts at scale: import throughput and memory, list latency, segment counts.

Generates a CSV of 1,000,000 rows (an address plus 5 custom attributes; 2 % invalid
addresses, 1 % in-file duplicates differing in case) and imports it into PostgreSQL
twice through the real service (a fresh import, then the same file as an upsert), each
in its own process so that its peak RSS is its own. In the same run it measures the
database-side limit: ``COPY`` of the same file into a temporary table plus one
set-based upsert into a table shaped and indexed like ``contacts`` (fresh, then again),
once as the table is and once with the foreign key to organizations that migration 0011
dropped (what that key cost).

Then, with exactly 1,000,000 contacts in the organization: the server time of the
first and of a deep keyset page of ``GET /api/v1/contacts``, and of a three-condition
segment count (``POST /api/v1/segments/count``).

    python bench/contacts_import.py [--rows N] [--keep]

Limits (issue 4): fresh import >= 100,000 rows/s and within 1.5x of the database-side
limit; peak RSS <= 500 MB; list pages < 50 ms; 3-condition segment count < 1 s.
A throw-away database is created on ENGAGEX_BENCH_PG_URL (default: the local server).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

ADMIN_URL = os.environ.get(
    "ENGAGEX_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SLUG = "bench"
FIELDS = [
    ("plan", "text"),
    ("score", "number"),
    ("signup_date", "date"),
    ("vip", "boolean"),
    ("city", "text"),
]
SEGMENT = {
    "and": [
        {"field": "status", "op": "eq", "value": "subscribed"},
        {"field": "attributes.plan", "op": "eq", "value": "pro"},
        {"field": "attributes.score", "op": "gt", "value": 50},
    ]
}
TARGET_RATE = 100_000
TARGET_RATIO = 1.5
TARGET_RSS_MB = 500
TARGET_PAGE_MS = 50
TARGET_SEGMENT_S = 1.0


# --- data ------------------------------------------------------------------------------


def generate(path: Path, rows: int, seed: int = 7, start: int = 0, messy: bool = True) -> int:
    """Write the CSV; returns how many distinct valid addresses it holds."""
    rng = random.Random(seed)
    domains = [f"mail{i}.example{i % 37}.com" for i in range(2000)] + [
        "gmail.com",
        "outlook.com",
    ] * 300
    plans = ["free", "pro", "team", "enterprise"]
    valid: list[str] = []
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Email", "plan", "score", "signup_date", "vip", "city"])
        for i in range(start, start + rows):
            roll = rng.random() if messy else 1.0
            if roll < 0.02:
                email = rng.choice(
                    ["not-an-email", f"user{i}@", f"user{i}@localhost", f"user {i}@x.com", ""]
                )
            elif roll < 0.03 and valid:
                email = rng.choice(valid[-5000:]).upper()
            else:
                email = f"user{i}.{rng.randint(0, 999)}@{rng.choice(domains)}"
                valid.append(email)
            writer.writerow(
                [
                    email,
                    rng.choice(plans),
                    rng.randint(0, 100),
                    f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(("true", "false")),
                    f"City{i % 300}",
                ]
            )
    return len(valid)


# --- the real import, in a child process -----------------------------------------------


def child_import(url: str, instance: str, path: str) -> None:
    from blueprints.accounts import services as accounts
    from blueprints.contacts import importing
    from engagex import create_app
    from engagex.db import db
    from engagex.tenancy import tenant_context

    app = create_app(
        {
            "DATABASE_URL": url,
            "ENGAGEX_INSTANCE_PATH": instance,
            "SECRET_KEY": "bench",
            "ENGAGEX_LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        org = accounts.get_organization(SLUG)
        with tenant_context(org.id):
            record = importing.create_import(None, filename=Path(path).name, path=Path(path))
            db.session.commit()
            started = time.perf_counter()
            record = importing.run_import(None, record.id)
            db.session.commit()
            elapsed = time.perf_counter() - started
            result = {
                "seconds": elapsed,
                "rows": record.processed_rows,
                "created": record.created,
                "updated": record.updated,
                "unchanged": record.unchanged,
                "invalid": record.invalid,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
    print(json.dumps(result))


def run_child(url: str, instance: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, instance, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the database-side limit -----------------------------------------------------------


def baseline(owner_dsn: str, path: Path, org_id: int, *, foreign_key: bool) -> dict:
    """COPY + one set-based upsert into a copy of ``contacts`` (fresh, then repeated)."""
    upsert = """
        INSERT INTO bench_contacts AS c (organization_id, email, attributes, source)
        SELECT DISTINCT ON (lower(trim(email))) %(org)s, lower(trim(email)),
               jsonb_build_object('plan', plan, 'score', score::numeric,
                                  'signup_date', signup_date::date, 'vip', vip::boolean,
                                  'city', city),
               'import'
        FROM raw WHERE lower(trim(email)) ~ '^[^@ ]+@[^@ ]+\\.[a-z]+$'
        ORDER BY lower(trim(email))
        ON CONFLICT (organization_id, email) WHERE deleted_at IS NULL
        DO UPDATE SET attributes = c.attributes || EXCLUDED.attributes, updated_at = now()
    """
    figures = {}
    with psycopg.connect(owner_dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_contacts")
        conn.execute("CREATE TABLE bench_contacts (LIKE contacts INCLUDING ALL)")
        if foreign_key:
            conn.execute(
                "ALTER TABLE bench_contacts ADD FOREIGN KEY (organization_id) "
                "REFERENCES organizations (id) ON DELETE CASCADE"
            )
        with conn.transaction():
            conn.execute(
                "CREATE TEMP TABLE raw (email text, plan text, score text, signup_date text, "
                "vip text, city text) ON COMMIT DROP"
            )
            started = time.perf_counter()
            with (
                conn.cursor().copy("COPY raw FROM STDIN (FORMAT csv, HEADER true)") as copy,
                path.open("rb") as fh,
            ):
                while block := fh.read(1 << 20):
                    copy.write(block)
            figures["copy"] = time.perf_counter() - started
            started = time.perf_counter()
            conn.execute(upsert, {"org": org_id})
            figures["upsert_fresh"] = time.perf_counter() - started
        with conn.transaction():
            conn.execute(
                "CREATE TEMP TABLE raw (email text, plan text, score text, signup_date text, "
                "vip text, city text) ON COMMIT DROP"
            )
            with (
                conn.cursor().copy("COPY raw FROM STDIN (FORMAT csv, HEADER true)") as copy,
                path.open("rb") as fh,
            ):
                while block := fh.read(1 << 20):
                    copy.write(block)
            started = time.perf_counter()
            conn.execute(upsert, {"org": org_id})
            figures["upsert_repeated"] = time.perf_counter() - started
        conn.execute("DROP TABLE bench_contacts")
    return figures


# --- reads at 1M contacts --------------------------------------------------------------


def timed(call, runs: int, warmup: int = 2) -> tuple[float, float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return statistics.median(samples), samples[math.ceil(len(samples) * 0.95) - 1]


def reads(url: str, instance: str) -> dict:
    from blueprints.accounts import services as accounts
    from blueprints.contacts.models import Contact
    from engagex import create_app
    from engagex.api import encode_cursor
    from engagex.db import db
    from engagex.tenancy import tenant_context

    app = create_app(
        {
            "DATABASE_URL": url,
            "ENGAGEX_INSTANCE_PATH": instance,
            "SECRET_KEY": "bench",
            "ENGAGEX_LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        org = accounts.get_organization(SLUG)
        with tenant_context(org.id):
            _key, token = accounts.create_api_key(None, name="bench", role="admin")
            total = db.session.scalar(sa.select(sa.func.count()).select_from(Contact))
            oldest = db.session.scalar(sa.select(sa.func.min(Contact.id)))
            db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    deep = encode_cursor([oldest + 1000])  # newest first: about 1,000 rows from the end

    def first_page() -> None:
        response = client.get("/api/v1/contacts?limit=50", headers=headers)
        assert response.status_code == 200 and len(response.get_json()["items"]) == 50

    def deep_page() -> None:
        response = client.get(f"/api/v1/contacts?limit=50&cursor={deep}", headers=headers)
        assert response.status_code == 200 and len(response.get_json()["items"]) == 50

    matched = {}

    def segment() -> None:
        response = client.post(
            "/api/v1/segments/count", json={"definition": SEGMENT}, headers=headers
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        matched["count"] = response.get_json()["count"]

    return {
        "contacts": total,
        "first_page": timed(first_page, 30),
        "deep_page": timed(deep_page, 30),
        "segment": timed(segment, 7, warmup=1),
        "segment_matches": matched["count"],
    }


# --- orchestration ---------------------------------------------------------------------


def setup(url: str, instance: str) -> int:
    import flask_migrate

    from blueprints.accounts import services as accounts
    from blueprints.contacts import services
    from engagex import create_app
    from engagex.db import db
    from engagex.tenancy import tenant_context

    app = create_app(
        {
            "DATABASE_URL": url,
            "ENGAGEX_INSTANCE_PATH": instance,
            "SECRET_KEY": "bench",
            "ENGAGEX_LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        org = accounts.create_organization(
            None, slug=SLUG, name="Bench", owner_email="owner@bench.example.com"
        )
        with tenant_context(org.id):
            for name, kind in FIELDS:
                services.create_field(None, name=name, type=kind)
        db.session.commit()
        return org.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    name = f"engagex_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    owner_dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    work = Path(tempfile.mkdtemp(prefix="engagex-bench-"))
    instance = str(work / "instance")
    with psycopg.connect(owner_dsn) as conn:
        server = conn.execute("SELECT version()").fetchone()[0].split(",")[0]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {server}; load average {os.getloadavg()[0]:.2f}"
    )
    try:
        org_id = setup(url, instance)
        data = work / "contacts.csv"
        started = time.perf_counter()
        distinct = generate(data, args.rows)
        size_mb = data.stat().st_size / 1e6
        print(
            f"file: {args.rows:,} rows, {size_mb:.0f} MB, {distinct:,} distinct valid addresses "
            f"(generated in {time.perf_counter() - started:.1f} s)"
        )

        plain = baseline(owner_dsn, data, org_id, foreign_key=False)
        fresh = run_child(url, instance, data)
        again = run_child(url, instance, data)
        keyed = baseline(owner_dsn, data, org_id, foreign_key=True)

        missing = args.rows - fresh["created"]
        if missing > 0:  # top the organization up to exactly --rows contacts
            topup = work / "topup.csv"
            generate(topup, missing, seed=11, start=args.rows * 10, messy=False)
            run_child(url, instance, topup)
        with psycopg.connect(owner_dsn, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE contacts")  # what autovacuum does after a bulk load
        read = reads(url, instance)
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    rows = args.rows
    limit_plain = plain["copy"] + plain["upsert_fresh"]
    print()
    print("database-side limit (COPY into a temp table + one INSERT ... ON CONFLICT):")
    for label, figures in (
        ("contacts as it is", plain),
        ("plus the foreign key 0011 dropped", keyed),
    ):
        print(
            f"  {label:38} COPY {figures['copy']:.1f} s, upsert fresh {figures['upsert_fresh']:.1f} s, "
            f"repeated {figures['upsert_repeated']:.1f} s"
        )
    print("import through the service (read + validate + COPY + upsert, one transaction):")
    for label, result in (("fresh", fresh), ("same file again (upsert)", again)):
        rate = rows / result["seconds"]
        print(
            f"  {label:25} {result['seconds']:6.1f} s  {rate:9,.0f} rows/s  peak RSS {result['rss_mb']:.0f} MB"
            f"  (created {result['created']:,}, updated {result['updated']:,} of which unchanged "
            f"{result['unchanged']:,}, invalid {result['invalid']:,})"
        )
    rate = rows / fresh["seconds"]
    print()
    print(
        f"fresh import rate        {rate:10,.0f} rows/s   limit >= {TARGET_RATE:,}: {'ok' if rate >= TARGET_RATE else 'MISSED'}"
    )
    ratio = fresh["seconds"] / limit_plain
    print(
        f"fresh / DB limit         {ratio:10.2f}x        limit <= {TARGET_RATIO}x: {'ok' if ratio <= TARGET_RATIO else 'MISSED'}"
    )
    rss = max(fresh["rss_mb"], again["rss_mb"])
    print(
        f"peak RSS                 {rss:10.0f} MB       limit <= {TARGET_RSS_MB} MB: {'ok' if rss <= TARGET_RSS_MB else 'MISSED'}"
    )
    print(f"contacts in the organization: {read['contacts']:,}")
    for label, key in (("first page", "first_page"), ("deep page", "deep_page")):
        median, p95 = read[key]
        print(
            f"list {label:11}          median {median * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms   limit < {TARGET_PAGE_MS} ms: {'ok' if p95 * 1000 < TARGET_PAGE_MS else 'MISSED'}"
        )
    median, p95 = read["segment"]
    print(
        f"3-condition segment count median {median:.3f} s, p95 {p95:.3f} s ({read['segment_matches']:,} match)   limit < {TARGET_SEGMENT_S} s: {'ok' if p95 < TARGET_SEGMENT_S else 'MISSED'}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_import(*sys.argv[2:5])
    else:
        main()
