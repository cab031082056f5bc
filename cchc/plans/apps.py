from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "cchc.plans"
    label = "plans"
    verbose_name = _("Plans and reports")

    def ready(self) -> None:
        from cchc.documents.access import register_file_access
        from cchc.plans.kpis import register_all
        from cchc.plans.services import can_read_submission_file

        register_all()
        # A report file is readable by the requesting body's readers.
        register_file_access(can_read_submission_file)
