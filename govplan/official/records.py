"""Which frozen state an approved or issued document has: the revision it was approved as,
the record of it as issued. Read by rendering (what the document prints) and by issuing;
here, below both, so that neither imports the other back."""

from __future__ import annotations

from govplan.documents.models import Document, DocumentStatus
from govplan.official.models import IssuedRecord
from govplan.workflow.models import DocumentRevision


def approved_revision(document: Document) -> DocumentRevision | None:
    """The revision the document was approved as (its latest), if it was ever submitted."""
    if not document.revision:
        return None
    return (
        DocumentRevision.objects.filter(document=document, number=document.revision)
        .defer("snapshot")  # the content is read by revision_content
        .first()
    )


def latest_record(document: Document) -> IssuedRecord | None:
    """The frozen record of the document as issued now (None unless it is issued)."""
    if document.status != DocumentStatus.ISSUED:
        return None
    return (
        IssuedRecord.objects.filter(document=document)
        .select_related("prepared", "signed_copy", "certificate", "revision")
        .first()
    )
