"""The shipped frameworks against the letters they encode (docs/seeds, transcribed into the
expectations below): every numbered section and every table column of each letter is
present, in order, with the letter's own wording. Each expected title is itself checked to
occur in the seed text, so the expectations cannot drift from the letters."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from govplan.core.frameworks.files import FRAMEWORKS_DIR, read_framework
from govplan.core.frameworks.model import Framework

SEEDS = Path(__file__).resolve().parents[2] / "docs" / "seeds"
SEED_000 = "491-BTTTT-UDCNTT-2010.txt"
SEED_002 = "3500-BTTTT-THH-2017.txt"


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("*", "").replace("\\", "")
    return re.sub(r"\s+", " ", text).strip().rstrip(":").strip().casefold()


PLAN_2011_2015 = [
    ("I", "CĂN CỨ LẬP KẾ HOẠCH"),
    ("II", "HIỆN TRẠNG ỨNG DỤNG CNTT TRONG HOẠT ĐỘNG CỦA CƠ QUAN NHÀ NƯỚC"),
    ("II.1", "Môi trường pháp lý"),
    ("II.2", "Hạ tầng kỹ thuật"),
    ("II.3", "Ứng dụng CNTT trong nội bộ các cơ quan nhà nước"),
    ("II.4", "Ứng dụng CNTT phục vụ người dân và doanh nghiệp"),
    ("II.5", "Hiện trạng về nguồn nhân lực ứng dụng CNTT"),
    (
        "II.6",
        "Kinh phí triển khai các dự án ứng dụng CNTT chính trong các cơ quan nhà nước giai "
        "đoạn 2008 – 2010 và các dự án còn đang triển khai đến nay",
    ),
    ("III", "MỤC TIÊU ỨNG DỤNG CNTT TRONG HOẠT ĐỘNG CỦA CƠ QUAN NHÀ NƯỚC"),
    ("III.1", "Mục tiêu tổng quát"),
    ("III.2", "Mục tiêu cụ thể"),
    ("IV", "NỘI DUNG KẾ HOẠCH"),
    ("IV.1", "Hạ tầng kỹ thuật"),
    ("IV.2", "Ứng dụng CNTT trong nội bộ cơ quan nhà nước"),
    ("IV.3", "Ứng dụng CNTT phục vụ người dân và doanh nghiệp"),
    ("IV.4", "Nguồn nhân lực cho ứng dụng CNTT"),
    ("V", "GIẢI PHÁP"),
    ("V.1", "Giải pháp tài chính"),
    ("V.2", "Giải pháp triển khai"),
    ("V.3", "Giải pháp tổ chức"),
    ("V.4", "Giải pháp môi trường chính sách"),
    ("V.5", "Các giải pháp khác"),
    ("VI", "LỘ TRÌNH THỰC HIỆN"),
    ("VII", "KINH PHÍ THỰC HIỆN"),
    ("VIII", "DANH MỤC DỰ ÁN"),
    ("IX", "DỰ KIẾN HIỆU QUẢ CỦA KẾ HOẠCH"),
]

REPORT_2017 = [
    ("I", "KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU, NHIỆM VỤ CHÍNH PHỦ, THỦ TƯỚNG CHÍNH PHỦ GIAO"),
    ("I.1", "Ứng dụng CNTT để công bố, công khai thông tin, kết quả giải quyết thủ tục hành chính"),
    ("I.2", "Cung cấp dịch vụ công trực tuyến"),
    ("I.3", "Ứng dụng CNTT tại Bộ phận một cửa trong việc tiếp nhận, giải quyết TTHC"),
    ("I.4", "Ứng dụng CNTT trong hoạt động nội bộ"),
    ("I.4.a", "Triển khai hệ thống quản lý văn bản và điều hành, sử dụng văn bản điện tử"),
    ("I.4.b", "Kết quả triển khai các hệ thống thông tin, cơ sở dữ liệu"),
    ("I.4.b.b1", "Bộ Quốc phòng"),
    ("I.4.b.b2", "Bộ Công an"),
    ("I.4.b.b3", "Bộ Kế hoạch và Đầu tư"),
    ("I.4.b.b4", "Bộ Tài chính"),
    ("I.4.b.b5", "Bộ Nội vụ"),
    ("I.4.b.b6", "Bộ Tài nguyên và Môi trường"),
    ("I.4.b.b7", "Bộ Y tế"),
    ("I.4.b.b8", "Bộ Giao thông vận tải"),
    ("I.4.b.b9", "Bảo hiểm xã hội Việt Nam"),
    (
        "I.4.c",
        "Các giải pháp về tài chính, giải pháp kỹ thuật (kiến trúc Chính phủ điện tử, Kiến trúc "
        "CQĐT,...), tổ chức triển khai, gắn kết ứng dụng CNTT với CCHC đã thực hiện để ứng "
        "dụng CNTT",
    ),
    ("I.5", "Hạ tầng kỹ thuật"),
    ("I.6", "Nguồn nhân lực ứng dụng CNTT"),
    ("I.7", "Môi trường pháp lý"),
    (
        "II",
        "KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU, NHIỆM VỤ THEO KẾ HOẠCH ỦNG DỤNG CNTT GIAI ĐOẠN "
        "2016-2020, KẾ HOẠCH ỦNG DỤNG CNTT NĂM 2017",
    ),
    ("III", "NHỮNG VƯỚNG MẮC, TỒN TẠI, NGUYÊN NHÂN"),
    ("IV", "NHỮNG GIẢI PHÁP HIỆU QUẢ ĐÃ THỰC HIỆN"),
    ("V", "KIẾN NGHỊ, ĐỀ XUẤT"),
]

PLAN_2018 = [
    ("I", "CĂN CỨ LẬP KẾ HOẠCH"),
    ("II", "MỤC TIÊU ỨNG DỤNG CNTT NĂM 2018"),
    ("III", "NỘI DUNG KẾ HOẠCH"),
    ("III.1", "Ứng dụng CNTT trong nội bộ cơ quan nhà nước"),
    ("III.2", "Ứng dụng CNTT phục vụ người dân và doanh nghiệp"),
    (
        "III.3",
        "Xây dựng, hoàn thiện các HTTT, CSDL chuyên ngành; HTTT, CSDL quốc gia tạo nền tảng "
        "phát triển CPĐT",
    ),
    ("III.4", "Phát triển nguồn nhân lực"),
    ("III.5", "Phát triển hạ tầng kỹ thuật"),
    ("IV", "GIẢI PHÁP"),
    ("IV.1", "Giải pháp môi trường chính sách"),
    ("IV.2", "Giải pháp tài chính"),
    ("IV.3", "Giải pháp gắt kết chặt chẽ ứng dụng CNTT với cải cách hành chính"),
    ("IV.4", "Giải pháp bảo đảm an toàn thông tin"),
    ("IV.5", "Giải pháp tổ chức"),
    ("IV.6", "Các giải pháp khác"),
    ("V", "DANH MỤC NHIỆM VỤ, DỰ ÁN"),
    ("VI", "TỔ CHỨC THỰC HIỆN"),
]

# The letters' tables, header cells in order (TT is the row-number column).
SERVICES_2017 = [
    "TT",
    "Tên DVC trực tuyến (theo nhóm, lĩnh vực)",
    "Mức độ cung cấp (mức độ 3, 4)",
    "Tổng số hồ sơ tiếp nhận, xử lý trên môi trường mạng",
    "Tổng số hồ sơ thực tế tiếp nhận, xử lý (bao gồm cả trực tuyến, trực tiếp) từ 01/01/2017 "
    "đến 31/10/2017",
    "Địa chỉ Internet",
    "Văn bản quy định TTHC cung cấp DVC trực tuyến mức 3, 4 (QĐ 1819/QĐ-TTg; QĐ 846/QĐ-TTg; "
    "văn bản 2779/VPCP-KGVX)",
]
CATALOGUE_2018 = [
    "TT",
    "Tên nhiệm vụ, dự án",
    "Đơn vị chủ trì triển khai",
    "Lĩnh vực ứng dụng",
    "Dự án chuyênn tiếp hay dự án mới",
    "Mục tiêu đầu tư",
    "Quy mô nội dung đầu tư",
    "Phạm vi đầu tư",
    "Thời gian triển khai",
    "Nội dung đầu tư năm 2018",
    "Tổng mức đầu tư dự kiến",
    "Nguồn vốn (ghi rõ nguồn vốn là Ngân sách Trung ương; ngân sách địa phương; vốn ODA, ...)",
    "Kinh phí đầu tư năm 2018",
]

CASES = [
    ("kh-udcntt-2011-2015.yaml", SEED_000, PLAN_2011_2015, {}),
    ("bc-udcntt-2017.yaml", SEED_002, REPORT_2017, {"online_services": SERVICES_2017}),
    ("kh-udcntt-2018.yaml", SEED_002, PLAN_2018, {"projects": CATALOGUE_2018}),
]


def seed_text(name: str) -> str:
    return norm((SEEDS / name).read_text(encoding="utf-8"))


def columns_of(framework: Framework, code: str) -> list[str]:
    table = framework.table(code)
    assert table is not None, f"no table {code}"
    return (["TT"] if table.numbered else []) + [c.title for c in table.columns]


@pytest.mark.parametrize(("file", "seed", "sections", "tables"), CASES)
def test_the_expectations_are_the_letters_words(file, seed, sections, tables) -> None:  # type: ignore[no-untyped-def]
    text = seed_text(seed)
    for _, title in sections:
        assert norm(title) in text, title
    for headers in tables.values():
        header_line = norm("\t".join(headers))
        assert header_line in text, headers


@pytest.mark.parametrize(("file", "seed", "sections", "tables"), CASES)
def test_every_numbered_section_and_column_is_present_in_order(
    file, seed, sections, tables
) -> None:  # type: ignore[no-untyped-def]
    framework = read_framework(FRAMEWORKS_DIR / file)
    assert [(s.code, norm(s.title)) for s in framework.walk()] == [
        (code, norm(title)) for code, title in sections
    ]
    for code, headers in tables.items():
        assert [norm(c) for c in columns_of(framework, code)] == [norm(h) for h in headers]


def test_the_ministry_specific_tasks_apply_to_those_ministries_only() -> None:
    report = read_framework(FRAMEWORKS_DIR / "bc-udcntt-2017.yaml")
    tasks = report.section("I.4.b").sections
    assert [t.applies_to.units for t in tasks] == [
        ("govplan:BQP",),
        ("govplan:BCA",),
        ("govplan:BKHDT",),
        ("govplan:BTC",),
        ("govplan:BNV",),
        ("govplan:BTNMT",),
        ("govplan:BYT",),
        ("govplan:BGTVT",),
        ("govplan:BHXH",),
    ]
    assert tasks[0].applies("ministry", "govplan", "BQP")
    assert not tasks[0].applies("ministry", "govplan", "BCA")


def test_the_2018_catalogue_carries_roles_and_phasing() -> None:
    plan = read_framework(FRAMEWORKS_DIR / "kh-udcntt-2018.yaml")
    projects = plan.table("projects")
    assert projects is not None
    roles = [c.role for c in projects.columns]
    assert roles == [
        "project_name",
        "lead_unit",
        "application_field",
        "project_status",
        "objective",
        "scale",
        "scope",
        "duration",
        "year_content",
        "total_investment",
        "funding_source",
        "year_amount",
    ]
    assert projects.phasing is not None and "capital" in projects.phasing.types


def test_the_example_framework_is_labelled_as_an_example() -> None:
    example = read_framework(FRAMEWORKS_DIR / "kh-cds-2027-mau.yaml")
    assert example.example
    assert example.title.startswith("[Ví dụ]")
    assert example.follows == "KH-UDCNTT-2018"
    assert example.period.years() == [2027]


@pytest.mark.django_db
def test_loading_the_shipped_frameworks_again_changes_nothing() -> None:
    """`make run` loads them at every start: the second load must find nothing to do (it
    once refused every indicator with a disaggregation, comparing JSON lists to tuples)."""
    import io

    from django.core.management import call_command

    from govplan.audit.models import AuditEvent

    events = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("load_frameworks", stdout=out, stderr=out)
    assert "0 indicators added, 0 changed" in out.getvalue()
    assert "never changes meaning" not in out.getvalue()
    assert AuditEvent.objects.count() == events


def test_the_2011_2015_budget_is_by_content_and_reconciled_with_the_grouped_projects() -> None:
    """Letter 491: VII the budget "theo các nội dung", VIII the important projects with their
    expected funding; the projects come under the contents of IV, and the sources include a
    province's district and commune budgets."""
    plan = read_framework(FRAMEWORKS_DIR / "kh-udcntt-2011-2015.yaml")
    budget = plan.section("VII").budget
    assert budget is not None
    assert (budget.rows, budget.reconcile, budget.whole_period) == ("content", "warning", True)
    assert {"district_budget", "commune_budget"} <= set(budget.sources)
    projects = plan.table("projects")
    assert projects is not None and projects.phasing is not None
    assert projects.phasing.whole_period
    assert projects.phasing.sources == budget.sources
    contents = [s.title for s in plan.section("IV").sections]
    assert [g.title for g in projects.groups] == contents
    assert [g.number for g in projects.groups] == ["I", "II", "III", "IV"]
    titles = {s.code: s.title for s in plan.funding_sources}
    assert titles["district_budget"] == "Ngân sách cấp huyện"
    assert titles["commune_budget"] == "Ngân sách cấp xã"
    assert set(budget.sources) <= set(titles)


def test_a_lead_agency_column_where_the_letters_ask_for_one() -> None:
    """Letter 3500's catalogue asks for "Đơn vị chủ trì triển khai"; letter 491's asks for a
    project's name, objective, duration and funding only, and its framework adds none."""
    plan_2018 = read_framework(FRAMEWORKS_DIR / "kh-udcntt-2018.yaml")
    projects_2018 = plan_2018.table("projects")
    assert projects_2018 is not None and projects_2018.by_role("lead_unit") is not None
    plan_2011 = read_framework(FRAMEWORKS_DIR / "kh-udcntt-2011-2015.yaml")
    for code in ("projects", "projects_2008_2010"):
        table = plan_2011.table(code)
        assert table is not None and table.by_role("lead_unit") is None
    assert "chủ trì" not in seed_text(SEED_000)


def test_the_2018_plan_carries_the_letters_national_minimums() -> None:
    """3500/BTTTT-THH: "40% hồ sơ được xử lý trực tuyến đối với các dịch vụ công đã được cung
    cấp trực tuyến tại mức độ 3, 30% … tại mức độ 4" for 2018."""
    text = seed_text(SEED_002)
    assert norm("hướng tới mục tiêu 40% hồ sơ được xử lý trực tuyến") in text
    assert norm("30% hồ sơ được xử lý trực tuyến đối với các dịch vụ công") in text
    plan = read_framework(FRAMEWORKS_DIR / "kh-udcntt-2018.yaml")
    assert [(f.indicator, f.option, f.minimum, f.year) for f in plan.national] == [
        ("DVC.HO_SO_TRUC_TUYEN_2011", "M3", "40", 2018),
        ("DVC.HO_SO_TRUC_TUYEN_2011", "M4", "30", 2018),
    ]
    # Asked as a target of the plan, so the plan's targets are compared with them.
    section = plan.section("II")
    assert section is not None and section.targets is not None
    assert "DVC.HO_SO_TRUC_TUYEN_2011" in section.targets.indicators


def test_the_2017_outline_sets_the_ministries_targets_as_figures() -> None:
    """3500/BTTTT-THH, I.4.b: BKHĐT's 50/40/20/10 % and BTC's 95/90/50 % are targets of those
    ministries, asked as indicators of their own sections and compared with their values."""
    text = seed_text(SEED_002)
    for words in (
        "tối thiểu 50% số lượng các gói thầu chào hàng cạnh tranh, 40% số lượng các gói thầu",
        "tỷ lệ cấp đăng ký doanh nghiệp qua mạng đạt 20%",
        "tỷ lệ cấp giấy chứng nhận đầu tư qua mạng đạt 10%",
        "95% hồ sơ khai thuế của doanh nghiệp được nộp qua mạng",
        "90% số doanh nghiệp thực hiện nộp thuế qua mạng",
        "50% số hộ, cá nhân kinh doanh kê khai nghĩa vụ thuế phát sinh qua mạng",
    ):
        assert norm(words) in text, words
    report = read_framework(FRAMEWORKS_DIR / "bc-udcntt-2017.yaml")
    assert [(t.units, t.indicator, t.value) for t in report.unit_targets] == [
        (("govplan:BKHDT",), "DTQM.CHAO_HANG_CANH_TRANH", "50"),
        (("govplan:BKHDT",), "DTQM.QUY_MO_NHO", "40"),
        (("govplan:BKHDT",), "DKDN.QUA_MANG", "20"),
        (("govplan:BKHDT",), "DTU.GCN_QUA_MANG", "10"),
        (("govplan:BTC",), "THUE.KHAI_THUE_QUA_MANG", "95"),
        (("govplan:BTC",), "THUE.NOP_THUE_QUA_MANG", "90"),
        (("govplan:BTC",), "THUE.HO_CA_NHAN_QUA_MANG", "50"),
    ]
    tasks = {t.applies_to.units[0]: t for t in report.section("I.4.b").sections}
    for target in report.unit_targets:
        section = tasks[target.units[0]]
        assert target.indicator in [u.indicator for u in section.indicators]
        assert report.indicators[target.indicator].type == "ratio"
        assert report.indicators[target.indicator].unit == "%"


# Where a letter says "có thể bao gồm (không giới hạn)", the sub-sections it lists are
# suggestions: the framework marks them so, and none of them is required on its own.
SUGGESTED = [
    ("kh-udcntt-2011-2015.yaml", SEED_000, "IV", "Kế hoạch có thể bao gồm (không giới hạn)"),
    (
        "kh-udcntt-2011-2015.yaml",
        SEED_000,
        "V",
        "các giải pháp thực hiện Kế hoạch, có thể bao gồm (không giới hạn)",
    ),
    (
        "kh-udcntt-2018.yaml",
        SEED_002,
        "IV",
        "các giải pháp thực hiện Kế hoạch, có thể bao gồm (không giới hạn)",
    ),
]


@pytest.mark.parametrize(("file", "seed", "code", "words"), SUGGESTED)
def test_the_letters_suggested_sub_sections_are_suggestions(file, seed, code, words) -> None:  # type: ignore[no-untyped-def]
    assert norm(words) in seed_text(seed)
    framework = read_framework(FRAMEWORKS_DIR / file)
    section = framework.section(code)
    assert section is not None
    assert section.required
    assert section.subsections == "suggested"
    assert section.sections and not any(s.required for s in section.sections)


def test_sections_the_letters_list_without_suggesting_stay_required() -> None:
    plan = read_framework(FRAMEWORKS_DIR / "kh-udcntt-2011-2015.yaml")
    for code in ("II", "III"):
        section = plan.section(code)
        assert section is not None and section.subsections == "required"
        assert all(s.required for s in section.sections), code


# The letters' "trước ngày X" (before X): the last day on time is X - 1; and whom to ask.
DEADLINES = [
    ("kh-udcntt-2011-2015.yaml", SEED_000, "trước ngày 01/5/2010", "2010-05-01", "2010-04-30"),
    ("bc-udcntt-2017.yaml", SEED_002, "trước ngày 10/11/2017", "2017-11-10", "2017-11-09"),
    ("kh-udcntt-2018.yaml", SEED_002, "trước ngày 30/11/2017", "2017-11-30", "2017-11-29"),
]


@pytest.mark.parametrize(("file", "seed", "words", "before", "last"), DEADLINES)
def test_a_deadline_before_a_day_ends_the_day_before(file, seed, words, before, last) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    assert norm(words) in seed_text(seed)
    reporting = read_framework(FRAMEWORKS_DIR / file).reporting
    assert reporting.deadline_before
    assert reporting.deadline == dt.date.fromisoformat(before)
    assert reporting.last_day == dt.date.fromisoformat(last)


CONTACTS = [
    ("kh-udcntt-2011-2015.yaml", SEED_000, "nptien@mic.gov.vn", "04-35378201"),
    ("bc-udcntt-2017.yaml", SEED_002, "ntthao@mic.gov.vn", "090. 4136368"),
    ("kh-udcntt-2018.yaml", SEED_002, "ntthao@mic.gov.vn", "090. 4136368"),
]


@pytest.mark.parametrize(("file", "seed", "email", "phone"), CONTACTS)
def test_the_letters_contact_person_is_in_the_reporting_regime(file, seed, email, phone) -> None:  # type: ignore[no-untyped-def]
    text = seed_text(seed)
    contact = read_framework(FRAMEWORKS_DIR / file).reporting.contact
    assert contact is not None
    assert contact.email == email and norm(email) in text
    assert contact.phone.startswith(phone) and norm(phone) in text
    assert contact.name


def test_the_2011_2015_current_state_is_asked_by_level_of_the_provinces() -> None:
    """Letter 491 II: "thống kê tối thiểu ... tới cấp quận/huyện, sở/ban/ngành đối với
    tỉnh": the provinces give each unit-based figure for the whole province and for its
    units at province, district (and commune) level; the figure stays the one indicator."""
    assert norm("tới cấp quận/huyện, sở/ban/ngành đối với tỉnh") in seed_text(SEED_000)
    from govplan.core.frameworks.visibility import for_unit, split_parts

    plan = read_framework(FRAMEWORKS_DIR / "kh-udcntt-2011-2015.yaml")
    split = {
        u.indicator: u.split
        for code in ("II.2", "II.3", "II.4", "II.5")
        for u in plan.section(code).indicators  # type: ignore[union-attr]
    }
    for code in ("HT.MAY_TINH_CBCC", "HT.LAN", "HT.INTERNET", "HT.WAN", "MOT_CUA.DON_VI"):
        assert split[code] is not None and split[code].dimension == "CAP_HANH_CHINH", code
        assert split[code].applies_to.kinds == ("province",)  # type: ignore[union-attr]
    assert split["DVC.TONG_SO"] is None and split["DVC.TRUC_TUYEN_2011"] is None
    province = {s.code: s for s in for_unit(plan, "province", "gso-province", "24")}
    lan = province["II.2"].indicators[1]
    assert [o.code for o in split_parts(plan, lan)] == ["TINH", "HUYEN", "XA"]
    ministry = {s.code: s for s in for_unit(plan, "ministry", "govplan", "BQP")}
    assert all(u.split is None for u in ministry["II.2"].indicators)
