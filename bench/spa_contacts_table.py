"""The SPA's contacts table with 100,000 contacts loaded: frame times while scrolling.

The real app on a throw-away PostgreSQL database (100,000 contacts, half of them in a
group) serves its built SPA (frontend/dist, rebuilt when older than its sources) on
loopback; Debian's Chromium (headless, through Playwright) connects with an owner API
key, opens /contacts and scrolls the table (``VirtualContactTable``) to its end until
every contact is loaded, one keyset page of 100 at a time as the app fetches them.

Measured, with everything loaded, in a requestAnimationFrame loop of BENCH_SECONDS each:
- fling: the table scrolled 1,200 px (21 rows) a frame, in chunks spread over the list;
- jumps: the table scrolled to a random place every frame (a new set of rows each time);
the frame-to-frame intervals (performance.now()), the frames painted with rows of the
viewport missing ("blank"), the time the table takes to re-render in its scroll listener
("render"), the table rows in the DOM, and the JS heap after a garbage collection.
Limit: the 16.7 ms budget of 60 fps, and an empty page's rAF loop in the same browser
(what this machine's headless Chromium does with no work at all). Side figure: how long
loading every row took, split between the API (time to first byte) and the browser.

    .venv/bin/python bench/spa_contacts_table.py

Knobs: BENCH_CONTACTS (100000), BENCH_SECONDS (5), BENCH_LOAD_TIMEOUT (900 s, an upper
bound for the loading, never a target), ENGAGEX_E2E_CHROMIUM (/usr/bin/chromium).
"""

from __future__ import annotations

import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from blueprints.accounts import services as accounts  # noqa: E402
from blueprints.contacts import services as contacts  # noqa: E402
from engagex import create_app  # noqa: E402
from engagex.db import db  # noqa: E402
from engagex.tenancy import tenant_context  # noqa: E402
from tests.conftest import app_config, create_database, drop_database  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    FRONTEND,
    _newest_source_mtime,
    serving,
)

CONTACTS = max(1, int(os.environ.get("BENCH_CONTACTS", "100000")))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
LOAD_TIMEOUT_S = float(os.environ.get("BENCH_LOAD_TIMEOUT", "900"))
BUDGET_MS = 1000 / 60
ROW_HEIGHT = 57  # VirtualContactTable.ROW_HEIGHT
GROUPS = ("Newsletter", "Customers", "Spring sale 2026")

SEED_SQL = """
INSERT INTO contacts (organization_id, email, first_name, last_name, attributes, status,
                      source, created_at, updated_at)
SELECT :org, 'contact' || lpad(n::text, 7, '0') || '@example.com',
       CASE WHEN n % 3 <> 0 THEN (ARRAY['Ada', 'Grace', 'Linus', 'Margaret', 'Ken'])[1 + n % 5] END,
       CASE WHEN n % 3 <> 0 THEN (ARRAY['Lovelace', 'Hopper', 'Torvalds', 'Hamilton'])[1 + n % 4] END,
       '{}'::jsonb, 'subscribed', 'api',
       now() - (:n - n) * interval '1 minute', now() - (:n - n) * interval '1 minute'
FROM generate_series(1, :n) AS n
"""
# Contact k is in group k % 6 (0, 1, 2): half of them in one group, the rest in none.
MEMBERS_SQL = """
INSERT INTO contact_group_members (organization_id, group_id, contact_id)
SELECT :org, (:groups)[1 + id % 6], id FROM contacts WHERE id % 6 < 3
"""

LOAD_JS = """
async ({ expected, timeoutMs }) => {
  performance.setResourceTimingBufferSize(100000);
  const region = document.querySelector('[role="region"][aria-label="Contacts, scrollable"]');
  const loaded = () => document.querySelector('[data-testid="contacts-loaded"]')?.textContent ?? '';
  const start = performance.now();
  while (loaded() !== expected && performance.now() - start < timeoutMs) {
    region.scrollTop = region.scrollHeight;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  const pages = performance.getEntriesByType('resource')
    .filter((entry) => /\\/api\\/v1\\/contacts\\?/.test(entry.name))
    .map((entry) => ({ start: entry.startTime, ttfb: entry.responseStart, end: entry.responseEnd }));
  return { seconds: (performance.now() - start) / 1000, loaded: loaded(), pages };
}
"""

FRAMES_JS = """
async ({ seconds, mode, rowHeight }) => {
  const region = document.querySelector('[role="region"][aria-label="Contacts, scrollable"]');
  const max = region ? region.scrollHeight - region.clientHeight : 0;
  const count = region ? Number(region.querySelector('table').getAttribute('aria-rowcount')) - 1 : 0;
  let seed = 7;  // mulberry32: the same jumps on every run
  const random = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Like input, the scroll comes as a task between frames: its scroll event (and the
  // table's render) runs in the next frame before its rAF callbacks, so what a callback
  // sees is what that frame paints.
  const scroll = (frame) => {
    if (mode === 'jumps') region.scrollTop = Math.floor(random() * max);
    else if (frame % 30 === 0) region.scrollTop = Math.floor((((frame / 30) * 0.1 + 0.05) % 1) * max);
    else region.scrollTop += 1200;
  };
  const intervals = [];
  const rows = [];
  const renders = [];
  let blank = 0;
  // The table re-renders inside its scroll listener (flushSync): a capturing listener on
  // the document runs before it, one added to the region now runs after it.
  let scrolled = 0;
  const before = () => { scrolled = performance.now(); };
  const after = () => renders.push(performance.now() - scrolled);
  document.addEventListener('scroll', before, { capture: true, passive: true });
  region?.addEventListener('scroll', after, { passive: true });
  await new Promise((resolve) => requestAnimationFrame(resolve));
  const end = performance.now() + seconds * 1000;
  let last = performance.now();
  let frame = 0;
  return await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      intervals.push(now - last);
      last = now;
      if (region) {
        const shown = region.querySelectorAll('tbody tr[aria-rowindex]');
        rows.push(shown.length);
        const header = region.querySelector('thead').offsetHeight;
        const top = Math.max(0, Math.floor((region.scrollTop - header) / rowHeight));
        const bottom = Math.min(count - 1, Math.floor((region.scrollTop + region.clientHeight - header - 1) / rowHeight));
        const first = shown.length ? Number(shown[0].getAttribute('aria-rowindex')) - 2 : Infinity;
        const lastShown = shown.length ? Number(shown[shown.length - 1].getAttribute('aria-rowindex')) - 2 : -1;
        if (first > top || lastShown < bottom) blank += 1;
        const next = frame;
        setTimeout(() => scroll(next), 0);
      }
      frame += 1;
      if (now < end) requestAnimationFrame(tick);
      else {
        document.removeEventListener('scroll', before, { capture: true });
        region?.removeEventListener('scroll', after);
        resolve({ intervals, rows, renders, blank });
      }
    };
    requestAnimationFrame(tick);
  });
}
"""


def frontend_dist() -> Path:
    """frontend/dist, rebuilt first when missing or older than its sources."""
    index = FRONTEND / "dist" / "index.html"
    if not index.is_file() or index.stat().st_mtime < _newest_source_mtime():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("npm is needed to build frontend/")
        print("building frontend/dist (older than its sources) ...", flush=True)
        subprocess.run([npm, "run", "build", "--silent"], cwd=FRONTEND, check=True)
    return index.parent


def seed(app, url: str, n: int) -> str:
    """The organization, an owner API key and ``n`` contacts; returns the key."""
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        org = accounts.create_organization(
            None, slug="bench", name="Bench Outfitters", owner_email="owner@bench.example"
        )
        db.session.commit()
        with tenant_context(org.id):
            _key, token = accounts.create_api_key(None, name="bench", role="owner")
            groups = [contacts.create_group(None, name=name).id for name in GROUPS]
            db.session.execute(sa.text(SEED_SQL), {"org": org.id, "n": n})
            db.session.execute(sa.text(MEMBERS_SQL), {"org": org.id, "groups": groups})
            db.session.commit()
        db.engine.dispose()
    # What autovacuum does after a bulk load. Not through the app's engine: its connections
    # SET ROLE engagex_app, which does not own the tables, and PostgreSQL skips the ANALYZE
    # with a mere warning (without statistics each page reads all the contacts and sorts).
    owner = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.exec_driver_sql("ANALYZE contacts, contact_group_members")
    owner.dispose()
    return token


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def frames(page, mode: str) -> dict:
    result = page.evaluate(FRAMES_JS, {"seconds": SECONDS, "mode": mode, "rowHeight": ROW_HEIGHT})
    intervals = result["intervals"][1:]  # the first one spans the set-up
    return {
        "p50": pct(intervals, 50),
        "p95": pct(intervals, 95),
        "p99": pct(intervals, 99),
        "max": max(intervals),
        "frames": len(intervals),
        "over": sum(1 for i in intervals if i > BUDGET_MS * 1.5) / len(intervals),
        "rows": result["rows"],
        "blank": result["blank"],
        "render": f"{pct(result['renders'], 95):.1f}" if result["renders"] else "-",
    }


def busy_seconds(cdp) -> dict[str, float]:
    """The renderer's main-thread time so far: all tasks, and script, layout, style within."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    names = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
    return {name: metrics[name] for name in names}


def heap_mb(page) -> float:
    cdp = page.context.new_cdp_session(page)
    cdp.send("HeapProfiler.collectGarbage")
    used = cdp.send("Runtime.getHeapUsage")["usedSize"]
    cdp.detach()
    return used / 1e6


def loading_report(load: dict, rows: int) -> list[str]:
    pages = sorted(load["pages"], key=lambda entry: entry["start"])
    api = [p["ttfb"] - p["start"] for p in pages]
    transfer = [p["end"] - p["ttfb"] for p in pages]
    # From the end of one page's response to the request of the next: the browser's share.
    browser = [b["start"] - a["end"] for a, b in pairwise(pages)]
    tenth = max(1, len(pages) // 10)
    lines = [
        f"  loading: {rows:,} rows in {load['seconds']:.1f} s ({rows / load['seconds']:,.0f} rows/s,"
        f" {len(pages) / load['seconds']:.1f} requests/s, {len(pages)} pages)",
        f"    API, request to first byte: p50 {pct(api, 50):.1f} ms, p95 {pct(api, 95):.1f} ms,"
        f" total {sum(api) / 1000:.1f} s (first {tenth} pages p50"
        f" {statistics.median(api[:tenth]):.1f} ms, last {tenth} p50"
        f" {statistics.median(api[-tenth:]):.1f} ms); transfer total {sum(transfer) / 1000:.1f} s",
    ]
    if browser:
        lines.append(
            f"    browser, response to next request: p50 {pct(browser, 50):.1f} ms, p95"
            f" {pct(browser, 95):.1f} ms, total {sum(browser) / 1000:.1f} s"
            f" (first {tenth} pages p50 {statistics.median(browser[:tenth]):.1f} ms,"
            f" last {tenth} p50 {statistics.median(browser[-tenth:]):.1f} ms)"
        )
    return lines


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    dist = frontend_dist()
    name = f"engagex_bench_{uuid.uuid4().hex[:8]}"
    url = create_database(name)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app(
                app_config(Path(tmp), DATABASE_URL=url, ENGAGEX_FRONTEND_DIST=str(dist))
            )
            started = time.perf_counter()
            token = seed(app, url, CONTACTS)
            seeded = time.perf_counter() - started
            with serving(app) as base, sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    print(
                        f"machine: {platform.machine()} {os.cpu_count()} cores, Python"
                        f" {platform.python_version()}, Chromium {browser.version} headless;"
                        f" {CONTACTS:,} contacts seeded (and migrated) in {seeded:.1f} s",
                        flush=True,
                    )
                    run(browser, base, token)
                finally:
                    browser.close()
            with app.app_context():
                db.engine.dispose()
    finally:
        drop_database(name)


def run(browser, base: str, token: str) -> None:
    context = browser.new_context(
        base_url=base, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(30_000)  # an upper bound for a screen to appear
    try:
        empty = context.new_page()
        empty.set_content("<!doctype html><title>empty</title>")
        baseline = frames(empty, "none")
        empty.close()

        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto("/connect")
        page.get_by_label("API key").fill(token)
        page.get_by_role("button", name="Connect").click()
        page.get_by_test_id("org-name").wait_for()
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
        page.get_by_role("region", name="Contacts, scrollable").locator("tbody tr").first.wait_for()
        page.get_by_test_id("contacts-loaded").wait_for()
        heap_first = heap_mb(page)

        expected = f"{CONTACTS:,} contacts" if CONTACTS != 1 else "1 contact"
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        busy_before = busy_seconds(cdp)
        load = page.evaluate(LOAD_JS, {"expected": expected, "timeoutMs": LOAD_TIMEOUT_S * 1000})
        busy = {k: v - busy_before[k] for k, v in busy_seconds(cdp).items()}
        cdp.detach()
        loaded_rows = int(load["loaded"].split()[0].replace(",", "") or 0)
        for line in loading_report(load, loaded_rows):
            print(line, flush=True)
        print(
            f"    browser main thread busy {busy['TaskDuration']:.1f} s of {load['seconds']:.1f} s"
            f" (script {busy['ScriptDuration']:.1f} s, layout {busy['LayoutDuration']:.1f} s,"
            f" style {busy['RecalcStyleDuration']:.1f} s); idle the rest of the time",
            flush=True,
        )
        if load["loaded"] != expected:
            print(
                f"  NOT all loaded within {LOAD_TIMEOUT_S:.0f} s: the table reads {load['loaded']!r}"
            )

        heap_loaded = heap_mb(page)
        fling = frames(page, "fling")
        jumps = frames(page, "jumps")
        rows = fling["rows"] + jumps["rows"]
        print(
            f"  frame times, {SECONDS:g} s each (ms)      p50    p95    p99     max  frames  >25 ms"
            "  blank  render p95"
        )
        for label, figures in (
            ("empty page (the limit)", baseline),
            ("table, fling 1,200 px/frame", fling),
            ("table, random jump per frame", jumps),
        ):
            print(
                f"    {label:<32} {figures['p50']:6.1f} {figures['p95']:6.1f} {figures['p99']:6.1f}"
                f" {figures['max']:7.1f} {figures['frames']:7d} {figures['over']:7.1%}"
                f" {figures['blank']:6d} {figures['render']:>11}"
            )
        print(
            f"  DOM rows while scrolling: median {statistics.median(rows):.0f}, max {max(rows)};"
            f" JS heap after GC: {heap_first:.0f} MB with the first page,"
            f" {heap_loaded:.0f} MB with {loaded_rows:,} rows"
        )
        if errors:
            print(f"  uncaught JavaScript errors: {errors}")
        worst = max(fling["p95"], jumps["p95"])
        print(
            f"contacts table, {loaded_rows:,} rows loaded: frame p95 {worst:.1f} ms (budget"
            f" {BUDGET_MS:.1f} ms; empty page p95 {baseline['p95']:.1f} ms), DOM rows {max(rows)},"
            f" heap {heap_loaded:.0f} MB; loading {loaded_rows:,} rows: {load['seconds']:.0f} s"
            f" ({loaded_rows / load['seconds']:,.0f} rows/s)"
        )
    finally:
        context.close()


if __name__ == "__main__":
    main()
