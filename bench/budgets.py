#!/usr/bin/env python3
"""The national budget and target pages at national scale: figures printed, no assertions.

    DATABASE_URL=postgres://… DEBUG=1 bench/budgets.py [--repeat 15] [--projects 8]

Needs a database with the reference data and the shipped frameworks (`make run` sets one
up). Inside one transaction, rolled back at the end, every unit the example 2027 plan
expects (ministries, provinces, departments, communes: several thousand) is given an
approved plan whose project table phases ``--projects`` projects over two years and the
whole period from two sources (budget facts written in bulk, on the approved and the live
layer, as the fact store writes them), and one quantified target each; then the budget
page (nationally by year, by unit on today's structure, a province's drill-down with its
projects), its CSV export and the target page are requested as the central administrator
and as a province's viewer, and the median server time and the number of queries printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--projects", type=int, default=8)
    parser.add_argument("--explain", action="store_true", help="print the base query's plan")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govplan.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Sum
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from govplan.accounts.models import Membership, Role, User
    from govplan.documents.models import Document
    from govplan.facts.models import BudgetFact, TargetFact
    from govplan.frameworks.models import FrameworkTarget, FrameworkVersion

    version = FrameworkVersion.objects.get(framework__code="KH-CDS-2027-MAU", status="published")
    admin = Membership.objects.filter(role=Role.CENTRAL_ADMIN).select_related("user").first()
    if admin is None:
        print("No central administrator: run `make run` (or load_demo) first.")
        return 1

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
                FrameworkTarget.objects.filter(version=version)
                .exclude(org_unit_id__in=taken)
                .select_related("org_unit")
            )
            documents = Document.objects.bulk_create(
                [
                    Document(
                        org_unit=t.org_unit,
                        framework=version.framework,
                        framework_version=version,
                        kind=version.kind,
                        title=version.title,
                        period_start=version.period_start,
                        period_end=version.period_end,
                        status="approved",
                        revision=1,
                        created_by=admin.user,
                    )
                    for t in targets
                ],
                batch_size=2000,
            )
            facts = []
            goals = []
            groups = ["apps", "infra"]
            for index, document in enumerate(documents):
                unit = document.org_unit
                owner = {
                    "document": document,
                    "org_unit": unit,
                    "unit_kind": unit.kind,
                    "unit_path": unit.path,
                    "framework_version": version,
                    "document_kind": "plan",
                    "period_start": version.period_start,
                    "period_end": version.period_end,
                }
                for layer, revision in (("approved", 1), ("live", 0)):
                    for p in range(args.projects):
                        key = f"row:projects:b{index}p{p}"
                        for year in (version.period_start, version.period_end, 0):
                            for source in ("central_budget", "provincial_budget"):
                                facts.append(
                                    BudgetFact(
                                        **owner,
                                        layer=layer,
                                        revision=revision,
                                        entry_key=key,
                                        collection="table:projects",
                                        group=groups[p % 2],
                                        project_name=f"Dự án {p}",
                                        field="Dữ liệu",
                                        project_status="new" if p % 3 else "continuing",
                                        year=year,
                                        funding_source=source,
                                        funding_type="capital",
                                        amount=Decimal(100 + p),
                                    )
                                )
                    goals.append(
                        TargetFact(
                            **owner,
                            layer=layer,
                            revision=revision,
                            entry_key=f"target:III:b{index}",
                            section="III",
                            indicator_code="DVC.TRUC_TUYEN",
                            cell="TOAN_TRINH",
                            year=version.period_end,
                            target=Decimal(10 + index % 40),
                        )
                    )
            BudgetFact.objects.bulk_create(facts, batch_size=5000)
            TargetFact.objects.bulk_create(goals, batch_size=5000)
            viewer = User.objects.create_user("bench-budget-viewer", full_name="Bench viewer")
            province = next(t.org_unit for t in targets if t.org_unit.kind == "province")
            Membership.objects.create(user=viewer, org_unit=province, role=Role.VIEWER)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE facts_budgetfact")
            code = version.framework.code
            if args.explain:
                from govplan.national import budgets as money

                selection = money.Selection(version.framework)
                base = money.facts(admin.user, selection)
                print(
                    base.values("org_unit_id", "unit_path")
                    .annotate(s=Sum("amount"))
                    .explain(analyze=True)
                )
            budgets = reverse("national_budgets")
            pages = {
                "budgets by year": f"{budgets}?framework={code}",
                "budgets by unit, today": f"{budgets}?framework={code}&by=unit&structure=current",
                "province + projects": f"{budgets}?framework={code}&by=source&unit={province.pk}",
                "export by unit (csv)": reverse("national_budget_export", args=["csv"])
                + f"?framework={code}&by=unit",
                "targets": f"{reverse('national_targets')}?framework={code}",
            }
            print(
                f"{connection.vendor}: {len(documents)} plans added, {len(facts)} budget facts, "
                f"{len(goals)} target facts"
            )
            for who, user in (("central admin", admin.user), ("province viewer", viewer)):
                client = Client(HTTP_HOST="127.0.0.1")
                client.force_login(user)
                from bench.second_factor import verified

                verified(client)
                for label, url in pages.items():
                    assert client.get(url).status_code == 200, url
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
