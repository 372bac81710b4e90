"""Problems found in a file, each with its path (``sections[3].tables[0].type``) and, in a
framework, the official number and title of the section it is in ("IV.5 Giải pháp tài
chính"); a code missing from a catalogue says how to add it, and is reported once, with the
other places that use it.

Messages are English templates marked with ``gettext_noop`` (``govplan.core.i18n``) so that
the Django layer can show them in Vietnamese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from govplan.core.i18n import gettext_noop

INDICATOR_HINT = gettext_noop(
    "a central administrator adds it to the indicator catalogue (Indicators page: upload the "
    "catalogue with it, or data/indicators/catalogue.yaml), or correct the code"
)
LEGAL_HINT = gettext_noop(
    "a central administrator adds it on the Legal documents page (or in "
    "data/legal/catalogue.yaml), or correct the code"
)
# The problems that name a code missing from a catalogue: how to add it.
MISSING_CODE_HINTS = {
    '"%(code)s" is not in the indicator catalogue': INDICATOR_HINT,
    "#{%(ref)s}: %(code)s is not in the indicator catalogue": INDICATOR_HINT,
    '"%(code)s" is not in the legal-document catalogue': LEGAL_HINT,
}
ALSO_AT = gettext_noop("also at %(paths)s")
_SECTIONS_PATH = re.compile(r"^((?:sections\[\d+\]\.?)+)")


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    section: str = ""  # "IV.5 Giải pháp tài chính": the section the path is in
    hint: str = ""  # a template: how to put it right
    also: tuple[str, ...] = ()  # other paths with the same problem

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

    def text(self, translate: Any) -> str:
        """The whole problem in a language: "path: message; hint; also at … — section"."""
        message = (
            translate(self.template) % self.flat_params(translate)
            if self.params
            else translate(self.template)
        )
        parts = [message]
        if self.hint:
            parts.append(translate(self.hint))
        if self.also:
            parts.append(translate(ALSO_AT) % {"paths": ", ".join(self.also)})
        out = "; ".join(parts)
        if self.path:
            out = f"{self.path}: {out}"
        if self.section:
            out = f"{out} — {self.section}"
        return out

    def __str__(self) -> str:
        return self.text(lambda t: t)


class SpecError(Exception):
    """A framework or catalogue file is refused; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems[:50]))


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def section_label(document: Any, path: str) -> str:
    """The official number and title of the section ``path`` is in, read from the raw
    framework ``document``: "IV.5 Giải pháp tài chính"; "" outside the sections."""
    match = _SECTIONS_PATH.match(path)
    if match is None or not isinstance(document, dict):
        return ""
    numbers: list[str] = []
    title = ""
    node: Any = document
    for index in re.findall(r"\[(\d+)\]", match.group(1)):
        items = node.get("sections") if isinstance(node, dict) else None
        if not isinstance(items, list) or int(index) >= len(items):
            break
        node = items[int(index)]
        if not isinstance(node, dict):
            break
        numbers.append(str(node.get("number", "?")).strip())
        title = " ".join(str(node.get("title", "")).split())
    if not numbers:
        return ""
    return f"{'.'.join(numbers)} {title}".strip()


def tidy(problems: list[Problem], document: Any = None) -> list[Problem]:
    """Each problem once: exact repeats dropped; a code missing from a catalogue reported at
    its first place, with how to add it and the other places using it. With the framework
    ``document``, each problem names the section it is in."""
    out: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    missing: dict[tuple[str, str], int] = {}
    for problem in problems:
        key = (problem.path, problem.template, repr(sorted(problem.params.items())))
        if key in seen:
            continue
        seen.add(key)
        hint = MISSING_CODE_HINTS.get(problem.template)
        if hint is not None:
            code = str(problem.params.get("code", ""))
            first = missing.get((hint, code))
            if first is not None:
                earlier = out[first]
                if problem.path != earlier.path and problem.path not in earlier.also:
                    out[first] = replace(earlier, also=(*earlier.also, problem.path))
                continue
            missing[(hint, code)] = len(out)
            problem = replace(problem, hint=hint)
        if document is not None and not problem.section:
            problem = replace(problem, section=section_label(document, problem.path))
        out.append(problem)
    return out


class Collector:
    """Gathers problems while a whole file is checked; never stops at the first. Given the
    raw framework ``document``, its problems name their sections."""

    def __init__(self, document: Any = None) -> None:
        self.problems: list[Problem] = []
        self.document = document

    def add(self, path: str, template: str, **params: Any) -> None:
        self.problems.append(Problem(path, template, params))

    def raise_if_any(self) -> None:
        if self.problems:
            raise SpecError(tidy(self.problems, self.document))
