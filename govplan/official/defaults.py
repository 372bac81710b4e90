"""What a unit's header and signature block should say, suggested from its name and kind:
the agency corrects it once (IssuingProfile) and every document uses it. A document written
for a day the unit bore another name (Tỉnh Thừa Thiên Huế's 2011-2015 plan) is headed with
that name."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from govplan.official.models import IssuingProfile
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


class _Named:
    """A unit as it was named on a day (its kind, code and parent do not change)."""

    def __init__(self, unit: OrgUnit, on: dt.date | None) -> None:
        self.unit = unit
        self.name = unit.name_on(on) if on is not None else unit.name
        self.on = on

    def province(self) -> _Named | None:
        province = _province(self.unit)
        return _Named(province, self.on) if province is not None else None


def suggested(unit: OrgUnit, *, on: dt.date | None = None) -> dict[str, Any]:
    """The header and signature block the unit's name and kind suggest (its name ``on``
    that day, when given)."""
    return _suggested(_Named(unit, on))


def _suggested(named: _Named) -> dict[str, Any]:
    unit = named.unit
    if unit.kind in (Kind.PROVINCE, Kind.COMMUNE, Kind.DISTRICT):
        place = _without_prefix(named.name)
        if unit.kind != Kind.PROVINCE:
            province = named.province()
            place = _without_prefix(province.name) if province else place
        return {
            "parent_body": "",
            "issuing_body": f"ỦY BAN NHÂN DÂN\n{_upper(named.name)}",
            "issuer_name": f"Ủy ban nhân dân {_lower_first(named.name)}",
            "issuer_code": "UBND",
            "place": place if unit.kind == Kind.PROVINCE else _without_prefix(named.name),
            "signer_authority": "TM. ỦY BAN NHÂN DÂN",
            "signer_on_behalf": "KT. CHỦ TỊCH",
            "signer_title": "PHÓ CHỦ TỊCH",
            "signer_name": "",
            "recipients": "Bộ Khoa học và Công nghệ (để báo cáo)",
            "archive": "Lưu: VT.",
            "mode": "direct",
        }
    if unit.kind == Kind.DEPARTMENT:
        province = named.province()
        name = named.name
        if province is not None:
            name = name.removesuffix(" " + _lower_first(province.name)).removesuffix(
                " " + province.name
            )
        return {
            "parent_body": f"UBND {_upper(province.name)}" if province else "",
            "issuing_body": _upper(name),
            "issuer_name": named.name,
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
    parent_name = _Named(parent, named.on).name if parent else ""
    return {
        "parent_body": _upper(parent_name),
        "issuing_body": _upper(named.name),
        "issuer_name": named.name,
        "issuer_code": unit.code if unit.scheme == "govplan" and unit.code else acronym(named.name),
        "place": "Hà Nội",
        "signer_authority": "",
        "signer_on_behalf": "KT. BỘ TRƯỞNG" if unit.kind == Kind.MINISTRY else "",
        "signer_title": "THỨ TRƯỞNG" if unit.kind == Kind.MINISTRY else "THỦ TRƯỞNG",
        "signer_name": "",
        "recipients": "Bộ Khoa học và Công nghệ (để báo cáo)",
        "archive": "Lưu: VT.",
        "mode": "direct",
    }


def profile_values(unit: OrgUnit, *, on: dt.date | None = None) -> dict[str, Any]:
    """The unit's saved profile, or what its name and kind suggest. For a document written
    for a day ``on`` the unit (or its province) bore another name, the saved profile (made
    for today's name) does not fit: the suggestion from the name of that day is used."""
    if on is not None and _renamed_since(unit, on):
        return suggested(unit, on=on)
    saved = IssuingProfile.objects.filter(org_unit=unit).first()
    if saved is None:
        return suggested(unit, on=on)
    return {name: getattr(saved, name) for name in PROFILE_FIELDS}


def _renamed_since(unit: OrgUnit, on: dt.date) -> bool:
    named = _Named(unit, on)
    province = named.province()
    return named.name != unit.name or (province is not None and province.name != province.unit.name)
