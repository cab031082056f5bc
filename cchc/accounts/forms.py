from __future__ import annotations

import unicodedata
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.accounts.models import LoginFailure


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form with a lockout counted per username only.

    A whole province often reaches the server through one NAT address, so counting by
    IP would lock out every commune at once after one officer's typos.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "This account is locked after %(limit)s failed logins. Try again after "
            "%(minutes)s minutes or ask the administrator."
        ),
    }

    @staticmethod
    def lockout_key(raw: str) -> str:
        """The key failures are counted under: the username as Django normalises it for
        login (NFKC), case-folded, so ``ａdmin`` or ``ADMIN`` cannot reset the count."""
        return unicodedata.normalize("NFKC", raw.strip()).casefold()

    def clean(self) -> dict[str, Any]:
        username = self.lockout_key(self.data.get("username") or "")
        now = timezone.now()
        record = LoginFailure.objects.filter(username=username).first()
        if record and record.locked_until and record.locked_until > now:
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={
                    "limit": settings.LOGIN_FAILURE_LIMIT,
                    "minutes": settings.LOGIN_LOCKOUT_MINUTES,
                },
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                self._record_failure(username)
            raise
        LoginFailure.objects.filter(username=username).delete()
        return cleaned

    @staticmethod
    def _record_failure(username: str) -> None:
        now = timezone.now()
        with transaction.atomic():
            record, _created = LoginFailure.objects.select_for_update().get_or_create(
                username=username
            )
            record.failures += 1
            record.last_failure = now
            if record.failures >= settings.LOGIN_FAILURE_LIMIT:
                record.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                record.failures = 0
            record.save()
