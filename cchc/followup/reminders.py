"""Daily reminders about items due soon, overdue or due for review.

At most one reminder per item per day (``last_reminded_on``): running the command
twice on the same day sends nothing the second time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from cchc.accounts.models import Role, RoleAssignment
from cchc.core.dates import format_date
from cchc.followup.models import FollowupItem

RECIPIENT_ROLES = (Role.UNIT_OFFICER, Role.SECRETARIAT, Role.ADMIN, Role.LEADER)


@dataclass
class Reminder:
    email: str
    overdue: list[FollowupItem] = field(default_factory=list)
    due_soon: list[FollowupItem] = field(default_factory=list)
    to_review: list[FollowupItem] = field(default_factory=list)

    @property
    def items(self) -> list[FollowupItem]:
        return self.overdue + self.due_soon + self.to_review


@dataclass
class RemindResult:
    reminders: list[Reminder]
    items: list[FollowupItem]  # items with at least one recipient
    without_recipient: list[FollowupItem]


def _recipients(items: list[FollowupItem]) -> dict[int, set[str]]:
    """Item id → e-mail addresses: the lead unit's users and the assignee."""
    unit_ids = {item.lead_unit_id for item in items}
    by_unit: dict[int, set[str]] = defaultdict(set)
    for unit_id, email in RoleAssignment.objects.filter(
        unit_id__in=sorted(unit_ids), role__in=RECIPIENT_ROLES, user__is_active=True
    ).values_list("unit_id", "user__email"):
        if email and unit_id is not None:
            by_unit[unit_id].add(email)
    result: dict[int, set[str]] = {}
    for item in items:
        emails = set(by_unit.get(item.lead_unit_id, set()))
        if item.assignee is not None and item.assignee.is_active and item.assignee.email:
            emails.add(item.assignee.email)
        result[item.pk] = emails
    return result


def collect(today: date, days: int = 7) -> RemindResult:
    """The reminders due today (items already reminded today are left out)."""
    base = FollowupItem.objects.filter(
        Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today)
    ).select_related("lead_unit", "assignee")
    groups = {
        "overdue": list(base.overdue(today).order_by("deadline", "id")),
        "due_soon": list(base.due_soon(today, days).order_by("deadline", "id")),
        "to_review": list(base.to_review(today).order_by("review_on", "id")),
    }
    all_items = [item for group in groups.values() for item in group]
    recipients = _recipients(all_items)
    reminders: dict[str, Reminder] = {}
    reached: list[FollowupItem] = []
    lonely: list[FollowupItem] = []
    for group, items in groups.items():
        for item in items:
            emails = recipients[item.pk]
            (reached if emails else lonely).append(item)
            for email in sorted(emails):
                getattr(reminders.setdefault(email, Reminder(email)), group).append(item)
    return RemindResult(
        reminders=[reminders[e] for e in sorted(reminders)], items=reached, without_recipient=lonely
    )


def _line(item: FollowupItem) -> str:
    when = (
        _("review on %(date)s") % {"date": format_date(item.review_on)}
        if item.ongoing
        else _("deadline %(date)s") % {"date": format_date(item.deadline)}
    )
    return f"- {item.title} ({item.lead_unit.name}; {when}) #{item.pk}"


def render(reminder: Reminder) -> tuple[str, str]:
    """Subject and body of one reminder, in Vietnamese."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _(
            "[CCHC] Reminder: %(overdue)d overdue, %(soon)d due soon, %(review)d to review"
        ) % {
            "overdue": len(reminder.overdue),
            "soon": len(reminder.due_soon),
            "review": len(reminder.to_review),
        }
        parts = []
        for title, items in (
            (_("Overdue"), reminder.overdue),
            (_("Due soon"), reminder.due_soon),
            (_("Ongoing, due for review"), reminder.to_review),
        ):
            if items:
                parts.append(title + ":\n" + "\n".join(_line(i) for i in items))
        parts.append(_("Open the follow-up list: /followup/"))
        return subject, "\n\n".join(parts) + "\n"


def send(result: RemindResult, today: date) -> int:
    """Mark the items reminded today, then send; return the mails sent.

    Marking first, with a conditional update, means two overlapping runs (or a retry after
    a mail server error) never remind of the same item twice on one day: at most one
    reminder per item per day, at the cost of a missed one if the mail server fails.
    """
    with transaction.atomic():
        wanted = [i.pk for i in result.items]
        claimed = set(
            FollowupItem.objects.select_for_update()
            .filter(pk__in=wanted)
            .exclude(last_reminded_on=today)
            .values_list("pk", flat=True)
        )
        FollowupItem.objects.filter(pk__in=claimed).update(last_reminded_on=today)
    messages = []
    for reminder in result.reminders:
        mine = Reminder(
            email=reminder.email,
            overdue=[i for i in reminder.overdue if i.pk in claimed],
            due_soon=[i for i in reminder.due_soon if i.pk in claimed],
            to_review=[i for i in reminder.to_review if i.pk in claimed],
        )
        if not mine.items:
            continue
        subject, body = render(mine)
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [mine.email]))
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0
