"""Test-only speed-ups on top of the real settings."""

import os
import tempfile

# A throwaway data directory per test session, set before the real settings read it.
os.environ["CCHC_DATA_DIR"] = tempfile.mkdtemp(prefix="cchc-test-")

if os.environ.get("CCHC_TEST_DB") == "postgres" and not os.environ.get("DATABASE_URL"):
    from tests.pgserver import start_postgres

    try:
        os.environ["DATABASE_URL"] = start_postgres()
    except Exception as exc:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"CI=true and PostgreSQL cannot start: {exc}") from exc
        print(f"PostgreSQL unavailable ({exc}); the PostgreSQL run is skipped")
        os.environ["CCHC_SKIP_PG_RUN"] = "1"

from cchc.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns otherwise
