"""The issued copy on a document's editor page (registered with ``documents.panels``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govplan.documents.models import Document
from govplan.official.issuing import issued_context


def editor_panel(request: HttpRequest, document: Document, context: dict[str, Any]) -> None:
    context["issued"] = issued_context(document)
