from django.urls import path

from cchc.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/events/", views.plan_event_add, name="plan_event_add"),
    path("new/", views.event_create, name="event_create"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/add/<str:section>/", views.event_add, name="event_add"),
    path("<int:pk>/round/", views.round_attach, name="round_attach"),
    path(
        "<int:pk>/explanations/<int:unit_id>/<str:field_code>/",
        views.explanation_save,
        name="explanation_save",
    ),
    path(
        "<int:pk>/directives/<int:directive_id>/plan/", views.directive_plan, name="directive_plan"
    ),
    path("<int:pk>/dossier-figures/", views.dossier_fill, name="dossier_fill"),
    path("<int:pk>/remediation/", views.remediation_check, name="remediation_check"),
    path("<int:pk>/notice/", views.notice_prepare, name="notice_prepare"),
    path("<int:pk>/notice/draft.docx", views.notice_draft, name="notice_draft"),
    path("<int:pk>/notice/edit/", views.notice_edit, name="notice_edit"),
    path("<int:pk>/notice/sign/", views.notice_sign, name="notice_sign"),
    path("<int:pk>/notice/signed.pdf", views.signed_file, name="signed_file"),
    path("recommendations/<int:pk>/respond/", views.recommendation_respond, name="respond"),
    path("unit/<int:unit_id>/", views.unit_items, name="unit"),
]
