"""The legal-document catalogue kept by central administrators: add an entry, correct one,
retire it (no longer offered; the documents citing it keep it) or bring it back; review an
editor's proposal: accept it (it becomes an entry; the items citing it already link to it),
merge it into an existing entry (its citations read as that entry) or reject it with a
reason. Each change writes its audit entry in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govplan.accounts.types import User
from govplan.audit.models import Action
from govplan.audit.recorder import record
from govplan.core.frameworks.fields import CODE_RE
from govplan.core.frameworks.vocab import LEGAL_TYPES
from govplan.frameworks.models import LegalDocument, LegalStatus

LIMITS = {"number": 100, "issuer": 300, "title": 1000}
CODE_LIMIT = 64


def _values(document: LegalDocument) -> dict[str, Any]:
    return {
        "code": document.code,
        "type": document.doc_type,
        "number": document.number,
        "date": document.date.isoformat() if document.date else None,
        "issuer": document.issuer,
        "title": document.title,
        "status": document.status,
        "merged_into": document.merged_into.code if document.merged_into else None,
        "reason": document.review_note,
    }


def check_fields(
    *, doc_type: str, number: str, issuer: str, title: str, code: str | None = None
) -> None:
    """Every problem of an entry's fields at once (ValidationError by field), or nothing."""
    errors: dict[str, str] = {}
    if code is not None:
        if not code:
            errors["code"] = _("Fill in the code.")
        elif len(code) > CODE_LIMIT or not CODE_RE.match(code):
            errors["code"] = _(
                "A code is capital letters, digits, dots, hyphens and underscores "
                "(at most %(max)s), e.g. ND-42-2022."
            ) % {"max": CODE_LIMIT}
        elif LegalDocument.objects.filter(code=code).exists():
            errors["code"] = _("The catalogue already has the code %(code)s.") % {"code": code}
    if doc_type not in LEGAL_TYPES:
        errors["doc_type"] = _("Choose the type of document.")
    for name, value in (("number", number), ("issuer", issuer), ("title", title)):
        if not value.strip():
            errors[name] = _("Fill in this field.")
        elif len(value) > LIMITS[name]:
            errors[name] = _("At most %(max)s characters.") % {"max": LIMITS[name]}
    if errors:
        raise ValidationError(errors)


def do_add_legal_entry(
    *,
    code: str,
    doc_type: str,
    number: str,
    date: dt.date | None,
    issuer: str,
    title: str,
    actor: User,
) -> LegalDocument:
    """A new entry of the national catalogue, offered to every editor from now on."""
    with transaction.atomic():
        check_fields(doc_type=doc_type, number=number, issuer=issuer, title=title, code=code)
        document = LegalDocument.objects.create(
            code=code,
            doc_type=doc_type,
            number=number.strip(),
            date=date,
            issuer=issuer.strip(),
            title=title.strip(),
            from_catalogue=False,
            created_by=actor,
            status=LegalStatus.CATALOGUE,
        )
        record(Action.CREATE, actor=actor, obj=document, after=_values(document))
    return document


def do_correct_legal_document(
    document: LegalDocument,
    *,
    doc_type: str,
    number: str,
    date: dt.date | None,
    issuer: str,
    title: str,
    actor: User,
) -> LegalDocument:
    """Correct an entry (its code never changes: documents cite it by code). Loading the
    shipped catalogue file again leaves a corrected entry as corrected."""
    with transaction.atomic():
        current = LegalDocument.objects.select_for_update(no_key=True).get(pk=document.pk)
        check_fields(doc_type=doc_type, number=number, issuer=issuer, title=title)
        before = _values(current)
        current.doc_type = doc_type
        current.number = number.strip()
        current.date = date
        current.issuer = issuer.strip()
        current.title = title.strip()
        current.corrected_at = timezone.now()
        current.save()
        record(Action.UPDATE, actor=actor, obj=current, before=before, after=_values(current))
    return current


def _set_status(
    document: LegalDocument,
    status: str,
    *,
    allowed_from: tuple[str, ...],
    actor: User,
    refusal: str,
    merged_into: LegalDocument | None = None,
    reason: str = "",
) -> LegalDocument:
    with transaction.atomic():
        current = LegalDocument.objects.select_for_update(no_key=True).get(pk=document.pk)
        if current.status not in allowed_from:
            raise ValidationError(refusal)
        if merged_into is not None:
            # Checked under its lock: an entry retired meanwhile is no place to merge into.
            merged_into = LegalDocument.objects.select_for_update(no_key=True).get(
                pk=merged_into.pk
            )
            if merged_into.status != LegalStatus.CATALOGUE:
                raise ValidationError(_("Merge into another entry of the catalogue."))
        before = _values(current)
        current.status = status
        current.merged_into = merged_into
        current.review_note = reason
        current.save(update_fields=["status", "merged_into", "review_note"])
        record(Action.UPDATE, actor=actor, obj=current, before=before, after=_values(current))
    return current


def do_retire_legal_document(document: LegalDocument, *, actor: User) -> LegalDocument:
    """No longer offered to cite; the documents citing it keep it as it is."""
    return _set_status(
        document,
        LegalStatus.RETIRED,
        allowed_from=(LegalStatus.CATALOGUE,),
        actor=actor,
        refusal=_("Only an entry of the catalogue can be retired."),
    )


def do_reinstate_legal_document(document: LegalDocument, *, actor: User) -> LegalDocument:
    """A retired entry offered again."""
    return _set_status(
        document,
        LegalStatus.CATALOGUE,
        allowed_from=(LegalStatus.RETIRED,),
        actor=actor,
        refusal=_("Only a retired entry can be brought back."),
    )


def do_accept_legal_proposal(document: LegalDocument, *, actor: User) -> LegalDocument:
    """The proposal becomes an entry of the catalogue (correct it first if need be); the
    items citing it already link to it."""
    return _set_status(
        document,
        LegalStatus.CATALOGUE,
        allowed_from=(LegalStatus.PROPOSED,),
        actor=actor,
        refusal=_("This document is not a proposal waiting for review."),
    )


def do_merge_legal_proposal(
    document: LegalDocument, into: LegalDocument, *, actor: User
) -> LegalDocument:
    """The proposal is the same document as an existing entry: its citations read as that
    entry from now on (nothing a document saved changes)."""
    if into.pk == document.pk or into.status != LegalStatus.CATALOGUE:
        raise ValidationError(_("Merge into another entry of the catalogue."))
    return _set_status(
        document,
        LegalStatus.MERGED,
        allowed_from=(LegalStatus.PROPOSED,),
        actor=actor,
        refusal=_("This document is not a proposal waiting for review."),
        merged_into=into,
    )


def do_reject_legal_proposal(document: LegalDocument, *, reason: str, actor: User) -> LegalDocument:
    """Not a document for the national catalogue; never offered. The documents citing it
    still show it as their editors typed it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the proposal is rejected."))
    if len(reason) > 1000:
        raise ValidationError(_("At most %(max)s characters.") % {"max": 1000})
    return _set_status(
        document,
        LegalStatus.REJECTED,
        allowed_from=(LegalStatus.PROPOSED,),
        actor=actor,
        refusal=_("This document is not a proposal waiting for review."),
        reason=reason,
    )
