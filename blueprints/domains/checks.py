"""Check each required record against DNS and say, in words, what to fix.

Every outcome is ``verified``, ``failed`` (a definite answer that is wrong: the owner must
act) or ``pending`` (no answer: timeout, SERVFAIL; nothing is concluded). Details follow
the shape "expected X at Y, found Z".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from blueprints.domains import dmarc, settings, spf
from blueprints.domains.records import DMARC_SUGGESTED, Required
from blueprints.domains.resolver import FOUND, UNANSWERED, Answer, Lookup

VERIFIED, FAILED, PENDING = "verified", "failed", "pending"
_SHOW = 120


@dataclass(frozen=True)
class Outcome:
    status: str
    detail: str


def _show(value: str) -> str:
    value = value if len(value) <= _SHOW else value[: _SHOW - 1] + "…"
    return f'"{value}"'


def _found(values: Iterable[str]) -> str:
    shown = [_show(v) for v in values]
    return ", ".join(shown) if shown else "nothing"


def _expected(record: Required) -> str:
    return f"expected {record.type} {_show(record.value)} at {record.name}"


def _unanswered(record: Required, answer: Answer, name: str | None = None) -> Outcome:
    return Outcome(
        PENDING,
        f"could not read {name or record.name}: {answer.reason}; nothing was concluded, "
        "verify again later",
    )


def _missing(record: Required, answer: Answer, extra: str = "") -> Outcome:
    return Outcome(FAILED, f"{_expected(record)}, found nothing ({answer.reason}){extra}")


def check_ownership(record: Required, lookup: Lookup, *, taken_elsewhere: bool) -> Outcome:
    if taken_elsewhere:
        domain = record.name.split(".", 1)[1]
        return Outcome(
            FAILED,
            f"{domain} is already verified by another organization; a domain can be "
            "verified by one organization only (remove it there first)",
        )
    answer = lookup.txt(record.name)
    if answer.state == UNANSWERED:
        return _unanswered(record, answer)
    if answer.state != FOUND:
        return _missing(record, answer)
    if any(v.strip() == record.value for v in answer.values):
        return Outcome(VERIFIED, f"found {_show(record.value)}")
    return Outcome(FAILED, f"{_expected(record)}, found {_found(answer.values)}")


def check_spf(record: Required, lookup: Lookup, provider: str) -> Outcome:
    required = settings.spf_mechanism(provider)
    answer = lookup.txt(record.name)
    if answer.state == UNANSWERED:
        return _unanswered(record, answer)
    records = [v for v in answer.values if spf.is_spf(v)] if answer.state == FOUND else []
    if not records:
        reason = answer.reason if answer.state != FOUND else "no SPF record among its TXT records"
        return Outcome(FAILED, f"{_expected(record)}, found no SPF record ({reason})")
    if len(records) > 1:
        return Outcome(
            FAILED,
            f"expected exactly one SPF record at {record.name}, found {len(records)}: "
            f"{_found(records)}; receivers reject mail when there are several, so merge "
            f"them into one that contains {required}",
        )
    current = records[0]
    result = spf.evaluate(record.name, current, lookup, required)
    problems = list(result.problems)
    if result.lookups > spf.MAX_LOOKUPS:
        count = f"more than {spf._HARD_STOP}" if result.lookups > spf._HARD_STOP else result.lookups
        problems.append(
            f"the SPF record at {record.name} needs {count} DNS lookups (deepest chain: "
            f"{' → '.join(result.chain)}); receivers stop at {spf.MAX_LOOKUPS} and fail "
            "SPF, so remove or flatten includes"
        )
    if (
        not result.authorizes
        and not result.unanswered
        and not any("is invalid" in p for p in result.problems)
    ):
        problems.append(
            f"expected the SPF record at {record.name} to contain {required}, found "
            f"{_show(current)}; add {required} before the final 'all' term"
        )
    if problems:
        return Outcome(FAILED, "; ".join(problems))
    if result.unanswered:
        return Outcome(
            PENDING,
            "could not read " + "; ".join(result.unanswered) + "; nothing was concluded, "
            "verify again later",
        )
    return Outcome(
        VERIFIED,
        f"found {_show(current)} ({result.lookups} of {spf.MAX_LOOKUPS} DNS lookups)",
    )


def check_dkim_cname(record: Required, lookup: Lookup) -> Outcome:
    answer = lookup.cname(record.name)
    if answer.state == UNANSWERED:
        return _unanswered(record, answer)
    if answer.state != FOUND:
        return _missing(record, answer)
    expected = record.value.lower().rstrip(".")
    if any(v.lower().rstrip(".") == expected for v in answer.values):
        return Outcome(VERIFIED, f"found CNAME {record.value}")
    return Outcome(
        FAILED, f"expected CNAME {record.value} at {record.name}, found " + ", ".join(answer.values)
    )


def _dkim_tags(value: str) -> dict[str, str]:
    tags = {}
    for part in value.split(";"):
        name, sep, tag_value = part.partition("=")
        if sep:
            tags[name.strip().lower()] = "".join(tag_value.split())
    return tags


def check_dkim_key(record: Required, lookup: Lookup) -> Outcome:
    answer = lookup.txt(record.name)
    if answer.state == UNANSWERED:
        return _unanswered(record, answer)
    if answer.state != FOUND:
        return _missing(record, answer)
    expected = _dkim_tags(record.value)["p"]
    keys = [_dkim_tags(v) for v in answer.values]
    for tags in keys:
        if tags.get("p") == expected and tags.get("k", "rsa").lower() == "rsa":
            if tags.get("v", "DKIM1") != "DKIM1":
                return Outcome(FAILED, f"{_expected(record)}, found a record whose v= is not DKIM1")
            return Outcome(VERIFIED, "found the published public key")
    if any("p" in tags for tags in keys):
        return Outcome(
            FAILED,
            f"{_expected(record)}, found a different key: {_found(answer.values)}; paste the "
            "value exactly (some DNS hosts split long values: keep every part)",
        )
    return Outcome(FAILED, f"{_expected(record)}, found {_found(answer.values)}")


def check_dmarc(record: Required, lookup: Lookup, domain: str) -> Outcome:
    located = dmarc.locate(domain, lookup)
    answer = located.answer
    if answer.state == UNANSWERED:
        return _unanswered(record, answer, located.name)
    candidates = [v for v in answer.values if dmarc.is_dmarc_candidate(v)]
    if not candidates:
        where = (
            " (nor at a parent domain's _dmarc)" if len(dmarc.candidate_names(domain)) > 1 else ""
        )
        reason = answer.reason if answer.state != FOUND else "no DMARC record among its TXT records"
        return Outcome(
            FAILED,
            f"expected TXT {_show(DMARC_SUGGESTED)} at {record.name}, found nothing "
            f"({reason}){where}",
        )
    starting = [v for v in candidates if v.strip().startswith("v=DMARC1")]
    if len(starting) > 1:
        return Outcome(
            FAILED,
            f"expected one DMARC record at {located.name}, found {len(starting)}: "
            f"{_found(starting)}; receivers ignore DMARC when there are several, keep one",
        )
    current = (starting or candidates)[0]
    try:
        tags = dmarc.parse(current)
    except dmarc.DmarcSyntaxError as exc:
        return Outcome(
            FAILED,
            f"expected a DMARC record like {_show(DMARC_SUGGESTED)} at {located.name}, found "
            f"{_show(current)}: {exc}",
        )
    note = (
        f" at {located.name} (the organizational domain's record, which covers {domain})"
        if located.fallback
        else ""
    )
    advice = (
        "; p=none only monitors: move to quarantine or reject once reports look clean"
        if tags["p"].lower() == "none"
        else ""
    )
    return Outcome(VERIFIED, f"found {_show(current)}{note}{advice}")


def check(
    record: Required, lookup: Lookup, *, domain: str, provider: str, taken_elsewhere: bool
) -> Outcome:
    if record.purpose == "ownership":
        return check_ownership(record, lookup, taken_elsewhere=taken_elsewhere)
    if record.purpose == "spf":
        return check_spf(record, lookup, provider)
    if record.purpose == "dkim":
        if record.type == "CNAME":
            return check_dkim_cname(record, lookup)
        return check_dkim_key(record, lookup)
    if record.purpose == "dmarc":
        return check_dmarc(record, lookup, domain)
    raise ValueError(f"unknown record purpose {record.purpose!r}")


def check_all(
    required: list[Required],
    lookup: Lookup,
    *,
    domain: str,
    provider: str,
    taken_elsewhere: bool,
) -> list[dict[str, Any]]:
    rows = []
    for record in required:
        outcome = check(
            record, lookup, domain=domain, provider=provider, taken_elsewhere=taken_elsewhere
        )
        rows.append(record.as_row(outcome.status, outcome.detail))
    return rows


def overall(previous: str, rows: list[dict[str, Any]]) -> str:
    """The domain's status from its records' outcomes.

    A definite failure fails the domain. Unanswered lookups never make a domain verified,
    and never take verification away either: a DNS outage must not stop every sender.
    """
    statuses = {row["status"] for row in rows}
    if FAILED in statuses:
        return FAILED
    if PENDING in statuses:
        return VERIFIED if previous == VERIFIED else PENDING
    return VERIFIED
