"""A small slice of the structure for tests that commit their data (live-server and
row-lock tests): they start from an emptied database, not the session's reference data."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.management import call_command

from govplan.frameworks.catalogues import load_shipped_catalogues
from govplan.orgunits.actions import do_create_unit
from govplan.orgunits.models import Kind, OrgUnit


@dataclass
class Slice:
    ministry: OrgUnit
    central: OrgUnit
    province: OrgUnit


def emptied_slice(
    *,
    province_code: str = "24",
    province_name: str = "Tỉnh Bắc Ninh",
    ministry: tuple[str, str] = ("BKHCN", "Bộ Khoa học và Công nghệ"),
    central: tuple[str, str] = ("CDSQG", "Cục Chuyển đổi số quốc gia"),
) -> Slice:
    """Empty the database, then a ministry, the central authority under it and one province,
    with the shipped indicator and legal catalogues."""
    call_command("flush", interactive=False, verbosity=0)
    top = do_create_unit(
        actor=None,
        scheme="govplan",
        code=ministry[0],
        kind=Kind.MINISTRY,
        name=ministry[1],
        parent=None,
        valid_from=None,
    )
    authority = do_create_unit(
        actor=None,
        scheme="govplan",
        code=central[0],
        kind=Kind.CENTRAL,
        name=central[1],
        parent=top,
        valid_from=None,
    )
    province = do_create_unit(
        actor=None,
        scheme="gso-province",
        code=province_code,
        kind=Kind.PROVINCE,
        name=province_name,
        parent=None,
        valid_from=None,
    )
    load_shipped_catalogues()
    return Slice(top, authority, province)
