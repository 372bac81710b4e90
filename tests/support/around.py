"""Writing a document's entries around every guard: the database refuses entry writes to a
document that is not editable (documents/0003), so tests that play "data changed behind the
application's back" (an older version's data, a restore from backup) step the document back
to draft for the write, as only someone with the database's keys could."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from govplan.documents.models import Document


@contextmanager
def around_the_guards(document: Document) -> Iterator[None]:
    status = Document.objects.get(pk=document.pk).status
    Document.objects.filter(pk=document.pk).update(status="draft")
    try:
        yield
    finally:
        Document.objects.filter(pk=document.pk).update(status=status)
