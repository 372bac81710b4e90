"""Issuing: an approved document becomes issued with a signed copy of the very PDF GovPlan made
of its approved revision, signed by one of its approvers, and what it prints is frozen.

1. The PDF to sign is made of the approved revision with the issuing data (number, date,
   signer) and the unit's header as they are then (``do_prepare_pdf``); its SHA-256 and what
   it prints (the model) are recorded (``PreparedPdf``). The PDF button of an approved
   document makes the same bytes, so a copy of that is recognised too.
2. The signed copy is accepted only if its signatures hold (signatures.verify: intact,
   whole, trusted, a plausible time, not revoked), the document that was signed is one of
   those PDFs with its pages unchanged, and a signature was made with a certificate
   registered for an approver of the unit (``SignerCertificate``) whose time is not before
   the approval.
3. Checking the document's state, attaching the copy, the transition and the frozen record
   (``IssuedRecord``) are one transaction, so a refusal leaves nothing. Signature checks,
   which may fetch revocation lists, run before it, outside any lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.access.scoping import Capability, scope_for
from govplan.accounts.types import User
from govplan.audit.recorder import record
from govplan.core.adapters import signing
from govplan.core.official.model import OfficialDocument
from govplan.core.official.serial import to_data
from govplan.documents.actions import do_attach
from govplan.documents.models import Document, DocumentStatus
from govplan.official.actions import DATA_FIELDS, do_save_issuing_data
from govplan.official.build import issue_reference, missing_for_issue, official_document
from govplan.official.defaults import profile_values
from govplan.official.models import (
    IssuedRecord,
    IssuingData,
    PreparedPdf,
    Revocation,
    SignerCertificate,
)
from govplan.official.records import approved_revision, latest_record
from govplan.official.render import pdf_bytes
from govplan.official.signatures import message, problems_text, summary, verify
from govplan.official.tasks import render_issued_files
from govplan.workflow import actions
from govplan.workflow.models import DocumentRevision, WorkflowEvent
from govplan.workflow.revisions import revision_content

SIGNED_SECTION = "__signed__"  # the section code the signed copy is attached under


@dataclass(frozen=True)
class _Made:
    """A PDF made for signing, not recorded yet (it is, with the issue, if it was signed)."""

    model: OfficialDocument
    revision: DocumentRevision
    sha256: str


def build_for_signing(
    document: Document, *, number: str | None = None, date: dt.date | None = None
) -> tuple[OfficialDocument, DocumentRevision]:
    """What the PDF to sign prints: the approved revision with the issuing data (``number``
    and ``date`` in place of the recorded ones, when given). Refused while something it must
    print is missing."""
    if document.status != DocumentStatus.APPROVED:
        raise actions.Refused(_("Only an approved document is signed and issued."))
    revision = approved_revision(document)
    if revision is None:
        raise actions.Refused(
            _("The document has no approved revision: it must be submitted and approved first.")
        )
    overrides = {"number": number, "date": date} if number is not None else None
    model = official_document(document, snapshot=revision_content(revision), overrides=overrides)
    missing = missing_for_issue(model)
    if missing:
        raise actions.Refused(
            _("It cannot be signed and issued yet. Fill in %(missing)s.")
            % {"missing": "; ".join(missing)}
        )
    return model, revision


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _record_prepared(document: Document, made: _Made, actor: User) -> PreparedPdf:
    """The PDF made for signing, recorded once (inside the caller's transaction)."""
    existing = PreparedPdf.objects.filter(document=document, sha256=made.sha256).first()
    if existing is not None:
        return existing
    number, date = issue_reference(made.model)
    prepared = PreparedPdf.objects.create(
        document=document,
        revision=made.revision,
        sha256=made.sha256,
        model=to_data(made.model),
        number=number,
        date=date,
        created_by=actor,
    )
    record(
        "official.prepare",
        actor=actor,
        obj=prepared,
        after={
            "revision": made.revision.number,
            "number": number,
            "date": date,
            "sha256": made.sha256,
        },
    )
    return prepared


def do_prepare_pdf(document: Document, *, actor: User) -> tuple[PreparedPdf, bytes]:
    """The PDF to sign, and its record. Made outside any lock (it takes a second or more);
    recorded only if the document is still approved as that revision."""
    model, revision = build_for_signing(document)
    pdf = pdf_bytes(model)
    made = _Made(model, revision, _digest(pdf))
    with transaction.atomic():
        locked = Document.objects.select_for_update(no_key=True).get(pk=document.pk)
        _still_approved(locked, revision)
        return _record_prepared(locked, made, actor), pdf


def _still_approved(locked: Document, revision: DocumentRevision) -> None:
    if locked.status != DocumentStatus.APPROVED or locked.revision != revision.number:
        raise actions.Refused(
            _("The document has changed meanwhile (it is no longer this approved revision).")
        )


def _signed_document(
    document: Document, result: signing.Verification, expected: _Made | None
) -> PreparedPdf | _Made:
    """Which PDF GovPlan made was signed: ``expected`` (just made and signed here), or one
    recorded for the approved revision that still says what the document would say now, or
    the one GovPlan makes of it now. Refused if none, or if the pages were changed when it
    was signed: what is issued is always what GovPlan made and the agency last prepared."""
    originals = {o.sha256: o for o in result.originals}
    found: PreparedPdf | _Made | None = None
    if expected is not None:
        found = expected if expected.sha256 in originals else None
    else:
        model, revision = build_for_signing(document)
        recorded = (
            PreparedPdf.objects.filter(document=document, revision=revision, sha256__in=originals)
            .select_related("revision")
            .first()
        )
        if recorded is not None:
            if recorded.model != to_data(model):
                raise actions.Refused(
                    _(
                        "The signed file is the PDF made with the number %(number)s of "
                        "%(date)s, but the issuing data or the unit's header and signature "
                        "block have changed since: take the PDF to sign again and sign that."
                    )
                    % {"number": recorded.number, "date": recorded.date.strftime("%d/%m/%Y")}
                )
            found = recorded
        else:
            made = _Made(model, revision, _digest(pdf_bytes(model)))
            found = made if made.sha256 in originals else None
    if found is None:
        raise actions.Refused(
            _(
                "The signed file is not the PDF GovPlan made of this approved document "
                "(revision %(revision)s) with its number and date: sign the PDF taken from "
                "this page (“PDF to sign”), not another file or another version of it."
            )
            % {"revision": document.revision}
        )
    if not originals[found.sha256].pages_unchanged:
        raise actions.Refused(
            _(
                "The pages of the signed file are not those of the PDF GovPlan made: "
                "they were changed when it was signed."
            )
        )
    return found


def _registered_signature(
    document: Document, result: signing.Verification
) -> tuple[SignerCertificate, signing.SignatureCheck]:
    """The first signature made with a certificate registered for an approver of the
    document's unit who still is one."""
    by_fingerprint = {check.fingerprint: check for check in result.signatures}
    registered = SignerCertificate.objects.filter(
        org_unit=document.org_unit,
        fingerprint__in=by_fingerprint,
        withdrawn_at__isnull=True,
        user__is_active=True,
    ).select_related("user")
    for certificate in registered:
        if scope_for(certificate.user).can(Capability.APPROVE, document.org_unit):
            return certificate, by_fingerprint[certificate.fingerprint]
    raise actions.Refused(
        _(
            "The signature (%(signer)s) is not made with a certificate registered for an "
            "approver of %(unit)s. Each approver registers their certificate on the unit's "
            "page “Signers' certificates”."
        )
        % {
            "signer": "; ".join(c.signer for c in result.signatures),
            "unit": document.org_unit.name,
        }
    )


def _after_approval(document: Document, check: signing.SignatureCheck) -> None:
    """A signature cannot have been made before the document it signs was approved."""
    approved = (
        WorkflowEvent.objects.filter(document=document, action="approve")
        .values_list("at", flat=True)
        .first()
    )
    moment = check.signing_time
    if approved is None or moment is None or moment >= approved - signing.CLOCK_TOLERANCE:
        return
    raise actions.Refused(
        _("The signing time (%(time)s) is before the document was approved (%(approved)s).")
        % {
            "time": timezone.localtime(moment).strftime("%H:%M %d/%m/%Y"),
            "approved": timezone.localtime(approved).strftime("%H:%M %d/%m/%Y"),
        }
    )


def _revocation(check: signing.SignatureCheck) -> str:
    return {
        signing.REVOCATION_GOOD: Revocation.GOOD,
        signing.REVOCATION_UNCHECKED: Revocation.UNCHECKED,
        signing.REVOCATION_NO_SOURCE: Revocation.NO_SOURCE,
    }.get(check.revocation, Revocation.OFF)


def do_issue_with_signed_copy(
    document: Document,
    *,
    pdf: bytes,
    filename: str,
    actor: User,
    issuing_data: dict[str, Any] | None = None,
    made: _Made | None = None,
) -> Document:
    """Record ``pdf`` as the issued copy and the document as issued, or refuse with the
    reasons and change nothing. Signing in GovPlan passes the PDF it ``made`` and signed, and
    the ``issuing_data`` to save with it (the number and date typed there)."""
    result = verify(pdf)
    if not result.acceptable:
        raise actions.Refused(
            _("The signed copy is not accepted: %(problems)s") % {"problems": problems_text(result)}
        )
    signed = _signed_document(document, result, made)
    certificate, check = _registered_signature(document, result)
    _after_approval(document, check)
    with transaction.atomic():
        locked = Document.objects.select_for_update(no_key=True).get(pk=document.pk)
        _still_approved(locked, signed.revision)
        if issuing_data is not None:
            do_save_issuing_data(locked, issuing_data, actor=actor)
        prepared = (
            signed if isinstance(signed, PreparedPdf) else _record_prepared(locked, signed, actor)
        )
        attachment = do_attach(
            locked,
            SIGNED_SECTION,
            data=pdf,
            filename=filename,
            content_type="application/pdf",
            description=summary(check)[:300],
            actor=actor,
            signed_copy=True,
        )

        def freeze(issued: Document) -> None:
            frozen = IssuedRecord.objects.create(
                document=issued,
                revision=prepared.revision,
                prepared=prepared,
                signed_copy=attachment,
                number=prepared.number,
                date=prepared.date,
                signer=check.signer[:500],
                certificate=certificate,
                signing_time=check.signing_time,
                timestamped=check.timestamp_time is not None,
                revocation=_revocation(check),
                revocation_note=check.revocation_note,
                issued_by=actor,
            )
            record(
                "official.issue",
                actor=actor,
                obj=frozen,
                after={
                    "revision": prepared.revision.number,
                    "prepared": prepared.pk,
                    "number": frozen.number,
                    "date": frozen.date,
                    "signed_copy": attachment.pk,
                    "signer": frozen.signer,
                    "certificate": certificate.fingerprint,
                    "signing_time": frozen.signing_time,
                    "timestamped": frozen.timestamped,
                    "revocation": frozen.revocation,
                },
            )
            # The issued DOCX and PDF are made once, by the worker, from this record alone.
            transaction.on_commit(lambda: render_issued_files.enqueue(frozen.pk))

        return actions.do_transition(
            locked,
            "issue",
            actor=actor,
            issue=actions.IssueData(
                number=prepared.number,
                date=prepared.date,
                signed_copy=attachment,
                freeze=freeze,
            ),
        )


def do_sign_and_issue(
    document: Document,
    *,
    number: str,
    date: dt.date,
    key_file: bytes,
    passphrase: str,
    actor: User,
) -> Document:
    """Number and date the document, make its PDF, sign it with the signer's key and record
    it as issued. The key file's certificate must be registered for the one who signs. The
    key and passphrase are used here and kept nowhere."""
    secret = passphrase.encode() if passphrase else None
    try:
        certificate = signing.key_file_certificate(key_file, secret)
    except signing.SigningError as exc:
        raise actions.Refused(message(exc.message)) from exc
    if not SignerCertificate.objects.filter(
        user=actor,
        org_unit=document.org_unit,
        fingerprint=certificate.fingerprint,
        withdrawn_at__isnull=True,
    ).exists():
        raise actions.Refused(
            _(
                "The certificate in this key file (%(subject)s) is not registered for you as a "
                "signer of %(unit)s: register it first on the unit's page “Signers' "
                "certificates”."
            )
            % {"subject": certificate.subject, "unit": document.org_unit.name}
        )
    model, revision = build_for_signing(document, number=number, date=date)
    profile = profile_values(document.org_unit, on=document.structure_date)
    pdf = pdf_bytes(model)
    try:
        signed = signing.sign_pdf(
            pdf,
            key_and_certs=key_file,
            passphrase=secret,
            reason=_("Issued: %(title)s") % {"title": document.title},
            location=profile["place"],
            signer_label=model.signature.name if model.signature else "",
        )
    except signing.SigningError as exc:
        raise actions.Refused(message(exc.message)) from exc
    reference, _day = issue_reference(model)
    data = IssuingData.objects.filter(document=document).first()
    values = {f: getattr(data, f) if data else None for f in DATA_FIELDS}
    values = {k: (v if v is not None else "") for k, v in values.items()}
    values.update(number=number, date=date, decision_date=data.decision_date if data else None)
    return do_issue_with_signed_copy(
        document,
        pdf=signed,
        filename=f"{reference.replace('/', '-')}.pdf",
        actor=actor,
        issuing_data=values,
        made=_Made(model, revision, _digest(pdf)),
    )


# -- for the pages --------------------------------------------------------------------------


def to_sign(document: Document) -> dict[str, Any]:
    """What the PDF to sign of ``document`` says (number, date, signer), or why there is
    none yet."""
    try:
        model, revision = build_for_signing(document)
    except actions.Refused as exc:
        return {"ready": False, "not_ready": exc.message}
    number, date = issue_reference(model)
    signature = model.signature
    return {
        "ready": True,
        "number": number,
        "date": date,
        "signer": signature.name if signature else "",
        "signer_title": signature.title if signature else "",
        "revision_number": revision.number,
    }


def signer_name(document: Document) -> str:
    """The name the signature block prints: the document's signer, else the unit's."""
    data = IssuingData.objects.filter(document=document).first()
    if data is not None and data.signer_name.strip():
        return data.signer_name.strip()
    return str(profile_values(document.org_unit, on=document.structure_date)["signer_name"]).strip()


def issued_context(document: Document) -> dict[str, Any] | None:
    """The issued document as its page shows it: the signed copy first, with how its
    signature was found; None unless the document is issued."""
    if document.status != DocumentStatus.ISSUED:
        return None
    record_ = latest_record(document)
    if record_ is None:  # issued before GovPlan froze what it printed: the copy is all there is
        return {"record": None, "signed_copy": document.signed_copy}
    return {"record": record_, "signed_copy": record_.signed_copy}
