from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "cchc.inspections"
    label = "inspections"
