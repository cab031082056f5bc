from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "cchc.followup"
    label = "followup"
