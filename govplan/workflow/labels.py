"""Words for the cycle's actions and states, in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from govplan.core import workflow as machine


def state_phrases() -> dict[str, str]:
    """Each state as it reads inside a sentence ("… is %(state)s")."""
    return {
        machine.DRAFT: _("a draft"),
        machine.SUBMITTED: _("submitted"),
        machine.UNDER_APPRAISAL: _("under appraisal"),
        machine.RETURNED: _("returned for changes"),
        machine.APPROVED: _("approved"),
        machine.ISSUED: _("issued"),
    }


def state_phrase(state: str) -> str:
    return state_phrases().get(state, state)


def action_label(action: str) -> str:
    return {
        "submit": _("submit"),
        "withdraw": _("withdraw"),
        "start_appraisal": _("start the appraisal"),
        "return": _("return for changes"),
        "resubmit": _("resubmit"),
        "approve": _("approve"),
        "issue": _("record the issued document"),
        "reopen": _("reopen"),
    }.get(action, action)
