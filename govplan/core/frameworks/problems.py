"""Problems found in a file, each with its path (``sections[3].tables[0].type``).

Messages are English templates marked with ``gettext_noop`` (``govplan.core.i18n``) so that
the Django layer can show them in Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.flat_params(lambda t: t) if self.params else self.template

    def flat_params(self, translate: Any) -> dict[str, Any]:
        """Parameters with any nested message (``reason_template``/``reason_params``) written
        out, through ``translate`` so that the Django layer can put it in the user's language."""
        params = dict(self.params)
        if "reason_template" in params:
            template = translate(params.pop("reason_template"))
            inner = params.pop("reason_params", {}) or {}
            params["reason"] = template % inner if inner else template
        return params

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecError(Exception):
    """A framework or catalogue file is refused; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems[:50]))


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Collector:
    """Gathers problems while a whole file is checked; never stops at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, template: str, **params: Any) -> None:
        self.problems.append(Problem(path, template, params))

    def raise_if_any(self) -> None:
        if self.problems:
            raise SpecError(self.problems)
