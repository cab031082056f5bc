"""The ``cchc`` command: a thin dispatcher onto Django management commands.

``cchc units load`` runs the ``units_load`` command; anything else goes to Django's
command line unchanged, so ``cchc migrate`` and ``cchc check --deploy`` work.
"""

from __future__ import annotations

import os
import sys

# Two-word commands: (group, verb) -> management command name.
GROUPS = {
    "units": {"load", "show", "import"},
    "frameworks": {"validate", "import", "export", "publish"},
    "followup": {"remind"},
    "demo": {"load"},
    "assessments": {"verify"},
    "dossiers": {"import", "report", "synth", "token"},
}


def translate(argv: list[str]) -> list[str]:
    """Turn ``[group, verb, *rest]`` into ``[group_verb, *rest]`` when known."""
    if len(argv) >= 2 and argv[0] in GROUPS and argv[1] in GROUPS[argv[0]]:
        return [f"{argv[0]}_{argv[1]}", *argv[2:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.config.settings")
    from django.core.management import execute_from_command_line

    args = translate(list(sys.argv[1:] if argv is None else argv))
    execute_from_command_line(["cchc", *args])


if __name__ == "__main__":
    main()
