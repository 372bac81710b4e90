"""What a check finds: a *finding* is shown where the problem is (section, field, row) with
its message. An error blocks submission; a warning needs a written explanation to submit with
it standing."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING = "error", "warning"


@dataclass
class Finding:
    check_id: str
    importance: str
    message: str
    section: str = ""
    anchor: str = ""  # an entry key, when the problem is in one
    label: str = ""  # what the anchor is, in words
    explanation: str = ""
    # Where inside the anchor: a table column, a disaggregation cell ("" is the single
    # cell of an undivided indicator), a target's field; None for the anchor as a whole.
    field: str | None = None

    @property
    def blocking(self) -> bool:
        return self.importance == ERROR or not self.explanation


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.importance == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.importance == WARNING]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]
