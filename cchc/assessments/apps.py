from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "cchc.assessments"
    label = "assessments"
