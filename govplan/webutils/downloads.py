"""A generated file as the browser's download, for every view that hands one out."""

from __future__ import annotations

import re

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes | str, content_type: str, name: str) -> HttpResponse:
    """``content`` to save as ``name``; the name keeps ASCII letters, digits and ``_.-`` only
    (anything else becomes ``_``), so the header is safe whatever a code contains."""
    response = HttpResponse(content, content_type=content_type)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
