"""Every Vietnamese translation is present, not fuzzy, and compiled into the .mo file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "cchc"
PO_FILES = sorted(ROOT.glob("*/locale/vi/LC_MESSAGES/django.po"))


def parse_po(path: Path) -> list[tuple[str, str, bool]]:
    """Return (msgid, msgstr, fuzzy) for each live entry (obsolete ``#~`` ones skipped)."""
    entries: list[tuple[str, str, bool]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [ln for ln in block.strip().splitlines() if not ln.startswith("#~")]
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in lines)
        current: str | None = None
        parts: dict[str, str] = {}
        for line in lines:
            match = re.match(r'^(msgid|msgstr|msgid_plural|msgstr\[0\])\s+(".*")$', line)
            if match:
                current = match[1]
                parts[current] = ast.literal_eval(match[2])
            elif line.startswith('"') and current:
                parts[current] += ast.literal_eval(line)
        if parts.get("msgid"):
            msgstr = parts.get("msgstr", parts.get("msgstr[0]", ""))
            entries.append((parts["msgid"], msgstr, fuzzy))
    return entries


def test_po_files_exist() -> None:
    assert len(PO_FILES) >= 4


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: p.parts[-5])
def test_no_empty_or_fuzzy_translation(po: Path) -> None:
    bad = [msgid for msgid, msgstr, fuzzy in parse_po(po) if fuzzy or not msgstr.strip()]
    assert bad == [], f"{po}: untranslated or fuzzy: {bad}"


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: p.parts[-5])
def test_mo_is_compiled_from_po(po: Path) -> None:
    import gettext

    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} missing: run make messages"
    catalog = gettext.GNUTranslations(mo.open("rb"))
    stale = [
        msgid
        for msgid, msgstr, _fuzzy in parse_po(po)
        if "%(" not in msgid and catalog.gettext(msgid) != msgstr
    ]
    assert stale == [], f"{mo} is older than {po.name}: {stale[:5]}"
