"""The life of a document, as a state machine with no Django in it.

    draft ──submit──▶ submitted ──start_appraisal──▶ under_appraisal ──approve──▶ approved
      ▲                  │                              │                          │
      └──withdraw────────┘                              └─return─▶ returned        issue
      ▲                                                           │                ▼
      │                                      submitted ◀─resubmit─┘              issued
      └──────────────────────── reopen (approved or issued, central administrator) ──┘

Who may act is said by *party*: the agency that writes the document (its editors and
approvers), the appraiser assigned to it, the agency's signer (its approver), or a central
administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

from govplan.core.i18n import gettext_noop

DRAFT = "draft"
SUBMITTED = "submitted"
UNDER_APPRAISAL = "under_appraisal"
RETURNED = "returned"
APPROVED = "approved"
ISSUED = "issued"
# The one list of a document's states; every other list of them is derived from these
# (documents.models.DocumentStatus, the labels, the database guard; tests check they agree).
STATES = (DRAFT, SUBMITTED, UNDER_APPRAISAL, RETURNED, APPROVED, ISSUED)
EDITABLE = (DRAFT, RETURNED)  # the agency may change its content
SENT = (SUBMITTED, UNDER_APPRAISAL, APPROVED, ISSUED)  # done for the agency, in others' hands
FINAL = (APPROVED, ISSUED)  # the appraisal is over: the content is the approved one

AGENCY = "agency"
APPRAISER = "appraiser"
SIGNER = "signer"
CENTRAL_ADMIN = "central_admin"
PARTIES = (AGENCY, APPRAISER, SIGNER, CENTRAL_ADMIN)


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    party: str
    needs_reason: bool = False
    freezes_revision: bool = False  # the content is frozen as an immutable revision
    validates: bool = False  # errors block it; warnings need an explanation


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("submit", (DRAFT,), SUBMITTED, AGENCY, freezes_revision=True, validates=True),
        Transition("withdraw", (SUBMITTED,), DRAFT, AGENCY),
        Transition("start_appraisal", (SUBMITTED,), UNDER_APPRAISAL, APPRAISER),
        Transition("return", (UNDER_APPRAISAL,), RETURNED, APPRAISER, needs_reason=True),
        Transition(
            "resubmit", (RETURNED,), SUBMITTED, AGENCY, freezes_revision=True, validates=True
        ),
        Transition("approve", (UNDER_APPRAISAL,), APPROVED, APPRAISER),
        Transition("issue", (APPROVED,), ISSUED, SIGNER),
        Transition("reopen", (APPROVED, ISSUED), DRAFT, CENTRAL_ADMIN, needs_reason=True),
    )
}


class TransitionRefused(Exception):
    """The action is not possible from this state, or not for this party."""

    def __init__(self, template: str, **params: str) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


def check(action: str, state: str, parties: frozenset[str]) -> Transition:
    """The transition ``action`` from ``state`` for someone acting as ``parties``; refused
    with the reason otherwise. The state is checked first: an action overtaken by someone
    else's (two appraisers at once) is reported as such, not as a lack of rights."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionRefused(gettext_noop("unknown action %(action)s"), action=action)
    if state not in transition.sources:
        raise TransitionRefused(
            gettext_noop("the document is %(state)s: %(action)s is not possible now"),
            state=state,
            action=action,
        )
    if transition.party not in parties:
        raise TransitionRefused(
            gettext_noop("%(action)s is for the %(party)s, which you are not for this document"),
            action=action,
            party=transition.party,
        )
    return transition


def available(state: str, parties: frozenset[str]) -> list[Transition]:
    """What someone acting as ``parties`` can do now."""
    return [t for t in TRANSITIONS.values() if state in t.sources and t.party in parties]
