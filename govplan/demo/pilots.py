"""The demo's pilot (issue 17): a shared document-management and executive platform piloted in
Hà Nội and the Ministry of Finance, with three milestones (one evaluated, one that Hà Nội
has evaluated itself, one not yet due), judged by the document-management indicators the
national slice (``generate_national --scale tiny``) holds figures of. Loaded by load_demo;
running it again changes nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govplan.accounts.models import User
from govplan.orgunits.models import OrgUnit
from govplan.pilots.actions import (
    do_add_milestone,
    do_create_pilot,
    do_designate_unit,
    do_evaluate_milestone,
    do_self_evaluate,
)
from govplan.pilots.models import Pilot, Rating

NAME = "Nền tảng quản lý văn bản và điều hành dùng chung"
START = dt.date(2025, 9, 1)
INDICATORS = ["QLVB.DON_VI", "VB.DIEN_TU", "CKS.VB_KY_SO", "QLVB.LIEN_THONG"]
DESCRIPTION = (
    "Mô hình điểm một nền tảng quản lý văn bản và điều hành dùng chung, do Cục Chuyển đổi số "
    "quốc gia cung cấp, triển khai thí điểm tại Thành phố Hà Nội (cấp tỉnh) và Bộ Tài chính "
    "(cấp bộ) trước khi nhân rộng.\n\n"
    "Về lịch sử: Thông báo kết luận của Phó Thủ tướng Nguyễn Thiện Nhân tại cuộc họp ngày "
    "28/12/2007 về Chương trình ứng dụng công nghệ thông tin trong hoạt động của cơ quan nhà "
    "nước giai đoạn 2007 - 2010 đã giao chọn, trong số các Văn phòng Ủy ban nhân dân cấp "
    "huyện, đơn vị có phần mềm quản lý văn phòng hiệu quả nhất để nâng cấp thành phần mềm "
    "dùng chung, và yêu cầu “xác định rõ các Bộ, địa phương được chọn làm mô hình điểm… lộ "
    "trình và tiến độ triển khai, từng bước đánh giá rút kinh nghiệm”. Cấp huyện không còn từ "
    "ngày 01/7/2025, nên mô hình ngày nay được thí điểm ở cấp tỉnh và cấp bộ."
)
MILESTONES = (
    ("Hoàn thành cài đặt, kết nối tại văn phòng và các đơn vị trực thuộc", dt.date(2025, 12, 31)),
    ("Liên thông văn bản điện tử qua Trục liên thông văn bản quốc gia", dt.date(2027, 3, 31)),
    ("Sơ kết, đánh giá và đề xuất nhân rộng", dt.date(2027, 9, 30)),
)


def _unit(scheme: str, code: str) -> OrgUnit:
    found = OrgUnit.objects.with_code(scheme, code, on=timezone.localdate()).first()
    if found is None:
        raise LookupError(f"Reference unit {scheme}:{code} is missing: run load_reference_data")
    return found


def create_demo_pilot(admin: User, hanoi_editor: User) -> bool:
    """The demo pilot, made through the actions as a central administrator and Hà Nội's
    editor would; False when it is there already."""
    if Pilot.objects.filter(name=NAME).exists():
        return False
    central = _unit("govplan", "CDSQG")
    hanoi = _unit("gso-province", "01")
    finance = _unit("govplan", "BTC")
    pilot = do_create_pilot(
        name=NAME,
        description=DESCRIPTION,
        programme=None,
        task=None,
        assigning_unit=central,
        start_date=START,
        end_date=dt.date(2027, 12, 31),
        indicator_codes=INDICATORS,
        actor=admin,
    )
    for unit in (hanoi, finance):
        do_designate_unit(pilot, unit, START, actor=admin)
    steps = [
        do_add_milestone(pilot, title=title, deadline=deadline, actor=admin)
        for title, deadline in MILESTONES
    ]
    do_evaluate_milestone(
        steps[0],
        reached_on=dt.date(2025, 12, 22),
        text=(
            "Hai đơn vị thí điểm đã cài đặt và đưa nền tảng vào sử dụng tại văn phòng và 100% "
            "đơn vị trực thuộc; cán bộ được tập huấn. Cần chuẩn hóa danh mục hồ sơ trước khi "
            "liên thông."
        ),
        rating=Rating.GOOD,
        actor=admin,
    )
    do_self_evaluate(
        steps[1],
        hanoi,
        written_on=dt.date(2026, 10, 15),
        text=(
            "Đã liên thông thử nghiệm với 12 sở, ngành; còn vướng chữ ký số của một số đơn vị "
            "cấp xã."
        ),
        rating=Rating.SATISFACTORY,
        actor=hanoi_editor,
    )
    return True
