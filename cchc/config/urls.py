from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cchc.config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("cchc.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("units/", include("cchc.units.urls")),
    path("frameworks/", include("cchc.frameworks.urls")),
    path("files/", include("cchc.documents.urls")),
    path("followup/", include("cchc.followup.urls")),
    path("dossiers/", include("cchc.dossiers.urls")),
    path("assessments/", include("cchc.assessments.urls")),
    path("inspections/", include("cchc.inspections.urls")),
    path("plans/", include("cchc.plans.urls")),
    path("api/", views.api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:  # pragma: no cover
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
