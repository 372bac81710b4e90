"""Shared fixtures: the reference data loaded once per test database, and a fixed cast.

The cast (healthchecks-style) that every access test uses:
- ``central_admin``: central administrator in the central authority (Cục Chuyển đổi số quốc gia)
- ``appraiser``: appraiser in the central authority
- ``editor_a``: editor of province A (Bắc Ninh, formed 1 July 2025 from Bắc Giang and Bắc Ninh)
- ``approver_a``: approver of province A
- ``editor_b``: editor of province B (Hà Nội)
- ``commune_editor_a``: editor of a commune of province A
- ``viewer_a``: viewer of province A
- anonymous: the test client without login
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from govplan.accounts.models import Membership, Role, User
from govplan.orgunits.models import Kind, OrgUnit

REFERENCE_DIR = Path(settings.REFERENCE_DATA_DIR) / "orgunits"
REFORM = dt.date(2025, 7, 1)
BEFORE_REFORM = dt.date(2025, 6, 30)
TODAY = dt.date.today()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the shipped reference data, catalogues and frameworks (published) into the test
    database once per session."""
    from django.core.management import call_command

    from govplan.orgunits.reference import load_reference

    with django_db_blocker.unblock():
        load_reference(REFERENCE_DIR)
        call_command("load_frameworks", verbosity=0)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """Every test's uploads and generated files go to a temporary folder, never the
    developer's var/media (Django's storage follows the setting change)."""
    folder = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = folder
    return folder


@pytest.fixture(autouse=True)
def logins_pass_the_second_factor(monkeypatch):  # type: ignore[no-untyped-def]
    """The test client's force_login and login stand for a complete login, second factor
    included (tests/support/otp.py); tests of the second factor use login_password_only."""
    from django.test import Client

    from tests.support import otp

    monkeypatch.setattr(Client, "force_login", otp.force_login_verified)
    monkeypatch.setattr(Client, "login", otp.login_verified)


EVERY_FEATURE = Path(__file__).resolve().parent / "frameworks" / "files" / "every_feature.yaml"


def unit(scheme: str, code: str, on: dt.date = TODAY) -> OrgUnit:
    return OrgUnit.objects.with_code(scheme, code, on=on).get()


@dataclass
class Cast:
    central: OrgUnit
    province_a: OrgUnit
    province_b: OrgUnit
    commune_a: OrgUnit
    central_admin: User
    appraiser: User
    editor_a: User
    approver_a: User
    editor_b: User
    commune_editor_a: User
    viewer_a: User

    def users(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "central_admin": self.central_admin,
            "appraiser": self.appraiser,
            "editor_a": self.editor_a,
            "approver_a": self.approver_a,
            "editor_b": self.editor_b,
            "commune_editor_a": self.commune_editor_a,
            "viewer_a": self.viewer_a,
        }


PASSWORD = "a-long-test-password-42"


def make_user(username: str, unit_: OrgUnit, role: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    Membership.objects.create(user=user, org_unit=unit_, role=role)
    return user


@pytest.fixture
def cast(db) -> Cast:  # type: ignore[no-untyped-def]
    central = unit("govplan", "CDSQG")
    province_a = unit("gso-province", "24")
    province_b = unit("gso-province", "01")
    commune_a = province_a.descendants(on=TODAY).filter(kind=Kind.COMMUNE).order_by("code").first()
    assert commune_a is not None
    return Cast(
        central=central,
        province_a=province_a,
        province_b=province_b,
        commune_a=commune_a,
        central_admin=make_user("admin", central, Role.CENTRAL_ADMIN),
        appraiser=make_user("appraiser", central, Role.APPRAISER),
        editor_a=make_user("editor_a", province_a, Role.EDITOR),
        approver_a=make_user("approver_a", province_a, Role.APPROVER),
        editor_b=make_user("editor_b", province_b, Role.EDITOR),
        commune_editor_a=make_user("commune_editor_a", commune_a, Role.EDITOR),
        viewer_a=make_user("viewer_a", province_a, Role.VIEWER),
    )


@pytest.fixture
def draft(cast: Cast):  # type: ignore[no-untyped-def]
    """A draft framework version, uploaded by the central administrator."""
    from govplan.frameworks.actions import do_upload_framework

    return do_upload_framework(EVERY_FEATURE.read_bytes(), actor=cast.central_admin)


@pytest.fixture
def published_2018():  # type: ignore[no-untyped-def]
    from govplan.frameworks.models import FrameworkVersion

    return FrameworkVersion.objects.get(framework__code="KH-UDCNTT-2018", status="published")


def example_version():  # type: ignore[no-untyped-def]
    from govplan.frameworks.models import FrameworkVersion

    return FrameworkVersion.objects.get(framework__code="KH-CDS-2027-MAU", status="published")


@pytest.fixture
def empty_cache():  # type: ignore[no-untyped-def]
    """Django's cache emptied before and after the test: the page caches start cold and
    leave nothing to the next test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def document_a(cast: Cast):  # type: ignore[no-untyped-def]
    """Province A's 2027 plan (the example framework), created by its editor."""
    from govplan.documents.actions import do_create_document

    return do_create_document(unit=cast.province_a, version=example_version(), actor=cast.editor_a)


@pytest.fixture
def small_nation():  # type: ignore[no-untyped-def]
    """Live-commit tests start from an emptied database: a central authority, a province,
    the catalogues, an editor and two appraisers."""
    from govplan.accounts.models import Membership, User
    from tests.support.nation import emptied_slice

    nation = emptied_slice()
    central, province = nation.central, nation.province
    people = {}
    for username, unit, role in (
        ("admin", central, "central_admin"),
        ("editor_a", province, "editor"),
        ("appraiser", central, "appraiser"),
        ("appraiser_2", central, "appraiser"),
    ):
        people[username] = User.objects.create_user(
            username, full_name=username.replace("_", " ").title()
        )
        Membership.objects.create(user=people[username], org_unit=unit, role=role)
    return province, people
