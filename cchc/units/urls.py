from django.urls import path

from cchc.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<str:key>/", views.unit_detail, name="detail"),
]
