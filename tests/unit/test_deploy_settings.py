"""`cchc check --deploy` passes with HTTPS on, and HTTP-only intranets are a documented mode.

The subprocesses start as soon as collection ends, on the session's background thread
(tests/conftest.py calls ``start_in_background``), and the tests check what they printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from concurrent.futures import Future
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def clean_env() -> dict[str, str]:
    """The environment of a deployment: none of the test run's own settings."""
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {k: v for k, v in os.environ.items() if not k.startswith("CCHC_") and k not in dropped}


def run_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = clean_env()
    environ.update(
        DJANGO_SETTINGS_MODULE="cchc.config.settings",
        CCHC_DATA_DIR=str(tmp_path),
        CCHC_ALLOWED_HOSTS="cchc.example.gov.vn",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "cchc", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def print_http_only_settings(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS)"
    )
    environ = {**clean_env(), "DJANGO_SETTINGS_MODULE": "cchc.config.settings",
               "CCHC_DATA_DIR": str(tmp_path), "CCHC_HTTPS": "false"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip


_runs: dict[str, Future[subprocess.CompletedProcess[str]]] = {}


def start_in_background() -> None:
    from tests.conftest import background

    if _runs:
        return
    _runs["https"] = background.submit(run_check, Path(tempfile.mkdtemp()))
    http_only = Path(tempfile.mkdtemp())
    _runs["http-only"] = background.submit(run_check, http_only, CCHC_HTTPS="false")
    _runs["http-only settings"] = background.submit(print_http_only_settings, http_only)
    _runs["maybe"] = background.submit(run_check, Path(tempfile.mkdtemp()), CCHC_HTTPS="maybe")


def result_of(name: str) -> subprocess.CompletedProcess[str]:
    start_in_background()  # already queued unless this module was not collected first
    return _runs[name].result(timeout=600)


def test_check_deploy_passes_with_https() -> None:
    result = result_of("https")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_http_only_mode_turns_secure_cookies_off() -> None:
    result = result_of("http-only")
    # The HTTPS warnings are silenced on purpose (docs/DEPLOY.md explains why).
    assert result.returncode == 0, result.stdout + result.stderr
    out = result_of("http-only settings")
    assert out.stdout.split() == ["False", "False", "False", "0"]


def test_bad_boolean_is_refused() -> None:
    result = result_of("maybe")
    assert result.returncode != 0
    assert "CCHC_HTTPS must be true or false" in result.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["units", "load", "--extract", "19"], ["units_load", "--extract", "19"]),
        (["migrate"], ["migrate"]),
        (["check", "--deploy"], ["check", "--deploy"]),
        (["units"], ["units"]),
    ],
)
def test_cli_dispatch(argv: list[str], expected: list[str]) -> None:
    from cchc.cli import translate

    assert translate(argv) == expected
