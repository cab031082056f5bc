"""The offline self-assessment form: build it from the database, read it back."""

from __future__ import annotations

import io
from typing import Any

from django.db import transaction

from cchc.assessments.models import Assessment, Stage
from cchc.assessments.services import (
    ImportRowsError,
    RowError,
    compiled,
    current_evidence,
    current_scores,
    score_save,
    version_of,
)
from cchc.core import scoring
from cchc.core.indexset import Method
from cchc.core.rules import RuleInputError, describe
from cchc.reports.assessment_xlsx import FORM_FIRST_ROW, FormRow, FormSheet, self_assessment_xlsx


def form_bytes(assessment: Assessment) -> bytes:
    cset = compiled(assessment.round)
    scores = current_scores(assessment)
    evidence: dict[str, list[str]] = {}
    for ev in current_evidence(assessment):
        evidence.setdefault(ev.criterion_code, []).append(str(ev))
    rows = []
    for i, node in enumerate(cset.nodes):
        own = scores.get((Stage.SELF, node.code))
        rule = ""
        if node.is_leaf:
            if node.method == Method.SURVEY:
                rule = "Điểm điều tra xã hội học (không tự chấm)"
            elif node.method == Method.COMPUTED:
                rule = f"Tính từ số liệu {node.kpi} (không tự chấm)"
            else:
                rule = describe(node.effective_rule, node.range)
        rows.append(
            FormRow(
                code=node.code,
                label=node.label,
                title=node.title,
                max=cset.max[i],
                method=node.method.value,
                rule=rule,
                value=own.value if own else "",
                points=own.points if own else None,
                note=own.note if own else "",
                evidence="; ".join(evidence.get(node.code, [])),
                level=cset.level[i],
                is_leaf=node.is_leaf,
            )
        )
    return self_assessment_xlsx(
        FormSheet(
            title=f"Tự đánh giá {cset.definition.name} — {assessment.unit.name}",
            round_code=assessment.round.code,
            unit_key=assessment.unit.key,
            rows=rows,
        )
    )


def form_upload(*, user: Any, assessment: Assessment, data: bytes) -> int:
    """Read a filled form back; every row is checked before anything is saved."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a non-xlsx file
        raise ImportRowsError([RowError(1, "", "tệp không phải Excel .xlsx")]) from exc
    sheet = book.worksheets[0]
    cset = compiled(assessment.round)
    errors: list[RowError] = []
    pending: list[tuple[str, str, str]] = []
    unit_cell = sheet.cell(row=3, column=2).value
    if str(unit_cell or "").strip() != assessment.unit.key:
        errors.append(
            RowError(3, "B", f"biểu mẫu của đơn vị {unit_cell!r}, không phải {assessment.unit.key}")
        )
    for number, row in enumerate(
        sheet.iter_rows(min_row=FORM_FIRST_ROW, max_col=8, values_only=True), start=FORM_FIRST_ROW
    ):
        code = str(row[0] or "").strip()
        if not code:
            continue
        if code not in cset.index:
            errors.append(RowError(number, "A", f"mã tiêu chí {code!r} không có trong bộ chỉ số"))
            continue
        node = cset.node(code)
        raw = row[5]
        value = "" if raw is None else str(raw).strip()
        note = str(row[7] or "").strip()
        if not node.is_leaf or node.method in (Method.SURVEY, Method.COMPUTED):
            if value:
                errors.append(RowError(number, "F", f"tiêu chí {code} không tự chấm, để trống"))
            continue
        if not value:
            continue
        try:
            scoring.entry_from_value(node, value)
        except RuleInputError as exc:
            errors.append(RowError(number, "F", f"tiêu chí {code}: {exc}"))
            continue
        pending.append((code, value, note))
    if errors:
        raise ImportRowsError(errors)
    with transaction.atomic():
        for code, value, note in pending:
            scores = current_scores(assessment)
            existing = scores.get((Stage.SELF, code))
            base = (
                version_of(existing)
                if existing is not None and existing.revision == assessment.revision
                else ""
            )
            score_save(
                user=user,
                assessment=assessment,
                code=code,
                stage=Stage.SELF,
                value=value,
                note=note or (existing.note if existing else ""),
                base=base,
            )
    return len(pending)
