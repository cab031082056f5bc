from typing import Any, cast

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _can_read_notice_file(user: Any, stored: Any) -> bool:
    """A signed notice is readable by the readers of its event."""
    from cchc.inspections.models import ConclusionNotice
    from cchc.inspections.permissions import can_read_event

    notices = ConclusionNotice.objects.filter(signed_file=stored).select_related("inspection")
    return any(can_read_event(user, n.inspection) for n in notices)


class InspectionsConfig(AppConfig):
    name = "cchc.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from cchc.documents.access import register_file_access

        register_file_access(_can_read_notice_file)

        from cchc.assessments.panels import register_panel
        from cchc.inspections.panels import scorecard_panel

        register_panel(
            "inspections",
            title=cast(str, _("Inspections: shortcomings and open directives")),  # lazy
            render=scorecard_panel,
            order=50,
        )
