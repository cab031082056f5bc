"""Who may do what with index sets: everyone signed in reads; admin/secretariat write."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from cchc.accounts.models import Role, RoleAssignment
from cchc.units.models import Level


def can_manage_sets(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Import and publish index sets: superusers, admins and a province-level secretariat
    (index sets are written by provinces; a commune's secretariat only uses them)."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    grants = RoleAssignment.objects.filter(user_id=user.pk)
    return (
        grants.filter(role=Role.ADMIN).exists()
        or grants.filter(role=Role.SECRETARIAT)
        .filter(Q(unit__isnull=True) | Q(unit__level=Level.PROVINCE))
        .exists()
    )
