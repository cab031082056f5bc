"""Demo: the five events of the seed articles, with their real facts.

Dates, units (names and parents as of the day), heads and their titles, the decision
establishing the Thạch Hà team and the figures are as the articles give them. Findings
and directives are paraphrased. What the articles do not say is marked as made up for
the demo in the record itself: the review dates of directives without a deadline
("thường xuyên"), the 2022 plan of Bạch Thông, and the demo account.
Running it twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from cchc.accounts.models import Role, RoleAssignment
from cchc.assessments.models import AssessmentRound, RoundStatus
from cchc.documents.models import DocumentRef
from cchc.documents.services import documentref_create
from cchc.frameworks.models import Metric, MetricType
from cchc.inspections import links, services
from cchc.inspections.models import (
    BodyKind,
    EventKind,
    FindingKind,
    HalfDay,
    Inspection,
    InspectionPlan,
    IssuingBody,
    Scope,
    SteeringCommittee,
    TeamRole,
)
from cchc.units.models import Unit, UnitGroup

DEMO_PASSWORD = "cchc-demo-2025"  # noqa: S105 - the demo's shared password
SYNTHETIC_REVIEW = "Ngày rà soát là dữ liệu mẫu (bài báo không nêu thời hạn)."

# Metrics a province adds for itself (not shipped in the catalogue): index results.
LOCAL_METRICS = [
    ("par_index_points", "Chỉ số CCHC (điểm)", MetricType.DECIMAL, "par"),
    (
        "par_index_change",
        "Chỉ số CCHC: tăng (+) / giảm (−) so với năm trước (điểm)",
        MetricType.DECIMAL,
        "par",
    ),
    ("par_rank", "Xếp hạng Chỉ số CCHC", MetricType.TEXT, "par"),
    ("dx_index_points", "Điểm chuyển đổi số (thang 600)", MetricType.DECIMAL, "dx"),
]


def _unit(key: str) -> Unit | None:
    code, _, hierarchy = key.partition("@")
    return Unit.objects.filter(code=code, hierarchy=hierarchy).first()


@dataclass
class EventSpec:
    key: str  # the seed article
    body: IssuingBody
    kind: str
    title: str
    on: date
    visits: list[services.Visit]
    half_day: str = ""
    legal_basis: str = ""
    topics: list[str] = field(default_factory=list)
    period_text: str = ""
    period_start: date | None = None
    period_end: date | None = None
    team_name: str = ""
    team_number: int | None = None
    date_note: str = ""
    summary: str = ""


def load(out: Any) -> None:
    units = {
        key: _unit(key)
        for key in (
            "01975@legacy",
            "01990@legacy",
            "063@legacy",
            "18622@legacy",
            "18631@legacy",
            "445@legacy",
            "795@legacy",
            "276@legacy",
            "01@legacy",
            "42@legacy",
        )
    }
    missing = [k for k, u in units.items() if u is None]
    if missing:
        out.write(f"  (bỏ qua sự kiện mẫu: chưa nạp đơn vị {', '.join(missing)})")
        return
    u: dict[str, Unit] = {k: v for k, v in units.items() if v is not None}
    for code, label, value_type, topic in LOCAL_METRICS:
        Metric.objects.get_or_create(
            code=code, defaults={"label": label, "value_type": value_type, "field": topic}
        )
    created = 0
    with transaction.atomic():
        created += _bach_thong(u)
        created += _thach_ha(u)
        created += _kien_tuong(u)
        _kien_tuong_round(out)
        created += _thach_that(u)
        _account(u)
    out.write(f"  sự kiện kiểm tra / events: {created} mới")


def _metric(code: str) -> Metric:
    return Metric.objects.get(code=code)


def _body(name: str, **values: Any) -> IssuingBody:
    body, _ = IssuingBody.objects.get_or_create(name=name, defaults=values)
    return body


def _event(spec: EventSpec, source: str) -> Inspection | None:
    if Inspection.objects.filter(body=spec.body, date=spec.on, title=spec.title).exists():
        return None
    return services.inspection_create(
        user=None,
        body=spec.body,
        kind=spec.kind,
        title=spec.title,
        on=spec.on,
        visits=spec.visits,
        half_day=spec.half_day,
        legal_basis=spec.legal_basis,
        topics=spec.topics,
        period_text=spec.period_text,
        period_start=spec.period_start,
        period_end=spec.period_end,
        team_name=spec.team_name,
        team_number=spec.team_number,
        date_note=spec.date_note,
        summary=spec.summary,
        source_note=source,
    )


def _findings(event: Inspection, units: list[Unit], kind: str, rows: list[tuple[str, str]]) -> None:
    for field_code, text in rows:
        services.finding_add(
            user=None, event=event, kind=kind, field_code=field_code, text=text, units=units
        )


def _directives(
    event: Inspection, units: list[Unit], rows: list[tuple[str, str]], review_on: date, **kw: Any
) -> None:
    for field_code, text in rows:
        services.directive_create(
            user=None,
            event=event,
            text=text,
            units=units,
            ongoing=True,
            review_on=review_on,
            field_code=field_code,
            note=SYNTHETIC_REVIEW,
            **kw,
        )


def _figures(event: Inspection, unit: Unit, rows: list[tuple[str, str]], source: str) -> None:
    for code, value in rows:
        services.figure_record(
            user=None, event=event, unit=unit, metric=_metric(code), raw=value, source=source
        )


# --- Bạch Thông, 21/9/2022: two teams, Vi Hương and Lục Bình ---------------------------


def _bach_thong(u: dict[str, Unit]) -> int:
    district, vi_huong, luc_binh = u["063@legacy"], u["01975@legacy"], u["01990@legacy"]
    committee, _ = SteeringCommittee.objects.get_or_create(
        unit=district,
        name="Ban Chỉ đạo cải cách hành chính và chuyển đổi số huyện Bạch Thông",
        defaults={"scope": Scope.BOTH},
    )
    bcd = _body(
        "Ban Chỉ đạo CCHC và CĐS huyện Bạch Thông",
        kind=BodyKind.STEERING_COMMITTEE,
        unit=district,
        superior="UBND huyện Bạch Thông",
        symbol="BCĐ",
        place="Bạch Thông",
        signer_collective="Ban chỉ đạo",
        signer_head_title="Trưởng ban",
    )
    bcd.committees.add(committee)
    ubnd = _body(
        "UBND huyện Bạch Thông",
        kind=BodyKind.PEOPLES_COMMITTEE,
        unit=district,
        superior="",
        symbol="UBND",
        place="Bạch Thông",
        signer_collective="Ủy ban nhân dân",
        signer_head_title="Chủ tịch",
    )
    plan_title = "Kế hoạch kiểm tra CCHC và CĐS năm 2022 (dữ liệu mẫu)"
    plan = InspectionPlan.objects.filter(body=bcd, year=2022, title=plan_title).first()
    if plan is None:
        plan = services.plan_create(user=None, body=bcd, year=2022, title=plan_title)
        services.planned_event_add(
            user=None,
            plan=plan,
            units=[vi_huong],
            planned_date=date(2022, 9, 21),
            half_day=HalfDay.AFTERNOON,
            topics=["I", "II", "III", "V", "VI", "DX"],
            team_number=1,
        )
    created = 0
    source = (
        "Bài “Kiểm tra cải cách hành chính và chuyển đổi số tại xã Vi Hương” (seeds/000). "
        "Nhận xét, chỉ đạo diễn đạt lại. Kế hoạch năm 2022 là dữ liệu mẫu."
    )
    event = _event(
        EventSpec(
            key="000",
            body=bcd,
            kind=EventKind.INSPECTION,
            title="Kiểm tra công tác CCHC và CĐS tại xã Vi Hương",
            on=date(2022, 9, 21),
            half_day=HalfDay.AFTERNOON,
            visits=[services.Visit(vi_huong)],
            topics=["I", "II", "III", "V", "VI", "VII", "DX"],
            period_text="Từ đầu năm 2022 đến ngày kiểm tra",
            team_name="Đoàn công tác Ban Chỉ đạo CCHC và CĐS huyện",
        ),
        source,
    )
    if event is not None:
        created += 1
        event.planned = plan.events.first()
        event.plan = plan
        event.team_number = 1
        event.save(update_fields=["planned", "plan", "team_number"])
        services.team_member_add(
            user=None,
            event=event,
            role=TeamRole.HEAD,
            organisation="UBND huyện Bạch Thông",
            name="Nguyễn Duy Luân",
            title="Ủy viên Ban Thường vụ Huyện ủy, Phó Chủ tịch UBND huyện",
        )
        services.host_add(user=None, event=event, title="Lãnh đạo UBND xã Vi Hương", is_group=True)
        _figures(
            event,
            vi_huong,
            [
                ("staff_computer_internet_pct", "100"),
                ("documents_electronic_pct", "100"),
                ("smart_commune_phase", "Giai đoạn 1: không duy trì được kết quả"),
            ],
            "Báo cáo của UBND xã tại buổi kiểm tra",
        )
        _findings(
            event,
            [vi_huong],
            FindingKind.ACHIEVEMENT,
            [
                (
                    "I",
                    "Xã làm tốt cải cách thể chế, thủ tục hành chính, chế độ công vụ và tài "
                    "chính công từ đầu năm; chấp hành nghiêm quy chế làm việc.",
                ),
                ("V", "Chất lượng thực thi công vụ ở địa phương được nâng lên."),
                (
                    "DX",
                    "Chuyển đổi số được chỉ đạo sát sao: mọi cán bộ, công chức có máy tính "
                    "nối Internet, văn bản (trừ văn bản mật) được xử lý trên mạng.",
                ),
            ],
        )
        _findings(
            event,
            [vi_huong],
            FindingKind.SHORTCOMING,
            [
                (
                    "I",
                    "Một số nội dung chỉ đạo CCHC chưa bám sát thực tế; chỉ đạo thiếu quyết liệt.",
                ),
                ("DX", "Không giữ được kết quả giai đoạn 1 của mô hình xã thông minh."),
                ("DX", "Tuyên truyền về chuyển đổi số chưa đổi mới, hiệu quả thấp."),
            ],
        )
        _directives(
            event,
            [vi_huong],
            [
                (
                    "I",
                    "Tiếp thu ý kiến của đoàn; người đứng đầu tiếp tục nêu gương trong CCHC "
                    "và chuyển đổi số.",
                ),
                ("VII", "Nâng chất lượng dịch vụ công trực tuyến mức độ 4."),
                ("V", "Thường xuyên lắng nghe ý kiến người dân để nâng chất lượng công vụ."),
                (
                    "DX",
                    "Đổi mới tuyên truyền chuyển đổi số, chú trọng lực lượng nòng cốt như "
                    "đoàn thanh niên và học sinh.",
                ),
                (
                    "DX",
                    "Rà soát thiết bị đã đầu tư, làm rõ vì sao không duy trì được giai đoạn 1 "
                    "và lập kế hoạch triển khai giai đoạn 2 xã thông minh.",
                ),
            ],
            review_on=date(2022, 12, 15),
            addressee_label="UBND xã Vi Hương",
        )

    source = (
        "Bài về đoàn kiểm tra của UBND huyện Bạch Thông tại xã Lục Bình (seeds/001). "
        "Nhận xét, chỉ đạo diễn đạt lại; số liệu hồ sơ đúng như bài."
    )
    event = _event(
        EventSpec(
            key="001",
            body=ubnd,
            kind=EventKind.INSPECTION,
            title="Kiểm tra công tác CCHC và hoạt động CĐS tại xã Lục Bình",
            on=date(2022, 9, 21),
            visits=[services.Visit(luc_binh)],
            topics=["I", "III", "V", "VII", "DX"],
            period_text="Kỳ báo cáo hồ sơ TTHC",
            period_start=date(2021, 12, 15),
            period_end=date(2022, 9, 19),
            team_name="Đoàn kiểm tra của UBND huyện Bạch Thông",
        ),
        source,
    )
    if event is not None:
        created += 1
        services.team_member_add(
            user=None,
            event=event,
            role=TeamRole.HEAD,
            organisation="UBND huyện Bạch Thông",
            name="Đinh  Q uang Hưng ",  # as printed; normalised on the way in
            title="Phó Bí thư Huyện ủy, Chủ tịch UBND huyện",
        )
        services.team_member_add(
            user=None,
            event=event,
            role=TeamRole.MEMBER,
            organisation="Đại diện các cơ quan, ban ngành huyện",
        )
        services.host_add(
            user=None,
            event=event,
            unit=luc_binh,
            title="Thường trực Đảng ủy – HĐND – UBND xã Lục Bình",
            is_group=True,
        )
        services.host_add(
            user=None,
            event=event,
            unit=luc_binh,
            title="Thành viên BCĐ cải cách hành chính và BCĐ chuyển đổi số xã",
            is_group=True,
        )
        _figures(
            event,
            luc_binh,
            [
                ("dossiers_received", "926"),
                ("dossiers_carried_over", "1"),
                ("dossiers_resolved", "927"),
                ("dossiers_resolved_on_time", "927"),
                ("dossiers_resolved_late", "0"),
                ("dossiers_in_progress", "0"),
                ("dossiers_postal_received", "0"),
                ("results_postal_returned", "0"),
            ],
            "Báo cáo của UBND xã Lục Bình (15/12/2021–19/9/2022)",
        )
        _findings(
            event,
            [luc_binh],
            FindingKind.ACHIEVEMENT,
            [
                (
                    "I",
                    "Cấp ủy, chính quyền xã coi CCHC và chuyển đổi số là nhiệm vụ trọng tâm, "
                    "dùng làm thước đo hoàn thành nhiệm vụ của cán bộ, công chức.",
                ),
                (
                    "III",
                    "Cơ chế một cửa, một cửa liên thông vận hành tốt; quy trình tiếp nhận, "
                    "trả kết quả đúng quy định; TTHC được niêm yết công khai.",
                ),
                (
                    "VII",
                    "Ứng dụng CNTT trong điều hành được quan tâm; một số cá nhân chủ động "
                    "nâng kỹ năng số.",
                ),
            ],
        )
        _findings(
            event,
            [luc_binh],
            FindingKind.SHORTCOMING,
            [
                ("VII", "Ít hồ sơ TTHC nộp qua dịch vụ công trực tuyến mức độ 4."),
                ("III", "Chưa có hồ sơ nào tiếp nhận hoặc trả kết quả qua dịch vụ BCCI."),
                ("III", "Người dân ít tự tìm hiểu TTHC niêm yết, chủ yếu hỏi trực tiếp cán bộ."),
                (
                    "DX",
                    "Kết quả chuyển đổi số còn thấp; Tổ công nghệ số cộng đồng hoạt động "
                    "chưa thực chất, thành viên kiêm nhiệm.",
                ),
                (
                    "VII",
                    "Tuyên truyền về dịch vụ công trực tuyến mức độ cao và BCCI chưa "
                    "thường xuyên, hình thức chưa đa dạng.",
                ),
            ],
        )
        _directives(
            event,
            [luc_binh],
            [
                ("V", "Tiếp tục nâng chất lượng đội ngũ cán bộ, công chức trong thực thi công vụ."),
                ("I", "Khắc phục các vướng mắc, tồn tại mà đoàn đã chỉ ra."),
                ("III", "Làm tốt việc niêm yết công khai TTHC tại Bộ phận Một cửa của xã."),
            ],
            review_on=date(2022, 12, 15),
            addressee_label="UBND xã Lục Bình",
        )
    return created


# --- Thạch Hà, 21/7/2022: the provincial appraisal council's team ------------------------


def _thach_ha(u: dict[str, Unit]) -> int:
    province, district = u["42@legacy"], u["445@legacy"]
    thach_lac, thach_van = u["18622@legacy"], u["18631@legacy"]
    council = _body(
        "Hội đồng thẩm định Chỉ số CCHC tỉnh Hà Tĩnh",
        kind=BodyKind.APPRAISAL_COUNCIL,
        unit=province,
        superior="UBND tỉnh Hà Tĩnh",
        team_head_label="Tổ trưởng",
        symbol="HĐTĐ",
        place="Hà Tĩnh",
        signer_collective="Hội đồng thẩm định",
        signer_head_title="Chủ tịch Hội đồng",
    )
    title = "Kiểm tra, thẩm định công tác CCHC 6 tháng đầu năm 2022 tại huyện Thạch Hà"
    if Inspection.objects.filter(body=council, date=date(2022, 7, 21), title=title).exists():
        return 0
    decision = DocumentRef.objects.filter(number="1291/QĐ-UBND", date=date(2022, 6, 23)).first()
    if decision is None:
        decision = documentref_create(
            user=None,
            number="1291/QĐ-UBND",
            date=date(2022, 6, 23),
            issuer="UBND tỉnh Hà Tĩnh",
            summary="Thành lập Đoàn kiểm tra - Hội đồng thẩm định Chỉ số CCHC tỉnh",
            unit=province,
        )
    # On 21/7/2022 both communes belonged to huyện Thạch Hà (the unit table has no dated
    # parent for Thạch Văn, so the article's parent is given here).
    event = _event(
        EventSpec(
            key="002",
            body=council,
            kind=EventKind.APPRAISAL,
            title=title,
            on=date(2022, 7, 21),
            visits=[
                services.Visit(thach_lac, HalfDay.MORNING, "Huyện Thạch Hà"),
                services.Visit(thach_van, HalfDay.MORNING, "Huyện Thạch Hà"),
                services.Visit(district, HalfDay.AFTERNOON),
            ],
            legal_basis="Quyết định số 1291/QĐ-UBND ngày 23/6/2022 của UBND tỉnh",
            topics=["I", "III", "V", "VI", "VII"],
            period_text="6 tháng đầu năm 2022",
            team_name="Đoàn kiểm tra - Hội đồng thẩm định Chỉ số CCHC tỉnh",
        ),
        "Bài về Đoàn kiểm tra - Hội đồng thẩm định Chỉ số CCHC tỉnh tại huyện Thạch Hà "
        "(seeds/002). Nhận xét, chỉ đạo diễn đạt lại.",
    )
    assert event is not None
    event.legal_basis_ref = decision
    event.save(update_fields=["legal_basis_ref"])
    services.team_member_add(
        user=None,
        event=event,
        role=TeamRole.HEAD,
        organisation="Sở Nội vụ tỉnh Hà Tĩnh",
        name="Bùi Quang Dương",
        title="Phó Giám đốc Sở Nội vụ",
    )
    services.host_add(
        user=None,
        event=event,
        unit=district,
        name="Nguyễn Bá Hà",
        title="Ủy viên Ban Thường vụ Huyện ủy, Phó Chủ tịch UBND huyện",
    )
    services.host_add(
        user=None,
        event=event,
        unit=district,
        title="Đại diện các phòng, ban, đơn vị liên quan của huyện",
        is_group=True,
    )
    all_three = [thach_lac, thach_van, district]
    _findings(
        event,
        all_three,
        FindingKind.ACHIEVEMENT,
        [
            ("I", "Lãnh đạo, chỉ đạo kịp thời; tuyên truyền được quan tâm."),
            ("VI", "Thu ngân sách đạt và vượt kế hoạch."),
            ("V", "Chất lượng đội ngũ cán bộ, công chức ngày càng được nâng lên."),
        ],
    )
    _findings(
        event,
        all_three,
        FindingKind.SHORTCOMING,
        [
            ("I", "Việc khắc phục các tồn tại, hạn chế đã chỉ ra năm 2021 chưa đạt yêu cầu."),
            (
                "VII",
                "Tỷ lệ hồ sơ qua dịch vụ công trực tuyến mức độ 3, 4 (ở những dịch vụ có "
                "phát sinh hồ sơ) còn thấp.",
            ),
            (
                "V",
                "Đào tạo, bồi dưỡng chuyên môn cho cán bộ, công chức, nhất là cấp xã, chưa "
                "được chú trọng thường xuyên.",
            ),
        ],
    )
    _directives(
        event,
        [district],
        [
            (
                "I",
                "Tập trung khắc phục tồn tại, hạn chế của năm 2021 và những điểm đoàn vừa chỉ ra.",
            ),
            (
                "VII",
                "Đẩy mạnh tuyên truyền về CCHC, nhất là dịch vụ công trực tuyến mức độ 3, "
                "4, để người dân và doanh nghiệp biết và sử dụng.",
            ),
            ("V", "Mở lớp đào tạo, bồi dưỡng chuyên môn cho cán bộ, công chức, đặc biệt cấp xã."),
        ],
        review_on=date(2022, 12, 31),
        addressee_label="UBND huyện Thạch Hà",
    )
    return 1


# --- Kiến Tường, quarter I 2024: the two committees meet jointly --------------------------


def _kien_tuong(u: dict[str, Unit]) -> int:
    town = u["795@legacy"]
    par, _ = SteeringCommittee.objects.get_or_create(
        unit=town,
        name="Ban Chỉ đạo cải cách hành chính thị xã Kiến Tường",
        defaults={"scope": Scope.PAR},
    )
    dx, _ = SteeringCommittee.objects.get_or_create(
        unit=town, name="Ban Chỉ đạo chuyển đổi số thị xã Kiến Tường", defaults={"scope": Scope.DX}
    )
    body = _body(
        "BCĐ cải cách hành chính và BCĐ chuyển đổi số thị xã Kiến Tường",
        kind=BodyKind.STEERING_COMMITTEE,
        unit=town,
        superior="UBND thị xã Kiến Tường",
        symbol="BCĐ",
        place="Kiến Tường",
        signer_collective="Ban chỉ đạo",
        signer_head_title="Trưởng ban",
    )
    body.committees.add(par, dx)
    group, made = UnitGroup.objects.get_or_create(
        name="Các xã, phường thuộc thị xã Kiến Tường (trước 1/7/2025)"
    )
    if made:
        group.units.set(town.children.all())
    event = _event(
        EventSpec(
            key="003",
            body=body,
            kind=EventKind.MEETING,
            title="Hội nghị BCĐ cải cách hành chính và BCĐ chuyển đổi số quý I năm 2024",
            on=date(2024, 3, 18),
            visits=[services.Visit(town)],
            topics=["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "DX"],
            period_text="Kết quả năm 2023",
            period_start=date(2023, 1, 1),
            period_end=date(2023, 12, 31),
            date_note="Ngày đăng bài (18/03/2024); bài không nêu ngày họp",
        ),
        "Bài “Kiến Tường họp BCĐ cải cách hành chính và BCĐ chuyển đổi số quí I năm 2024”, "
        "đăng 18/03/2024 (seeds/003). Nhận xét, chỉ đạo diễn đạt lại.",
    )
    if event is None:
        return 0
    services.team_member_add(
        user=None,
        event=event,
        role=TeamRole.HEAD,
        organisation="UBND thị xã Kiến Tường",
        name="Nguyễn Văn Vũ",
        title="Chủ tịch UBND thị xã, chủ trì hội nghị",
    )
    _figures(
        event,
        town,
        [
            ("par_index_points", "73,63"),
            ("par_index_change", "-4,3"),
            ("par_rank", "11/15 huyện, thị xã, thành phố"),
            ("dx_index_points", "409,66"),
            ("plan_tasks_total", "30"),
            ("plan_tasks_done", "30"),
        ],
        "Kết quả đánh giá năm 2023 báo cáo tại hội nghị",
    )
    groups = [
        ("I", "lãnh đạo, điều hành"),
        ("II", "tham mưu xây dựng và thực hiện văn bản quy phạm pháp luật"),
        ("III", "cải cách thủ tục hành chính"),
        ("IV", "cải cách tổ chức bộ máy hành chính"),
        ("V", "cải cách chế độ công vụ"),
        ("VI", "cải cách tài chính công"),
        ("VII", "xây dựng và phát triển chính quyền điện tử, chính quyền số"),
        ("VIII", "tác động của CCHC đến phát triển kinh tế - xã hội"),
    ]
    for code, name in groups:
        services.outline_add(
            user=None,
            event=event,
            topic=code,
            question=f"Giải trình nội dung mất điểm năm 2023 của nhóm chỉ số về {name}",
        )
    _findings(
        event,
        [town],
        FindingKind.ACHIEVEMENT,
        [
            (
                "I",
                "CCHC năm 2023 triển khai đồng bộ theo kế hoạch của tỉnh; mọi cơ quan, đơn "
                "vị, UBND cấp xã và đơn vị ngành dọc đã có kế hoạch; hoàn thành 30/30 nhiệm vụ.",
            ),
        ],
    )
    _findings(
        event,
        [town],
        FindingKind.SHORTCOMING,
        [
            (
                "I",
                "Chỉ số CCHC 2023 đạt 73,63 điểm, giảm 4,3 điểm so với 2022, xếp 11/15; "
                "nhiều tiêu chí thành phần đạt thấp.",
            ),
        ],
    )
    _directives(
        event,
        [],
        [
            (
                "I",
                "Khẩn trương lập kế hoạch khắc phục tồn tại, hạn chế và đề ra giải pháp nâng "
                "Chỉ số CCHC và điểm chuyển đổi số năm 2024.",
            ),
        ],
        review_on=date(2024, 6, 30),
        group=group,
        addressee_label="Thủ trưởng các cơ quan, đơn vị; Chủ tịch UBND các xã, phường",
    )
    return 1


# Explanations of the lost points: the article says the specialised offices explained
# group by group, not what they said, so the two below are illustrative and say so.
ILLUSTRATIVE = "Minh họa — bài báo không nêu nội dung giải trình: "
KIEN_TUONG_EXPLANATIONS = [
    (
        "I",
        ILLUSTRATIVE + "tiêu chí về mức độ hoàn thành kế hoạch và kiểm tra CCHC chưa đạt điểm "
        "tối đa do tài liệu kiểm chứng nộp chưa đầy đủ; năm 2024 phân công rà soát trước khi "
        "gửi tự đánh giá.",
    ),
    (
        "II",
        ILLUSTRATIVE + "kế hoạch rà soát, hệ thống hóa văn bản QPPL ban hành trễ hạn nên bị "
        "trừ điểm; giao Phòng Tư pháp theo dõi tiến độ ngay từ đầu năm.",
    ),
]


def _kien_tuong_round(out: Any) -> None:
    """Attach the published PAR 2023 round (assessments demo) to the Kiến Tường meeting,
    explain two fields and flag the directive as starting a remediation plan."""
    event = Inspection.objects.filter(
        body__name="BCĐ cải cách hành chính và BCĐ chuyển đổi số thị xã Kiến Tường",
        date=date(2024, 3, 18),
        kind=EventKind.MEETING,
    ).first()
    rnd = AssessmentRound.objects.filter(
        code="par-long-an-2023", status=RoundStatus.PUBLISHED
    ).first()
    if event is None or rnd is None:
        out.write("  (hội nghị Kiến Tường: chưa có đợt đánh giá CCHC 2023 đã công bố; bỏ qua)")
        return
    if event.assessment_round_id is None:
        links.round_attach(user=None, event=event, rnd=rnd)
    town = event.visits.get().unit
    for code, text in KIEN_TUONG_EXPLANATIONS:
        if not event.explanations.filter(round=rnd, unit=town, field_code=code).exists():
            links.explanation_save(user=None, event=event, unit=town, field_code=code, text=text)
    for directive in event.directives.filter(starts_remediation_plan=False):
        links.directive_plan_flag(user=None, directive=directive, flag=True)


# --- Thạch Thất, 16/5/2023: People's Council supervision team no. 1 -----------------------


def _thach_that(u: dict[str, Unit]) -> int:
    city, district = u["01@legacy"], u["276@legacy"]
    body = _body(
        "Đoàn giám sát của HĐND Thành phố Hà Nội",
        kind=BodyKind.COUNCIL_SUPERVISION,
        unit=city,
        superior="HĐND Thành phố Hà Nội",
        notice_issuer="Thường trực HĐND Thành phố",
        symbol="HĐND",
        place="Hà Nội",
        signer_collective="Thường trực HĐND",
        signer_head_title="Chủ tịch",
    )
    event = _event(
        EventSpec(
            key="004",
            body=body,
            kind=EventKind.SUPERVISION,
            title="Giám sát CCHC, chính quyền điện tử và chuyển đổi số tại huyện Thạch Thất",
            on=date(2023, 5, 16),
            half_day=HalfDay.MORNING,
            visits=[services.Visit(district)],
            topics=["I", "III", "IV", "V", "VII", "DX"],
            team_name="Đoàn giám sát số 1",
            team_number=1,
        ),
        "Bài về Đoàn giám sát số 1 của HĐND Thành phố tại huyện Thạch Thất (seeds/004). "
        "Nhận xét, chỉ đạo diễn đạt lại.",
    )
    if event is None:
        return 0
    services.team_member_add(
        user=None,
        event=event,
        role=TeamRole.HEAD,
        organisation="HĐND Thành phố Hà Nội",
        name="Phùng Thị Hồng Hà",
        title="Ủy viên Ban Thường vụ Thành ủy, Phó Chủ tịch Thường trực HĐND Thành phố",
    )
    for organisation in (
        "Chuyên gia về cải cách hành chính",
        "Lãnh đạo một số sở, ngành Thành phố",
    ):
        services.team_member_add(
            user=None, event=event, role=TeamRole.MEMBER, organisation=organisation
        )
    for name, title in (
        ("Lê Minh Đức", "Thành ủy viên, Bí thư Huyện ủy"),
        ("Nguyễn Mạnh Hồng", "Phó Bí thư Huyện ủy, Chủ tịch UBND huyện"),
        ("Nguyễn Minh Hồng", "Phó Bí thư Thường trực Huyện ủy, Chủ tịch HĐND huyện"),
    ):
        services.host_add(user=None, event=event, unit=district, name=name, title=title)
    services.host_add(
        user=None,
        event=event,
        unit=district,
        title="Thường trực HĐND, lãnh đạo UBND huyện; lãnh đạo một số ban, ngành, UBND xã, "
        "thị trấn",
        is_group=True,
    )
    _figures(
        event,
        district,
        [
            ("officials_rotated_8y_pct", "100"),
            ("tthc_one_stop_pct", "100"),
            ("agencies_dms_pct", "100"),
        ],
        "Báo cáo của UBND huyện tại buổi giám sát",
    )
    _findings(
        event,
        [district],
        FindingKind.ACHIEVEMENT,
        [
            ("IV", "Tổ chức bộ máy được sắp xếp đúng quy định."),
            (
                "V",
                "Đã luân chuyển 100% cán bộ giữ chức vụ trên 8 năm tại một cơ quan; bổ "
                "nhiệm đúng quy trình.",
            ),
            (
                "III",
                "Mọi TTHC thuộc thẩm quyền huyện và xã được giải quyết theo cơ chế một "
                "cửa, một cửa liên thông.",
            ),
            (
                "VII",
                "Mọi cơ quan, đơn vị và UBND xã, thị trấn dùng hiệu quả phần mềm quản lý "
                "văn bản; lãnh đạo các cấp ký số văn bản phát hành.",
            ),
        ],
    )
    _directives(
        event,
        [district],
        [
            (
                "I",
                "Coi CCHC là nhiệm vụ then chốt, đột phá; trước hết đẩy mạnh tuyên truyền "
                "nghị quyết, chỉ thị của Trung ương, kế hoạch của Thành ủy và nghị quyết của "
                "HĐND Thành phố.",
            ),
            (
                "I",
                "Làm rõ trách nhiệm người đứng đầu; rà soát nguyên nhân (chính sách, con "
                'người, bộ máy) để nâng điểm và Chỉ số CCHC; thực hiện "5 rõ".',
            ),
            (
                "III",
                "Thường xuyên rà soát quy trình, thủ tục; đa dạng kênh tiếp nhận phản ánh, "
                "kiến nghị của người dân.",
            ),
            (
                "DX",
                "Có biện pháp mạnh hơn về chuyển đổi số, đầu tư hạ tầng CNTT và bảo đảm "
                "nguồn nhân lực, nhất là cán bộ CNTT.",
            ),
        ],
        review_on=date(2023, 11, 30),
        addressee_label="UBND huyện Thạch Thất",
    )
    return 1


def _account(u: dict[str, Unit]) -> None:
    """A demo secretariat of Bạch Thông (made up for the demo) to record and verify."""
    user, created = User.objects.get_or_create(username="bcd.bachthong")
    if created:
        user.first_name = "Văn phòng BCĐ huyện Bạch Thông (tài khoản mẫu)"
        user.set_password(DEMO_PASSWORD)
        user.save()
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.SECRETARIAT, unit=u["063@legacy"], field_code=""
    )
