"""A real authoritative DNS server on loopback (dnslib, UDP and TCP) for the tests.

Tests edit its zone while it runs::

    server = DnsServer().start()
    server.zone.txt("example.com", "v=spf1 include:sendgrid.net ~all")
    server.zone.fail("_dmarc.example.com", "timeout")   # never answered
    app.config["ENGAGEX_DNS_NAMESERVERS"] = [server.address]

It can also be run by hand to try ``engagex domains`` against records pasted into a zone
file (re-read whenever the file changes)::

    python -m tests.support.dns_server --port 5353 --zone zone.txt
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

from dnslib import CNAME, QTYPE, RCODE, RR, TXT, DNSError, DNSLabel, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer

FAILURES = ("timeout", "servfail", "refused")


def _norm(name: str | DNSLabel) -> str:
    return str(name).lower().rstrip(".")


def _txt_chunks(value: str) -> list[bytes]:
    """A TXT value as character-strings of at most 255 bytes, as DNS providers store it."""
    raw = value.encode()
    return [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]


class Zone(BaseResolver):
    """Records by (name, type); thread-safe edits; answers like an authoritative server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[tuple[str, str], list[RR]] = {}
        self._failures: dict[str, str] = {}
        self.queries: list[tuple[str, str]] = []

    # --- editing ----------------------------------------------------------------------

    def txt(self, name: str, *values: str, ttl: int = 60) -> None:
        """Replace the TXT records at ``name`` with ``values`` (none: remove them)."""
        rrs = [RR(_norm(name), QTYPE.TXT, rdata=TXT(_txt_chunks(v)), ttl=ttl) for v in values]
        self._set(name, "TXT", rrs)

    def cname(self, name: str, target: str | None, ttl: int = 60) -> None:
        rrs = [RR(_norm(name), QTYPE.CNAME, rdata=CNAME(target), ttl=ttl)] if target else []
        self._set(name, "CNAME", rrs)

    def fail(self, name: str, how: str | None) -> None:
        """Make every query for ``name`` time out, SERVFAIL or be refused (None: heal)."""
        if how is not None and how not in FAILURES:
            raise ValueError(f"unknown failure {how!r}")
        with self._lock:
            if how is None:
                self._failures.pop(_norm(name), None)
            else:
                self._failures[_norm(name)] = how

    def remove(self, name: str) -> None:
        with self._lock:
            for key in [k for k in self._records if k[0] == _norm(name)]:
                del self._records[key]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._failures.clear()
            self.queries.clear()

    def load(self, text: str) -> None:
        """Replace everything with the records of a zone file (``name TTL IN TYPE data``)."""
        records: dict[tuple[str, str], list[RR]] = {}
        for rr in RR.fromZone(text):
            records.setdefault((_norm(rr.rname), QTYPE[rr.rtype]), []).append(rr)
        with self._lock:
            self._records = records
            self._failures.clear()

    def _set(self, name: str, rtype: str, rrs: list[RR]) -> None:
        with self._lock:
            if rrs:
                self._records[(_norm(name), rtype)] = rrs
            else:
                self._records.pop((_norm(name), rtype), None)

    # --- answering --------------------------------------------------------------------

    def resolve(self, request: DNSRecord, handler: object) -> DNSRecord:
        name, qtype = _norm(request.q.qname), QTYPE[request.q.qtype]
        reply = request.reply()
        with self._lock:
            self.queries.append((name, qtype))
            failure = self._failures.get(name)
            if failure == "timeout":
                # DNSHandler swallows DNSError without replying: the client times out.
                raise DNSError(f"dropping the query for {name}")
            if failure is not None:
                reply.header.rcode = RCODE.SERVFAIL if failure == "servfail" else RCODE.REFUSED
                return reply
            answers = list(self._records.get((name, qtype), []))
            if not answers and qtype != "CNAME":
                # Follow one CNAME inside the zone, as a recursive resolver would.
                for alias in self._records.get((name, "CNAME"), []):
                    answers.append(alias)
                    target = _norm(alias.rdata.label)
                    answers.extend(self._records.get((target, qtype), []))
            exists = any(key[0] == name or key[0].endswith("." + name) for key in self._records)
        for rr in answers:
            reply.add_answer(rr)
        if not answers and not exists:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class _QuietLogger(DNSLogger):
    def __init__(self) -> None:
        super().__init__(log="-request,-reply,-truncated,-error,-recv,-send,-data")


class DnsServer:
    """UDP and TCP on the same loopback port; ``address`` is ``127.0.0.1:PORT``."""

    def __init__(self, zone: Zone | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.zone = zone or Zone()
        self.host = host
        self.port = port
        self._servers: list[DNSServer] = []

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> DnsServer:
        for _attempt in range(20):
            udp = DNSServer(self.zone, address=self.host, port=self.port, logger=_QuietLogger())
            port = udp.server.server_address[1]
            try:
                tcp = DNSServer(
                    self.zone, address=self.host, port=port, tcp=True, logger=_QuietLogger()
                )
            except OSError:
                udp.server.server_close()
                if self.port:
                    raise
                continue  # the TCP side of that ephemeral port is taken: pick another
            self.port = port
            self._servers = [udp, tcp]
            for server in self._servers:
                server.start_thread()
            return self
        raise RuntimeError("no free port for the DNS server")

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
            server.server.server_close()
        self._servers = []

    def __enter__(self) -> DnsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a zone file on loopback (UDP+TCP).")
    parser.add_argument("--zone", required=True, type=Path, help="zone file, re-read on change")
    parser.add_argument("--port", type=int, default=5353)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    zone = Zone()
    server = DnsServer(zone, args.host, args.port).start()
    print(f"serving {args.zone} on {server.address} (UDP and TCP); Ctrl-C stops")
    seen = None
    try:
        while True:
            stamp = os.stat(args.zone).st_mtime_ns if args.zone.exists() else None
            if stamp != seen:
                seen = stamp
                try:
                    zone.load(args.zone.read_text() if stamp is not None else "")
                    print(f"loaded {args.zone}")
                except Exception as exc:  # a half-edited file: keep serving the last good one
                    print(f"cannot load {args.zone}: {exc}")
            time.sleep(0.5)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
