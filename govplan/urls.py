"""Every URL of GovPlan. Each view declares its access (govplan.access.policies)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from govplan.access.policies import authenticated, public
from govplan.accounts import views as accounts
from govplan.accounts.admission import admitted_login
from govplan.accounts.forms import LoginForm
from govplan.audit import views as audit
from govplan.documents.views import api as doc_api
from govplan.documents.views import attachments as doc_files
from govplan.documents.views import consolidated as doc_subunits
from govplan.documents.views import history as doc_history
from govplan.documents.views import legal as doc_legal
from govplan.documents.views import pages as doc_pages
from govplan.documents.views import sections as doc_sections
from govplan.documents.views import units as doc_units
from govplan.documents.views import xlsx as doc_xlsx
from govplan.frameworks import views as frameworks
from govplan.frameworks import views_legal as frameworks_legal
from govplan.official import views as official
from govplan.official import views_cycle as official_cycle
from govplan.official import views_export as official_export
from govplan.official import views_files as official_files
from govplan.orgunits import views as orgunits
from govplan.pilots import views as pilots
from govplan.pilots import views_export as pilots_export
from govplan.usersessions import views as usersessions
from govplan.web import views as web
from govplan.workflow import views as workflow
from govplan.workflow import views_opinions as opinions

urlpatterns = [
    path("", web.home, name="home"),
    # National figures: completeness, aggregates, budgets, targets, dashboards, the pivot
    path("national/", include("govplan.national.urls")),
    # The central budget pool and the total investment estimate (issue 17)
    path("pools/", include("govplan.allocations.urls")),
    # The statistics of the national programme's assigned tasks (issue 17):
    # govplan/programmes/urls_stats.py
    path("programmes/", include("govplan.programmes.urls_stats")),
    path("healthz", web.healthz, name="healthz"),
    # Pilots of a model (issue 17, docs/programme.md)
    path("pilots/", pilots.pilot_list, name="pilot_list"),
    path("pilots/new/", pilots.pilot_create, name="pilot_create"),
    path("pilots/<int:pk>/", pilots.pilot_detail, name="pilot_detail"),
    path("pilots/<int:pk>/edit/", pilots.pilot_edit, name="pilot_edit"),
    path(
        "pilots/<int:pk>/comparison.xlsx",
        pilots_export.pilot_comparison_xlsx,
        name="pilot_comparison_xlsx",
    ),
    path("pilots/<int:pk>/units/", pilots.pilot_designate, name="pilot_designate"),
    path("pilots/<int:pk>/milestones/new/", pilots.pilot_milestone_add, name="pilot_milestone_add"),
    path(
        "pilots/<int:pk>/milestones/<int:milestone>/evaluate/",
        pilots.pilot_milestone_evaluate,
        name="pilot_milestone_evaluate",
    ),
    path(
        "pilots/<int:pk>/milestones/<int:milestone>/self-evaluation/",
        pilots.pilot_self_evaluate,
        name="pilot_self_evaluate",
    ),
    path("pilots/<int:pk>/evaluation/", pilots.pilot_evaluate, name="pilot_evaluate"),
    path(
        "login/",
        public(
            admitted_login(
                auth_views.LoginView.as_view(
                    authentication_form=LoginForm, redirect_authenticated_user=True
                )
            )
        ),
        name="login",
    ),
    path("logout/", authenticated(auth_views.LogoutView.as_view()), name="logout"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("account/", web.profile, name="profile"),
    # The steps after the password (govplan/accounts/middleware.py) and the user's own second
    # factor
    path("account/verify/", accounts.otp_verify, name="otp_verify"),
    path("account/two-factor/", accounts.otp_enrol, name="otp_enrol"),
    path(
        "account/two-factor/recovery-codes/",
        accounts.otp_recovery_codes,
        name="otp_recovery_codes",
    ),
    path("account/two-factor/off/", accounts.otp_disable, name="otp_disable"),
    path("account/password/", accounts.password_change_required, name="password_change_required"),
    # Password reset by e-mail: single-use links that expire (PASSWORD_RESET_TIMEOUT)
    path("password-reset/", accounts.password_reset, name="password_reset"),
    path("password-reset/sent/", accounts.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
    path("account/sessions/<int:pk>/end/", usersessions.session_end, name="session_end"),
    path(
        "account/sessions/end-others/",
        usersessions.sessions_end_others,
        name="sessions_end_others",
    ),
    # Organisation units
    path("units/", orgunits.unit_list, name="unit_list"),
    path("units/new/", orgunits.unit_create, name="unit_create"),
    path("units/<int:pk>/", doc_units.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", orgunits.unit_edit, name="unit_edit"),
    # Frameworks and their catalogues
    path("frameworks/", frameworks.framework_list, name="framework_list"),
    path("frameworks/upload/", frameworks.framework_upload, name="framework_upload"),
    path(
        "frameworks/<str:code>/v<int:number>/",
        frameworks.version_detail,
        name="framework_version",
    ),
    path(
        "frameworks/<str:code>/v<int:number>/form/", frameworks.version_form, name="framework_form"
    ),
    path(
        "frameworks/<str:code>/v<int:number>/file/",
        frameworks.version_source,
        name="framework_source",
    ),
    path(
        "frameworks/<str:code>/v<int:number>/edit/", frameworks.version_edit, name="framework_edit"
    ),
    path(
        "frameworks/<str:code>/v<int:number>/publish/",
        frameworks.version_publish,
        name="framework_publish",
    ),
    path(
        "frameworks/<str:code>/v<int:number>/clone/",
        frameworks.version_clone,
        name="framework_clone",
    ),
    path(
        "frameworks/<str:code>/v<int:number>/new-version/",
        frameworks.version_new,
        name="framework_new_version",
    ),
    path("indicators/", frameworks.indicator_list, name="indicator_list"),
    path("indicators/upload/", frameworks.catalogue_upload, name="catalogue_upload"),
    path("legal/", frameworks.legal_list, name="legal_list"),
    path("legal/new/", frameworks_legal.legal_add, name="legal_add"),
    path("legal/proposals/", frameworks_legal.legal_proposals, name="legal_proposals"),
    path("legal/<int:pk>/edit/", frameworks_legal.legal_edit, name="legal_edit"),
    path("legal/<int:pk>/status/", frameworks_legal.legal_status, name="legal_status"),
    path("legal/<int:pk>/review/", frameworks_legal.legal_review, name="legal_review"),
    # Plans and reports
    path("documents/new/", doc_pages.document_create, name="document_create"),
    path("documents/<int:pk>/", doc_pages.document_edit, name="document_edit"),
    path("documents/<int:pk>/fill-rows/", doc_pages.document_fill_rows, name="document_fill_rows"),
    path("documents/<int:pk>/api/save/", doc_api.entry_save, name="document_entry_save"),
    path("documents/<int:pk>/api/add/", doc_api.entry_add, name="document_entry_add"),
    path("documents/<int:pk>/api/delete/", doc_api.entry_delete, name="document_entry_delete"),
    path("documents/<int:pk>/api/move/", doc_api.entry_move, name="document_entry_move"),
    path(
        "documents/<int:pk>/sections/<str:code>/save/",
        doc_sections.section_save,
        name="document_section_save",
    ),
    path("documents/<int:pk>/history/", doc_history.document_history, name="document_history"),
    path(
        "documents/<int:pk>/history/entry/",
        doc_history.entry_history,
        name="document_entry_history",
    ),
    path(
        "documents/<int:pk>/history/restore/",
        doc_history.entry_restore,
        name="document_entry_restore",
    ),
    path(
        "documents/<int:pk>/history/tables/<str:code>/",
        doc_history.table_history,
        name="document_table_history",
    ),
    path(
        "documents/<int:pk>/history/tables/<str:code>/restore/",
        doc_history.table_restore,
        name="document_table_restore",
    ),
    path("documents/<int:pk>/tables.xlsx", doc_xlsx.document_xlsx, name="document_xlsx"),
    path(
        "documents/<int:pk>/tables/<str:code>.xlsx",
        doc_xlsx.document_xlsx_table,
        name="document_xlsx_table",
    ),
    path("documents/<int:pk>/import/", doc_xlsx.document_import, name="document_import"),
    path(
        "documents/<int:pk>/import/<int:batch_id>/apply/",
        doc_xlsx.document_import_apply,
        name="document_import_apply",
    ),
    path(
        "documents/<int:pk>/sections/<str:code>/attach/",
        doc_files.attach,
        name="document_attach",
    ),
    path(
        "documents/<int:pk>/attachments/<int:attachment_id>/",
        doc_files.attachment_download,
        name="document_attachment",
    ),
    path(
        "documents/<int:pk>/attachments/<int:attachment_id>/remove/",
        doc_files.attachment_remove,
        name="document_attachment_remove",
    ),
    path(
        "documents/<int:pk>/sections/<str:code>/legal/",
        doc_legal.legal_new,
        name="document_legal_new",
    ),
    path(
        "documents/<int:pk>/sub-units/",
        doc_subunits.document_consolidated,
        name="document_consolidated",
    ),
    path(
        "documents/<int:pk>/sub-units/take-sum/",
        doc_subunits.take_sum,
        name="document_take_sum",
    ),
    # Official documents
    path("documents/<int:pk>/official.docx", official.document_docx, name="document_docx"),
    path("documents/<int:pk>/official.pdf", official.document_pdf, name="document_pdf"),
    path(
        "documents/<int:pk>/files/<int:file_id>/",
        official_files.document_file,
        name="document_file",
    ),
    path(
        "documents/<int:pk>/files/<int:file_id>/status.json",
        official_files.document_file_status,
        name="document_file_status",
    ),
    path(
        "documents/<int:pk>/files/<int:file_id>/download",
        official_files.document_file_download,
        name="document_file_download",
    ),
    path(
        "documents/<int:pk>/files/<int:file_id>/retry/",
        official_files.document_file_retry,
        name="document_file_retry",
    ),
    path("documents/<int:pk>/issuing/", official.document_issuing, name="document_issuing"),
    path("documents/<int:pk>/sign/", official.document_sign, name="document_sign"),
    path(
        "documents/<int:pk>/issue/pdf-to-sign",
        official.document_pdf_to_sign,
        name="document_pdf_to_sign",
    ),
    path(
        "frameworks/<str:code>/v<int:number>/tables.xlsx",
        official_cycle.cycle_xlsx,
        name="cycle_xlsx",
    ),
    path("units/<int:pk>/issuing/", official.unit_issuing_profile, name="unit_issuing_profile"),
    path("units/<int:pk>/signers/", official.unit_signers, name="unit_signers"),
    path(
        "units/<int:pk>/signers/<int:certificate_id>/withdraw/",
        official.unit_signer_withdraw,
        name="unit_signer_withdraw",
    ),
    path(
        "frameworks/<str:code>/v<int:number>/export/",
        official_export.export_start,
        name="export_start",
    ),
    path("exports/", official_export.export_list, name="export_list"),
    path("exports/<int:pk>/", official_export.export_detail, name="export_detail"),
    path("exports/<int:pk>/status.json", official_export.export_status, name="export_status"),
    path("exports/<int:pk>/download", official_export.export_download, name="export_download"),
    path("exports/<int:pk>/resume/", official_export.export_resume, name="export_resume"),
    # Submission and appraisal
    path("documents/<int:pk>/check/", workflow.check, name="document_check"),
    path("documents/<int:pk>/api/check/", workflow.check_data, name="document_check_data"),
    path(
        "documents/<int:pk>/workflow/<str:action>/",
        workflow.transition,
        name="document_transition",
    ),
    path("documents/<int:pk>/issue/", official.document_issue, name="document_issue"),
    path("documents/<int:pk>/revisions/", workflow.revisions, name="document_revisions"),
    path("documents/<int:pk>/comments/", workflow.comment_create, name="document_comment"),
    path(
        "documents/<int:pk>/comments/<int:comment_id>/reply/",
        workflow.comment_reply,
        name="document_comment_reply",
    ),
    path(
        "documents/<int:pk>/comments/<int:comment_id>/resolve/",
        workflow.comment_resolve,
        name="document_comment_resolve",
    ),
    path(
        "documents/<int:pk>/return-letter/",
        workflow.return_letter,
        name="document_return_letter",
    ),
    path("documents/<int:pk>/checklist/", workflow.checklist, name="document_checklist"),
    path("appraisal/", workflow.appraisal_queue, name="appraisal_queue"),
    # Joint appraisal: other agencies' opinions on the plan under appraisal (issue 17)
    path("documents/<int:pk>/opinions/ask/", opinions.opinion_ask, name="opinion_ask"),
    path(
        "documents/<int:pk>/opinions/<int:rid>/withdraw/",
        opinions.opinion_withdraw,
        name="opinion_withdraw",
    ),
    path(
        "documents/<int:pk>/opinions/<int:rid>/remind/",
        opinions.opinion_remind,
        name="opinion_remind",
    ),
    path("documents/<int:pk>/approve/", opinions.document_approve, name="document_approve"),
    path("opinions/", opinions.opinion_inbox, name="opinion_inbox"),
    path("opinions/<int:rid>/", opinions.opinion_request, name="opinion_request"),
    path("opinions/<int:rid>/file", opinions.opinion_file, name="opinion_file"),
    path("notifications/", workflow.notifications, name="notifications"),
    # Administration (central administrators)
    path("manage/users/", accounts.user_list, name="user_list"),
    path("manage/users/new/", accounts.user_create, name="user_create"),
    path("manage/users/<int:pk>/", accounts.user_detail, name="user_detail"),
    path("manage/users/<int:pk>/edit/", accounts.user_edit, name="user_edit"),
    path("manage/users/<int:pk>/password/", accounts.user_set_password, name="user_set_password"),
    path("manage/users/<int:pk>/roles/", accounts.membership_add, name="membership_add"),
    path(
        "manage/users/<int:pk>/two-factor/reset/",
        accounts.user_reset_second_factor,
        name="user_reset_second_factor",
    ),
    path("manage/roles/<int:pk>/revoke/", accounts.membership_revoke, name="membership_revoke"),
    path("manage/audit/", audit.audit_list, name="audit_list"),
    path("manage/audit/<int:pk>/", audit.audit_detail, name="audit_detail"),
    # The national programme's tasks (issue 17): govplan/programmes/urls_tasks.py
    path("programmes/", include("govplan.programmes.urls_tasks")),
]
