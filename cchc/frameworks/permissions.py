"""Who may do what with index sets: everyone signed in reads; admin/secretariat write."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from cchc.accounts.models import Role, RoleAssignment


def can_manage_sets(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Import and publish index sets: superusers and admin/secretariat role holders."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return RoleAssignment.objects.filter(
        user_id=user.pk, role__in=[Role.ADMIN, Role.SECRETARIAT]
    ).exists()
