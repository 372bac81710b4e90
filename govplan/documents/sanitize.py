"""Narrative text is stored as sanitised HTML: structure kept (headings, lists, emphasis,
simple tables, links), everything else dropped (scripts, event handlers, styles, Word's
own markup). nh3 (ammonia) does the work; this is its one configuration."""

from __future__ import annotations

import re

import nh3

from govplan.core.inputs import strip_forbidden

# Word's and browsers' top headings become the section's sub-headings (the section's own
# title is the document's heading at that level).
_HEADING_MAP = re.compile(r"<(/?)h([126])(\b[^>]*)>", re.IGNORECASE)

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "h3", "h4", "h5", "ul", "ol", "li", "blockquote",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}, "a": {"href"}}
# Vertical tab (Word's line break), form feed (its page break) and NEL separate words.
_BREAKS = str.maketrans({"\x0b": " ", "\x0c": " ", "\x85": " "})
_SPAN_RE = re.compile(r"[1-9][0-9]?")  # 1 to 99 cells, in ASCII digits ("²" is no span)


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name in ("colspan", "rowspan"):
        return value if _SPAN_RE.fullmatch(value.strip()) else None
    return value


def clean_html(html: str) -> str:
    """Safe HTML from anything an editor or a paste from Word produced. Control characters
    and unpaired surrogates are dropped: in pasted rich text they are invisible leftovers
    (Word's cell and page marks) that would break the official DOCX and PDF."""
    html = strip_forbidden(html.translate(_BREAKS))
    html = _HEADING_MAP.sub(
        lambda m: f"<{m.group(1)}h{ {'1': 3, '2': 3, '6': 5}[m.group(2)] }{m.group(3)}>", html
    )
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()


def text_of(html: str) -> str:
    """The bare text (for completeness checks and search)."""
    return nh3.clean(html, tags=set()).strip()
