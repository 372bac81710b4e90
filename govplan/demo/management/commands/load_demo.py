"""A plausible national demo on top of the reference data. Running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from govplan.accounts import second_factor
from govplan.accounts.actions import do_create_user, do_enrol_second_factor, do_grant_membership
from govplan.accounts.models import Membership, Role, User
from govplan.audit.origin import Origin, origin
from govplan.core.adapters import signing
from govplan.demo import pki
from govplan.demo.allocations import create_demo_pool
from govplan.demo.opinions import create_demo_opinion_request
from govplan.demo.pilots import create_demo_pilot
from govplan.demo.programmes import load_demo_programme
from govplan.demo.spent import create_demo_results_report
from govplan.demo.task_report import load_demo_task_report
from govplan.demo.workflow import create_demo_documents
from govplan.official.actions import do_save_profile
from govplan.official.certificates import do_register_certificate, do_withdraw_certificate
from govplan.official.defaults import profile_values
from govplan.official.models import IssuingProfile, SignerCertificate
from govplan.orgunits.actions import do_create_unit
from govplan.orgunits.models import Kind, OrgUnit, Succession

# Set directly (do_create_user), not through the password validators: a demo password
# everyone knows, which the validators would refuse (docs/configuration.md).
DEMO_PASSWORD = "govplan-demo"
# The demo users whose role requires two-factor authentication get an authenticator with
# this public secret (base32 M5XXM4DMMFXC2ZDFNVXS2MTGMEWWWZLZ, for an app);
# `manage.py demo_otp_code <username>` prints its current code. A demo only.
DEMO_OTP_SECRET = b"govplan-demo-2fa-key".hex()
# The approver who signs Bắc Ninh's plans gets a key file, issued by a demo root that this
# installation then trusts: a demo only, never a real installation (the passphrase is public).
DEMO_SIGNER = "bacninh.lanhdao"
DEMO_SIGNER_ORGANISATION = "Ủy ban nhân dân tỉnh Bắc Ninh"
DEMO_KEY_PASSPHRASE = "govplan-demo"
DEMO_ROOT_FILE = "demo-root.pem"  # in settings.TRUST_ROOTS_DIR
DEMO_KEY_FILE = Path("demo") / "bacninh-lanhdao.p12"  # under settings.VAR_DIR
REFORM = dt.date(2025, 7, 1)
MINISTRY_MERGER = dt.date(2025, 3, 1)


@dataclass(frozen=True)
class DemoUnit:
    key: str
    parent: tuple[str, str, dt.date]  # scheme, code, a day the parent is valid
    code: str
    name: str
    kind: str = Kind.DEPARTMENT
    level_name: str = "Sở"
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


DEMO_UNITS = (
    DemoUnit(
        "bg_stttt",
        ("gso-province", "24", dt.date(2025, 1, 1)),
        "T24-STTTT-BG",
        "Sở Thông tin và Truyền thông tỉnh Bắc Giang",
        valid_to=dt.date(2025, 2, 28),
    ),
    DemoUnit(
        "bg_skhcn",
        ("gso-province", "24", dt.date(2025, 3, 1)),
        "T24-SKHCN-BG",
        "Sở Khoa học và Công nghệ tỉnh Bắc Giang",
        valid_from=MINISTRY_MERGER,
        valid_to=dt.date(2025, 6, 30),
    ),
    DemoUnit(
        "bn_skhcn",
        ("gso-province", "24", REFORM),
        "T24-SKHCN",
        "Sở Khoa học và Công nghệ tỉnh Bắc Ninh",
        valid_from=REFORM,
    ),
    DemoUnit(
        "bn_snv",
        ("gso-province", "24", REFORM),
        "T24-SNV",
        "Sở Nội vụ tỉnh Bắc Ninh",
        valid_from=REFORM,
    ),
    DemoUnit(
        "hn_stttt",
        ("gso-province", "01", dt.date(2025, 1, 1)),
        "T01-STTTT",
        "Sở Thông tin và Truyền thông thành phố Hà Nội",
        valid_to=dt.date(2025, 2, 28),
    ),
    DemoUnit(
        "hn_skhcn",
        ("gso-province", "01", REFORM),
        "T01-SKHCN",
        "Sở Khoa học và Công nghệ thành phố Hà Nội",
        valid_from=MINISTRY_MERGER,
    ),
    DemoUnit(
        "dn_skhcn",
        ("gso-province", "48", REFORM),
        "T48-SKHCN",
        "Sở Khoa học và Công nghệ thành phố Đà Nẵng",
        valid_from=REFORM,
    ),
    DemoUnit(
        "hcm_skhcn",
        ("gso-province", "79", REFORM),
        "T79-SKHCN",
        "Sở Khoa học và Công nghệ Thành phố Hồ Chí Minh",
        valid_from=REFORM,
    ),
    DemoUnit(
        "btc_cntt",
        ("govplan", "BTC", REFORM),
        "BTC-CCNTT",
        "Cục Công nghệ thông tin và Chuyển đổi số (Bộ Tài chính)",
        kind=Kind.SUBORDINATE,
        level_name="Cục",
        valid_from=MINISTRY_MERGER,
    ),
)

DEMO_SUCCESSIONS = (
    ("bg_stttt", "bg_skhcn", "merge", MINISTRY_MERGER),
    ("bg_skhcn", "bn_skhcn", "merge", REFORM),
    ("hn_stttt", "hn_skhcn", "merge", MINISTRY_MERGER),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    job_title: str
    role: str
    unit: str  # a DEMO_UNITS key, or "scheme:code" of a reference unit in force today


DEMO_USERS = (
    DemoUser(
        "quantri", "Nguyễn Văn Quản", "Quản trị hệ thống", Role.CENTRAL_ADMIN, "govplan:CDSQG"
    ),
    DemoUser("thamdinh", "Trần Thị Thẩm", "Chuyên viên thẩm định", Role.APPRAISER, "govplan:CDSQG"),
    DemoUser(
        "bacninh.bientap", "Lê Văn Biên", "Chuyên viên Sở KH&CN", Role.EDITOR, "gso-province:24"
    ),
    DemoUser(
        "bacninh.lanhdao",
        "Phạm Minh Lãnh",
        "Phó Chủ tịch UBND tỉnh",
        Role.APPROVER,
        "gso-province:24",
    ),
    DemoUser(
        "bacninh.thamdinh",
        "Đinh Văn Định",
        "Chuyên viên thẩm định",
        Role.APPRAISER,
        "gso-province:24",
    ),
    DemoUser("bacninh.so", "Hoàng Thị Sở", "Chuyên viên", Role.EDITOR, "bn_skhcn"),
    DemoUser("bacninh.xa", "Đỗ Văn Xã", "Công chức văn phòng", Role.EDITOR, "commune-of:24"),
    DemoUser("hanoi.bientap", "Vũ Thị Hà", "Chuyên viên Sở KH&CN", Role.EDITOR, "gso-province:01"),
    DemoUser("hanoi.xem", "Bùi Văn Xem", "Chuyên viên", Role.VIEWER, "gso-province:01"),
    DemoUser(
        "taichinh.bientap", "Ngô Thị Tài", "Chuyên viên Cục CNTT&CĐS", Role.EDITOR, "govplan:BTC"
    ),
)


def _reference(scheme: str, code: str, day: dt.date) -> OrgUnit:
    unit = OrgUnit.objects.with_code(scheme, code, on=day).first()
    if unit is None:
        raise CommandError(
            f"Reference unit {scheme}:{code} (valid {day}) is missing: run load_reference_data"
        )
    return unit


class Command(BaseCommand):
    help = "Create the demo departments, sub-units, users and roles (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--without-documents",
            action="store_true",
            help="only units, users and roles (scripts/docs_screenshots.py writes its own plan)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with origin(Origin(channel="command:load_demo")):
            with transaction.atomic():
                created_units = self._units()
                created_users = self._users(created_units)
                programme, programme_created = load_demo_programme(
                    actor=User.objects.get(username="quantri")
                )
            documents = 0
            pilot = False
            if not options["without_documents"]:
                documents = create_demo_documents(
                    user=lambda username: User.objects.get(username=username),
                    unit=lambda ref: self._unit_for(ref, created_units),
                )
                pilot = create_demo_pilot(
                    User.objects.get(username="quantri"),
                    User.objects.get(username="hanoi.bientap"),
                )
                pool = create_demo_pool(
                    user=lambda username: User.objects.get(username=username),
                    unit=lambda ref: self._unit_for(ref, created_units),
                )
                if pool is not None:
                    self.stdout.write(f"  the central budget pool {pool.name} with two scenarios")
                # The Ministry of Finance's 2027 results report: what its allocated projects
                # spent (after the pool, whose approved allocation it reports against).
                report = create_demo_results_report(
                    user=lambda username: User.objects.get(username=username),
                    unit=lambda ref: self._unit_for(ref, created_units),
                )
                if report is not None:
                    self.stdout.write(
                        f"  {report.org_unit.name}'s 2027 results report (spent and remaining)"
                    )
                # Joint appraisal: Hà Nội's plan under appraisal, the Ministry of Finance
                # asked for its opinion (after the pool, which reads the submitted plans).
                asked = create_demo_opinion_request(
                    user=lambda username: User.objects.get(username=username),
                    unit=lambda ref: self._unit_for(ref, created_units),
                )
                if asked is not None:
                    self.stdout.write(
                        f"  {asked.agency.name} asked for its opinion on Hà Nội's plan: /opinions/"
                    )
                # The 2008 report on the tasks the programme assigned (its table filled from
                # the task list).
                load_demo_task_report(User.objects.get(username="quantri"))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        if documents:
            self.stdout.write(f"  {documents} documents at stages of the appraisal cycle")
        if pilot:
            self.stdout.write("  a pilot (Hà Nội, Bộ Tài chính) with its roadmap: /pilots/")
        self.stdout.write(
            f"  programme {programme.code} ({'new' if programme_created else 'kept'}): "
            f"{programme.tasks.count()} tasks"
        )
        for line in created_users:
            self.stdout.write(line)
        for line in self._signing_key():
            self.stdout.write(line)

    def _signing_key(self) -> list[str]:
        """The demo approver's PKCS#12 key file and the demo root that makes it trusted;
        kept as they are when already there and valid."""
        root = Path(settings.TRUST_ROOTS_DIR) / DEMO_ROOT_FILE
        key_file = Path(settings.VAR_DIR) / DEMO_KEY_FILE
        signer = next(u for u in DEMO_USERS if u.username == DEMO_SIGNER)
        written = pki.write_demo_signer(
            root,
            key_file,
            passphrase=DEMO_KEY_PASSPHRASE,
            common_name=signer.full_name,
            organisation=DEMO_SIGNER_ORGANISATION,
        )
        registered = self._register_demo_signer(
            signer, key_file.read_bytes(), self._unit_for(signer.unit, {})
        )
        return [
            f"Demo signing key of {DEMO_SIGNER} ({'new' if written else 'kept'}): {key_file} "
            f"(passphrase {DEMO_KEY_PASSPHRASE})",
            f"  issued by the demo root CA, trusted through {root} (a demo: remove the "
            "file from a real installation's trust roots)",
            f"  its certificate {'registered' if registered else 'already registered'} as "
            f"{DEMO_SIGNER}'s for signing",
        ]

    def _register_demo_signer(self, spec: DemoUser, key_file: bytes, unit: OrgUnit) -> bool:
        """The demo approver signs with the demo key: its certificate is registered for them
        (an older demo key's withdrawn), and the unit's signature block carries their name."""
        user = User.objects.get(username=spec.username)
        if not IssuingProfile.objects.filter(org_unit=unit).exclude(signer_name="").exists():
            values = {**profile_values(unit), "signer_name": spec.full_name}
            do_save_profile(unit, values, actor=user)
        certificate = signing.key_file_certificate(key_file, DEMO_KEY_PASSPHRASE.encode())
        active = SignerCertificate.objects.filter(
            user=user, org_unit=unit, withdrawn_at__isnull=True
        )
        for old in active.exclude(fingerprint=certificate.fingerprint):
            do_withdraw_certificate(old, actor=user)
        if active.filter(fingerprint=certificate.fingerprint).exists():
            return False
        do_register_certificate(unit, user, certificate.der, actor=user)
        return True

    def _units(self) -> dict[str, OrgUnit]:
        units: dict[str, OrgUnit] = {}
        for spec in DEMO_UNITS:
            parent = _reference(*spec.parent)
            unit = OrgUnit.objects.filter(
                scheme="govplan", code=spec.code, valid_from=spec.valid_from
            ).first()
            if unit is None:
                unit = do_create_unit(
                    actor=None,
                    scheme="govplan",
                    code=spec.code,
                    kind=spec.kind,
                    name=spec.name,
                    level_name=spec.level_name,
                    parent=parent,
                    valid_from=spec.valid_from,
                    valid_to=spec.valid_to,
                )
            units[spec.key] = unit
        for before, after, kind, day in DEMO_SUCCESSIONS:
            Succession.objects.get_or_create(
                predecessor=units[before],
                successor=units[after],
                defaults={"kind": kind, "effective_date": day, "note": "demo"},
            )
        return units

    def _unit_for(self, ref: str, units: dict[str, OrgUnit]) -> OrgUnit:
        if ref in units:
            return units[ref]
        today = timezone.localdate()
        if ref.startswith("commune-of:"):
            province = _reference("gso-province", ref.split(":", 1)[1], today)
            commune = province.descendants(on=today).filter(kind=Kind.COMMUNE).order_by("code")
            first = commune.first()
            if first is None:
                raise CommandError(f"{province} has no communes: run load_reference_data")
            return first
        scheme, code = ref.split(":", 1)
        return _reference(scheme, code, today)

    def _users(self, units: dict[str, OrgUnit]) -> list[str]:
        lines = []
        for spec in DEMO_USERS:
            unit = self._unit_for(spec.unit, units)
            user = User.objects.filter(username=spec.username).first()
            if user is None:
                user = do_create_user(
                    actor=None,
                    password=DEMO_PASSWORD,
                    username=spec.username,
                    full_name=spec.full_name,
                    job_title=spec.job_title,
                    email=f"{spec.username}@demo.govplan.vn",
                )
            if not Membership.objects.filter(user=user, org_unit=unit, role=spec.role).exists():
                do_grant_membership(user, unit, spec.role, actor=None)
            if second_factor.requires_second_factor(user) and not (
                second_factor.has_second_factor(user)
            ):
                device, _codes = do_enrol_second_factor(
                    user, DEMO_OTP_SECRET, second_factor.current_code(DEMO_OTP_SECRET)
                )
                # The code demo_otp_code prints next works even within these 30 seconds.
                type(device).objects.filter(pk=device.pk).update(last_t=-1)
            lines.append(f"  {spec.username:<18} {Role(spec.role).label} · {unit.name}")
        return lines
