from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Wiring: base templates, vendored static files, template filters."""

    name = "cchc.config"
    label = "config"
