"""Demo plans and reports for ``cchc demo load`` (idempotent).

- Thị xã Kiến Tường (Long An, before 1/7/2025), 2023: the seed article reports that every
  agency issued its plan and 30 of 30 tasks were completed (100 %). The plan's number,
  dates, task texts and the four periodic reports are SYNTHETIC (marked in the data).
- Xã Phủ Thông (Thái Nguyên, from 1/7/2025), 2025: a SYNTHETIC plan issued after its due
  date with two overdue tasks, under a SYNTHETIC provincial plan that requires communes'
  plans.

Task acceptance goes through the follow-up services; the demo then dates the acceptance
back into the plan's year (the services stamp "now"), which only demo data does.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cchc.accounts.models import Role, RoleAssignment
from cchc.accounts.permissions import clear_cache
from cchc.followup.models import FollowupItem, FollowupUpdate
from cchc.followup.services import item_accept, item_claim_done, item_update
from cchc.frameworks.models import Metric
from cchc.plans import services
from cchc.plans.models import Plan, PlanKind, ReportKind, Topic
from cchc.units.models import Unit

PASSWORD = "cchc-demo-2025"  # noqa: S105 - the demo accounts' shared password
SYNTHETIC = "Dữ liệu tổng hợp (synthetic) để minh họa; không phải văn bản thật."

KT_TASKS = [
    "Xây dựng, ban hành kế hoạch tuyên truyền CCHC",
    "Rà soát, kiểm soát thủ tục hành chính thuộc thẩm quyền",
    "Công khai thủ tục hành chính tại Bộ phận Một cửa",
    "Kiểm tra công tác CCHC tại các cơ quan, đơn vị",
    "Rà soát văn bản quy phạm pháp luật",
    "Theo dõi tình hình thi hành pháp luật",
    "Rà soát, sắp xếp tổ chức bộ máy",
    "Đánh giá, xếp loại cán bộ, công chức",
    "Đào tạo, bồi dưỡng cán bộ, công chức",
    "Thực hiện cơ chế tự chủ tài chính",
    "Công khai ngân sách",
    "Đẩy mạnh dịch vụ công trực tuyến",
    "Số hóa hồ sơ, kết quả giải quyết TTHC",
    "Sử dụng chữ ký số trong xử lý văn bản",
    "Triển khai tổ công nghệ số cộng đồng",
    "Khảo sát sự hài lòng của người dân",
    "Họp Ban chỉ đạo CCHC hằng quý",
    "Báo cáo CCHC định kỳ",
    "Kiểm tra công vụ đột xuất",
    "Cập nhật cơ sở dữ liệu cán bộ, công chức",
    "Triển khai phần mềm quản lý văn bản",
    "Tiếp nhận, xử lý phản ánh, kiến nghị",
    "Rà soát quy chế làm việc",
    "Thực hiện phân cấp, ủy quyền",
    "Tập huấn kỹ năng số cho cán bộ",
    "Chuẩn hóa quy trình nội bộ giải quyết TTHC",
    "Thanh toán trực tuyến phí, lệ phí",
    "Xây dựng mô hình CCHC mới",
    "Đánh giá Chỉ số CCHC của thị xã",
    "Khắc phục nội dung mất điểm năm trước",
]


def _unit(name: str, hierarchy: str) -> Unit | None:
    return Unit.objects.filter(name=name, hierarchy=hierarchy).first()


def _account(username: str, full_name: str, role: str, unit: Unit) -> User:
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.first_name = full_name
        user.set_password(PASSWORD)
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit, field_code="")
    clear_cache(user)
    return user


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _docx(title: str) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(title, level=1)
    doc.add_paragraph(SYNTHETIC)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _finish(item: FollowupItem, user: User, on: date) -> None:
    """Claim and accept through the services, then date both back to ``on``."""
    item_claim_done(item=item, user=user, text="Đã hoàn thành (dữ liệu tổng hợp)")
    item_accept(item=item, user=user, text="Nghiệm thu (dữ liệu tổng hợp)")
    FollowupItem.objects.filter(pk=item.pk).update(
        done_at=_at(on), accepted_at=_at(on, 15), updated_at=_at(on, 15)
    )
    FollowupUpdate.objects.filter(item=item, kind="claim").update(at=_at(on))
    FollowupUpdate.objects.filter(item=item, kind="accept").update(at=_at(on, 15))


def load(out: Any) -> None:
    _kien_tuong(out)
    _phu_thong(out)


@transaction.atomic
def _kien_tuong(out: Any) -> None:
    town = _unit("Thị xã Kiến Tường", "legacy")
    province = town.parent if town is not None else None
    if town is None or province is None:
        out.write("· plans: không có thị xã Kiến Tường (Long An) trong danh sách đơn vị; bỏ qua")
        return
    if Plan.objects.filter(unit=town, year=2023, kind=PlanKind.PAR).exists():
        out.write("· plans: kế hoạch Kiến Tường 2023 đã có")
        return
    user = _account("ubnd.kientuong", "UBND thị xã Kiến Tường", Role.SECRETARIAT, town)
    _account("sonoivu.longan", "Sở Nội vụ Long An", Role.SECRETARIAT, province)
    plan = services.plan_create(
        user=None,
        kind=PlanKind.PAR,
        unit=town,
        year=2023,
        title="Kế hoạch cải cách hành chính năm 2023 của thị xã Kiến Tường (tổng hợp)",
        due_on=date(2023, 1, 15),
        number="KT-2023/KH-UBND (tổng hợp)",
        issued_on=date(2023, 1, 10),
        signer="Chủ tịch UBND thị xã (tổng hợp)",
        note=SYNTHETIC + " Nguồn: bài báo về hội nghị BCĐ quý I/2024 — hoàn thành 30/30 nhiệm vụ.",
    )
    leads = [town, *town.children.order_by("sort_key")]
    for n, title in enumerate(KT_TASKS, start=1):
        deadline = date(2023, 3 + (n % 9), 28)
        task = services.task_create(
            plan=plan,
            user=None,
            title=title,
            lead_unit=leads[n % len(leads)],
            deadline=deadline,
            deliverable="Báo cáo kết quả (tổng hợp)",
        )
        _finish(task.item, user, date(deadline.year, deadline.month, 20))
    for kind, title, due in (
        (ReportKind.QUARTER, "Báo cáo CCHC quý I năm 2023", date(2023, 3, 14)),
        (ReportKind.HALF_YEAR, "Báo cáo CCHC 6 tháng năm 2023", date(2023, 6, 14)),
        (ReportKind.NINE_MONTHS, "Báo cáo CCHC 9 tháng năm 2023", date(2023, 9, 14)),
        (ReportKind.ANNUAL, "Báo cáo CCHC năm 2023", date(2023, 12, 14)),
    ):
        req = services.request_create(
            user=None,
            title=f"{title} (tổng hợp)",
            kind=kind,
            topic=Topic.PAR,
            year=2023,
            issuing_unit=province,
            due_on=due,
            units=[town],
            note=SYNTHETIC,
        )
        metric = Metric.objects.filter(code="documents_electronic_pct").first()
        if metric is not None:
            services.field_add(req=req, user=None, code="", label="", value_type="", metric=metric)
        stored = services_file(title, town, user)
        services.submission_create(
            req=req,
            unit=town,
            user=None,
            figures={"documents_electronic_pct": "95"} if metric is not None else {},
            file=stored,
            at=_at(date(due.year, due.month, due.day - 2)),
        )
    out.write("· plans: Kiến Tường 2023 — 30/30 nhiệm vụ, 4/4 báo cáo đúng hạn (tổng hợp)")


def services_file(title: str, unit: Unit, user: User) -> Any:
    from cchc.documents.services import file_store

    return file_store(
        uploaded=_docx(title), name=f"{title}.docx", user=user, unit=unit, dedupe=True
    )


@transaction.atomic
def _phu_thong(out: Any) -> None:
    commune = Unit.objects.filter(code="01969", hierarchy="2025").first()
    province = commune.parent if commune is not None else None
    if commune is None or province is None:
        out.write("· plans: không có Xã Phủ Thông (01969@2025); bỏ qua")
        return
    if Plan.objects.filter(unit=commune, year=2025, kind=PlanKind.PAR).exists():
        out.write("· plans: kế hoạch Xã Phủ Thông 2025 đã có")
        return
    officer = User.objects.filter(username="xa.phuthong").first()
    siblings = list(province.children.order_by("sort_key")[:5])
    required = [commune, *[u for u in siblings if u.pk != commune.pk][:4]]
    parent = services.plan_create(
        user=None,
        kind=PlanKind.PAR,
        unit=province,
        year=2025,
        title="Kế hoạch CCHC năm 2025 (từ 1/7/2025) của tỉnh Thái Nguyên (tổng hợp)",
        due_on=date(2025, 7, 15),
        number="TN-2025/KH-UBND (tổng hợp)",
        issued_on=date(2025, 7, 10),
        required_units=required,
        subordinate_due_on=date(2025, 7, 31),
        note=SYNTHETIC,
    )
    plan = services.plan_create(
        user=None,
        kind=PlanKind.PAR,
        unit=commune,
        year=2025,
        title="Kế hoạch CCHC năm 2025 của Xã Phủ Thông (tổng hợp)",
        number="PT-2025/KH-UBND (tổng hợp)",
        issued_on=date(2025, 8, 12),
        signer="Chủ tịch UBND xã (tổng hợp)",
        parent=parent,
        note=SYNTHETIC + " Ban hành sau hạn 31/07/2025.",
    )
    rows = [
        (
            "Niêm yết, công khai TTHC tại Trung tâm Phục vụ hành chính công xã",
            date(2025, 8, 31),
            "done",
        ),
        ("Rà soát quy chế làm việc của UBND xã mới", date(2025, 9, 15), "done"),
        ("Kiện toàn Ban chỉ đạo CCHC xã", date(2025, 8, 20), "done"),
        ("Số hóa hồ sơ tồn của các xã cũ (Vi Hương, Lục Bình…)", date(2025, 9, 30), "overdue"),
        ("Thành lập tổ công nghệ số cộng đồng ở các thôn", date(2025, 10, 31), "overdue"),
        ("Tuyên truyền CCHC trên loa truyền thanh", None, "ongoing"),
    ]
    for title, deadline, state in rows:
        task = services.task_create(
            plan=plan,
            user=None,
            title=title,
            lead_unit=commune,
            deadline=deadline,
            ongoing=deadline is None,
            review_on=date(2025, 12, 15) if deadline is None else None,
            deliverable="Báo cáo, hình ảnh (tổng hợp)",
        )
        if officer is not None and state == "done" and deadline is not None:
            _finish(task.item, officer, deadline)
        elif officer is not None and state == "overdue":
            item_update(
                item=task.item, user=officer, text="Đang triển khai (tổng hợp)", progress=40
            )
    out.write("· plans: Xã Phủ Thông 2025 — ban hành trễ hạn, 2 nhiệm vụ quá hạn (tổng hợp)")
