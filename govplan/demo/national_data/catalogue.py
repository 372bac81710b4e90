"""The synthetic extension of the national indicator catalogue: ~100 indicators GEN.I001…
of mixed types (counts, money, ratios, yes/no, and disaggregated ones), loaded through the
catalogue's own checks and merge (frameworks.catalogues.apply_catalogue), beside the
shipped catalogue, so that every generated framework names catalogue indicators."""

from __future__ import annotations

from typing import Any

from govplan.core.frameworks.catalogue import Catalogue, parse_catalogue
from govplan.core.frameworks.files import CATALOGUE_PATH
from govplan.core.frameworks.yamlsafe import load_text
from govplan.frameworks.catalogues import CatalogueReport, apply_catalogue

GENERATED = 100
GROUP_DIMENSION = "GEN_NHOM"

# The type of GEN.I{n} by n % 10: counts, money, ratios, yes/no, and disaggregated ones.
KINDS: dict[int, tuple[str, tuple[str, ...]]] = {
    0: ("integer", ()),
    1: ("integer", ()),
    2: ("integer", ()),
    3: ("money", ()),
    4: ("ratio", ()),
    5: ("ratio", ()),
    6: ("boolean", ()),
    7: ("integer", (GROUP_DIMENSION,)),
    8: ("ratio", ("CAP_HANH_CHINH",)),
    9: ("money", ("NGUON_VON",)),
}


def code(n: int) -> str:
    return f"GEN.I{n:03d}"


def generated_codes(count: int = GENERATED) -> list[str]:
    return [code(n) for n in range(1, count + 1)]


def _indicator(n: int) -> dict[str, Any]:
    kind, dimensions = KINDS[n % 10]
    item: dict[str, Any] = {
        "code": code(n),
        "name": f"Chỉ tiêu tổng hợp số {n} (dữ liệu sinh)",
        "name_en": f"Generated indicator {n}",
        "type": kind,
        "unit": {"integer": "đơn vị", "money": "triệu đồng", "ratio": "%", "boolean": ""}[kind],
        "definition": "Chỉ tiêu sinh tự động cho bộ dữ liệu quy mô quốc gia (không phải số thật).",
    }
    if dimensions:
        item["disaggregation"] = list(dimensions)
    if kind == "ratio":
        item["numerator"] = {"label": "Tử số", "label_en": "Numerator"}
        item["denominator"] = {"label": "Mẫu số", "label_en": "Denominator"}
    return item


def extension() -> dict[str, Any]:
    """The generated dimensions and indicators, in the catalogue file's shape."""
    return {
        "dimensions": [
            {
                "code": GROUP_DIMENSION,
                "title": "Nhóm (dữ liệu sinh)",
                "title_en": "Group (generated)",
                "options": [
                    {"code": f"N{i}", "title": f"Nhóm {i}", "title_en": f"Group {i}"}
                    for i in range(1, 5)
                ],
            }
        ],
        "indicators": [_indicator(n) for n in range(1, GENERATED + 1)],
    }


def extended_catalogue() -> Catalogue:
    """The shipped catalogue with the generated extension, checked as one file."""
    data = load_text(CATALOGUE_PATH.read_bytes())
    more = extension()
    data["dimensions"] = list(data.get("dimensions") or []) + more["dimensions"]
    data["indicators"] = list(data["indicators"]) + more["indicators"]
    return parse_catalogue(data)


def load_extension() -> CatalogueReport:
    """Merge the extended catalogue into the database (idempotent)."""
    return apply_catalogue(extended_catalogue())
