"""What official's pages contribute to other apps' templates.

The framework version page offers the cycle workbook (an official export) filtered by the
documents' status; the list comes from here so that frameworks, below documents, never
imports them.
"""

from __future__ import annotations

from django import template

from govplan.documents.models import DocumentStatus

register = template.Library()


@register.simple_tag
def document_statuses() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in DocumentStatus.choices]
