from django.urls import path

from cchc.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("", views.set_list, name="list"),
    path("import/", views.set_import, name="import"),
    path("<int:pk>/", views.set_detail, name="detail"),
    path("<int:pk>/publish/", views.set_publish, name="publish"),
    path("<int:pk>/download.<str:fmt>", views.set_download, name="download"),
]
