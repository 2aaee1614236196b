"""The text part: derived from the compiled HTML, or the author's own with its URLs tracked.

Derivation uses inscriptis on the placeholder document (see ``markup``): Jinja
statements kept as elements stay in reading order, layout tables are read as blocks
with one line per row, hidden elements (the preheader) are skipped and links read
``text (URL)``.
"""

from __future__ import annotations

import re
from typing import Any

from blueprints.templates.markup import (
    PIXEL_TAG,
    SLOT_CLOSE,
    SLOT_OPEN,
    LinkTable,
    MarkupError,
    split_jinja,
)

_COMMENT_SLOT = re.compile(rf"<!--({SLOT_OPEN}\d+{SLOT_CLOSE})-->")


def html_to_text(document: str) -> str:
    """Text of an HTML document whose placeholders are kept in reading order.

    Layout tables are read as blocks (an email's tables are layout, not data, and a
    grid of padded columns reads badly in a text part); links become ``text (URL)``.
    """
    import lxml.html
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.html_engine import Inscriptis
    from inscriptis.html_properties import Display
    from inscriptis.model.config import ParserConfig
    from inscriptis.model.html_element import HtmlElement
    from inscriptis.model.tag import CustomHtmlTagHandlerMapping

    # Comments are dropped by inscriptis: make the statement placeholders elements.
    document = _COMMENT_SLOT.sub(r'<jx-slot data-v="\1"></jx-slot>', document)
    document = document.replace(PIXEL_TAG, "")
    css = dict(CSS_PROFILES["strict"])
    for tag in ("table", "tbody", "thead", "tfoot", "center"):
        css[tag] = HtmlElement(display=Display.block)
    css["tr"] = HtmlElement(display=Display.block)
    for tag in ("td", "th"):
        css[tag] = HtmlElement(display=Display.inline)

    def slot(state: Any, attrs: dict[str, str]) -> None:
        state.tags[-1].write(attrs.get("data-v", ""))

    def row(state: Any, attrs: dict[str, str]) -> None:
        state.egx_cells = 0

    def cell(state: Any, attrs: dict[str, str]) -> None:
        # Cells of one row read on one line ("Available from  1 June"); a cell holding
        # blocks (a layout column) still breaks lines through its blocks.
        if getattr(state, "egx_cells", 0):
            state.tags[-1].write("  ")
        state.egx_cells = getattr(state, "egx_cells", 0) + 1

    def link_start(state: Any, attrs: dict[str, str]) -> None:
        href = (attrs.get("href") or "").strip()
        show = bool(href) and not href.startswith(("#", "mailto:", "tel:"))
        state.link_target = href if show else ""

    def link_end(state: Any) -> None:
        if state.link_target:
            state.tags[-1].write(f" ({state.link_target})")

    def nothing(*args: Any) -> None:
        return None

    mapping = CustomHtmlTagHandlerMapping(
        start_tag_mapping={
            "table": nothing,
            "tr": row,
            "td": cell,
            "th": cell,
            "jx-slot": slot,
            "a": link_start,
        },
        end_tag_mapping={"table": nothing, "td": nothing, "th": nothing, "a": link_end},
    )
    config = ParserConfig(css=css, custom_html_tag_handler_mapping=mapping)
    try:
        tree = lxml.html.document_fromstring(document)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise MarkupError(f"the text part could not be derived from the HTML: {exc}") from exc
    return tidy_text(Inscriptis(tree, config).get_text())


_TRAILING = re.compile(r"[ \t\u00a0]+\n")


def tidy_text(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, no blank start or end.

    Runs once per message: substring tests first, so a clean text costs a few scans.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if " \n" in text or "\t\n" in text or "\u00a0\n" in text:
        text = _TRAILING.sub("\n", text)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n") + "\n"


def collapse_blank_lines(text: str) -> str:
    """At most one blank line in a row (what conditional blocks may leave behind)."""
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


_TEXT_URL = re.compile(r"https?://[^\s<>()\"']+[^\s<>()\"'.,;:!?]", re.I)


def track_text_links(source: str, links: LinkTable) -> str:
    """Replace URLs in the literal text of a text-part source by link placeholders."""
    return "".join(
        text if is_jinja else _TEXT_URL.sub(lambda m: links.placeholder(m.group(0)), text)
        for is_jinja, text in split_jinja(source)
    )
