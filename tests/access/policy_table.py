"""The declared POST policy: for every view, what each member of the cast gets when they POST.

One table, read by tests/access/test_post_matrix.py (the GET table stays EXPECTED in
test_url_walk.py). Every URL name of the project is in exactly one of:

- ``POST_EXPECTED``: the views that change state on POST, with the outcome per member of the
  cast (tests/conftest.py Cast, plus ``anonymous``);
- ``READ_ON_POST``: views that only read; a POST to them is answered as a GET would be (or
  refused with 405) and must change nothing.

A new view in neither fails the matrix, as does a line for a view that no longer exists.

Outcomes, and how the matrix checks each:

- ``WRITES``: allowed, proven by its effect: a row added or removed, an audit entry of the
  action, or (for the few effects that write no row) the probe the matrix names.
- ``MESSAGE``: the view ran and answered with a message saying why it did nothing: a
  validation message (for the member allowed, only where the body the matrix sends is
  deliberately incomplete: a key file or a catalogue it does not build, a plan not yet
  approved), or the workflow refusing a step that is not this member's; nothing written.
- ``UNCHANGED``: the view ran, had nothing to do and said nothing wrong; nothing written.
- ``FORBIDDEN`` (403), ``NOT_FOUND`` (404), ``NOT_ALLOWED`` (405), ``LOGIN`` (302 to the login
  page), ``UNAUTHORISED`` (401, a JSON endpoint without a session): refused; nothing written
  and no audit entry but of the refusal itself.
"""

from __future__ import annotations

from typing import Final

from tests.access import programme_walk

WRITES: Final = "writes"
MESSAGE: Final = "message"
UNCHANGED: Final = "unchanged"
FORBIDDEN: Final = 403
NOT_FOUND: Final = 404
NOT_ALLOWED: Final = 405
LOGIN: Final = "login"
UNAUTHORISED: Final = 401

Outcome = str | int

SIGNED_IN = (
    "central_admin",
    "appraiser",
    "editor_a",
    "approver_a",
    "editor_b",
    "commune_editor_a",
    "viewer_a",
)


def row(default: Outcome, anonymous: Outcome = LOGIN, **who: Outcome) -> dict[str, Outcome]:
    """Every member of the cast gets ``default`` (anonymous: the login page) but those named."""
    unknown = set(who) - set(SIGNED_IN) - {"anonymous"}
    assert not unknown, unknown
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, default), **who}


def admin_writes(outcome: Outcome = WRITES) -> dict[str, Outcome]:
    return row(FORBIDDEN, central_admin=outcome)


def editor_a_writes(outcome: Outcome = WRITES) -> dict[str, Outcome]:
    """Province A's document: its editor changes it; the other editors pass the coarse gate
    and then find nothing (404); whoever does not edit is refused at the gate (403)."""
    return row(FORBIDDEN, editor_a=outcome, editor_b=NOT_FOUND, commune_editor_a=NOT_FOUND)


def editor_a_saves_json(outcome: Outcome = WRITES) -> dict[str, Outcome]:
    """As editor_a_writes, for the editor's JSON saves: anonymous (a session ended while
    typing) gets 401 in JSON, which the editor page shows, not the login page."""
    return {**editor_a_writes(outcome), "anonymous": UNAUTHORISED}


def readers_of_a(default: Outcome = MESSAGE, **who: Outcome) -> dict[str, Outcome]:
    """A step on province A's document: its readers reach the view, which refuses with a
    message unless the step is theirs; the other editors find nothing (404)."""
    return row(default, editor_b=NOT_FOUND, commune_editor_a=NOT_FOUND, **who)


def pilot_managed() -> dict[str, Outcome]:
    return row(FORBIDDEN, central_admin=WRITES, editor_b=NOT_FOUND, commune_editor_a=NOT_FOUND)


# url name -> outcome per member of the cast, for a POST with a valid CSRF token.
POST_EXPECTED: dict[str, dict[str, Outcome]] = {
    # Signing in (a signed-in user is told they already are) and out, the language, one's own
    # password and notifications.
    "login": row(UNCHANGED, anonymous=WRITES),
    "logout": row(WRITES),
    "set_language": row(WRITES, anonymous=WRITES),
    "profile": row(WRITES),
    "notifications": row(WRITES),
    # The second factor (issue 16), each member's own; the matrix puts each where the step
    # acts. Typing the code: a member with an authenticator and a session that has not passed
    # it is verified; one without an authenticator is sent on, nothing owed.
    "otp_verify": row(
        UNCHANGED, central_admin=WRITES, appraiser=WRITES, editor_a=WRITES, approver_a=WRITES
    ),
    # Setting up an authenticator from its first code: anyone signed in (it replaces theirs).
    "otp_enrol": row(WRITES),
    # New recovery codes: for a member with an authenticator; the others are told to set one up.
    "otp_recovery_codes": row(
        MESSAGE, central_admin=WRITES, appraiser=WRITES, editor_a=WRITES, approver_a=WRITES
    ),
    # Turning it off: refused with a message to the roles that require it (central
    # administrators, appraisers, approvers); done (and recorded) for the others.
    "otp_disable": row(WRITES, central_admin=MESSAGE, appraiser=MESSAGE, approver_a=MESSAGE),
    # One's sessions (issue 16): ending another of one's own (editor_a's other browser; anyone
    # else is told it has already ended: never someone else's), and all one's others.
    "session_end": row(MESSAGE, editor_a=WRITES),
    "sessions_end_others": row(WRITES),
    # Choosing one's own password after an administrator set it: anyone signed in.
    "password_change_required": row(WRITES),
    # The reset by e-mail: public; the request is recorded and the mail sent, whoever asks;
    # the link (editor_a's, opened) sets the password for whoever holds it.
    "password_reset": row(WRITES, anonymous=WRITES),
    "password_reset_confirm": row(WRITES, anonymous=WRITES),
    # Units, users and roles: central administrators only.
    "unit_create": admin_writes(),
    "unit_edit": admin_writes(),
    "user_create": admin_writes(),
    "user_edit": admin_writes(),
    "user_set_password": admin_writes(),
    "membership_add": admin_writes(),
    "membership_revoke": admin_writes(),
    "user_reset_second_factor": admin_writes(),  # a lost phone: editor_a's authenticator goes
    # Frameworks, the indicator catalogue, the legal-document catalogue.
    "framework_upload": admin_writes(),
    "framework_edit": admin_writes(),
    "framework_publish": admin_writes(),
    "framework_clone": admin_writes(),
    "framework_new_version": admin_writes(),
    "catalogue_upload": admin_writes(MESSAGE),  # no catalogue file sent: "choose a file"
    "legal_add": admin_writes(),
    "legal_edit": admin_writes(),
    "legal_status": admin_writes(),
    "legal_review": admin_writes(),
    # Province A's plan: its editor writes; others are refused at the gate or find nothing.
    # The plan of a unit that no longer exists: its successor's editor and central
    # administrators create it.
    "document_create": row(
        FORBIDDEN,
        central_admin=WRITES,
        editor_a=WRITES,
        editor_b=NOT_FOUND,
        commune_editor_a=NOT_FOUND,
    ),
    # Province A's plan has no table filled from a task list: its editor is told so.
    "document_fill_rows": editor_a_writes(MESSAGE),
    "document_entry_save": editor_a_saves_json(),
    "document_entry_add": editor_a_saves_json(),
    "document_entry_delete": editor_a_saves_json(),
    "document_entry_move": editor_a_saves_json(),
    "document_section_save": editor_a_writes(),
    "document_entry_restore": editor_a_writes(),
    "document_table_restore": editor_a_writes(),
    "document_import": editor_a_writes(),
    "document_import_apply": editor_a_writes(),
    "document_attach": editor_a_writes(),
    "document_attachment_remove": editor_a_writes(),
    "document_legal_new": editor_a_writes(),
    "document_take_sum": editor_a_writes(),
    # The check page: its editor saves explanations (this plan has no finding to explain:
    # "saved", nothing written); an approver is told it is not theirs; others find nothing.
    "document_check": row(NOT_FOUND, editor_a=MESSAGE, approver_a=MESSAGE),
    # Issuing: the agency (editor, approver) enters the issuing data; only the head signs.
    "document_issuing": row(
        FORBIDDEN,
        editor_a=WRITES,
        approver_a=WRITES,
        editor_b=NOT_FOUND,
        commune_editor_a=NOT_FOUND,
    ),
    "unit_issuing_profile": row(
        FORBIDDEN,
        editor_a=WRITES,
        approver_a=WRITES,
        editor_b=NOT_FOUND,
        commune_editor_a=NOT_FOUND,
    ),
    # The plan is not approved: the head reaches the forms and is told why not; nobody else
    # learns the page exists.
    "document_sign": row(NOT_FOUND, approver_a=MESSAGE),
    "document_issue": row(NOT_FOUND, approver_a=MESSAGE),
    "document_pdf_to_sign": row(NOT_FOUND, approver_a=MESSAGE),
    # Signers' certificates: an approver registers their own, a central administrator for
    # an approver; the holder or a central administrator withdraws.
    "unit_signers": row(
        FORBIDDEN,
        central_admin=WRITES,
        approver_a=WRITES,
        editor_b=NOT_FOUND,
        commune_editor_a=NOT_FOUND,
    ),
    "unit_signer_withdraw": row(
        FORBIDDEN,
        central_admin=WRITES,
        approver_a=WRITES,
        editor_b=NOT_FOUND,
        commune_editor_a=NOT_FOUND,
    ),
    # A file still waiting for its worker: nothing to retry, each reader is told so.
    "document_file_retry": readers_of_a(),
    # The appraisal cycle over province A's submitted plan, under appraisal.
    "document_transition": readers_of_a(appraiser=WRITES),
    "document_comment": readers_of_a(appraiser=WRITES),
    "document_comment_reply": readers_of_a(editor_a=WRITES, appraiser=WRITES, approver_a=WRITES),
    "document_comment_resolve": readers_of_a(appraiser=WRITES),
    "document_checklist": row(NOT_FOUND, appraiser=WRITES),
    # Joint appraisal: the appraiser asks, withdraws, reminds and approves (anyone else is
    # refused at the gate); the agency asked (province B) answers; the appraising side reads
    # the request and is told the answer is the agency's; nobody else finds it.
    "opinion_ask": row(FORBIDDEN, appraiser=WRITES),
    "opinion_withdraw": row(FORBIDDEN, appraiser=WRITES),
    "opinion_remind": row(FORBIDDEN, appraiser=WRITES),
    "document_approve": row(FORBIDDEN, appraiser=WRITES),
    "opinion_request": row(NOT_FOUND, editor_b=WRITES, appraiser=MESSAGE, central_admin=MESSAGE),
    # Reminders: central administrators and appraisers (may_remind), nobody else.
    "national_completeness_remind": row(FORBIDDEN, central_admin=WRITES, appraiser=WRITES),
    # Batch exports: anyone signed in exports what they see (a province B editor sees no
    # document of the cycle and is told so); a job is its requester's alone.
    "export_start": row(WRITES, editor_b=MESSAGE, commune_editor_a=MESSAGE),
    # The central budget pool: central administrators create pools and scenarios (and
    # recompute a draft); marking a row that is no proposal (the matrix's pool has none) and
    # approving a scenario that allocates nothing are refused with a message.
    "allocation_pools": admin_writes(),
    "allocation_mark": admin_writes(MESSAGE),
    "allocation_scenario_new": admin_writes(),
    "allocation_scenario_edit": admin_writes(),
    "allocation_scenario_approve": admin_writes(MESSAGE),
    "export_resume": row(NOT_FOUND, central_admin=MESSAGE),
    # Pilots (issue 17): central administrators create and manage the cast's pilot; province
    # A's editor self-evaluates its milestone; others who see the pilot are refused, the
    # rest find nothing.
    "pilot_create": admin_writes(),
    "pilot_edit": pilot_managed(),
    "pilot_designate": pilot_managed(),
    "pilot_milestone_add": pilot_managed(),
    "pilot_milestone_evaluate": pilot_managed(),
    "pilot_evaluate": pilot_managed(),
    "pilot_self_evaluate": row(
        FORBIDDEN, editor_a=WRITES, editor_b=NOT_FOUND, commune_editor_a=NOT_FOUND
    ),
    # Programmes and their tasks (issue 17): tests/access/programme_walk.py
    **programme_walk.post_expected(),
}

# Views that only read: POST is answered as GET is (the statuses of EXPECTED), or refused
# with 405; either way nothing is written.
READ_ON_POST: frozenset[str] = frozenset(
    {
        "home",
        "healthz",
        "password_reset_done",
        "password_reset_complete",
        "unit_list",
        "unit_detail",
        "user_list",
        "user_detail",
        "framework_list",
        "framework_version",
        "framework_form",
        "framework_source",
        "cycle_xlsx",
        "indicator_list",
        "legal_list",
        "legal_proposals",
        "document_edit",
        "document_history",
        "document_entry_history",
        "document_table_history",
        "document_xlsx",
        "document_xlsx_table",
        "document_attachment",
        "document_consolidated",
        "document_docx",
        "document_pdf",
        "document_file",
        "document_file_status",
        "document_file_download",
        "document_check_data",
        "document_revisions",
        "document_return_letter",
        "appraisal_queue",
        "opinion_inbox",
        "opinion_file",
        "audit_list",
        "audit_detail",
        "export_list",
        "export_detail",
        "export_status",
        "export_download",
        "national_completeness_index",
        "national_completeness",
        "national_completeness_list",
        "national_budgets",
        "national_budget_export",
        "national_targets",
        "national_dashboard",
        "national_unit",
        "national_pivot",
        "national_pivot_csv",
        "national_pivot_xlsx",
        "pilot_list",
        "pilot_detail",
        "pilot_comparison_xlsx",
        "allocation_pool",
        "allocation_compare",
        "allocation_scenario",
        "allocation_appendix",
        "allocation_estimate",
        "allocation_estimate_xlsx",
        "national_statistics",
        "national_statistics_xlsx",
        "programme_statistics",
        "programme_statistics_xlsx",
        "programme_statistics_tasks",
        "programme_statistics_tasks_xlsx",
    }
    | programme_walk.READ_ON_POST
)
