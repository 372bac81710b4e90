#!/usr/bin/env python3
"""Completeness pages at national scale: figures printed, no assertions.

    DATABASE_URL=postgres://… DEBUG=1 bench/completeness.py [--repeat 15]

Needs a database with the reference data and the shipped frameworks (`make run` sets one
up). Inside one transaction, rolled back at the end, every unit the example 2027 plan
expects (ministries, provinces, departments, communes: several thousand) is given a document
in a spread of states, with a first revision on time or late for the submitted ones; then the
summary page, a list page and the cycles page are requested as the central administrator
and as a province's viewer, and the median server time and the number of queries printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govplan.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from govplan.accounts.models import Membership, Role, User
    from govplan.documents.models import Document
    from govplan.frameworks.models import FrameworkTarget, FrameworkVersion
    from govplan.workflow.models import DocumentRevision

    version = FrameworkVersion.objects.get(framework__code="KH-CDS-2027-MAU", status="published")
    admin = Membership.objects.filter(role=Role.CENTRAL_ADMIN).select_related("user").first()
    if admin is None:
        print("No central administrator: run `make run` (or load_demo) first.")
        return 1
    states = ["draft", "submitted", "under_appraisal", "returned", "approved", "issued"]

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            taken = set(
                Document.objects.filter(framework=version.framework).values_list(
                    "org_unit_id", flat=True
                )
            )
            targets = list(
                FrameworkTarget.objects.filter(version=version).values_list(
                    "org_unit_id", flat=True
                )
            )
            documents = []
            for index, unit_id in enumerate(targets):
                if unit_id in taken or index % 7 == 0:
                    continue  # about one in seven not started
                documents.append(
                    Document(
                        org_unit_id=unit_id,
                        framework=version.framework,
                        framework_version=version,
                        kind=version.kind,
                        title=version.title,
                        period_start=version.period_start,
                        period_end=version.period_end,
                        status=states[index % len(states)],
                        revision=0 if index % len(states) == 0 else 1,
                        created_by=admin.user,
                    )
                )
            Document.objects.bulk_create(documents, batch_size=2000)
            DocumentRevision.objects.bulk_create(
                [
                    DocumentRevision(
                        document=d,
                        number=1,
                        created_by=admin.user,
                        deadline=version.deadline,
                        days_late=(d.pk % 3 == 0) * 4,
                    )
                    for d in documents
                    if d.revision
                ],
                batch_size=2000,
            )
            viewer = User.objects.create_user("bench-viewer", full_name="Bench viewer")
            province = (
                FrameworkTarget.objects.filter(version=version, org_unit__kind="province")
                .order_by("org_unit__code")
                .first()
            )
            assert province is not None
            Membership.objects.create(user=viewer, org_unit=province.org_unit, role=Role.VIEWER)
            code = version.framework.code
            pages = {
                "summary": reverse("national_completeness", args=[code, version.number]),
                "list (communes, page 2)": reverse(
                    "national_completeness_list", args=[code, version.number]
                )
                + "?level=communes&page=2",
                "list (submitted late)": reverse(
                    "national_completeness_list", args=[code, version.number]
                )
                + "?status=submitted_late",
                "cycles": reverse("national_completeness_index"),
            }
            print(
                f"{connection.vendor}: {len(targets)} units expected, "
                f"{len(documents)} documents added"
            )
            for who, user in (("central admin", admin.user), ("province viewer", viewer)):
                client = Client(HTTP_HOST="127.0.0.1")
                client.force_login(user)
                from bench.second_factor import verified

                verified(client)
                for label, url in pages.items():
                    assert client.get(url).status_code == 200
                    samples = []
                    for _ in range(args.repeat):
                        with CaptureQueriesContext(connection) as queries:
                            start = time.perf_counter()
                            response = client.get(url)
                            samples.append((time.perf_counter() - start) * 1000)
                        assert response.status_code == 200
                    print(
                        f"  {who:16} {label:24} median {statistics.median(samples):7.1f} ms"
                        f"  ({len(queries)} queries)"
                    )
            raise Rollback
    except Rollback:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
