"""Explaining a warning: the editor says why a figure the checks flag is not a mistake, and
the explanation is submitted with the document (validation shows it beside the warning)."""

from __future__ import annotations

from django.db import transaction

from govplan.accounts.types import User
from govplan.audit.recorder import record
from govplan.documents.actions import lock_for_edit
from govplan.documents.models import Document
from govplan.workflow.actions import bounded
from govplan.workflow.models import WarningExplanation

MAX_EXPLANATION = 4000


def do_explain(document: Document, explanations: dict[str, str], *, actor: User) -> int:
    """Save why each warning (by its check id) is not a mistake; an empty text withdraws the
    explanation. All or nothing: one text too long and none is saved. Returns how many
    changed."""
    wanted = {check: bounded(text.strip(), MAX_EXPLANATION) for check, text in explanations.items()}
    changed = 0
    with transaction.atomic():
        # Explanations are part of what was submitted; they change only with the document.
        lock_for_edit(document)
        current = {
            e.check_id: e
            for e in WarningExplanation.objects.select_for_update(no_key=True).filter(
                document=document, check_id__in=list(wanted)
            )
        }
        for check_id, text in wanted.items():
            old = current.get(check_id)
            if (old.text if old else "") == text:
                continue
            if text:
                WarningExplanation.objects.update_or_create(
                    document=document, check_id=check_id, defaults={"text": text, "by": actor}
                )
            else:
                WarningExplanation.objects.filter(document=document, check_id=check_id).delete()
            record(
                "validation.explain",
                actor=actor,
                obj=document,
                before={"check": check_id, "explanation": old.text if old else ""},
                after={"check": check_id, "explanation": text},
            )
            changed += 1
    return changed
