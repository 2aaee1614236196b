"""SmtpBackend throughput against a local aiosmtpd sink, beside the bare smtplib limit.

The sink runs in its own process (an aiosmtpd server that accepts and discards). In
the same run, interleaved, with 20 KB messages (best of 3 each):

- limit: a bare ``smtplib`` loop pushing one pre-rendered message over one connection
  (no rendering, no result handling: the most this client stack can do per connection);
- ``SmtpBackend.send``: distinct messages, each rendered (MIME, headers, Message-ID,
  signing hook) and sent through the pooled connection, in batches of 500;
- ``SmtpBackend.send_batch``: one template with per-recipient substitutions, bodies
  encoded once per batch (``BatchRenderer``), the campaign path;
- the same with PIPELINING advertised by the sink (one round trip per message; the
  bare loop cannot pipeline, smtplib does not implement it).

Also the client's CPU time per message (listmonk spends about 0.34 ms). When Postfix's
``smtp-sink`` is installed it is measured too (it pipelines and is not the bottleneck).
On a machine shared with other work the figures move by tens of percent from run to
run; the CPU column moves least.

    .venv/bin/python bench/smtp_send.py [--messages 3000]
"""

import argparse
import asyncio
import os
import platform
import shutil
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engagex.mail import Message, Personalization, render  # noqa: E402
from engagex.mail.smtp import SmtpBackend  # noqa: E402

BATCH = 500


def run_sink(port: int, pipelining: bool) -> None:
    """The sink process: accept everything, keep nothing."""
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            if pipelining:
                responses.insert(1, "250-PIPELINING")
            return responses

        async def handle_DATA(self, server, session, envelope):
            return "250 2.0.0 Ok: queued"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port, data_size_limit=None)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(pipelining: bool) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    flag = "--pipelining" if pipelining else "--no-pipelining"
    proc = subprocess.Popen(
        [sys.executable, __file__, "--sink", str(port), flag], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        raise RuntimeError("sink did not start")
    return proc, port


def start_smtp_sink() -> tuple[subprocess.Popen[str], int] | None:
    binary = shutil.which("smtp-sink") or (
        "/usr/sbin/smtp-sink" if os.path.exists("/usr/sbin/smtp-sink") else None
    )
    if binary is None:
        return None
    port = free_port()
    proc = subprocess.Popen([binary, "-c", f"127.0.0.1:{port}", "256"], text=True)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    return None


def body(i: int) -> tuple[str, str]:
    paragraph = (
        "<p>Dear reader {i}, this is the weekly letter with news, offers and a link to "
        "<a href='https://app.example/t/c/{i}'>the shop</a>. Grüße!</p>\n"
    )
    html = "<html><body>" + "".join(paragraph.format(i=i) for _ in range(120)) + "</body></html>"
    text = (
        f"Dear reader {i}, this is the weekly letter. Unsubscribe: https://app.example/u/{i}\n" * 60
    )
    return html[:14_000], text[:6_000]


def messages(n: int) -> list[Message]:
    out = []
    for i in range(n):
        html, text = body(i)
        out.append(
            Message(
                to_email=f"reader{i}@example.com",
                to_name=f"Reader {i}",
                from_email="news@example.org",
                from_name="Example News",
                subject=f"Weekly letter for reader {i}",
                html=html,
                text=text,
                headers={
                    "List-Unsubscribe": f"<https://app.example/u/{i}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        )
    return out


def bare_loop(port: int, n: int) -> tuple[float, float]:
    raw = render(messages(1)[0])
    smtp = smtplib.SMTP("127.0.0.1", port)
    smtp.ehlo()
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        smtp.sendmail("news@example.org", [f"reader{i}@example.com"], raw)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    smtp.quit()
    return n / elapsed, cpu / n


def template_and_people(n: int) -> tuple[Message, list[Personalization]]:
    html, text = body(0)
    html = html.replace("reader 0", "reader -name-").replace("/t/c/0", "/t/c/-token-")
    text = text.replace("reader 0", "reader -name-").replace("/u/0", "/u/-token-")
    template = Message(
        to_email="",
        from_email="news@example.org",
        from_name="Example News",
        subject="Weekly letter for reader -name-",
        html=html,
        text=text,
        headers={"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    people = [
        Personalization(
            to_email=f"reader{i}@example.com",
            to_name=f"Reader {i}",
            substitutions={"-name-": str(i), "-token-": f"tok{i:08d}"},
            headers={"List-Unsubscribe": f"<https://app.example/u/tok{i:08d}>"},
        )
        for i in range(n)
    ]
    return template, people


def backend_run(port: int, n: int, batched: bool = False) -> tuple[float, float, int]:
    """SmtpBackend.send of distinct messages, or send_batch of one template."""
    batch = messages(n)  # building the values is the caller's work, not the backend's
    template, people = template_and_people(n)
    backend = SmtpBackend("127.0.0.1", port, starttls=False)
    backend.send(batch[:1])  # connect outside the timing, as a worker's pool would be
    started, cpu = time.perf_counter(), time.process_time()
    failed = 0
    for k in range(0, n, BATCH):
        if batched:
            results = backend.send_batch(template, people[k : k + BATCH])
        else:
            results = backend.send(batch[k : k + BATCH])
        failed += sum(not r.ok for r in results)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    backend.close()
    if failed:
        raise RuntimeError(f"{failed} messages failed")
    return n / elapsed, cpu / n, backend.connections_opened


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--sink", type=int)
    parser.add_argument("--pipelining", action=argparse.BooleanOptionalAction, default=False)
    args = parser.parse_args()
    if args.sink:
        run_sink(args.sink, args.pipelining)
        return

    n = args.messages
    size = len(render(messages(1)[0]))
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{n} messages of {size / 1024:.1f} KB per run, best of 3"
    )
    sink, port = start_sink(pipelining=False)
    try:
        # Interleaved, so that load from elsewhere on the machine hits both alike.
        limits, runs, batched = [], [], []
        for _ in range(3):
            limits.append(bare_loop(port, n))
            runs.append(backend_run(port, n))
            batched.append(backend_run(port, n, batched=True))
        limit = max(limits)
        ours = max(runs, key=lambda r: r[0])
        ours_batched = max(batched, key=lambda r: r[0])
    finally:
        sink.terminate()
    sink, port = start_sink(pipelining=True)
    try:
        piped = max((backend_run(port, n, batched=True) for _ in range(3)), key=lambda r: r[0])
    finally:
        sink.terminate()

    print(
        f"limit  bare smtplib loop, one connection:          {limit[0]:7.0f} msg/s  ({limit[1] * 1000:.3f} ms CPU/msg)"
    )
    print(
        f"       SmtpBackend.send -> aiosmtpd sink:             {ours[0]:7.0f} msg/s  ({ours[1] * 1000:.3f} ms CPU/msg, {ours[2]} connection)  = {ours[0] / limit[0]:.0%} of the limit"
    )
    print(
        f"       SmtpBackend.send_batch -> aiosmtpd sink:       {ours_batched[0]:7.0f} msg/s  ({ours_batched[1] * 1000:.3f} ms CPU/msg)  = {ours_batched[0] / limit[0]:.0%} of the limit"
    )
    print(
        f"       SmtpBackend.send_batch -> sink + PIPELINING:   {piped[0]:7.0f} msg/s  ({piped[1] * 1000:.3f} ms CPU/msg)  = {piped[0] / limit[0]:.0%} of the limit"
    )

    postfix = start_smtp_sink()
    if postfix is None:
        print("Postfix smtp-sink not installed (Debian package postfix): skipped")
        return
    proc, port = postfix
    try:
        limits, runs = [], []
        for _ in range(2):
            limits.append(bare_loop(port, n))
            runs.append(backend_run(port, n, batched=True))
        bare = max(limits)
        with_pipe = max(runs, key=lambda r: r[0])
    finally:
        proc.terminate()
    print(f"limit  bare smtplib loop -> smtp-sink:              {bare[0]:7.0f} msg/s")
    print(
        f"       SmtpBackend.send_batch -> smtp-sink:           {with_pipe[0]:7.0f} msg/s  = {with_pipe[0] / bare[0]:.0%} of the limit"
    )


if __name__ == "__main__":
    main()
