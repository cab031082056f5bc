"""``cchc dossiers token USERNAME --name NAME``: a token for POST /api/dossiers (shown once)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cchc.dossiers.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for pushing dossiers; only its hash is stored."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="api")

    def handle(self, *args: Any, **o: Any) -> None:
        user = get_user_model().objects.filter(username=o["username"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng {o['username']}")
        token = secrets.token_urlsafe(32)
        ApiToken.objects.create(
            name=o["name"], user=user, token_hash=ApiToken.digest(token), prefix=token[:8]
        )
        self.stdout.write(token)
