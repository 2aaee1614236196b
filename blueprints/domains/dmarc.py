"""DMARC (RFC 7489) record syntax, and where a domain's policy record is found."""

from __future__ import annotations

import re
from dataclasses import dataclass

from blueprints.domains.resolver import FOUND, UNANSWERED, Answer, Lookup

POLICIES = ("none", "quarantine", "reject")
_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class DmarcSyntaxError(ValueError):
    pass


def is_dmarc_candidate(txt: str) -> bool:
    """A TXT value that is meant as a DMARC record (``v=DMARC1`` anywhere in it)."""
    return re.search(r"v\s*=\s*DMARC1", txt, re.IGNORECASE) is not None


def parse(record: str) -> dict[str, str]:
    """The tags of a DMARC record; raises ``DmarcSyntaxError`` saying what is wrong."""
    tags: dict[str, str] = {}
    for index, part in enumerate(p.strip() for p in record.split(";")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not _TAG.match(name):
            raise DmarcSyntaxError(f"'{part}' is not a tag=value pair")
        if index == 0 and (name != "v" or value != "DMARC1"):
            raise DmarcSyntaxError("the record must start with 'v=DMARC1'")
        if name in tags:
            raise DmarcSyntaxError(f"the tag '{name}' appears twice")
        tags[name] = value
    if "v" not in tags:
        raise DmarcSyntaxError("the record must start with 'v=DMARC1'")
    if "p" not in tags:
        raise DmarcSyntaxError(
            "the 'p=' tag (none, quarantine or reject) is missing; it must follow 'v=DMARC1'"
        )
    for name in ("p", "sp"):
        if name in tags and tags[name].lower() not in POLICIES:
            raise DmarcSyntaxError(f"'{name}={tags[name]}' must be none, quarantine or reject")
    for name in ("adkim", "aspf"):
        if name in tags and tags[name].lower() not in ("r", "s"):
            raise DmarcSyntaxError(f"'{name}={tags[name]}' must be r or s")
    if "pct" in tags and not (tags["pct"].isdigit() and 0 <= int(tags["pct"]) <= 100):
        raise DmarcSyntaxError(f"'pct={tags['pct']}' must be a number from 0 to 100")
    for name in ("rua", "ruf"):
        for uri in filter(None, (u.strip() for u in tags.get(name, "").split(","))):
            if not re.match(r"^(mailto:[^@\s]+@[^@\s]+|https?://\S+)$", uri, re.IGNORECASE):
                raise DmarcSyntaxError(f"'{name}' lists '{uri}', which is not a mailto: URI")
    return tags


@dataclass(frozen=True)
class Located:
    """The TXT answer at the ``_dmarc`` name that governs a domain."""

    name: str  # where the answer came from
    answer: Answer
    fallback: bool  # found at a parent (organizational) domain


def candidate_names(domain: str) -> list[str]:
    """``_dmarc`` names to try: the domain itself, then its parents (not the TLD).

    This is the DNS tree walk of DMARCbis, which finds the organizational domain's
    record without a public-suffix list.
    """
    labels = domain.lower().rstrip(".").split(".")
    return [f"_dmarc.{'.'.join(labels[i:])}" for i in range(0, max(len(labels) - 1, 1))][:8]


def locate(domain: str, lookup: Lookup) -> Located:
    """The first ``_dmarc`` answer holding a DMARC record, walking up from ``domain``.

    An unanswered query stops the walk: what lies above cannot be trusted to apply.
    """
    names = candidate_names(domain)
    first: Located | None = None
    for index, name in enumerate(names):
        answer = lookup.txt(name)
        located = Located(name, answer, fallback=index > 0)
        if first is None:
            first = located
        if answer.state == UNANSWERED:
            return located
        if answer.state == FOUND and any(is_dmarc_candidate(v) for v in answer.values):
            return located
    assert first is not None
    return first
