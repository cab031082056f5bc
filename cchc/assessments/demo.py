"""Demo of assessment rounds: Long An's 15 district-level units, PAR 2022–2023 and DX 2023.

Facts (seed article on Kiến Tường, March 2024): thị xã Kiến Tường's PAR index 2023 was
73,63, 4,3 below 2022 (so 77,93), 11th of the 15 district-level units of Long An; its DX
score 2023 was 409,66 of 600. The criterion-level inputs behind those totals and the
other 14 units' scores are SYNTHETIC (marked ``is_synthetic``), and both sets are samples.
Running it twice changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cchc.accounts.models import Role, RoleAssignment
from cchc.assessments import services
from cchc.assessments.models import (
    Assessment,
    AssessmentRound,
    AssessmentStatus,
    RoundStatus,
    SignOff,
    Stage,
    StageScore,
)
from cchc.audit.services import record
from cchc.core import scoring
from cchc.core.canonical import canonical_json, sha256_hex
from cchc.core.indexset import IndexSetDef, Method, dump_yaml, read_yaml
from cchc.core.numbers import round_half_up
from cchc.frameworks.kpi import sniff_rows
from cchc.frameworks.models import IndexSet
from cchc.frameworks.services import indexset_import
from cchc.units.loader import load_units
from cchc.units.models import Unit

DATA = Path(__file__).resolve().parent / "demo_data"
PAR_SET = DATA / "par-district-sample.yaml"
KIEN_TUONG = "795@legacy"
LONG_AN = "80@legacy"
PASSWORD = "cchc-demo-2025"  # noqa: S105 - the demo password of cchc/config/demo.py

# Synthetic totals of the other 14 units (10 above Kiến Tường, 4 below in 2023).
SYNTHETIC_PAR_2023 = [
    "88.12", "86.40", "85.05", "83.77", "82.10", "80.64", "79.32", "77.85", "76.41", "74.90",
    "72.18", "70.56", "68.94", "66.20",
]  # fmt: skip
SYNTHETIC_PAR_2022 = [
    "86.50", "85.12", "84.33", "80.02", "81.75", "79.90", "78.64", "76.20", "75.38", "76.92",
    "73.05", "71.44", "69.80", "67.15",
]  # fmt: skip
SYNTHETIC_DX_2023 = [
    "512.40", "498.75", "480.10", "471.66", "463.20", "455.05", "447.90", "440.31", "431.12",
    "425.70", "402.15", "395.48", "388.02", "372.60",
]  # fmt: skip


def _unit(key: str) -> Unit | None:
    code, _, hierarchy = key.partition("@")
    return Unit.objects.filter(code=code, hierarchy=hierarchy).first()


def _par_2022_yaml() -> str:
    data, _lines = read_yaml(PAR_SET.read_text(encoding="utf-8"), str(PAR_SET))
    assert isinstance(data, dict)
    data.update(code="PAR-HUYEN-MAU-2022", year=2022, name="Chỉ số CCHC cấp huyện (mẫu) 2022")
    return dump_yaml(IndexSetDef.model_validate(data))


def _csv_entries(
    cset: scoring.CompiledSet, path: Path
) -> dict[str, tuple[scoring.Entry, str, str]]:
    rows = sniff_rows(path.read_text(encoding="utf-8"))
    header = [h.strip() for h in rows[0]]
    items: list[tuple[str, str, str, object]] = []
    raw: dict[str, str] = {}
    for n, row in enumerate(rows[1:], start=2):
        cells = dict(zip(header, row, strict=False))
        points = (cells.get("points") or "").strip()
        value = (cells.get("value") or "").strip()
        items.append(
            (f"{path.name}:{n}", cells["code"], "points" if points else "value", points or value)
        )
        raw[cells["code"]] = points or value
    entries = scoring.read_inputs(cset, items)
    return {code: (entry, why, raw[code]) for code, (entry, why) in entries.items()}


def _synthetic_entries(
    cset: scoring.CompiledSet, total: Decimal
) -> dict[str, tuple[scoring.Entry, str, str]]:
    """Leaf points proportional to ``total`` / max, the rounding difference on the largest."""
    ratio = total / cset.max_points
    leaves = [i for i in cset.leaves if cset.leaf_max[i] > 0]
    points = {i: round_half_up(cset.leaf_max[i] * ratio, 2) for i in leaves}
    biggest = max(leaves, key=lambda i: cset.leaf_max[i])
    points[biggest] += total - sum(points.values())
    assert 0 <= points[biggest] <= cset.leaf_max[biggest]
    why = "điểm giả lập (synthetic)"
    return {cset.codes[i]: (scoring.Entry(p), why, str(p)) for i, p in points.items()}


def _stage_for(method: Method) -> str:
    return {Method.SURVEY: Stage.SURVEY, Method.COMPUTED: Stage.COMPUTED}.get(method, Stage.SELF)


def _fill(
    assessment: Assessment, cset: scoring.CompiledSet, entries: dict[str, Any], officer: Any
) -> None:
    StageScore.objects.bulk_create(
        StageScore(
            assessment=assessment,
            criterion_code=code,
            stage=_stage_for(cset.node(code).method),
            revision=1,
            value=value,
            points=entry.points,
            excluded=entry.excluded,
            explanation=why[:400],
            note="Dữ liệu trình diễn" if not assessment.is_synthetic else why,
            author=officer,
        )
        for code, (entry, why, value) in entries.items()
    )
    payload = services.signed_payload(assessment, Stage.SELF, 1)
    text = canonical_json(payload)
    SignOff.objects.create(
        assessment=assessment,
        stage=Stage.SELF,
        revision=1,
        user=officer,
        sha256=sha256_hex(text),
        payload=text,
    )
    assessment.status = AssessmentStatus.FINAL
    assessment.save(update_fields=["status"])


def _round(
    *,
    code: str,
    name: str,
    index_set: IndexSet,
    year: int,
    owner: Unit,
    units: list[Unit],
    kien_tuong: Unit,
    kt_csv: Path,
    synthetic: list[str],
    previous: AssessmentRound | None,
    officer: Any,
    out: Any,
) -> AssessmentRound:
    found = AssessmentRound.objects.filter(code=code).first()
    if found is not None:
        return found
    rnd = services.round_open(
        user=None,
        code=code,
        name=name,
        index_set=index_set,
        owner_unit=owner,
        units=units,
        allow_appraisal=False,
        previous=previous,
        is_synthetic=True,
        note=(
            "Tổng điểm của thị xã Kiến Tường lấy từ bài báo; điểm từng tiêu chí và điểm của "
            "14 đơn vị còn lại là dữ liệu giả lập để trình diễn."
        ),
        deadlines=services.Deadlines(
            date(year, 12, 15),
            date(year + 1, 1, 15),
            date(year + 1, 1, 31),
            date(year + 1, 2, 15),
            date(year + 1, 3, 31),
        ),
        check_permission=False,
    )
    cset = services.compiled(rnd)
    others = iter(synthetic)
    for assessment in rnd.assessments.select_related("unit").order_by("unit__sort_key"):
        if assessment.unit_id == kien_tuong.pk:
            assessment.is_synthetic = False
            assessment.save(update_fields=["is_synthetic"])
            entries = _csv_entries(cset, kt_csv)
        else:
            entries = _synthetic_entries(cset, Decimal(next(others)))
        _fill(assessment, cset, entries, officer if assessment.unit_id == kien_tuong.pk else None)
    services.results_refresh(rnd)
    rnd.status = RoundStatus.PUBLISHED
    rnd.published_at = timezone.now()
    rnd.save(update_fields=["status", "published_at"])
    record(
        actor=None,
        obj=rnd,
        action="assessment_round.publish",
        changes={"status": ("open", "published")},
    )
    out.write(f"  · {name}: {len(units)} đơn vị")
    return rnd


def _account(username: str, full_name: str, role: str, unit: Unit) -> User:
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.first_name = full_name
        user.set_password(PASSWORD)
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit, field_code="")
    return user


@transaction.atomic
def load(out: Any) -> None:
    if _unit(KIEN_TUONG) is None:
        load_units({LONG_AN})
    province, kien_tuong = _unit(LONG_AN), _unit(KIEN_TUONG)
    if province is None or kien_tuong is None:
        out.write("  · thiếu đơn vị Long An (80@legacy); bỏ qua")
        return
    districts = list(Unit.objects.filter(parent=province, level=2).order_by("sort_key"))
    par_2023 = indexset_import(PAR_SET, publish=True)
    par_2022 = indexset_import(_par_2022_yaml(), filename="par-2022.yaml", publish=True)
    dx = IndexSet.objects.filter(code="CDS-HUYEN-MAU").order_by("-version").first()
    _account("sonoivu.longan", "Sở Nội vụ Long An", Role.SECRETARIAT, province)
    officer = _account("tx.kientuong", "Cán bộ thị xã Kiến Tường", Role.UNIT_OFFICER, kien_tuong)
    common: dict[str, Any] = {
        "owner": province,
        "units": districts,
        "kien_tuong": kien_tuong,
        "officer": officer,
    }
    r2022 = _round(
        code="par-long-an-2022",
        name="Chỉ số CCHC cấp huyện tỉnh Long An năm 2022",
        index_set=par_2022,
        year=2022,
        kt_csv=DATA / "kien-tuong-par-2022.csv",
        synthetic=SYNTHETIC_PAR_2022,
        previous=None,
        out=out,
        **common,
    )
    _round(
        code="par-long-an-2023",
        name="Chỉ số CCHC cấp huyện tỉnh Long An năm 2023",
        index_set=par_2023,
        year=2023,
        kt_csv=DATA / "kien-tuong-par-2023.csv",
        synthetic=SYNTHETIC_PAR_2023,
        previous=r2022,
        out=out,
        **common,
    )
    if dx is not None:
        _round(
            code="dx-long-an-2023",
            name="Chỉ số chuyển đổi số cấp huyện tỉnh Long An năm 2023",
            index_set=dx,
            year=2023,
            kt_csv=DATA / "kien-tuong-dx-2023.csv",
            synthetic=SYNTHETIC_DX_2023,
            previous=None,
            out=out,
            **common,
        )
