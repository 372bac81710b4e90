"""The generated frameworks: one annual report per year 2011-2025 for ministries and
provinces (GEN-BC-<year>), one for districts and communes (GEN-BC-XA-<year>), and the
five-year plans with projects and targets (GEN-KH-<start>-<end>). Each is a framework file
uploaded and published through the frameworks app (do_upload_framework, do_publish), with
its units resolved on its deadline: the cycles up to 2024 on the structure of 63 provinces,
the 2025 report and the 2026-2030 plan on the structure of 34."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from govplan.demo.national_data.catalogue import generated_codes
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.frameworks.models import FrameworkVersion, Status

TOP_KINDS = ["ministry", "ministry_level", "gov_agency", "province"]
LOCAL_KINDS = ["district", "commune"]
# Decree 42/2022 replaced the service levels 1-4 by toàn trình / một phần.
NEW_SERVICE_LEVELS_FROM = 2022
OLD_SERIES = ("DVC.TRUC_TUYEN_2011", "DVC.HO_SO_TRUC_TUYEN_2011")
NEW_SERIES = ("DVC.TRUC_TUYEN", "DVC.HO_SO_TRUC_TUYEN")
LOCAL_GENERATED = 70  # the local report asks GEN.I001-GEN.I070
LOCAL_REAL = ("HT.MAY_TINH_CBCC", "MOT_CUA.TRUNG_TAM_HCC")
PLAN_TARGETS = (
    "HT.MAY_TINH_CBCC",
    "DVC.HO_SO_TRUC_TUYEN",
    "QLVB.DON_VI",
    "CKS.VB_KY_SO",
    "NL.LUOT_DAO_TAO",
    "GEN.I001",
    "GEN.I004",
    "GEN.I010",
    "GEN.I014",
    "GEN.I020",
)
FIELDS = ("ha_tang", "du_lieu", "ung_dung", "dich_vu", "attt", "nhan_luc")
SOURCES = ["central_budget", "provincial_budget", "oda"]
TYPES = ["capital", "recurrent"]
GROUPS = ("infrastructure", "applications", "training")


def report_code(year: int, local: bool = False) -> str:
    return f"GEN-BC-XA-{year}" if local else f"GEN-BC-{year}"


def plan_code(start: int, end: int) -> str:
    return f"GEN-KH-{start}-{end}"


def deadline(year: int) -> dt.date:
    """The report of ``year`` (or the plan starting the year after) is due on 15 December."""
    return dt.date(year, 12, 15)


def top_indicators(year: int, real: list[str]) -> list[str]:
    """The shipped catalogue's indicators asked that year: levels 1-4 before 2022, toàn
    trình / một phần after (joined by the catalogue's maps_from)."""
    dropped = NEW_SERIES if year < NEW_SERVICE_LEVELS_FROM else OLD_SERIES
    return [c for c in real if c not in dropped]


def _common(code: str, kind: str, title: str, start: int, end: int, due: dt.date) -> dict[str, Any]:
    return {
        "format": "govplan/framework@1",
        "code": code,
        "kind": kind,
        "title": f"{title} (dữ liệu sinh)",
        "title_en": f"{code} (generated)",
        "document_title": title,
        "period": {"from": start, "to": end},
        "issued_by": {
            "number": f"{code}/GEN",
            "date": due - dt.timedelta(days=60),
            "issuer": "Cơ quan chủ trì (dữ liệu sinh)",
        },
        "reporting": {
            "recipient": "Cục Chuyển đổi số quốc gia",
            "delivery": ["system"],
            "frequency": "annual" if kind == "report" else "multi_year",
            "deadline": due,
        },
    }


def _chunks(codes: list[str], size: int) -> list[list[str]]:
    return [codes[i : i + size] for i in range(0, len(codes), size)]


def report_file(year: int, real: list[str], *, local: bool) -> dict[str, Any]:
    title = (
        f"Báo cáo chuyển đổi số cấp cơ sở năm {year}"
        if local
        else f"Báo cáo kết quả ứng dụng CNTT, chuyển đổi số năm {year}"
    )
    data = _common(report_code(year, local), "report", title, year, year, deadline(year))
    data["reporting"]["cutoff"] = {"from": dt.date(year, 1, 1), "to": dt.date(year, 11, 30)}
    data["applies_to"] = {"kinds": LOCAL_KINDS if local else TOP_KINDS}
    generated = generated_codes(LOCAL_GENERATED if local else len(generated_codes()))
    shipped = list(LOCAL_REAL) if local else top_indicators(year, real)
    sections: list[dict[str, Any]] = [
        {
            "number": "I",
            "title": "HIỆN TRẠNG THEO CHỈ TIÊU QUỐC GIA",
            "indicators": [{"indicator": c, "required": False} for c in shipped],
        },
        {
            "number": "II",
            "title": "CHỈ TIÊU TỔNG HỢP",
            "sections": [
                {
                    "number": str(i),
                    "title": f"Nhóm chỉ tiêu {i}",
                    "indicators": [{"indicator": c, "required": False} for c in chunk],
                }
                for i, chunk in enumerate(_chunks(generated, 25), start=1)
            ],
        },
    ]
    if not local:
        sections.append(
            {
                "number": "III",
                "title": "KẾT QUẢ THỰC HIỆN MỤC TIÊU CỦA KẾ HOẠCH",
                "target_results": True,
                "narrative": True,
            }
        )
    data["sections"] = sections
    return data


def plan_file(start: int, end: int) -> dict[str, Any]:
    title = f"Kế hoạch ứng dụng CNTT, chuyển đổi số giai đoạn {start}-{end}"
    data = _common(plan_code(start, end), "plan", title, start, end, deadline(start - 1))
    data["applies_to"] = {"kinds": TOP_KINDS}
    data["sections"] = [
        {
            "number": "I",
            "title": "MỤC TIÊU CỤ THỂ",
            "targets": {"indicators": list(PLAN_TARGETS), "free_text": False},
        },
        {
            "number": "II",
            "title": "DANH MỤC NHIỆM VỤ, DỰ ÁN",
            "tables": [
                {
                    "code": "projects",
                    "title": "Danh mục nhiệm vụ, dự án",
                    "numbered": True,
                    "columns": [
                        {
                            "code": "name",
                            "title": "Tên nhiệm vụ, dự án",
                            "type": "text",
                            "required": True,
                            "role": "project_name",
                        },
                        {
                            "code": "field",
                            "title": "Lĩnh vực",
                            "type": "choice",
                            "role": "application_field",
                            "choices": [{"code": f, "title": f} for f in FIELDS],
                        },
                        {
                            "code": "status",
                            "title": "Dự án chuyển tiếp hay dự án mới",
                            "type": "choice",
                            "role": "project_status",
                            "choices": [
                                {"code": "continuing", "title": "Chuyển tiếp"},
                                {"code": "new", "title": "Mới"},
                            ],
                        },
                        {
                            "code": "total",
                            "title": "Tổng mức đầu tư",
                            "type": "money",
                            "role": "total_investment",
                        },
                    ],
                    "groups": [
                        {"code": g, "number": n, "title": t}
                        for g, n, t in zip(
                            GROUPS,
                            ("I", "II", "III"),
                            ("Hạ tầng kỹ thuật", "Ứng dụng, dịch vụ", "Nhân lực"),
                            strict=True,
                        )
                    ],
                    "phasing": {"sources": SOURCES, "types": TYPES},
                }
            ],
        },
    ]
    return data


def as_text(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def publish(data: dict[str, Any]) -> FrameworkVersion:
    """The published version of this file: the one already there when it is unchanged,
    else uploaded and published (its units resolved on its deadline)."""
    text = as_text(data)
    latest = (
        FrameworkVersion.objects.filter(framework__code=data["code"]).order_by("-number").first()
    )
    if latest is not None and latest.source_text == text and latest.is_published:
        return latest
    version = do_upload_framework(text, actor=None)  # checks the file
    if version.status == Status.DRAFT:
        version = do_publish(
            version,
            actor=None,
            deadline=data["reporting"]["deadline"],  # "deadline: <day>": the last day on time
            kinds=list(data["applies_to"]["kinds"]),
            unit_refs=[],
        )
    return version
