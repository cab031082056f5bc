from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "cchc.dossiers"
    label = "dossiers"
    verbose_name = _("Dossiers")

    def ready(self) -> None:
        from cchc.dossiers.kpis import register_all

        register_all()
