from django.urls import path

import cchc.assessments.views as views

app_name = "assessments"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.round_new, name="new"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/ranking.xlsx", views.round_export, name="export"),
    path("<int:pk>/publish/", views.round_publish, name="publish"),
    path("<int:pk>/survey/", views.survey_upload, name="survey"),
    path("<int:pk>/computed/", views.computed_update, name="computed"),
    path("<int:pk>/appraisers/", views.appraiser_add, name="appraisers"),
    path("a/<int:pk>/", views.assessment_detail, name="assessment"),
    path("a/<int:pk>/save/<str:code>/", views.criterion_save, name="save"),
    path("a/<int:pk>/evidence/<str:code>/", views.evidence_add, name="evidence"),
    path("a/<int:pk>/submit/", views.submit, name="submit"),
    path("a/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("a/<int:pk>/form.xlsx", views.form_download, name="form"),
    path("a/<int:pk>/upload/", views.form_upload_view, name="upload"),
    path("a/<int:pk>/scorecard/", views.scorecard, name="scorecard"),
]

# Exports and history (cchc/assessments/views_exports.py).
import cchc.assessments.views_exports as views_exports  # noqa: E402

urlpatterns += [
    path("<int:pk>/summary.xlsx", views_exports.round_summary_xlsx, name="summary_xlsx"),
    path("<int:pk>/summary.docx", views_exports.round_summary_docx, name="summary_docx"),
    path("a/<int:pk>/scorecard.pdf", views_exports.scorecard_pdf, name="scorecard_pdf"),
    path("a/<int:pk>/history/", views_exports.history_page, name="history"),
]

# The official table of one unit (cchc/assessments/views_exports.py).
urlpatterns += [
    path("a/<int:pk>/table.xlsx", views_exports.unit_table_xlsx_view, name="unit_table_xlsx"),
    path("a/<int:pk>/table.docx", views_exports.unit_table_docx_view, name="unit_table_docx"),
]

# The audit trail of one assessment, exportable (issue 3, "Trust").
urlpatterns += [
    path("a/<int:pk>/audit.xlsx", views_exports.audit_xlsx, name="audit_xlsx"),
]
