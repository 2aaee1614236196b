"""DNS lookups for verification, through dnspython, with three outcomes.

A lookup is ``found`` (the records), ``missing`` (the name or the type does not exist:
a definite answer the domain's owner must fix) or ``unanswered`` (timeout, SERVFAIL,
REFUSED: nothing can be concluded, so a check never fails or passes on it).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

FOUND = "found"
MISSING = "missing"
UNANSWERED = "unanswered"


@dataclass(frozen=True)
class Answer:
    state: str
    values: tuple[str, ...] = ()
    #: Why there are no values, in words ("the name does not exist").
    reason: str = ""

    @property
    def found(self) -> bool:
        return self.state == FOUND


def parse_nameserver(entry: str) -> dns.nameserver.Do53Nameserver:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address."""
    entry = entry.strip()
    host, port = entry, 53
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        if rest.startswith(":"):
            port = int(rest[1:])
    elif entry.count(":") == 1:
        host, _, raw_port = entry.partition(":")
        port = int(raw_port)
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:
        address = socket.getaddrinfo(host, port, proto=socket.IPPROTO_UDP)[0][4][0]
    if not 0 < port < 65536:
        raise ValueError(f"bad port in name server {entry!r}")
    return dns.nameserver.Do53Nameserver(address, port)


@dataclass
class Lookup:
    """A resolver for one verification run; answers are memoized for the run only.

    Nothing is cached across runs: a verification must see the records as they are now.
    """

    nameservers: list[str]
    timeout: float
    _memo: dict[tuple[str, str], Answer] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.nameservers:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [parse_nameserver(n) for n in self.nameservers]
        else:
            resolver = dns.resolver.Resolver(configure=True)
        resolver.cache = None
        resolver.timeout = self.timeout
        resolver.lifetime = self.timeout
        self._resolver = resolver

    def txt(self, name: str) -> Answer:
        """TXT values at ``name``, each with its character-strings joined (RFC 7208 3.3)."""
        return self._query(name, "TXT")

    def cname(self, name: str) -> Answer:
        """The CNAME target at ``name``, lower-cased, without the trailing dot."""
        return self._query(name, "CNAME")

    def _query(self, name: str, rdtype: str) -> Answer:
        key = (name.lower().rstrip("."), rdtype)
        if key not in self._memo:
            self._memo[key] = self._resolve(key[0], rdtype)
        return self._memo[key]

    def _resolve(self, name: str, rdtype: str) -> Answer:
        try:
            qname = dns.name.from_text(name)
        except dns.exception.DNSException as exc:
            return Answer(MISSING, reason=f"{name!r} is not a valid DNS name ({exc})")
        try:
            answer = self._resolver.resolve(qname, rdtype, search=False)
        except dns.resolver.NXDOMAIN:
            return Answer(MISSING, reason="NXDOMAIN: the name does not exist")
        except dns.resolver.NoAnswer:
            return Answer(MISSING, reason=f"no {rdtype} record")
        except dns.resolver.LifetimeTimeout:
            return Answer(UNANSWERED, reason=f"the DNS query timed out after {self.timeout:g}s")
        except dns.resolver.NoNameservers as exc:
            return Answer(UNANSWERED, reason=_servers_failure(exc))
        except dns.exception.DNSException as exc:
            return Answer(UNANSWERED, reason=f"the DNS query failed ({exc.__class__.__name__})")
        if rdtype == "TXT":
            values = tuple(
                b"".join(r.strings).decode("utf-8", "replace")
                for r in answer
                if r.rdtype == dns.rdatatype.TXT
            )
        else:
            values = tuple(r.target.to_text(omit_final_dot=True).lower() for r in answer)
        return Answer(FOUND, values)


def _servers_failure(exc: dns.resolver.NoNameservers) -> str:
    text = str(exc)
    if "SERVFAIL" in text:
        return "the name server answered SERVFAIL (a temporary failure)"
    if "REFUSED" in text:
        return "the name server refused the query"
    return "no name server could answer"
