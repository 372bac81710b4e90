"""What the fact tests read back: a document's facts of one layer, as a reader would check
them, and the rebuild check's verdict on the document."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from govplan.documents.models import Document
from govplan.facts.models import BudgetFact, ResultFact, TargetFact, ValueFact
from govplan.national import rebuild


def values(document: Document, layer: str = "live") -> dict[tuple[str, str], dict[str, Any]]:
    """(indicator, cell) → the typed figures of that cell."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for fact in ValueFact.objects.filter(document=document, layer=layer):
        key = (fact.indicator_code, fact.cell)
        assert key not in found, f"two facts for {key}"
        found[key] = {
            name: getattr(fact, name)
            for name in ("value", "numerator", "denominator", "boolean", "text", "no_data")
            if getattr(fact, name) not in (None, "", False)
        }
    return found


def budgets(document: Document, layer: str = "live") -> dict[tuple[str, int, str, str], Decimal]:
    """(project name, year, source, type) → amount."""
    found: dict[tuple[str, int, str, str], Decimal] = {}
    for fact in BudgetFact.objects.filter(document=document, layer=layer):
        key = (fact.project_name, fact.year, fact.funding_source, fact.funding_type)
        found[key] = found.get(key, Decimal(0)) + fact.amount
    return found


def counts(document: Document, layer: str) -> tuple[int, int, int, int]:
    return tuple(  # type: ignore[return-value]
        model.objects.filter(document=document, layer=layer).count()
        for model in (ValueFact, BudgetFact, TargetFact, ResultFact)
    )


def exact(document: Document) -> bool:
    """The stored facts are exactly those the entries and revisions give."""
    report = rebuild.check([document.pk])
    assert report.documents == 1
    return not report.differences


# A framework small enough to walk through the whole cycle: values of each kind (a count,
# a ratio, a value by option), a project table with phasing; nothing required, no rule, so
# that any state of it may be submitted.
SMALL = """
format: govplan/framework@1
code: TEST-FACTS-CODE
kind: plan
title: Kế hoạch thử dữ kiện
period: {from: 2027, to: 2028}
issued_by: {number: 3/TEST, date: 2026-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province, district, commune]}
reporting:
  recipient: Bộ Khoa học và Công nghệ
  delivery: [system]
  frequency: annual
  deadline: 2026-12-20
funding_sources:
  - {code: central_budget, title: Ngân sách trung ương}
  - {code: provincial_budget, title: Ngân sách cấp tỉnh}
sections:
  - number: I
    title: HIỆN TRẠNG
    indicators:
      - {indicator: DVC.TONG_SO, required: false}
      - {indicator: HT.LAN, required: false}
      - {indicator: DVC.TRUC_TUYEN, required: false}
  - number: II
    title: DANH MỤC
    required: false
    tables:
      - code: projects
        title: Danh mục dự án
        columns:
          - {code: name, title: Tên, type: text, required: true, role: project_name}
          - code: status
            title: Chuyển tiếp hay mới
            type: choice
            role: project_status
            choices: [{code: continuing, title: Chuyển tiếp}, {code: new, title: Mới}]
          - {code: total, title: Tổng mức đầu tư, type: money, role: total_investment}
        phasing:
          sources: [central_budget, provincial_budget]
          types: [capital]
          whole_period: true
"""


def small_framework(code: str = "TEST-FACTS") -> str:
    return SMALL.replace("TEST-FACTS-CODE", code)
