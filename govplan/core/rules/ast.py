"""The nodes of a parsed rule (docs/frameworks.md, "Rules").

Every node records where it was written (``start``/``end``, 0-based character offsets in
the rule text); positions take no part in equality, so two rules that say the same thing
compare equal however they are spaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Node:
    start: int = field(default=0, compare=False, kw_only=True)
    end: int = field(default=0, compare=False, kw_only=True)


@dataclass(frozen=True)
class Number(Node):
    value: Decimal


@dataclass(frozen=True)
class Text(Node):
    value: str


@dataclass(frozen=True)
class Boolean(Node):
    value: bool


@dataclass(frozen=True)
class IndicatorRef(Node):
    """``#{CODE:OPT1:OPT2.numerator}``: ``ref`` is the text inside the braces, as written."""

    ref: str
    code: str
    options: tuple[str, ...] = ()
    part: str = ""  # "", "numerator" or "denominator"


@dataclass(frozen=True)
class ColumnRef(Node):
    """``@{table.column}``: a column (in sum/count/avg/min/max) or, inside the condition of
    ``count(@{table}, …)``, the cell of the row being looked at."""

    ref: str
    table: str
    column: str


@dataclass(frozen=True)
class TableRef(Node):
    """``@{table}``: the rows of a table (only in count)."""

    ref: str
    table: str


@dataclass(frozen=True)
class Negate(Node):
    operand: Expression


@dataclass(frozen=True)
class Not(Node):
    operand: Expression


@dataclass(frozen=True)
class Arithmetic(Node):
    op: str  # "+", "-", "*", "/"
    left: Expression
    right: Expression


@dataclass(frozen=True)
class Comparison(Node):
    op: str  # "=", "!=", "<", "<=", ">", ">=", "both_or_neither", "not_both"
    left: Expression
    right: Expression


@dataclass(frozen=True)
class Logical(Node):
    op: str  # "and", "or"
    left: Expression
    right: Expression


@dataclass(frozen=True)
class Call(Node):
    name: str  # lower case
    args: tuple[Expression, ...]


Expression = (
    Number
    | Text
    | Boolean
    | IndicatorRef
    | ColumnRef
    | TableRef
    | Negate
    | Not
    | Arithmetic
    | Comparison
    | Logical
    | Call
)


@dataclass(frozen=True)
class Rule:
    """A parsed rule: the text it was read from, its expression and its number of nodes."""

    text: str = field(compare=False)
    expression: Expression
    size: int = field(default=0, compare=False)


def children(node: Expression) -> tuple[Expression, ...]:
    if isinstance(node, Negate | Not):
        return (node.operand,)
    if isinstance(node, Arithmetic | Comparison | Logical):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Expression) -> list[Expression]:
    """Every node of the expression, parents before children (without recursion)."""
    result: list[Expression] = []
    stack = [node]
    while stack:
        current = stack.pop()
        result.append(current)
        stack.extend(reversed(children(current)))
    return result


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unparse(node: Expression) -> str:
    """The expression written out with every operation in brackets, e.g.
    ``((#{A} + (2 * 3)) <= #{B})``; parse(unparse(e)) gives back e."""
    if isinstance(node, Number):
        return format(node.value, "f")
    if isinstance(node, Text):
        return _quote(node.value)
    if isinstance(node, Boolean):
        return "true" if node.value else "false"
    if isinstance(node, IndicatorRef):
        return "#{" + node.ref + "}"
    if isinstance(node, ColumnRef | TableRef):
        return "@{" + node.ref + "}"
    if isinstance(node, Negate):
        return f"(-{unparse(node.operand)})"
    if isinstance(node, Not):
        return f"(not {unparse(node.operand)})"
    if isinstance(node, Arithmetic | Comparison | Logical):
        return f"({unparse(node.left)} {node.op} {unparse(node.right)})"
    return f"{node.name}({', '.join(unparse(a) for a in node.args)})"


# Ratio parts a reference may name. Here in the rules (not the framework checker) because
# the parser, the evaluator and the checker all take references apart; the checker imports
# the rules, never the other way round.
RATIO_PARTS = ("numerator", "denominator")


def split_indicator_ref(ref: str) -> tuple[str, tuple[str, ...], str]:
    """Split a reference: "VB.DIEN_TU:NOI_BO:HOAN_TOAN.numerator" gives
    ("VB.DIEN_TU", ("NOI_BO", "HOAN_TOAN"), "numerator")."""
    part = ""
    for candidate in RATIO_PARTS:
        if ref.endswith(f".{candidate}"):
            part = candidate
            ref = ref[: -len(candidate) - 1]
            break
    code, *options = ref.split(":")
    return code.strip(), tuple(o.strip() for o in options), part


__all__ = [
    "RATIO_PARTS",
    "Arithmetic",
    "Boolean",
    "Call",
    "ColumnRef",
    "Comparison",
    "Expression",
    "IndicatorRef",
    "Logical",
    "Negate",
    "Node",
    "Not",
    "Number",
    "Rule",
    "TableRef",
    "Text",
    "children",
    "split_indicator_ref",
    "unparse",
    "walk",
]
