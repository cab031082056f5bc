from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "cchc.followup"
    label = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        from cchc.documents.access import register_file_access
        from cchc.followup.services import can_read_evidence

        # Evidence attached to an item is readable by whoever can read the item.
        register_file_access(can_read_evidence)
