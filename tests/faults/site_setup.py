"""What the fault tests set up inside a site's own Django process (run through
``manage.py shell -c``, see tests/support/processes.run_in_site): users, documents, a queued
batch export, an import preview. Each function prints what the test needs, one
``name=value`` a line."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from govplan.accounts.models import Membership, Role, User
from govplan.documents.actions import do_add_entry, do_create_document
from govplan.documents.models import Document, Entry
from govplan.frameworks.models import FrameworkVersion
from govplan.orgunits.models import Kind, OrgUnit

PASSWORD = "a-long-fault-test-password-42"


def _user(username: str, unit: OrgUnit, role: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
        Membership.objects.create(user=user, org_unit=unit, role=role)
    return user


def _central() -> OrgUnit:
    """The central authority; in an empty database (only migrated), created."""
    from govplan.orgunits.actions import do_create_unit

    unit = OrgUnit.objects.current().filter(kind=Kind.CENTRAL).first()
    if unit is None:
        unit = do_create_unit(
            actor=None,
            scheme="govplan",
            code="CDSQG",
            kind=Kind.CENTRAL,
            name="Cục Chuyển đổi số quốc gia",
            parent=None,
            valid_from=None,
        )
    return unit


def _example() -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework__code="KH-CDS-2027-MAU", status="published")


def central_admin() -> None:
    """quantri, a central administrator, with the authenticator its role requires (the key
    tests.support.processes.OTP_KEY, whose codes Browser.login types)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.support.processes import OTP_KEY

    admin = _user("quantri", _central(), Role.CENTRAL_ADMIN)
    TOTPDevice.objects.create(user=admin, name="test", key=OTP_KEY, confirmed=True)
    print("user=quantri")


def export_site(documents: int) -> None:
    """``documents`` provinces' plans filled as the demo fills them, and a batch export of
    them (DOCX) requested by a central administrator, queued for the database worker."""
    from govplan.demo.documents import fill_for_demo
    from govplan.official.batch import do_start_export

    admin = _user("quantri", _central(), Role.CENTRAL_ADMIN)
    version = _example()
    provinces = OrgUnit.objects.current().filter(kind=Kind.PROVINCE).order_by("code")
    for unit in provinces[:documents]:
        editor = _user(f"editor_{unit.pk}", unit, Role.EDITOR)
        document = do_create_document(unit=unit, version=version, actor=editor)
        fill_for_demo(document, actor=editor)
    job = do_start_export(admin, version, None, "", ["docx"])
    print(f"job={job.pk}")
    print(f"total={len(job.document_ids)}")


def table_text_column(document: Document) -> tuple[str, str]:
    spec = document.framework_version.parsed()
    for _section, table in spec.tables():
        for column in table.columns:
            if column.type == "text":
                return table.code, column.code
    raise AssertionError("no table with a text column")


def import_site(rows: int) -> None:
    """Province A's plan with ``rows`` rows in a table, and the preview of a workbook that
    changes every one of them (the name of each project), ready to apply."""
    from govplan.documents.tables_xlsx import do_preview_import, export_tables

    unit = OrgUnit.objects.with_code("gso-province", "24").get()
    editor = _user("editor_a", unit, Role.EDITOR)
    document = do_create_document(unit=unit, version=_example(), actor=editor)
    table, column = table_text_column(document)
    after = None
    for n in range(rows):
        entry = do_add_entry(
            document,
            f"row:{table}",
            {"cells": {column: f"Dự án số {n}"}},
            actor=editor,
            locale="vi",
            after_key=after,
        )
        after = entry.key
    # Every name changed, in the workbook's own XML (its strings are plain UTF-8 text).
    source = zipfile.ZipFile(io.BytesIO(export_tables(document)))
    out = io.BytesIO()
    changed = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/") and item.filename.endswith(".xml"):
                text = data.decode("utf-8")
                changed += text.count(">Dự án số ")
                data = text.replace(">Dự án số ", ">Dự án đã sửa số ").encode("utf-8")
            target.writestr(item, data)
    assert changed == rows, changed
    preview = do_preview_import(
        document, out.getvalue(), filename="bang.xlsx", actor=editor, locale="vi"
    )
    assert preview.batch is not None, preview
    print(f"document={document.pk}")
    print(f"batch={preview.batch.pk}")
    print(f"table={table}")
    print(f"column={column}")


def table_state(document_id: int, table: str, column: str) -> dict[str, Any]:
    """What a reader checks after a crash: the rows' names, their revisions, versions."""
    from govplan.core.documents.keys import Collection
    from govplan.documents.models import EntryVersion

    entries = Entry.objects.filter(
        document_id=document_id, collection=str(Collection.table(table)), deleted=False
    )
    names = sorted(str((e.content.get("cells") or {}).get(column, "")) for e in entries)
    return {
        "rows": len(names),
        "edited": sum(1 for n in names if n.startswith("Dự án đã sửa ")),
        "versions": EntryVersion.objects.filter(entry__document_id=document_id).count(),
    }


def print_table_state(document_id: int, table: str, column: str) -> None:
    for key, value in table_state(document_id, table, column).items():
        print(f"{key}={value}")


def read_values(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
