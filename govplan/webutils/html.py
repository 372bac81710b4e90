"""Small transformations of HTML the application wrote."""

from __future__ import annotations

import re

_INDENTATION = re.compile(r"\n\s+")
_TEXTAREA = re.compile(r"(<textarea\b.*?</textarea>)", re.DOTALL)


def without_indentation(page: str) -> str:
    """The page without its templates' indentation (a tenth of a long plan's page): a line
    break and the blanks after it are one space to HTML, except inside a <textarea>, whose
    text is the user's, kept as it is. For pages without <pre>."""
    parts = _TEXTAREA.split(page)
    return "".join(p if i % 2 else _INDENTATION.sub("\n", p) for i, p in enumerate(parts))
