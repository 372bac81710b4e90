"""Words for the cycle's actions and states, in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _


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
