"""The one place where text people typed becomes Markdown or HTML (issue 11, finding 4).

Every renderer uses this module and its one policy: which tags and link schemes are safe.

- `to_html` — Markdown to HTML, sanitised with nh3 (pages, the HTML and PDF exports' narratives).
- `to_safe_markdown` — Markdown kept as Markdown for a `.md` file, made safe to open in any
  viewer: no raw HTML (every `<` becomes `&lt;`), no character reference that could spell a
  tag or a scheme (every `&` becomes `&amp;`), no link or image to an unsafe scheme
  (`javascript:`, `vbscript:`, `data:` are broken with a space before their colon, however they
  are written: any case, split by backslashes, tabs or line breaks, which browsers drop; `data:`
  followed by a space is prose and is left alone).
  Emphasis, lists, quotes, code and links to safe places stay as written.
- `escape_text` — plain text (a title, a name, a line of evidence) as Markdown that shows
  exactly that text: Markdown's own characters are backslash-escaped.
- `to_plain_text` and `excerpt` — what a person reads, without Markdown's marks, for the places
  that quote a few words of it (search results, pattern lists, Today); `plain_headline` does the
  same for a search headline, keeping its highlights.
"""

from __future__ import annotations

import html
import re
import threading

import markdown as markdown_lib
import nh3

# Tags allowed in rendered text: formatting, lists, links, quotes, code. No images (they could
# track the reader), no tables of layout, no forms, no scripts.
ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
SAFE_URL_SCHEMES = {"http", "https", "mailto"}
UNSAFE_URL_SCHEMES = ("javascript", "vbscript", "data")


_converters = threading.local()


def _converter() -> markdown_lib.Markdown:
    """This thread's Markdown converter, reset: building one (its extensions and processors)
    costs three times a short text's conversion, and a list of excerpts made one per row."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = markdown_lib.Markdown(extensions=["sane_lists"], output_format="html")
        _converters.markdown = converter
    return converter.reset()


def to_html(text: str) -> str:
    """Markdown to HTML, then sanitised with nh3: whatever was typed cannot run or restyle."""
    html = _converter().convert(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=SAFE_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


# Characters a browser drops inside a URL (ASCII tab and newlines) or that Markdown drops
# (backslash before punctuation): an unsafe scheme may be split by any of them.
_GAP = r"[\\\t\n\r]*"
_UNSAFE_SCHEME = re.compile(
    "|".join(
        _GAP.join(name) + _GAP + ":" + ("(?! |$)" if name == "data" else "")
        for name in UNSAFE_URL_SCHEMES
    ),
    re.IGNORECASE | re.MULTILINE,
)
# C0 controls but tab and newline, DEL, and the C1 controls: never wanted in a narrative.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _break_scheme(match: re.Match[str]) -> str:
    letters = "".join(ch for ch in match.group(0) if ch.isalpha())
    return f"{letters} :"


def to_safe_markdown(text: str) -> str:
    """A narrative's Markdown, safe to write to a `.md` file (see the module's docstring)."""
    text = _CONTROLS.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return _UNSAFE_SCHEME.sub(_break_scheme, text)


# Backslash-escaped wherever they stand: they open emphasis, code, links, images and tables.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# Escaped at the start of a line only: headings, quotes, list items and setext underlines.
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def escape_text(text: str) -> str:
    """Plain text as one line of Markdown that renders as exactly that text."""
    line = " ".join(_CONTROLS.sub("", text or "").split())
    line = line.replace("&", "&amp;").replace("<", "&lt;")
    line = _INLINE_SPECIAL.sub(r"\\\1", line)
    line = _LINE_START.sub(
        lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], line, count=1
    )
    if line.endswith("#"):  # an ATX heading's closing sequence would swallow it
        line = line[:-1] + "\\#"
    return line


ELLIPSIS = "…"


def to_plain_text(text: str) -> str:
    """The words as a reader sees them once rendered: no Markdown marks, no tags, one line."""
    rendered = nh3.clean(to_html(text), tags=set(), attributes={})
    return " ".join(html.unescape(rendered).split())


def excerpt(text: str, words: int) -> str:
    """The first `words` words of the plain text, ended with an ellipsis when cut (at a word,
    never inside one)."""
    found = to_plain_text(text).split(" ")
    if len(found) <= words:
        return " ".join(found)
    return " ".join(found[:words]).rstrip(",.;:") + ELLIPSIS


# Inline marks and line starts as they may appear in a fragment of Markdown.
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_INLINE_MARKS = re.compile(r"(\*\*|__|~~|`|(?<!\w)[*_]|[*_](?!\w))")
_BLOCK_MARKS = re.compile(r"(^|\n)\s*(#{1,6}\s+|&gt;\s*|[-+*]\s+|\d+[.)]\s+)")
_MARKS_ONLY = re.compile(r"</?mark>")


def _without_marks(escaped: str) -> str:
    """HTML-escaped Markdown (a fragment or the whole) without its marks, on one line."""
    line = _BLOCK_MARKS.sub(" ", escaped)
    line = _LINK.sub(r"\1", line)
    return " ".join(_INLINE_MARKS.sub("", line).split())


def plain_headline(headline: str, text: str) -> str:
    """A search headline (escaped text with `<mark>` highlights, from PostgreSQL over the raw
    Markdown) without Markdown's marks, on one line, with an ellipsis where it starts or ends
    inside the text."""
    line = _without_marks(headline)
    shown = html.unescape(_MARKS_ONLY.sub("", line))
    whole = html.unescape(_without_marks(html.escape(text or "", quote=False)))
    if shown and not whole.startswith(shown[:20]):
        line = f"{ELLIPSIS} {line}"
    if shown and not whole.endswith(shown[-20:]):
        line = f"{line.rstrip(',.;:')} {ELLIPSIS}"
    return line
