"""Importing and publishing index sets (writes across IndexSet, Criterion, CriterionMapping)."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from cchc.audit import services as audit
from cchc.core.dates import format_date
from cchc.core.indexset import (
    IndexSetDef,
    IndexSetError,
    Issue,
    LoadedSet,
    check,
    dump_yaml,
    load_definition,
    parse_set,
)
from cchc.frameworks.models import (
    Criterion,
    CriterionMapping,
    FrozenSetError,
    IndexSet,
    Method,
    SetStatus,
)

SETS_DIR = Path(__file__).resolve().parent / "sets"


def read_source(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> LoadedSet:
    """Parse a YAML text, a path to a .yaml/.xlsx file, or xlsx bytes (not yet checked).

    ``overrides`` fill set fields a bare spreadsheet lacks (code, name, kind, year).
    """
    from cchc.frameworks.xlsx import read_xlsx

    if isinstance(source, bytes):
        return read_xlsx(source, filename or "upload.xlsx", overrides)
    if isinstance(source, Path) or (
        "\n" not in source and source.endswith((".yaml", ".yml", ".xlsx"))
    ):
        path = Path(source)
        if not path.exists():
            raise IndexSetError([Issue(str(path), None, None, "không có tệp", "no such file")])
        if path.suffix.lower() == ".xlsx":
            return read_xlsx(path.read_bytes(), filename or str(path), overrides)
        return parse_set(path.read_text(encoding="utf-8-sig"), filename or str(path))
    return parse_set(source, filename or "<text>")


def previous_definition(code: str) -> IndexSetDef | None:
    """The latest stored version of a set (published first) that a new set maps from."""
    candidates = IndexSet.objects.filter(code=code).order_by("-status", "-version")
    found = candidates.filter(status=SetStatus.PUBLISHED).first() or candidates.first()
    return load_definition(found.definition) if found else None


def indexset_check(loaded: LoadedSet) -> LoadedSet:
    """Validate against the database: the previous set must be stored for mappings."""
    previous = None
    if loaded.definition.previous:
        previous = previous_definition(loaded.definition.previous)
        if previous is None:
            raise IndexSetError(
                [
                    Issue(
                        loaded.file,
                        loaded.lines.get(("previous",)),
                        None,
                        f"bộ năm trước '{loaded.definition.previous}' chưa được nạp",
                        f"previous set '{loaded.definition.previous}' is not imported",
                    )
                ]
            )
    return check(loaded, previous)


def _plain_decimal(value: object) -> str:
    """Decimals by value, not by notation: 18, 18.0 and 1.8E+1 hash alike."""
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return text
    return str(value)


def _canonical(definition: IndexSetDef) -> str:
    data = definition.model_dump(mode="python")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=_plain_decimal)


@transaction.atomic
def indexset_import(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    publish: bool = False,
    overrides: dict[str, Any] | None = None,
    actor: Any = None,
) -> IndexSet:
    """Store a set as a draft (or return the identical stored one); optionally publish."""
    loaded = indexset_check(read_source(source, filename=filename, overrides=overrides))
    definition = loaded.definition
    source_yaml = loaded.source if loaded.source else dump_yaml(definition)
    digest = hashlib.sha256(_canonical(definition).encode()).hexdigest()
    existing = IndexSet.objects.filter(code=definition.code, version=definition.version).first()
    if existing is not None:
        if existing.sha256 == digest:
            if publish and not existing.is_published:
                indexset_publish(existing, actor=actor)
            return existing
        if existing.is_published:
            raise IndexSetError(
                [
                    Issue(
                        loaded.file,
                        loaded.lines.get(("version",)),
                        None,
                        f"{definition.code} phiên bản {definition.version} đã ban hành, không "
                        "sửa được: tăng 'version' để tạo phiên bản mới",
                        f"{definition.code} v{definition.version} is published: raise "
                        "'version' to correct it",
                    )
                ]
            )
        existing.delete()
    supersedes = (
        IndexSet.objects.filter(code=definition.code, version__lt=definition.version)
        .order_by("-version")
        .first()
    )
    legal = ""
    if definition.legal_basis is not None:
        legal = definition.legal_basis.number
        if definition.legal_basis.date:
            legal += f" ngày {format_date(definition.legal_basis.date)}"
    index_set = IndexSet.objects.create(
        code=definition.code,
        version=definition.version,
        name=definition.name,
        kind=definition.kind.value,
        year=definition.year,
        max_points=definition.max_points,
        legal_basis=legal,
        display=definition.display.value,
        display_precision=definition.display_precision,
        is_sample=definition.sample,
        definition=definition.model_dump(mode="json"),
        source_yaml=source_yaml,
        sha256=digest,
        supersedes=supersedes,
    )
    _store_criteria(index_set, definition)
    audit.record(
        actor=actor,
        obj=index_set,
        action="indexset.import",
        changes={"sha256": (None, digest), "status": (None, index_set.status)},
    )
    if publish:
        indexset_publish(index_set, actor=actor)
    return index_set


def _store_criteria(index_set: IndexSet, definition: IndexSetDef) -> None:
    saved: dict[str, Criterion] = {}
    mappings: list[tuple[Criterion, str, list[str]]] = []
    for position, (node, parent, level) in enumerate(definition.walk()):
        criterion = Criterion.objects.create(
            index_set=index_set,
            parent=saved[parent.code] if parent is not None else None,
            code=node.code,
            label=node.label,
            title=node.title,
            level=level,
            position=position,
            max_points=node.max,
            method=Method.GROUP if node.children else node.method.value,
            rule=node.rule.model_dump(mode="json") if node.rule else None,
            kpi=node.kpi or "",
            cap=node.cap,
            is_bonus=node.bonus,
            to_verify=node.to_verify,
            evidence_required=node.evidence,
            guidance=node.guidance,
        )
        saved[node.code] = criterion
        if node.maps_from is not None:
            mappings.append((criterion, node.maps_from.kind, node.maps_from.codes))
    if mappings and definition.previous:
        previous = IndexSet.objects.filter(code=definition.previous).order_by("-status", "-version")
        previous_set = previous.filter(status=SetStatus.PUBLISHED).first() or previous.first()
        old = {c.code: c for c in Criterion.objects.filter(index_set=previous_set)}
        CriterionMapping.objects.bulk_create(
            CriterionMapping(criterion=criterion, previous=old[code], kind=kind)
            for criterion, kind, codes in mappings
            for code in codes
        )


@transaction.atomic
def indexset_publish(index_set: IndexSet, *, actor: Any = None) -> IndexSet:
    """Freeze a draft forever. A correction is a new version that ``supersedes`` it."""
    locked = IndexSet.objects.select_for_update().get(pk=index_set.pk)
    if locked.is_published:
        raise FrozenSetError(f"{locked.code} v{locked.version} đã ban hành")
    locked.status = SetStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.save()
    audit.record(
        actor=actor,
        obj=locked,
        action="indexset.publish",
        changes={"status": (SetStatus.DRAFT.value, SetStatus.PUBLISHED.value)},
    )
    index_set.status = locked.status
    index_set.published_at = locked.published_at
    return index_set


def definition_of(index_set: IndexSet) -> IndexSetDef:
    return load_definition(index_set.definition)


def latest(code: str) -> IndexSet | None:
    return IndexSet.objects.filter(code=code).order_by("-version").first()


def shipped_sets() -> list[Path]:
    return sorted(SETS_DIR.glob("*.yaml"))
