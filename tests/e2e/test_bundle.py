"""The SPA's initial JavaScript stays within 250 KB gzipped (issue: route-level code
splitting). Measured on the production build: the entry script of index.html plus every
chunk it imports statically, recursively; chunks behind ``import()`` load on demand."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

LIMIT = 250 * 1024

_ENTRY = re.compile(r'<script type="module"[^>]*\bsrc="/assets/([^"]+\.js)"')
# Static imports as Vite writes them: `import{a as b}from"./x.js"` or `import"./x.js"`.
# Dynamic ones are `import("./x.js")`, with a parenthesis, and are not matched.
_STATIC_IMPORT = re.compile(r'(?:\bfrom|\bimport)\s*"\./([^"]+\.js)"')


def initial_chunks(dist: Path) -> set[str]:
    assets = dist / "assets"
    entry = _ENTRY.search((dist / "index.html").read_text())
    assert entry, "index.html has no module entry script"
    pending, seen = [entry.group(1)], set()
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(_STATIC_IMPORT.findall((assets / name).read_text()))
    return seen


def test_initial_javascript_is_at_most_250_kb_gzipped(frontend_dist: Path) -> None:
    chunks = initial_chunks(frontend_dist)
    sizes = {
        name: len(gzip.compress((frontend_dist / "assets" / name).read_bytes(), compresslevel=9))
        for name in chunks
    }
    total = sum(sizes.values())
    assert total <= LIMIT, f"initial JS is {total / 1024:.0f} KB gzipped (limit 250 KB): {sizes}"
    # Route splitting is real: the app has many more chunks than it loads at first.
    assert len(list((frontend_dist / "assets").glob("*.js"))) > len(chunks) + 10
