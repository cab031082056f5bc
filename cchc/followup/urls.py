from django.urls import path

from cchc.followup import views

app_name = "followup"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("<int:pk>/", views.item_detail, name="detail"),
    *[
        path(f"<int:pk>/{action}/", views.item_action, {"action": action}, name=action)
        for action in views.ACTIONS
    ],
]
