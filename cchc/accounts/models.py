"""Roles scoped to a unit subtree, and the username-only login lockout."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.units.models import Unit


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SECRETARIAT = "secretariat", _("Secretariat")
    APPRAISER = "appraiser", _("Appraiser / inspector")
    UNIT_OFFICER = "unit_officer", _("Unit officer")
    LEADER = "leader", _("Leader (read-only)")


class RoleAssignment(models.Model):
    """A user holds a role over a unit and everything below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="role_assignments", null=True, blank=True
    )
    # Appraisers may be assigned by field (e.g. "II" of a PAR set) as well as by unit.
    field_code = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit", "field_code"], name="role_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit or '*'}"


class LoginFailure(models.Model):
    """Failed logins counted per username, never per IP address."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure = models.DateTimeField(null=True)
    locked_until = models.DateTimeField(null=True)
