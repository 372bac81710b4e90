"""The framework's own rules (the rule language, ``core.rules``) run against a document, each
outcome a finding shown at the first indicator (or else table) the rule reads."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from govplan.core.documents.keys import Collection, EntryKey
from govplan.core.frameworks.model import Framework
from govplan.core.rules import evaluate, parse
from govplan.core.rules.ast import split_indicator_ref
from govplan.workflow.validation.data import DocumentData
from govplan.workflow.validation.findings import WARNING, Finding

REF_MARKS = re.compile(r"[#@]\{([^}]*)\}")


def _bare(match: re.Match[str]) -> str:
    return match.group(1)


def rule_findings(spec: Framework, data: DocumentData) -> list[Finding]:
    findings = []
    for rule in spec.rules:
        # Shown at the first indicator (or else table) the rule reads that the form has.
        section = anchor = ""
        for ref in rule.indicator_refs:
            code = split_indicator_ref(ref)[0]
            section = next(
                (s.code for s in spec.walk() if any(u.indicator == code for u in s.indicators)), ""
            )
            if section:
                anchor = str(EntryKey.value(code))
                break
        if not section and rule.table_refs:
            table_code = rule.table_refs[0].split(".")[0]
            section = next((s.code for s, t in spec.tables() if t.code == table_code), "")
            anchor = str(Collection.table(table_code)) if section else ""
        try:
            outcome = evaluate(parse(rule.check), data, missing=rule.missing)
        except Exception as exc:
            findings.append(
                Finding(
                    f"rule:{rule.code}",
                    WARNING,
                    _("Rule %(code)s could not be checked: %(reason)s")
                    % {"code": rule.code, "reason": exc},
                    section,
                    anchor,
                )
            )
            continue
        if outcome.status == "fail":
            # "HT.LAN = 30" reads better for an official than the rule's "#{HT.LAN}".
            values = ", ".join(
                f"{REF_MARKS.sub(_bare, k)} = {v}" for k, v in outcome.values.items()
            )
            findings.append(
                Finding(
                    f"rule:{rule.code}",
                    rule.importance,
                    f"{rule.message}" + (f" ({values})" if values else ""),
                    section,
                    anchor,
                    label=rule.code,
                )
            )
        elif outcome.status == "problem":
            reason = _(outcome.template) % outcome.params if outcome.params else _(outcome.template)
            findings.append(
                Finding(
                    f"rule:{rule.code}",
                    WARNING,
                    _("Rule %(code)s could not be checked: %(reason)s")
                    % {"code": rule.code, "reason": reason},
                    section,
                    anchor,
                    label=rule.code,
                )
            )
    return findings
