from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_metrics(sender: AppConfig, **kwargs: Any) -> None:
    from cchc.frameworks.metrics import metrics_sync

    metrics_sync()


class FrameworksConfig(AppConfig):
    name = "cchc.frameworks"
    label = "frameworks"
    verbose_name = _("Index sets")

    def ready(self) -> None:
        # The shipped metric catalogue is reference data: keep it current after migrate.
        post_migrate.connect(_sync_metrics, sender=self)
