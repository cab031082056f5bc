from django.urls import path

from cchc.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.my_files, name="mine"),
    path("<int:pk>/", views.download, name="download"),
    path("unit/<int:unit_id>/", views.unit_documents, name="unit"),
]
