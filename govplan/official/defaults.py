"""What a unit's header and signature block should say, suggested from its name and kind:
the agency corrects it once (IssuingProfile) and every document uses it."""

from __future__ import annotations

import re
from typing import Any

from govplan.orgunits.models import Kind, OrgUnit

PROFILE_FIELDS = (
    "parent_body",
    "issuing_body",
    "issuer_name",
    "issuer_code",
    "place",
    "signer_authority",
    "signer_on_behalf",
    "signer_title",
    "signer_name",
    "recipients",
    "archive",
    "mode",
)

_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ", "Quận ", "Huyện ")
_SKIP_IN_CODE = {"và", "của", "về"}


def _without_prefix(name: str) -> str:
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper(text: str) -> str:
    return text.upper()


def acronym(name: str) -> str:
    """ "Sở Khoa học và Công nghệ" → "SKHCN", as agencies abbreviate themselves."""
    words = [w for w in re.split(r"[\s,-]+", name) if w and w.lower() not in _SKIP_IN_CODE]
    letters = "".join(w[0] for w in words).upper()
    return letters[:12] or "CQ"


def _province(unit: OrgUnit) -> OrgUnit | None:
    for ancestor in reversed(unit.ancestors()):
        if ancestor.kind == Kind.PROVINCE:
            return ancestor
    return None


def suggested(unit: OrgUnit) -> dict[str, Any]:
    """The header and signature block the unit's name and kind suggest."""
    if unit.kind in (Kind.PROVINCE, Kind.COMMUNE, Kind.DISTRICT):
        place = _without_prefix(unit.name)
        if unit.kind != Kind.PROVINCE:
            province = _province(unit)
            place = _without_prefix(province.name) if province else place
        return {
            "parent_body": "",
            "issuing_body": f"ỦY BAN NHÂN DÂN\n{_upper(unit.name)}",
            "issuer_name": f"Ủy ban nhân dân {_lower_first(unit.name)}",
            "issuer_code": "UBND",
            "place": place if unit.kind == Kind.PROVINCE else _without_prefix(unit.name),
            "signer_authority": "TM. ỦY BAN NHÂN DÂN",
            "signer_on_behalf": "KT. CHỦ TỊCH",
            "signer_title": "PHÓ CHỦ TỊCH",
            "signer_name": "",
            "recipients": "Bộ Khoa học và Công nghệ (để báo cáo)",
            "archive": "Lưu: VT.",
            "mode": "direct",
        }
    if unit.kind == Kind.DEPARTMENT:
        province = _province(unit)
        name = unit.name
        if province is not None:
            name = name.removesuffix(" " + _lower_first(province.name)).removesuffix(
                " " + province.name
            )
        return {
            "parent_body": f"UBND {_upper(province.name)}" if province else "",
            "issuing_body": _upper(name),
            "issuer_name": unit.name,
            "issuer_code": acronym(name),
            "place": _without_prefix(province.name) if province else "Hà Nội",
            "signer_authority": "",
            "signer_on_behalf": "KT. GIÁM ĐỐC",
            "signer_title": "PHÓ GIÁM ĐỐC",
            "signer_name": "",
            "recipients": f"Ủy ban nhân dân {_lower_first(province.name)} (để báo cáo)"
            if province
            else "",
            "archive": "Lưu: VT.",
            "mode": "direct",
        }
    # Ministries, ministry-level and government agencies, the central authority, others.
    parent = unit.parent if unit.kind in (Kind.CENTRAL, Kind.SUBORDINATE) else None
    return {
        "parent_body": _upper(parent.name) if parent else "",
        "issuing_body": _upper(unit.name),
        "issuer_name": unit.name,
        "issuer_code": unit.code if unit.scheme == "govplan" and unit.code else acronym(unit.name),
        "place": "Hà Nội",
        "signer_authority": "",
        "signer_on_behalf": "KT. BỘ TRƯỞNG" if unit.kind == Kind.MINISTRY else "",
        "signer_title": "THỨ TRƯỞNG" if unit.kind == Kind.MINISTRY else "THỦ TRƯỞNG",
        "signer_name": "",
        "recipients": "Bộ Khoa học và Công nghệ (để báo cáo)",
        "archive": "Lưu: VT.",
        "mode": "direct",
    }


def profile_values(unit: OrgUnit) -> dict[str, Any]:
    """The unit's saved profile, or what its name and kind suggest."""
    from govplan.official.models import IssuingProfile

    saved = IssuingProfile.objects.filter(org_unit=unit).first()
    if saved is None:
        return suggested(unit)
    return {name: getattr(saved, name) for name in PROFILE_FIELDS}
