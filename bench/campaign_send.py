"""A campaign from "send" to the last recipient recorded, through real workers.

100,000 recipients (contacts with names and attributes, in one group), a personalised
template (variables, 15 tracked links, open pixel, unsubscribe links) whose messages
are about 20 KB on the wire, sent by ``python -m cli worker`` processes (one per core)
through:

(a) SMTP to Postfix's ``smtp-sink`` on a loopback port (Debian package ``postfix``;
    only the sink runs, no mail system is configured or started);
(b) the SendGrid fake (``tests/support/sendgrid_fake.py``, its own process), batched
    personalizations (the template uses only per-recipient values);
(c) the SendGrid fake with a template that decides per recipient (``{% if %}`` on an
    attribute): rendered per recipient and batched by skeleton (``grouping``).

The same run measures the limits the SMTP figure is compared with: a bare ``smtplib``
loop pushing one pre-rendered message of the campaign (same size) from as many
processes as there are workers, and Postfix's ``smtp-source``. It prints recipients/s,
the workers' peak RSS, and the time of the set-based snapshot of 1,000,000 recipients.

    python bench/campaign_send.py [--recipients N] [--snapshot N] [--workers N] [--cases ...]

Needs PostgreSQL and Redis (``ENGAGEX_TEST_PG_URL``/``ENGAGEX_TEST_REDIS_URL`` as the
tests) and ``smtp-sink``/``smtp-source`` (``apt-get install postfix``). Everything it
creates (a database, Redis keys, processes) is removed at the end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import psycopg  # noqa: E402
import redis  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from rq import Worker  # noqa: E402

from blueprints.billing import services as billing  # noqa: E402
from blueprints.campaigns import services, snapshot  # noqa: E402
from blueprints.campaigns.batches import db_now  # noqa: E402
from blueprints.campaigns.models import Campaign  # noqa: E402
from blueprints.campaigns.services.pipeline import composer_for  # noqa: E402
from blueprints.contacts import services as contacts  # noqa: E402
from blueprints.templates import services as templates  # noqa: E402
from engagex import create_app  # noqa: E402
from engagex.db import db  # noqa: E402
from engagex.jobs import get_queue, redis_connection  # noqa: E402
from engagex.mail.message import expand, render  # noqa: E402
from engagex.tenancy import tenant_context  # noqa: E402
from tests.factories import make_org  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "ENGAGEX_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("ENGAGEX_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SMTP_TARGET, SMTP_SHARE, SENDGRID_TARGET = 2_500, 0.75, 10_000
RSS_LIMIT_MB, SNAPSHOT_LIMIT = 200, 10.0
API_KEY = "SG.bench-key"

PARAGRAPH = (
    "Our team spent the month on the details you asked for: faster pages, clearer "
    "reports and fewer clicks between an idea and a sent campaign. "
)


def template_html(conditional: bool) -> str:
    """About 12 KB of HTML: its message (HTML and the derived text part) is ~20 KB."""
    stories = "".join(
        f'<tr><td style="padding:20px 28px;font-family:Arial,sans-serif;">'
        f'<p style="font-size:22px;color:#111827;"><b>Story {i + 1} for {{{{ first_name }}}}</b></p>'
        f'<p style="font-size:15px;color:#374151;">{PARAGRAPH * 2}</p>'
        f'<p style="font-size:15px;">As a {{{{ attributes.plan }}}} customer in '
        f"{{{{ attributes.city }}}}, you already have it.</p>"
        f'<p><a href="https://www.example.com/stories/{i}?utm_source=news">Read story {i + 1}</a>'
        "</p></td></tr>"
        for i in range(15)
    )
    branch = (
        '{% if attributes.tier == "gold" %}<p>Your gold benefits are waiting.</p>'
        "{% else %}<p>Upgrade to gold this month.</p>{% endif %}"
        if conditional
        else ""
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        '<table role="presentation" width="600"><tr><td>'
        "<p>Hello {{ first_name }} {{ last_name }},</p>"
        "<p>{{ attributes.company }} has {{ attributes.points }} points.</p>"
        f"{branch}</td></tr>{stories}"
        "<tr><td>{{ organization.name }} - "
        '<a href="{{ unsubscribe_url }}">Unsubscribe</a> - '
        '<a href="{{ view_in_browser_url }}">View online</a></td></tr>'
        "</table></body></html>"
    )


# --- processes ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def start_sink(port: int) -> subprocess.Popen[bytes]:
    command = ["smtp-sink"] + (["-u", "nobody"] if os.geteuid() == 0 else [])
    process = subprocess.Popen([*command, f"127.0.0.1:{port}", "1024"])
    wait_port(port)
    return process


def peak_rss_kb(pid: int, seen: dict[int, int]) -> None:
    """Record the peak resident size (VmHWM) of ``pid`` and its descendants."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    seen[pid] = max(seen.get(pid, 0), int(line.split()[1]))
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                for child in fh.read().split():
                    peak_rss_kb(int(child), seen)
    except (FileNotFoundError, ProcessLookupError):
        pass


class Workers:
    """``engagex worker`` processes on the bulk queue, with their peak RSS sampled."""

    def __init__(self, count: int, env: dict[str, str]) -> None:
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "cli", "worker", "--queues", "bulk"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(count)
        ]
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            for process in self.processes:
                peak_rss_kb(process.pid, self.peaks)

    def wait_ready(self, connection: redis.Redis, queue: Any) -> None:
        deadline = time.monotonic() + 60
        while Worker.count(connection=connection, queue=queue) < len(self.processes):
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start")
            time.sleep(0.2)

    def stop(self) -> float:
        """Stop the workers; their peak RSS in MB (work horses included)."""
        self._stop.set()
        self._thread.join()
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.wait(timeout=60)
        return max(self.peaks.values(), default=0) / 1024


# --- data ----------------------------------------------------------------------------


def owner_url(database: str) -> str:
    url = sa.make_url(PG_ADMIN_URL).set(database=database, drivername="postgresql")
    return url.render_as_string(hide_password=False)


def load_contacts(database: str, org_id: int, group_id: int, count: int) -> None:
    """``count`` contacts in one group, by COPY as the owning role (bench data only)."""
    plans = ["Starter", "Growth", "Scale", "Enterprise"]
    cities = ["Paris", "Zürich", "São Paulo", "Kraków", "Osaka"]
    tag = uuid.uuid4().hex[:6]
    with psycopg.connect(owner_url(database), autocommit=False) as conn:
        with conn.cursor() as cur:
            with cur.copy(
                "COPY contacts (organization_id, email, first_name, last_name, attributes, "
                "status, source) FROM STDIN"
            ) as copy:
                for i in range(count):
                    attributes = (
                        f'{{"plan": "{plans[i % 4]}", "city": "{cities[i % 5]}", '
                        f'"company": "Company {i % 1000} & Co", "points": {i * 7 % 10000}, '
                        f'"tier": "{"gold" if i % 3 else "silver"}"}}'
                    )
                    copy.write_row(
                        (org_id, f"user{i}.{tag}@example.com", f"Zoë{i % 97}", f"Müller{i % 89}",
                         attributes, "subscribed", "import")
                    )  # fmt: skip
            cur.execute(
                "INSERT INTO contact_group_members (organization_id, group_id, contact_id) "
                "SELECT %s, %s, id FROM contacts WHERE organization_id = %s",
                (org_id, group_id, org_id),
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE contacts")
        conn.execute("ANALYZE contact_group_members")


def reset_usage(database: str) -> None:
    """The bench sends more than a month of the Pro plan: start each case at zero."""
    with psycopg.connect(owner_url(database), autocommit=True) as conn:
        conn.execute("UPDATE billing_usage SET emails_sent = 0")


# --- the bench -----------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.database = f"engagex_bench_{uuid.uuid4().hex[:8]}"
        self.prefix = f"bench-{uuid.uuid4().hex[:8]}-"
        self.tmp = Path(f"/tmp/{self.database}")
        self.tmp.mkdir(parents=True, exist_ok=True)
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.database}"')
        admin.dispose()
        self.url = (
            sa.make_url(PG_ADMIN_URL)
            .set(database=self.database)
            .render_as_string(hide_password=False)
        )
        self.settings = {
            "DATABASE_URL": self.url,
            "REDIS_URL": REDIS_URL,
            "ENGAGEX_QUEUE_PREFIX": self.prefix,
            "SECRET_KEY": "bench-secret",
            "ENGAGEX_INSTANCE_PATH": str(self.tmp),
            "ENGAGEX_OUTBOX_DIR": str(self.tmp / "outbox"),
            "ENGAGEX_ALLOW_UNVERIFIED_SENDERS": "1",
            "ENGAGEX_LOG_LEVEL": "WARNING",
        }
        self.app = create_app(self.settings)
        with self.app.app_context():
            flask_migrate.upgrade(revision="heads")

    def env(self, **extra: Any) -> dict[str, str]:
        return {
            **os.environ,
            **self.settings,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            **{k: str(v) for k, v in extra.items()},
        }

    def organization(self, contacts_count: int) -> tuple[int, int]:
        with self.app.app_context():
            org = make_org()
            billing.operator_set_plan(None, org.id, "pro")
            with tenant_context(org.id):
                group = contacts.create_group(None, name="everyone")
                ids = org.id, group.id
                db.session.commit()
        load_contacts(self.database, *ids, contacts_count)
        return ids

    def template(self, org_id: int, conditional: bool) -> int:
        with self.app.app_context(), tenant_context(org_id):
            template = templates.create_template(
                None,
                {
                    "name": f"bench-{conditional}",
                    "subject": "{{ first_name }}, your {{ attributes.plan }} update",
                    "html": template_html(conditional),
                },
            )
            db.session.commit()
            return template.id

    def campaign(self, org_id: int, group_id: int, template_id: int) -> int:
        with self.app.app_context(), tenant_context(org_id):
            campaign = services.create_campaign(
                None,
                {
                    "name": f"bench {uuid.uuid4().hex[:4]}",
                    "template_id": template_id,
                    "from_email": "news@bench.example",
                    "group_ids": [group_id],
                },
            )
            db.session.commit()
            return campaign.id

    def send(self, org_id: int, campaign_id: int, workers: Workers) -> dict[str, Any]:
        """Send, wait for the last recipient to be recorded; rate and peak RSS."""
        with self.app.app_context():
            workers.wait_ready(redis_connection(self.app), get_queue("bulk", self.app))
            with tenant_context(org_id):
                started = db_now()
                services.send_campaign(None, campaign_id)
                db.session.commit()
            while True:
                with tenant_context(org_id):
                    campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
                    status, counts = campaign.status, campaign.counts
                    finished = campaign.finished_at
                    db.session.commit()
                if status != "sending":
                    break
                time.sleep(0.5)
        rss = workers.stop()
        seconds = (finished - started).total_seconds() if finished else float("nan")
        return {
            "status": status,
            "counts": counts,
            "seconds": seconds,
            "rate": counts["sent"] / seconds if finished else 0.0,
            "rss_mb": rss,
        }

    def sample_message(self, org_id: int, campaign_id: int) -> bytes:
        """One rendered message of the campaign (the bare loop pushes it)."""
        from blueprints.campaigns.compose import Recipient

        with self.app.app_context(), tenant_context(org_id):
            campaign = db.session.get(Campaign, campaign_id)
            composer = composer_for(campaign)
            out = composer.compose(
                [Recipient(1, "sample@example.com", "Zoë", "Müller", {"plan": "Scale",
                 "city": "Paris", "company": "Company 1 & Co", "points": 7, "tier": "gold"})]
            )  # fmt: skip
            if out.personalized:
                message = expand(out.template, out.personalized[0][1])
            else:
                message = out.messages[0][1]
            db.session.rollback()
        return render(message)

    def snapshot(self, count: int) -> tuple[float, int]:
        org_id, group_id = self.organization(count)
        template_id = self.template(org_id, False)
        campaign_id = self.campaign(org_id, group_id, template_id)
        with self.app.app_context(), tenant_context(org_id):
            campaign = db.session.get(Campaign, campaign_id)
            started = time.perf_counter()
            total = snapshot.snapshot(campaign)
            db.session.flush()
            seconds = time.perf_counter() - started
            db.session.rollback()
        return seconds, total

    def close(self) -> None:
        with self.app.app_context():
            db.engine.dispose()
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        admin.dispose()
        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"*{self.prefix}*"):
            connection.delete(key)
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- the limits -----------------------------------------------------------------------


def _push(port: int, message: bytes, count: int, start: Any, results: Any) -> None:
    smtp = smtplib.SMTP("127.0.0.1", port)
    smtp.ehlo()
    start.wait()
    began = time.perf_counter()
    for _ in range(count):
        smtp.sendmail("news@bench.example", ["someone@example.com"], message)
    results.put((began, time.perf_counter()))
    smtp.quit()


def bare_loop(port: int, message: bytes, processes: int, count: int) -> float:
    """Messages/s of ``processes`` bare smtplib loops, one connection each."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    workers = [
        context.Process(target=_push, args=(port, message, count, start, results))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    time.sleep(0.5)
    start.set()
    spans = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    return processes * count / (max(e for _, e in spans) - min(b for b, _ in spans))


def smtp_source(port: int, size: int, sessions: int, count: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            "smtp-source",
            "-s",
            str(sessions),
            "-m",
            str(count),
            "-l",
            str(size),
            f"127.0.0.1:{port}",
        ],
        check=True,
    )
    return count / (time.perf_counter() - started)


CASES = ("smtp", "sendgrid", "sendgrid-branching")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--snapshot", type=int, default=1_000_000, help="0: skip it")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--cases", default=",".join(CASES), help=f"comma-separated, of: {', '.join(CASES)}"
    )
    args = parser.parse_args()
    chosen = [c.strip() for c in args.cases.split(",") if c.strip()]
    if unknown := set(chosen) - set(CASES):
        sys.exit(f"unknown cases: {', '.join(sorted(unknown))}")
    for tool in ("smtp-sink", "smtp-source"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install postfix (only the tool is used)")
    print(f"machine: {platform.machine()} ({os.cpu_count()} cores), Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}; "
          f"{args.workers} worker processes", flush=True)  # fmt: skip
    bench = Bench(args)
    sink_port = free_port()
    sink = start_sink(sink_port)
    fake_port = free_port()
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.support.sendgrid_fake", "--port", str(fake_port), "--key", API_KEY],
        cwd=ROOT, env=bench.env(), stdout=subprocess.DEVNULL,
    )  # fmt: skip
    wait_port(fake_port)
    try:
        run(bench, args, chosen, sink_port, fake_port)
    finally:
        sink.terminate()
        fake.terminate()
        sink.wait()
        fake.wait()
        bench.close()


def run(
    bench: Bench, args: argparse.Namespace, chosen: list[str], sink_port: int, fake_port: int
) -> None:
    started = time.perf_counter()
    org_id, group_id = bench.organization(args.recipients)
    print(f"audience: {args.recipients:,} contacts loaded in {time.perf_counter() - started:.1f} s")
    plain = bench.template(org_id, conditional=False)
    branching = bench.template(org_id, conditional=True)
    sendgrid = {"ENGAGEX_MAIL_BACKEND": "sendgrid", "SENDGRID_API_KEY": API_KEY,
                "SENDGRID_API_HOST": f"http://127.0.0.1:{fake_port}"}  # fmt: skip
    smtp = {"ENGAGEX_MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": sink_port,
            "SMTP_STARTTLS": "0"}  # fmt: skip
    cases = {
        "smtp": ("SMTP to smtp-sink", plain, smtp),
        "sendgrid": ("SendGrid fake, batched", plain, sendgrid),
        "sendgrid-branching": ("SendGrid fake, {% if %} template", branching, sendgrid),
    }
    results: dict[str, dict[str, Any]] = {}
    sample = b""
    for key in chosen:
        label, template_id, settings = cases[key]
        reset_usage(bench.database)
        campaign_id = bench.campaign(org_id, group_id, template_id)
        result = results[key] = bench.send(
            org_id, campaign_id, Workers(args.workers, bench.env(**settings))
        )
        if not sample:
            sample = bench.sample_message(org_id, campaign_id)
            print(f"message: {len(sample):,} bytes on the wire (HTML template "
                  f"{len(template_html(False)):,} bytes, with its text part)")  # fmt: skip
        print(f"{label:34}: {result['rate']:8,.0f} recipients/s  ({result['counts']['sent']:,} "
              f"sent in {result['seconds']:.1f} s, status {result['status']}, "
              f"worker peak RSS {result['rss_mb']:.0f} MB)", flush=True)  # fmt: skip
    bare = bare_loop(sink_port, sample, args.workers, 15_000)
    source = smtp_source(sink_port, len(sample), args.workers, 30_000)
    print(f"{'bare smtplib loop (limit)':34}: {bare:8,.0f} messages/s  ({args.workers} "
          "processes, one pre-rendered message of the campaign)")  # fmt: skip
    print(f"{'smtp-source (limit)':34}: {source:8,.0f} messages/s  ({args.workers} sessions, "
          f"{len(sample):,} bytes)")  # fmt: skip
    seconds = None
    if args.snapshot:
        seconds, total = bench.snapshot(args.snapshot)
        print(f"{'snapshot':34}: {seconds:8.2f} s for {total:,} recipients (one INSERT ... SELECT)")
    print("\ntargets:")

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    rate = {key: result["rate"] for key, result in results.items()}
    if "smtp" in rate:
        ok = rate["smtp"] >= SMTP_TARGET and rate["smtp"] >= SMTP_SHARE * bare
        print(f"  SMTP >= {SMTP_TARGET:,}/s and >= {SMTP_SHARE:.0%} of the bare loop: "
              f"{rate['smtp']:,.0f}/s, {rate['smtp'] / bare:.0%} of {bare:,.0f}/s -> {verdict(ok)}")  # fmt: skip
    if "sendgrid" in rate:
        print(f"  SendGrid batched >= {SENDGRID_TARGET:,}/s: {rate['sendgrid']:,.0f}/s -> "
              f"{verdict(rate['sendgrid'] >= SENDGRID_TARGET)}")  # fmt: skip
    if "sendgrid-branching" in rate and "smtp" in rate:
        print(f"  SendGrid, template decided per recipient, >= the SMTP rate: "
              f"{rate['sendgrid-branching']:,.0f}/s vs {rate['smtp']:,.0f}/s -> "
              f"{verdict(rate['sendgrid-branching'] >= rate['smtp'])}")  # fmt: skip
    rss = max((r["rss_mb"] for r in results.values()), default=0.0)
    print(f"  worker peak RSS <= {RSS_LIMIT_MB} MB: {rss:.0f} MB -> {verdict(rss <= RSS_LIMIT_MB)}")
    if seconds is not None:
        print(f"  snapshot of {args.snapshot:,} < {SNAPSHOT_LIMIT:.0f} s: {seconds:.2f} s -> "
              f"{verdict(seconds < SNAPSHOT_LIMIT)}")  # fmt: skip
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
