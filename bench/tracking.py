"""The tracking routes under load, beside a hello-world on the same server configuration.

One run, on the local PostgreSQL and Redis, real processes:
- the EngageX app (``wsgi:app``) and a bare Flask hello-world (``hello_app`` below) are
  each served by gunicorn with the same configuration (``engagex.gunicorn_conf``,
  ``BENCH_WORKERS`` sync workers, access log off for both);
- ``wrk`` (Debian package ``wrk``) loads them from another process: the hello-world,
  the open pixel and the click redirect (random recipients among ``BENCH_RECIPIENTS``
  of one campaign, a browser user agent), ``BENCH_SECONDS`` each; requests/s and p99;
- the buffered events are then written by the flush job (events/s), and the count of
  rows is checked against the requests wrk made;
- a SendGrid Event Webhook POST of 1,000 signed events (250 recipients x processed,
  delivered, open, click) over HTTP to the same gunicorn, five times (new event ids).

Limits (issue 7): tracking at least 70 % of the hello-world's requests/s with p99 under
20 ms; the 1,000-event POST under 200 ms.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get(
    "ENGAGEX_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("ENGAGEX_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", str(2 * WORKERS)))
RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "20000"))
SECRET = "bench-secret"
WARMUP = 50
POSTS = 6  # webhook POSTs of 1,000 events; the first meets a cold worker
AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
)
LINKS = ["https://shop.example/sale", "https://shop.example/new", "https://shop.example/about"]

hello_app = Flask("hello")
hello_app.get("/")(lambda: "hello")

LUA = f"""
local paths = {{}}
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {{["User-Agent"] = "{AGENT}"}})
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(target: str, port: int, env: dict[str, str], chdir: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "--config", "python:engagex.gunicorn_conf",
            "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
            "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning",
            "--chdir", str(chdir), target,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn {target} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def wrk(url: str, script: Path | None = None, paths: Path | None = None) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    if paths:
        command += ["--", str(paths)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p99": float(p99.group(1)) * scale,
        "requests": total,
        "errors": int(errors.group(1)) if errors else 0,
    }


def setup(url: str, tmp: Path) -> tuple[int, int, list[int]]:
    import flask_migrate
    import sqlalchemy as sa

    from blueprints.accounts import services as accounts
    from blueprints.campaigns import services as campaigns
    from blueprints.campaigns.models import Campaign, CampaignRecipient
    from engagex import create_app
    from engagex.db import db
    from engagex.tenancy import tenant_context

    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": SECRET, "ENGAGEX_INSTANCE_PATH": str(tmp), "ENGAGEX_LOG_LEVEL": "WARNING"}
    )  # fmt: skip
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        org = accounts.create_organization(
            None, slug="bench", name="Bench", owner_email="o@bench.example"
        )
        with tenant_context(org.id):
            campaign = campaigns.create_campaign(
                None, {"name": "bench", "from_email": "news@bench.example"}
            )
            db.session.execute(
                sa.update(Campaign)
                .where(Campaign.id == campaign.id)
                .values(
                    status="sent", links=LINKS, recipients_total=RECIPIENTS, sent_count=RECIPIENTS
                )
            )
            sent_at = datetime.now(UTC) - timedelta(hours=1)
            db.session.execute(
                sa.insert(CampaignRecipient),
                [
                    {"organization_id": org.id, "campaign_id": campaign.id, "contact_id": None,
                     "email": f"r{i}@bench.example", "batch_no": 1 + i // 500, "status": "sent",
                     "sent_at": sent_at}
                    for i in range(RECIPIENTS)
                ],
            )  # fmt: skip
            ids = list(
                db.session.scalars(sa.select(CampaignRecipient.id).order_by(CampaignRecipient.id))
            )
            org_id, campaign_id = org.id, campaign.id
            db.session.commit()
        db.engine.dispose()
    return org_id, campaign_id, ids


def count_events(url: str) -> tuple[int, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT type, count(*) FROM analytics_events GROUP BY type")
        ).all()
    engine.dispose()
    counts = dict(rows)
    return int(counts.get("open", 0)), int(counts.get("click", 0))


def flush(url: str, tmp: Path, prefix: str) -> tuple[int, float]:
    from blueprints.analytics import buffer, tasks
    from engagex import create_app

    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": SECRET, "ENGAGEX_INSTANCE_PATH": str(tmp), "REDIS_URL": REDIS,
         "ENGAGEX_QUEUE_PREFIX": prefix, "ENGAGEX_LOG_LEVEL": "WARNING"}
    )  # fmt: skip
    with app.app_context():
        waiting = buffer.pending()
        started = time.perf_counter()
        tasks.flush_events()
        elapsed = time.perf_counter() - started
    return waiting, elapsed


def webhook_posts(port: int, key, org_id: int, campaign_id: int, ids: list[int]) -> list[float]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    timings = []
    for run in range(POSTS):
        chosen = ids[run * 250 : (run + 1) * 250]
        now = int(time.time())
        events = []
        for rid in chosen:
            for kind in ("processed", "delivered", "open", "click"):
                event = {
                    "email": f"r{rid}@bench.example", "timestamp": now, "event": kind,
                    "sg_event_id": uuid.uuid4().hex, "sg_message_id": uuid.uuid4().hex,
                    "organization_id": str(org_id), "campaign_id": str(campaign_id), "recipient_id": str(rid),
                }  # fmt: skip
                if kind in ("open", "click"):
                    event["useragent"] = AGENT
                if kind == "click":
                    event["url"] = LINKS[0]
                events.append(event)
        body = json.dumps(events).encode()
        stamp = str(int(time.time()))
        signature = base64.b64encode(
            key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        ).decode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/webhooks/sendgrid",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Twilio-Email-Event-Webhook-Signature": signature,
                "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
            },
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        timings.append((time.perf_counter() - started) * 1000)
        assert answer["recorded"] == 1000, answer
    return timings


def main() -> None:
    import sqlalchemy as sa
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from engagex.tokens import sign

    name = f"engagex_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    prefix = f"bench-{uuid.uuid4().hex[:6]}-"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            org_id, campaign_id, ids = setup(url, tmp)
            rng = random.Random(7)
            opens = tmp / "opens.txt"
            clicks = tmp / "clicks.txt"
            opens.write_text("\n".join(f"/t/o/{sign(SECRET, 'open', rid)}" for rid in ids) + "\n")
            clicks.write_text(
                "\n".join(
                    f"/t/c/{sign(SECRET, 'click', rid, rng.randrange(len(LINKS)))}" for rid in ids
                )
                + "\n"
            )
            script = tmp / "paths.lua"
            script.write_text(LUA)
            key = ec.generate_private_key(ec.SECP256R1())
            public = base64.b64encode(
                key.public_key().public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            ).decode()
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "REDIS_URL": REDIS,
                "ENGAGEX_QUEUE_PREFIX": prefix,
                "SECRET_KEY": SECRET,
                "ENGAGEX_INSTANCE_PATH": str(tmp),
                "ENGAGEX_LOG_LEVEL": "WARNING",
                "SENDGRID_WEBHOOK_PUBLIC_KEY": public,
                "PYTHONPATH": str(ROOT),
            }
            hello_port, app_port = free_port(), free_port()
            processes.append(gunicorn("tracking:hello_app", hello_port, env, ROOT / "bench"))
            processes.append(gunicorn("wsgi:app", app_port, env, ROOT))
            # Warm up both (imports, connection pools, the recipient and link caches).
            for port, path in ((hello_port, "/"), (app_port, opens.read_text().split()[0])):
                for _ in range(WARMUP):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read()
            # Interleaved rounds: the machine is shared, so each round compares the
            # three under the same conditions.
            rounds = []
            for _ in range(ROUNDS):
                rounds.append(
                    {
                        "hello": wrk(f"http://127.0.0.1:{hello_port}/"),
                        "open": wrk(f"http://127.0.0.1:{app_port}", script, opens),
                        "click": wrk(f"http://127.0.0.1:{app_port}", script, clicks),
                    }
                )
            waiting, elapsed = flush(url, tmp, prefix)
            written_opens, written_clicks = count_events(url)
            posts = webhook_posts(app_port, key, org_id, campaign_id, ids)
    finally:
        for process in processes:
            stop(process)
        import redis

        conn = redis.Redis.from_url(REDIS)
        for key_name in conn.scan_iter(f"*{prefix}*"):
            conn.delete(key_name)
        with admin.connect() as conn_pg:
            conn_pg.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f}), "
        f"Python {platform.python_version()}; gunicorn {WORKERS} sync workers each, "
        f"wrk -t2 -c{CONNECTIONS} -d{SECONDS}s x {ROUNDS} interleaved rounds, {RECIPIENTS:,} recipients"
    )

    def median(name: str, key: str) -> float:
        return statistics.median(r[name][key] for r in rounds)

    def listed(name: str) -> str:
        return ", ".join(str(round(r[name]["rps"])) for r in rounds)

    print(
        f"  hello-world (limit)  {median('hello', 'rps'):7.0f} req/s  p99 {median('hello', 'p99'):6.2f} ms"
        f"   rounds: {listed('hello')}"
    )
    for label, name in (("open pixel /t/o/", "open"), ("click /t/c/     ", "click")):
        share = statistics.median(r[name]["rps"] / r["hello"]["rps"] * 100 for r in rounds)
        errors = sum(r[name]["errors"] for r in rounds)
        print(
            f"  {label}     {median(name, 'rps'):7.0f} req/s  p99 {median(name, 'p99'):6.2f} ms (limit < 20 ms)  "
            f"{share:5.1f} % of hello-world (limit >= 70 %)  errors {errors}"
            f"   rounds: {listed(name)}"
        )
    total = sum(r["open"]["requests"] + r["click"]["requests"] for r in rounds) + WARMUP
    print(
        f"  flush: {waiting:,} buffered events written in {elapsed:.2f} s ({waiting / elapsed:,.0f} events/s); "
        f"rows: {written_opens:,} opens + {written_clicks:,} clicks for {total:,} requests "
        f"(wrk's and {WARMUP} warm-up opens)"
    )
    first, warm = posts[0], posts[1:]
    print(
        f"  SendGrid webhook, 1,000 events per POST over HTTP: min {min(warm):.0f} ms, "
        f"median {statistics.median(warm):.0f} ms, max {max(warm):.0f} ms (limit < 200 ms); "
        f"the first POST, cold, {first:.0f} ms; all: {', '.join(f'{t:.0f}' for t in posts)}"
    )


if __name__ == "__main__":
    main()
