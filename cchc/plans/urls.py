from django.urls import path

from cchc.plans import views, views_outline, views_remediation

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("tasks/", views.task_lists, name="tasks"),
    path("remediation/new/", views_remediation.remediation_new, name="remediation_new"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/issue/", views.plan_issue, name="issue"),
    path("<int:pk>/tasks/new/", views.task_add, name="task_add"),
    path("<int:pk>/import/", views.task_import, name="import"),
    path("<int:pk>/export.xlsx", views.task_export, name="export"),
    path("<int:pk>/subordinates/", views.subordinates, name="subordinates"),
    path("units/<int:unit_id>/", views.unit_page, name="unit"),
    path("reports/", views.report_list, name="reports"),
    path("requests/from-event/<int:event_id>/", views_outline.from_event, name="outline_request"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/form/", views.report_form, name="report_form"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/figures/", views.report_figures, name="report_figures"),
    path("reports/<int:pk>/figures.xlsx", views.report_figures_xlsx, name="report_figures_xlsx"),
]
