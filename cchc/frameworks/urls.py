from django.urls import path

from cchc.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("", views.set_list, name="list"),
    path("<int:pk>/", views.set_detail, name="detail"),
]
