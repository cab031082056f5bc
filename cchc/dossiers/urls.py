from django.urls import path

from cchc.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("", views.home, name="home"),
    path("import/", views.import_new, name="import_new"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
    path("report/", views.report, name="report"),
    path("report/dossiers/", views.drill, name="drill"),
    path("report/dossiers/export/", views.drill_export, name="drill_export"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/official/", views.official_entry, name="official_entry"),
]
