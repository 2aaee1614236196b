"""HTML work done once per compile: MJML, CSS inlining, link rewriting, the text part.

The HTML is still a Jinja template while this runs, so every Jinja construct is first
replaced by an opaque placeholder that an HTML parser keeps where it is:

- between elements (HTML "data"), an HTML comment ``<!--\\ue000N\\ue001-->``: a
  comment stays in place even between table rows, where text would be moved out of
  the table by the parser ("foster parenting");
- inside a tag, an attribute value, a comment or ``<style>``/``<title>``, a token of
  private-use characters ``\\ue000N\\ue001``, which no parser escapes or moves.

After css-inline has re-serialized the document (html5ever, so its output form is
canonical), links are rewritten and the placeholders are put back. The same
placeholder document is turned into the text part by ``textpart``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import css_inline

# Private-use code points reserved for placeholders; sources may not contain them.
SLOT_OPEN, SLOT_CLOSE = "\ue000", "\ue001"
LINK_OPEN, LINK_CLOSE = "\ue002", "\ue003"
PIXEL = "\ue004"
RESERVED = re.compile("[\ue000-\ue004]")

RAW_TEXT_TAGS = frozenset({"style", "script", "title", "textarea", "xmp", "noscript"})


class MarkupError(ValueError):
    """The HTML cannot be processed; ``line`` points into the source when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# --- Jinja constructs ------------------------------------------------------------------

_RAW_START = re.compile(r"\{%[-+]?\s*raw\s*[-+]?%\}")
_RAW_END = re.compile(r"\{%[-+]?\s*endraw\s*[-+]?%\}")


def _construct_end(source: str, start: int) -> int:
    """Index just past the Jinja construct starting at ``start`` (``{{``, ``{%``, ``{#``).

    Follows Jinja's lexer: string literals and balanced brackets do not close a block.
    """
    kind = source[start + 1]
    if kind == "#":
        end = source.find("#}", start + 2)
        return len(source) if end < 0 else end + 2
    if kind == "%":
        raw = _RAW_START.match(source, start)
        if raw:
            closing = _RAW_END.search(source, raw.end())
            return len(source) if closing is None else closing.end()
    closer = "}" if kind == "{" else "%"
    depth = 0
    i = start + 2
    n = len(source)
    while i < n:
        ch = source[i]
        if ch in "\"'":
            i += 1
            while i < n and source[i] != ch:
                i += 2 if source[i] == "\\" else 1
        elif ch in "([{":
            depth += 1
        elif ch in ")]" or (ch == "}" and depth):
            depth = max(depth - 1, 0)
        elif ch == closer and depth == 0 and source.startswith("}", i + 1):
            return i + 2
        i += 1
    return n


_CONSTRUCT_START = re.compile(r"\{[{%#]")


def split_jinja(source: str) -> list[tuple[bool, str]]:
    """``source`` as ``(is_jinja, text)`` segments, in order."""
    segments: list[tuple[bool, str]] = []
    pos = 0
    for match in _CONSTRUCT_START.finditer(source):
        start = match.start()
        if start < pos:
            continue
        if start > pos:
            segments.append((False, source[pos:start]))
        pos = _construct_end(source, start)
        segments.append((True, source[start:pos]))
    if pos < len(source):
        segments.append((False, source[pos:]))
    return segments


# --- placeholders ----------------------------------------------------------------------

_DATA, _TAG, _DQ, _SQ, _COMMENT, _RAW = range(6)
_TAG_NAME = re.compile(r"/?([A-Za-z][A-Za-z0-9:-]*)")
_TAG_STOP = re.compile(r"[\"'>]")
_RAW_END_TAG = {tag: re.compile(rf"</{tag}\b", re.I) for tag in RAW_TEXT_TAGS}


@dataclass
class Protected:
    """A document with placeholders and what they stand for."""

    text: str
    slots: list[str] = field(default_factory=list)


class _Scanner:
    """Just enough of the HTML tokenizer to know where a construct sits."""

    def __init__(self) -> None:
        self.state = _DATA
        self.raw_tag = ""
        self.pending_tag = ""

    def feed(self, text: str) -> None:
        i, n = 0, len(text)
        while i < n:
            state = self.state
            if state == _DATA:
                j = text.find("<", i)
                if j < 0:
                    return
                if text.startswith("<!--", j):
                    self.state, i = _COMMENT, j + 4
                    continue
                m = _TAG_NAME.match(text, j + 1)
                if m:
                    start_tag = not m.group(0).startswith("/")
                    self.pending_tag = m.group(1).lower() if start_tag else ""
                    self.state, i = _TAG, m.end()
                elif text.startswith("<!", j) or text.startswith("<?", j):
                    self.pending_tag = ""
                    self.state, i = _TAG, j + 2
                else:
                    i = j + 1
            elif state == _COMMENT:
                j = text.find("-->", i)
                if j < 0:
                    return
                self.state, i = _DATA, j + 3
            elif state == _TAG:
                m = _TAG_STOP.search(text, i)
                if m is None:
                    return
                ch = m.group(0)
                i = m.end()
                if ch == '"':
                    self.state = _DQ
                elif ch == "'":
                    self.state = _SQ
                elif self.pending_tag in RAW_TEXT_TAGS:
                    self.state, self.raw_tag = _RAW, self.pending_tag
                else:
                    self.state = _DATA
            elif state in (_DQ, _SQ):
                j = text.find('"' if state == _DQ else "'", i)
                if j < 0:
                    return
                self.state, i = _TAG, j + 1
            else:  # raw text: until the matching end tag
                m = _RAW_END_TAG[self.raw_tag].search(text, i)
                if m is None:
                    return
                self.pending_tag = ""
                self.state, i = _TAG, m.end()


def protect(source: str) -> Protected:
    """Replace every Jinja construct of ``source`` by a placeholder (see module doc)."""
    scanner = _Scanner()
    out: list[str] = []
    slots: list[str] = []
    for is_jinja, text in split_jinja(source):
        if not is_jinja:
            scanner.feed(text)
            out.append(text)
            continue
        if text.startswith("{#"):
            continue  # a comment prints nothing; dropping it keeps the HTML simple
        index = len(slots)
        slots.append(text)
        token = f"{SLOT_OPEN}{index}{SLOT_CLOSE}"
        out.append(f"<!--{token}-->" if scanner.state == _DATA else token)
    return Protected("".join(out), slots)


_RESTORE = re.compile(
    rf"<!--{SLOT_OPEN}(\d+){SLOT_CLOSE}-->"
    rf"|&lt;!--{SLOT_OPEN}(\d+){SLOT_CLOSE}--&gt;"
    rf"|{SLOT_OPEN}(\d+){SLOT_CLOSE}(?:=\"\")?"
    rf"|{LINK_OPEN}(\d+){LINK_CLOSE}"
    rf"|{PIXEL}"
)


_LITERAL_DELIMITER = re.compile(r"\{(?=[{%#])")


def restore(text: str, slots: list[str], link_name: str = "_l", pixel: str = "_open") -> str:
    """Put the Jinja constructs back; tracked links become ``{{ _lN }}``.

    Braces that reached the document as literal text (``&#123;&#123;`` decoded by the
    HTML parser) are printed as text, never read as template code.
    """
    text = _LITERAL_DELIMITER.sub('{{ "{" }}', text)

    def put_back(match: re.Match[str]) -> str:
        a, b, c, link = match.groups()
        if link is not None:
            return "{{ " + f"{link_name}{link}" + " }}"
        index = a or b or c
        if index is None:
            return "{{ " + pixel + " }}"
        return slots[int(index)]

    return _RESTORE.sub(put_back, text)


def restore_links(text: str, link_name: str = "_l") -> str:
    """Only the link placeholders of a source whose Jinja was never protected."""
    return re.sub(
        rf"{LINK_OPEN}(\d+){LINK_CLOSE}", lambda m: "{{ " + f"{link_name}{m.group(1)}" + " }}", text
    )


# --- MJML ------------------------------------------------------------------------------


def mjml_to_html(source: str) -> str:
    """Compile MJML to HTML with mrml; includes are refused (no file or network access)."""
    import mrml

    options = mrml.ParserOptions(include_loader=mrml.noop_loader())
    try:
        return mrml.to_html(source, parser_options=options).content
    except Exception as exc:  # mrml raises OSError/ValueError with a position
        message = str(exc)
        line = None
        pos = re.search(r"position (\d+)", message)
        if pos:
            line = source.count("\n", 0, int(pos.group(1))) + 1
        raise MarkupError(f"MJML: {message}", line) from exc


# --- CSS inlining and links ------------------------------------------------------------

_INLINER = css_inline.CSSInliner(
    keep_at_rules=True,  # @media queries make the layout responsive; they cannot be inlined
    load_remote_stylesheets=False,  # never fetch a URL a template names
    keep_link_tags=False,
)


_TABLE_THEN_SLOTS = re.compile(
    rf"(<table\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>)((?:\s|<!--{SLOT_OPEN}\d+{SLOT_CLOSE}-->)*"
    rf"<!--{SLOT_OPEN}\d+{SLOT_CLOSE}-->\s*)(?=<tr\b)",
    re.I,
)


def _explicit_tbody(document: str) -> str:
    """Open ``<tbody>`` before a loop over table rows.

    The parser would insert it after the loop's placeholder, so every iteration would
    open a new body; opening it first keeps the loop inside one ``<tbody>``.
    """
    return _TABLE_THEN_SLOTS.sub(r"\1<tbody>\2", document)


def inline_css(document: str) -> str:
    document = _explicit_tbody(document)
    try:
        return _INLINER.inline(document)
    except css_inline.InlineError as exc:
        raise MarkupError(f"CSS could not be inlined: {exc}") from exc


_A_TAG = re.compile(r"<a(\s(?:[^>\"]|\"[^\"]*\")*)>", re.I)
_HREF = re.compile(r"(\shref=\")([^\"]*)(\")", re.I)
_NOTRACK = re.compile(r"\s(?:data-)?notrack(?:=\"[^\"]*\")?", re.I)
_CONDITIONAL = re.compile(r"<!--\[if[^\]]*\]>.*?<!\[endif\]-->", re.S | re.I)
_VML_HREF = re.compile(r"(\shref=[\"'])(https?://[^\"']+)([\"'])", re.I)
_TRACKABLE = re.compile(r"https?://[^\s]+\Z", re.I)


class LinkTable:
    """Tracked URLs by index; the same URL keeps its first index."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, url: str) -> int:
        index = self._index.get(url)
        if index is None:
            index = self._index[url] = len(self.urls)
            self.urls.append(url)
        return index

    def placeholder(self, url: str) -> str:
        return f"{LINK_OPEN}{self.add(url)}{LINK_CLOSE}"


def trackable(url: str) -> bool:
    """A static http(s) URL (no template expression inside)."""
    return bool(_TRACKABLE.match(url)) and not RESERVED.search(url)


def rewrite_links(document: str, links: LinkTable, *, track: bool) -> str:
    """Replace trackable hrefs by link placeholders; drop ``notrack`` markers."""

    def anchor(match: re.Match[str]) -> str:
        attrs = match.group(1)
        skip = bool(_NOTRACK.search(attrs))
        attrs = _NOTRACK.sub("", attrs)
        if track and not skip:

            def href(m: re.Match[str]) -> str:
                url = html.unescape(m.group(2)).strip()
                if not trackable(url):
                    return m.group(0)
                return m.group(1) + links.placeholder(url) + m.group(3)

            attrs = _HREF.sub(href, attrs, count=1)
        return f"<a{attrs}>"

    document = _A_TAG.sub(anchor, document)
    if track:
        # Outlook's bulletproof buttons (VML inside conditional comments) link too.
        def conditional(match: re.Match[str]) -> str:
            return _VML_HREF.sub(
                lambda m: m.group(1) + links.placeholder(html.unescape(m.group(2))) + m.group(3),
                match.group(0),
            )

        document = _CONDITIONAL.sub(conditional, document)
    return document


_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)
_BODY_CLOSE = re.compile(r"</body\s*>", re.I)

PIXEL_TAG = (
    f'<img src="{PIXEL}" width="1" height="1" alt="" border="0" '
    'style="display:block;width:1px;height:1px;border:0;margin:0;padding:0;" />'
)


def insert_after_body_open(document: str, fragment: str) -> str:
    match = _BODY_OPEN.search(document)
    if match is None:
        return fragment + document
    return document[: match.end()] + fragment + document[match.end() :]


def insert_before_body_close(document: str, fragment: str) -> str:
    matches = list(_BODY_CLOSE.finditer(document))
    if not matches:
        return document + fragment
    at = matches[-1].start()
    return document[:at] + fragment + document[at:]


def escape_literal(source: str) -> str:
    """HTML-escape the literal text of a Jinja source, leaving constructs alone."""
    return "".join(
        text if is_jinja else html.escape(text) for is_jinja, text in split_jinja(source)
    )


def preheader_html(preheader_source: str) -> str:
    """The hidden preview line shown by inboxes next to the subject.

    The padding of zero-width joiners keeps clients from filling the preview with the
    first words of the body.
    """
    return (
        '<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;'
        'opacity:0;overflow:hidden;mso-hide:all;">'
        + escape_literal(preheader_source)
        + "&#8203;&zwnj;&nbsp;" * 40
        + "</div>"
    )
