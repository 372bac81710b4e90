"""What the apps above documents add to a document's editor page.

The editor page is documents', but it also shows the document's cycle (workflow) and its
issued copy (official), apps that import documents. Rather than documents importing them
back, each registers a panel here when its app is ready; the page calls every panel with its
context. A panel adds its own keys (``wf``, ``issued``) and may annotate the section blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from govplan.documents.models import Document

Panel = Callable[[HttpRequest, Document, dict[str, Any]], None]

_panels: dict[str, Panel] = {}


def register(name: str, panel: Panel) -> None:
    """Add ``panel`` under ``name`` (registering the same name again replaces it, so that an
    app's ``ready()`` may run twice)."""
    _panels[name] = panel


def add_panels(request: HttpRequest, document: Document, context: dict[str, Any]) -> None:
    for panel in _panels.values():
        panel(request, document, context)
