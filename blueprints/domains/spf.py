"""SPF (RFC 7208): parse a record and evaluate it statically for verification.

No IP address is tested: the checks are the ones that decide whether receivers will
evaluate the record at all and whether it authorizes the platform: syntax, the 10-lookup
limit over nested includes, no ``+all`` anywhere, and the required mechanism present
directly or through an include/redirect.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from blueprints.domains.resolver import FOUND, UNANSWERED, Lookup
from blueprints.domains.settings import SpfMechanism

MAX_LOOKUPS = 10
#: Evaluation stops expanding includes past this many lookups (loops, huge trees).
_HARD_STOP = 40
MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
LOOKUP_MECHANISMS = ("include", "a", "mx", "ptr", "exists")
_MODIFIER = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*)=(.*)$")
_MECHANISM = re.compile(r"^([+\-~?]?)([A-Za-z0-9]+)([:/].*)?$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


class SpfSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    qualifier: str  # "+", "-", "~", "?" ("" for modifiers)
    name: str  # mechanism or modifier name, lower-case
    value: str | None  # domain, address (with /cidr) or modifier value
    modifier: bool = False
    raw: str = ""  # as written in the record

    def __str__(self) -> str:
        return self.raw


def is_spf(txt: str) -> bool:
    """Whether a TXT value is an SPF record (``v=spf1`` then a space or the end)."""
    head = txt.strip()[:7].lower()
    return head == "v=spf1" or head == "v=spf1 "


def _check_domain_spec(spec: str, term: str) -> None:
    if not spec:
        raise SpfSyntaxError(f"'{term}' needs a domain after ':'")
    if "%" in spec:  # macros are expanded per message; only their shape can be checked
        if not re.fullmatch(r"(?:[^%\s]|%%|%_|%-|%\{[slodiphcrtv]\d*r?[.\-+,/_=]*\})+", spec):
            raise SpfSyntaxError(f"'{term}' has a malformed macro")
        return
    labels = spec.rstrip(".").split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise SpfSyntaxError(f"'{term}' does not name a valid domain")
    if labels[-1].isdigit():
        raise SpfSyntaxError(f"'{term}' does not name a valid domain (numeric top label)")


def _split_cidr(rest: str, term: str) -> tuple[str, list[str]]:
    domain, *cidrs = rest.split("/")
    for cidr in cidrs:
        if cidr and not cidr.isdigit():
            raise SpfSyntaxError(f"'{term}' has a bad prefix length")
    return domain, cidrs


def parse_term(raw: str) -> Term:
    modifier = _MODIFIER.match(raw)
    mechanism = _MECHANISM.match(raw)
    if modifier and not (mechanism and mechanism.group(2).lower() in MECHANISMS):
        name, value = modifier.group(1).lower(), modifier.group(2)
        if name in ("redirect", "exp"):
            _check_domain_spec(value, raw)
        return Term("", name, value, modifier=True, raw=raw)
    if not mechanism or mechanism.group(2).lower() not in MECHANISMS:
        raise SpfSyntaxError(f"unknown term '{raw}'")
    qualifier, name, rest = (
        mechanism.group(1) or "+",
        mechanism.group(2).lower(),
        mechanism.group(3),
    )
    value = rest[1:] if rest and rest.startswith(":") else None
    if name == "all":
        if rest:
            raise SpfSyntaxError(f"'{raw}': 'all' takes no argument")
    elif name in ("include", "exists"):
        if not rest or not rest.startswith(":"):
            raise SpfSyntaxError(f"'{raw}' needs a domain after ':'")
        _check_domain_spec(value or "", raw)
    elif name in ("ip4", "ip6"):
        if not value:
            raise SpfSyntaxError(f"'{raw}' needs an address after ':'")
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise SpfSyntaxError(f"'{raw}' is not a valid {name} address or network") from exc
        if network.version != int(name[-1]):
            raise SpfSyntaxError(f"'{raw}' is not an IPv{name[-1]} address")
    else:  # a, mx, ptr: optional domain, a and mx also an optional /cidr
        spec = rest or ""
        if name == "ptr" and "/" in spec:
            raise SpfSyntaxError(f"'{raw}': ptr takes no prefix length")
        domain, _cidrs = _split_cidr(spec[1:] if spec.startswith(":") else spec, raw)
        if spec.startswith(":"):
            _check_domain_spec(domain, raw)
        value = domain or None
    return Term(qualifier, name, value, raw=raw)


def parse(record: str) -> list[Term]:
    """The terms after ``v=spf1``; raises ``SpfSyntaxError`` with what is wrong."""
    parts = record.split()
    if not parts or parts[0].lower() != "v=spf1":
        raise SpfSyntaxError("it must start with 'v=spf1'")
    terms = [parse_term(p) for p in parts[1:]]
    for name in ("redirect", "exp"):
        if sum(1 for t in terms if t.modifier and t.name == name) > 1:
            raise SpfSyntaxError(f"'{name}=' may appear only once")
    return terms


def _matches(term: Term, required: SpfMechanism) -> bool:
    if term.modifier or term.qualifier != "+":
        return False
    if required.kind in ("ip4", "ip6"):
        if term.name != required.kind or not term.value:
            return False
        return ipaddress.ip_address(required.value) in ipaddress.ip_network(
            term.value, strict=False
        )
    value = (term.value or "").lower().rstrip(".")
    return term.name == required.kind and value == required.value


@dataclass
class Evaluation:
    """What a static walk of the record tree found."""

    lookups: int = 0
    authorizes: bool = False
    #: Definite problems the owner must fix (the record fails).
    problems: list[str] = field(default_factory=list)
    #: Lookups that got no answer (the check cannot conclude).
    unanswered: list[str] = field(default_factory=list)
    #: The deepest include chain, for the lookup-limit diagnostic.
    chain: list[str] = field(default_factory=list)


def evaluate(domain: str, record: str, lookup: Lookup, required: SpfMechanism) -> Evaluation:
    """Walk ``record`` (the SPF record of ``domain``) and every include and redirect."""
    result = Evaluation()
    _walk(domain, record, lookup, required, result, seen=frozenset({domain.lower()}), chain=[])
    return result


def _walk(
    domain: str,
    record: str,
    lookup: Lookup,
    required: SpfMechanism,
    result: Evaluation,
    seen: frozenset[str],
    chain: list[str],
) -> None:
    top = not chain
    where = "the SPF record" if top else f"the SPF record of {domain} ({' → '.join(chain)})"
    try:
        terms = parse(record)
    except SpfSyntaxError as exc:
        result.problems.append(f"{where} is invalid: {exc}")
        return
    has_all = any(t.name == "all" and not t.modifier for t in terms)
    for term in terms:
        if _matches(term, required):
            result.authorizes = True
        if term.name == "all" and not term.modifier and term.qualifier == "+":
            result.problems.append(
                f"{where} contains '{term}', which lets any server on the internet send as "
                "this domain; use '~all' or '-all'"
            )
        follows = term.name == "include" and not term.modifier
        counts = (not term.modifier and term.name in LOOKUP_MECHANISMS) or (
            term.modifier and term.name == "redirect" and not has_all
        )
        if not counts:
            continue
        result.lookups += 1
        if len(chain) + 1 > len(result.chain):
            result.chain = [*chain, str(term)]
        if result.lookups > _HARD_STOP:
            return
        if not (follows or term.modifier):
            continue
        target = (term.value or "").lower().rstrip(".")
        if "%" in target or target in seen:
            continue  # macro targets depend on the message; a loop is not followed again
        _follow(target, str(term), lookup, required, result, seen | {target}, [*chain, str(term)])


def _follow(
    target: str,
    term: str,
    lookup: Lookup,
    required: SpfMechanism,
    result: Evaluation,
    seen: frozenset[str],
    chain: list[str],
) -> None:
    answer = lookup.txt(target)
    if answer.state == UNANSWERED:
        result.unanswered.append(f"{target} (for '{term}'): {answer.reason}")
        return
    records = [v for v in answer.values if is_spf(v)] if answer.state == FOUND else []
    if not records:
        found = answer.reason if answer.state != FOUND else "no SPF record among its TXT records"
        result.problems.append(
            f"'{term}' points to {target}, which has no SPF record ({found}); receivers "
            "treat that as a permanent error"
        )
        return
    if len(records) > 1:
        result.problems.append(
            f"'{term}' points to {target}, which has {len(records)} SPF records; receivers "
            "treat that as a permanent error"
        )
        return
    _walk(target, records[0], lookup, required, result, seen, chain)
