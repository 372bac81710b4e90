"""Checking a document: the framework's own rules and the checks every framework gets.

- ``findings``: what a check finds (``Finding``, ``Report``);
- ``data``: what the rule language reads of a document (its read model, ``documents.read``);
- ``checks``: the checks every framework gets; ``movement``: the anomaly check (its
  statistics are the core's); ``rules``: the framework's own rules; ``figures``: the
  national minimums and the targets set for the unit;
- here: ``validate`` runs them all, and ``do_explain`` saves why a warning is no mistake.
"""

from __future__ import annotations

from govplan.accounts.types import User
from govplan.documents.models import Document
from govplan.documents.read import load_document_view
from govplan.workflow.models import WarningExplanation
from govplan.workflow.validation import checks
from govplan.workflow.validation.data import DocumentData
from govplan.workflow.validation.figures import figure_findings
from govplan.workflow.validation.findings import ERROR, WARNING, Finding, Report
from govplan.workflow.validation.movement import movement
from govplan.workflow.validation.rules import rule_findings

__all__ = [
    "ERROR",
    "WARNING",
    "DocumentData",
    "Finding",
    "Report",
    "blocking_problems",
    "do_explain",
    "validate",
]


def validate(document: Document) -> Report:
    # The previous cycle's values are read only if a rule asks for them (DocumentData).
    view = load_document_view(document, previous=False)
    spec = view.spec
    data = DocumentData(document, view)
    findings = (
        checks.required(view)
        + checks.targets(view)
        + checks.tables(view)
        + checks.budgets(view)
        + checks.values(view)
        + checks.split_figures(view)
        + movement(document, view)
        + rule_findings(spec, data)
        + figure_findings(view, data, document.org_unit.scheme, document.org_unit.code)
    )
    explained = {e.check_id: e.text for e in WarningExplanation.objects.filter(document=document)}
    for finding in findings:
        if finding.importance == WARNING:
            finding.explanation = explained.get(finding.check_id, "")
    order = {s.code: i for i, s in enumerate(spec.walk())}
    findings.sort(key=lambda f: (order.get(f.section, 10_000), f.importance != ERROR))
    return Report(findings)


def blocking_problems(document: Document, *, actor: User | None = None) -> list[Finding]:
    return validate(document).blocking
