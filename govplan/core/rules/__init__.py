"""The validation rule language of frameworks (docs/frameworks.md, "Rules").

``parse(text)`` reads a rule into a :class:`Rule` (an AST of frozen dataclasses) or raises
:class:`RuleSyntaxError` with the position; ``references(rule)`` lists what it names;
``evaluate(rule, data)`` computes it against a :class:`RuleData` and returns an
:class:`Outcome` ("pass", "fail", "skipped" or "problem"), never raising. Pure Python.
"""

from govplan.core.rules.ast import Rule, unparse
from govplan.core.rules.evaluate import DictData, Outcome, RuleData, evaluate, show
from govplan.core.rules.parser import FUNCTIONS, RuleSyntaxError, parse, references

__all__ = [
    "FUNCTIONS",
    "DictData",
    "Outcome",
    "Rule",
    "RuleData",
    "RuleSyntaxError",
    "evaluate",
    "parse",
    "references",
    "show",
    "unparse",
]
