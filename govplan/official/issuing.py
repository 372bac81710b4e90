"""Issuing: the signed copy becomes the document's issued copy only if its signature holds.
Checking, attaching and the transition are one transaction, so a refusal leaves nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from govplan.core import signing
from govplan.core.official import vietnamese as vn
from govplan.documents.actions import do_attach
from govplan.documents.models import Document
from govplan.official.actions import DATA_FIELDS, do_save_issuing_data
from govplan.official.build import official_document
from govplan.official.defaults import profile_values
from govplan.official.models import IssuingData
from govplan.official.render import pdf_bytes
from govplan.official.signatures import problems_text, summary, verify
from govplan.workflow import actions


def do_issue_with_signed_copy(
    document: Document,
    *,
    number: str,
    date: dt.date | None,
    pdf: bytes,
    filename: str,
    actor: Any,
) -> Document:
    """Refused (with the reasons) unless the PDF is signed, unaltered, signed whole and by a
    trusted authority."""
    result = verify(pdf)
    if not result.acceptable:
        raise actions.Refused(
            _("The signed copy is not accepted: %(problems)s") % {"problems": problems_text(result)}
        )
    with transaction.atomic():
        attachment = do_attach(
            document,
            "__signed__",
            data=pdf,
            filename=filename,
            content_type="application/pdf",
            description=summary(result)[:300],
            actor=actor,
            signed_copy=True,
        )
        return actions.do_transition(
            document,
            "issue",
            actor=actor,
            issue=actions.IssueData(number=number, date=date, signed_copy=attachment),
        )


def do_sign_and_issue(
    document: Document,
    *,
    number: str,
    date: dt.date,
    key_file: bytes,
    passphrase: str,
    actor: Any,
) -> Document:
    """Number and date the document, make its PDF, sign it with the agency's key and record
    it as issued. The key and passphrase are used here and kept nowhere."""
    with transaction.atomic():
        data = IssuingData.objects.filter(document=document).first()
        values = {f: getattr(data, f) if data else None for f in DATA_FIELDS}
        values = {k: (v if v is not None else "") for k, v in values.items()}
        values.update(
            number=number,
            date=date,
            decision_date=data.decision_date if data else None,
        )
        do_save_issuing_data(document, values, actor=actor)
        doc = official_document(document)
        profile = profile_values(document.org_unit)
        try:
            signed = signing.sign_pdf(
                pdf_bytes(doc),
                key_and_certs=key_file,
                passphrase=passphrase.encode() if passphrase else None,
                reason=_("Issued: %(title)s") % {"title": document.title},
                location=profile["place"],
                signer_label=doc.signature.name if doc.signature else "",
            )
        except signing.SigningError as exc:
            from govplan.official.signatures import message

            raise actions.Refused(message(exc.message)) from exc
        reference = vn.reference(doc.number, doc.type_code, doc.issuer.code)
        return do_issue_with_signed_copy(
            document,
            number=reference,
            date=date,
            pdf=signed,
            filename=f"{reference.replace('/', '-')}.pdf",
            actor=actor,
        )
