from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "cchc.units"
    label = "units"
    verbose_name = _("Administrative units")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from cchc.units.models import Unit, UnitLineage, UnitParent
        from cchc.units.services import registry_changed

        for model in (Unit, UnitParent, UnitLineage):
            post_save.connect(registry_changed, sender=model, dispatch_uid=f"registry-{model}")
            post_delete.connect(registry_changed, sender=model, dispatch_uid=f"registry-d-{model}")
