"""Evaluating a parsed rule against a document's values.

Values are Decimal (numbers), bool, str (choice codes, texts) or, for a multichoice cell, a
tuple of codes. A reference without a value is *missing*: it propagates through arithmetic
and comparisons, and the logic is three-valued (``false and missing`` is false, ``true or
missing`` is true), so the outcome is "skipped" only when the result depends on a missing
value. With ``missing="zero"`` a missing value used as a number counts as 0.

The evaluator never raises for a rule produced by ``parse()``: whatever cannot be computed
(division by zero, a text where a number is needed, a table that does not exist, too much
work) gives an Outcome with status "problem" and the reason. Exceptions raised by the data
source itself are passed on unchanged.

Long because: the evaluator has one method per kind of node the parser makes, and all of
them share the three-valued logic and the propagation of missing values described above;
keeping them together is what keeps every operator's treatment of a missing value the same.
DictData (the rule data over plain dictionaries) is the one part that could leave.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any, Protocol, TypeVar

from govplan.core.i18n import gettext_noop
from govplan.core.rules.ast import (
    Arithmetic,
    Boolean,
    Call,
    ColumnRef,
    Comparison,
    Expression,
    IndicatorRef,
    Logical,
    Negate,
    Not,
    Number,
    Rule,
    TableRef,
    Text,
    split_indicator_ref,
)

MISSING_MODES = ("skip", "zero")
UNEXPECTED = gettext_noop("the rule could not be evaluated (%(error)s)")
ROUND_LIMIT = 20  # round(x, n): -20 <= n <= 20
_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


class RuleData(Protocol):
    def indicator(self, ref: str) -> Decimal | bool | str | None: ...

    def indicator_total(self, code: str) -> Decimal | None: ...

    def rows(self, table: str) -> Sequence[Mapping[str, Any]] | None: ...

    def previous(self, ref: str) -> Decimal | bool | str | None: ...

    def subunits(self, ref: str) -> Decimal | None: ...

    def national(self, ref: str, what: str) -> Decimal | None:
        """The figure the framework states for the whole country: ``what`` is "national"
        (the reference value) or "minimum" (the national minimum target)."""
        ...


@dataclass(frozen=True)
class Outcome:
    status: str  # "pass", "fail", "skipped", "problem"
    template: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


@dataclass(frozen=True)
class _Missing:
    """No value. ``labels`` are the references (as written) the absence comes from; a cell
    of a row looked at by a count() condition leaves none."""

    labels: tuple[str, ...] = ()


Value = Decimal | bool | str | tuple[str, ...]
Result = Value | _Missing


class _Problem(Exception):
    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(template)
        self.template = template
        self.params = params


class _DataFailure(Exception):
    """An exception raised by the data source: passed on to the caller as it was."""

    def __init__(self, original: Exception) -> None:
        super().__init__(str(original))
        self.original = original


def _merge(*results: Result) -> _Missing:
    labels: list[str] = []
    for result in results:
        if isinstance(result, _Missing):
            labels.extend(label for label in result.labels if label not in labels)
    return _Missing(tuple(labels))


def show(value: Result | None) -> str:
    """A value as shown to people: 120, 94.5, true, a code; "" if there is none."""
    if value is None or isinstance(value, _Missing):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value.adjusted()) > 40:
            return str(value)
        with localcontext(_CONTEXT):
            text = format(value.normalize(), "f")
        return "0" if text == "-0" else text
    if isinstance(value, tuple):
        return "; ".join(value)
    return value


def _shown(value: Result) -> str:
    text = show(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f'"{text}"' if isinstance(value, str) else text


def _is_decimal_text(text: str) -> bool:
    """A number as cells store it: "-12", "1234.5" (no exponent, no separators)."""
    whole, dot, fraction = text.removeprefix("-").partition(".")
    digits = "0123456789"
    return (
        bool(whole)
        and all(c in digits for c in whole)
        and (not dot or (bool(fraction) and all(c in digits for c in fraction)))
    )


def _value(raw: Any, *, from_row: bool) -> Value | None:
    """The evaluator's value for what the data source gave; None for no value."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise _Problem(gettext_noop("%(value)s is not a number"), value=str(raw))
        return raw
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise _Problem(gettext_noop("%(value)s is not a number"), value=repr(raw))
        return Decimal(repr(raw))
    if isinstance(raw, str):
        if raw.strip() == "":
            return None
        if from_row and _is_decimal_text(raw.strip()):
            return Decimal(raw.strip())
        return raw
    if isinstance(raw, list | tuple | set | frozenset):
        codes = (
            tuple(sorted(str(c) for c in raw))
            if isinstance(raw, set | frozenset)
            else (tuple(str(c) for c in raw))
        )
        return codes or None
    raise _Problem(gettext_noop("unsupported value %(value)s"), value=type(raw).__name__)


T = TypeVar("T")


def _ask(function: Callable[[str], T], argument: str) -> T:
    try:
        return function(argument)
    except Exception as error:
        raise _DataFailure(error) from error


class _Evaluator:
    def __init__(self, rule: Rule, data: RuleData, missing: str, max_steps: int) -> None:
        self.text = rule.text
        self.data = data
        self.zero = missing == "zero"
        self.max_steps = max_steps
        self.steps = 0
        self.inspecting = 0  # > 0 while only looking at whether something is filled
        self.rows_of: dict[str, Sequence[Mapping[str, Any]]] = {}
        self.current: dict[str, Mapping[str, Any]] = {}  # table -> row being looked at
        self.cache: dict[tuple[str, str, str], Result] = {}
        self.missing: list[str] = []
        self.values: dict[str, str] = {}

    # -- helpers

    def step(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise _Problem(gettext_noop("the rule took too many steps"))

    def label(self, node: Expression) -> str:
        return self.text[node.start : node.end] if node.end > node.start else ""

    def found(self, node: Expression, value: Value | None) -> Result:
        """Record a reference's value (or its absence) under its label."""
        label = self.label(node)
        if value is None:
            if self.inspecting == 0 and label and label not in self.missing:
                self.missing.append(label)
            return _Missing((label,) if label else ())
        if label:
            self.values[label] = show(value)
        return value

    def number(self, value: Result) -> Decimal | _Missing:
        if isinstance(value, _Missing):
            return Decimal(0) if self.zero else value
        if isinstance(value, Decimal):
            return value
        raise _Problem(gettext_noop("%(value)s is not a number"), value=_shown(value))

    def truth(self, value: Result) -> bool | _Missing:
        if isinstance(value, bool | _Missing):
            return value
        raise _Problem(gettext_noop("%(value)s is not true or false"), value=_shown(value))

    def rows(self, table: str) -> Sequence[Mapping[str, Any]]:
        if table not in self.rows_of:
            rows = _ask(self.data.rows, table)
            if rows is None:
                raise _Problem(gettext_noop("table %(table)s does not exist"), table=table)
            self.rows_of[table] = rows
        return self.rows_of[table]

    def cell(self, row: Mapping[str, Any], column: str) -> Value | None:
        try:
            raw = row.get(column)
        except Exception as error:
            raise _DataFailure(error) from error
        return _value(raw, from_row=True)

    # -- evaluation

    def run(self, node: Expression) -> Result:
        self.step()
        if isinstance(node, Number | Text | Boolean):
            return node.value
        if isinstance(node, IndicatorRef):
            return self.found(node, _value(_ask(self.data.indicator, node.ref), from_row=False))
        if isinstance(node, ColumnRef):
            row = self.current.get(node.table)
            if row is None:  # parse() only allows a bare column inside count(@{table}, …)
                raise _Problem(
                    gettext_noop("@{%(ref)s} is a table column, not a number"), ref=node.ref
                )
            value = self.cell(row, node.column)
            return _Missing() if value is None else value
        if isinstance(node, TableRef):
            raise _Problem(gettext_noop("@{%(ref)s} is a table"), ref=node.ref)
        if isinstance(node, Negate):
            operand = self.number(self.run(node.operand))
            return operand if isinstance(operand, _Missing) else -operand
        if isinstance(node, Not):
            truth = self.truth(self.run(node.operand))
            return truth if isinstance(truth, _Missing) else not truth
        if isinstance(node, Arithmetic):
            return self.arithmetic(node)
        if isinstance(node, Logical):
            return self.logical(node)
        if isinstance(node, Comparison):
            return self.comparison(node)
        return self.call(node)

    def arithmetic(self, node: Arithmetic) -> Result:
        chain: list[Arithmetic] = []
        current: Expression = node
        while isinstance(current, Arithmetic):  # a + b - c ...: along the left, no recursion
            chain.append(current)
            current = current.left
        total = self.number(self.run(current))
        for link in reversed(chain):
            if link is not node:
                self.step()
            right = self.number(self.run(link.right))
            if isinstance(total, _Missing) or isinstance(right, _Missing):
                total = _merge(total, right)
            elif link.op == "+":
                total = total + right
            elif link.op == "-":
                total = total - right
            elif link.op == "*":
                total = total * right
            else:
                if right == 0:
                    raise _Problem(gettext_noop("division by zero"))
                total = total / right
        return total

    def logical(self, node: Logical) -> Result:
        chain: list[Logical] = []
        current: Expression = node
        while isinstance(current, Logical):
            chain.append(current)
            current = current.left
        result = self.truth(self.run(current))
        for link in reversed(chain):
            if link is not node:
                self.step()
            decided = link.op == "or"  # the value that settles it: true for or, false for and
            if result is decided:
                continue
            right = self.truth(self.run(link.right))
            if right is decided:
                result = decided
            elif isinstance(result, _Missing) or isinstance(right, _Missing):
                result = _merge(result, right)
            else:
                result = right
        return result

    def comparison(self, node: Comparison) -> Result:
        if node.op in ("both_or_neither", "not_both"):
            self.inspecting += 1
            try:
                left = not isinstance(self.run(node.left), _Missing)
                right = not isinstance(self.run(node.right), _Missing)
            finally:
                self.inspecting -= 1
            return left == right if node.op == "both_or_neither" else not (left and right)
        a, b = self.run(node.left), self.run(node.right)
        if node.op in ("=", "!="):
            if self.zero:
                if isinstance(a, _Missing) and isinstance(b, Decimal):
                    a = Decimal(0)
                if isinstance(b, _Missing) and isinstance(a, Decimal):
                    b = Decimal(0)
            if isinstance(a, _Missing) or isinstance(b, _Missing):
                return _merge(a, b)
            same = _equal(a, b)
            return same if node.op == "=" else not same
        x, y = self.number(a), self.number(b)
        if isinstance(x, _Missing) or isinstance(y, _Missing):
            return _merge(x, y)
        if node.op == "<":
            return x < y
        if node.op == "<=":
            return x <= y
        if node.op == ">":
            return x > y
        return x >= y

    # -- functions

    def call(self, node: Call) -> Result:
        name, args = node.name, node.args
        if name in ("sum", "avg", "min", "max", "count") and len(args) == 1:
            arg = args[0]
            if isinstance(arg, ColumnRef):
                return self.found(node, self.column(name, arg))
            if isinstance(arg, TableRef):
                return self.found(node, Decimal(len(self.rows(arg.table))))
        if name == "count":
            return self.count_where(node)
        if name in ("min", "max"):
            numbers = [self.number(self.run(a)) for a in args]
            if any(isinstance(n, _Missing) for n in numbers):
                return _merge(*numbers)
            present = [n for n in numbers if isinstance(n, Decimal)]
            return min(present) if name == "min" else max(present)
        if name == "abs":
            value = self.number(self.run(args[0]))
            return value if isinstance(value, _Missing) else abs(value)
        if name == "round":
            return self.round(args)
        if name == "filled":
            return self.filled(args[0])
        if name == "if":
            condition = self.truth(self.run(args[0]))
            if isinstance(condition, _Missing):
                return condition
            return self.run(args[1] if condition else args[2])
        ref = args[0]
        if not isinstance(ref, IndicatorRef):
            raise _Problem(gettext_noop("%(name)s() needs an indicator reference"), name=name)
        if name == "total":
            raw: Any = _ask(self.data.indicator_total, ref.code)
        elif name == "previous":
            raw = _ask(self.data.previous, ref.ref)
        elif name in ("national", "minimum"):
            raw = _ask(lambda r: self.data.national(r, name), ref.ref)
        else:
            raw = _ask(self.data.subunits, ref.ref)
        answer = _value(raw, from_row=False)
        if name != "previous" and answer is not None and not isinstance(answer, Decimal):
            raise _Problem(gettext_noop("%(value)s is not a number"), value=_shown(answer))
        return self.found(node, answer)

    def column(self, name: str, ref: ColumnRef) -> Value | None:
        key = (name, ref.table, ref.column)
        if key in self.cache:
            cached = self.cache[key]
            return None if isinstance(cached, _Missing) else cached
        count = 0
        numbers: list[Decimal] = []
        for row in self.rows(ref.table):
            self.step()
            value = self.cell(row, ref.column)
            if value is None:
                continue
            count += 1
            if name != "count":
                number = self.number(value)
                assert isinstance(number, Decimal)
                numbers.append(number)
        result: Value | None
        if name == "count":
            result = Decimal(count)
        elif name == "sum":
            result = sum(numbers, Decimal(0))
        elif not numbers:
            result = None
        elif name == "avg":
            result = sum(numbers, Decimal(0)) / len(numbers)
        else:
            result = min(numbers) if name == "min" else max(numbers)
        self.cache[key] = _Missing() if result is None else result
        return result

    def count_where(self, node: Call) -> Result:
        table, condition = node.args
        assert isinstance(table, TableRef)
        outer = self.current.get(table.table)
        count = 0
        unknown: list[_Missing] = []
        try:
            for row in self.rows(table.table):
                self.step()
                self.current[table.table] = row
                truth = self.truth(self.run(condition))
                if truth is True:
                    count += 1
                elif isinstance(truth, _Missing) and truth.labels:
                    unknown.append(truth)  # depends on a missing indicator, not on the row
        finally:
            if outer is None:
                self.current.pop(table.table, None)
            else:
                self.current[table.table] = outer
        if unknown:
            return _merge(*unknown)
        return self.found(node, Decimal(count))

    def round(self, args: tuple[Expression, ...]) -> Result:
        value = self.number(self.run(args[0]))
        places: Decimal | _Missing = Decimal(0)
        if len(args) == 2:
            places = self.number(self.run(args[1]))
        if isinstance(value, _Missing) or isinstance(places, _Missing):
            return _merge(value, places)
        if places != places.to_integral_value() or abs(places) > ROUND_LIMIT:
            raise _Problem(
                gettext_noop("round() needs a whole number of decimals from -%(max)s to %(max)s"),
                max=ROUND_LIMIT,
            )
        n = int(places)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= -n:
            return value  # nothing beyond the n-th decimal
        return value.quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_UP)

    def filled(self, arg: Expression) -> bool:
        if isinstance(arg, ColumnRef) and arg.table not in self.current:
            return any(self.cell(row, arg.column) is not None for row in self._stepped(arg.table))
        self.inspecting += 1
        try:
            return not isinstance(self.run(arg), _Missing)
        finally:
            self.inspecting -= 1

    def _stepped(self, table: str) -> Any:
        for row in self.rows(table):
            self.step()
            yield row


def _equal(a: Value, b: Value) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return isinstance(a, Decimal) and isinstance(b, Decimal) and a == b
    if isinstance(a, tuple) and isinstance(b, str):
        return b in a
    if isinstance(b, tuple) and isinstance(a, str):
        return a in b
    return a == b


def evaluate(
    rule: Rule, data: RuleData, *, missing: str = "skip", max_steps: int = 100_000
) -> Outcome:
    """Evaluate ``rule``: "pass" if it holds, "fail" if not, "skipped" if its result
    depends on a missing value, "problem" (with the reason) if it cannot be computed."""
    if missing not in MISSING_MODES:
        raise ValueError(f"missing must be one of {MISSING_MODES}, not {missing!r}")
    evaluator = _Evaluator(rule, data, missing, max_steps)

    def outcome(status: str, template: str = "", **params: Any) -> Outcome:
        return Outcome(
            status=status,
            template=template,
            params=params,
            missing=tuple(evaluator.missing),
            values=dict(evaluator.values),
        )

    try:
        with localcontext(_CONTEXT):
            result = evaluator.truth(evaluator.run(rule.expression))
    except _DataFailure as failure:
        raise failure.original from None
    except _Problem as problem:
        return outcome("problem", problem.template, **problem.params)
    except Overflow:
        return outcome("problem", gettext_noop("a number is too large"))
    except (InvalidOperation, DivisionByZero):
        return outcome("problem", gettext_noop("a number could not be computed"))
    except RecursionError:
        return outcome("problem", gettext_noop("the rule is nested too deeply"))
    except Exception as error:  # a safety net: the checker must get an answer
        return outcome(
            "problem",
            UNEXPECTED,
            error=f"{type(error).__name__}: {error}"[:200],
        )
    if isinstance(result, _Missing):
        return outcome("skipped")
    return outcome("pass" if result else "fail")


# --------------------------------------------------------------------------- plain data


@dataclass
class DictData:
    """A RuleData over plain dicts, with the meanings the rule language gives references.

    ``values`` holds cells keyed as written inside #{…}: "CODE" (a plain indicator),
    "CODE:OPT" / "CODE:OPT1:OPT2" (cells of a disaggregated indicator), "CODE.numerator" /
    "CODE:OPT.denominator" (the parts of a ratio). From them:

    - #{CODE} of a disaggregated indicator is the sum of its cells;
    - #{CODE} (or #{CODE:OPT}) of a ratio is numerator / denominator * 100, None when the
      denominator is 0 or a part is missing; for a disaggregated ratio without options, the
      sum of numerators over the sum of denominators;
    - previous() asks ``previous_cycle``; subunits() adds up the ``subunits``' values (for a
      ratio percentage: sum of numerators / sum of denominators * 100).
    """

    values: Mapping[str, Decimal | bool | str | None] = field(default_factory=dict)
    tables: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    previous_cycle: DictData | None = None
    sub_units: Sequence[DictData] = ()
    # The framework's national figures, keyed "national:REF" / "minimum:REF".
    figures: Mapping[str, Decimal] = field(default_factory=dict)

    def national(self, ref: str, what: str) -> Decimal | None:
        return self.figures.get(f"{what}:{ref}")

    def _cells(self, code: str, part: str) -> list[Decimal | bool | str | None]:
        found = []
        for key, value in self.values.items():
            key_code, options, key_part = split_indicator_ref(key)
            if key_code == code and options and key_part == part:
                found.append(value)
        return found

    def _is_ratio(self, code: str) -> bool:
        return any(
            split_indicator_ref(key)[0] == code and split_indicator_ref(key)[2]
            for key in self.values
        )

    def _part(self, code: str, options: tuple[str, ...], part: str) -> Decimal | None:
        key = ":".join((code, *options)) + (f".{part}" if part else "")
        if key in self.values:
            value = self.values[key]
            return value if isinstance(value, Decimal) else None
        if options:
            return None
        numbers = [v for v in self._cells(code, part) if isinstance(v, Decimal)]
        return sum(numbers, Decimal(0)) if numbers else None

    def indicator(self, ref: str) -> Decimal | bool | str | None:
        code, options, part = split_indicator_ref(ref)
        key = ":".join((code, *options)) + (f".{part}" if part else "")
        if key in self.values:
            return self.values[key]
        if not part and self._is_ratio(code):
            return _percent(
                self._part(code, options, "numerator"), self._part(code, options, "denominator")
            )
        return self._part(code, options, part)

    def indicator_total(self, code: str) -> Decimal | None:
        value = self.indicator(code)
        return value if isinstance(value, Decimal) else None

    def rows(self, table: str) -> Sequence[Mapping[str, Any]] | None:
        return self.tables.get(table)

    def previous(self, ref: str) -> Decimal | bool | str | None:
        return self.previous_cycle.indicator(ref) if self.previous_cycle is not None else None

    def subunits(self, ref: str) -> Decimal | None:
        code, options, part = split_indicator_ref(ref)
        if not part and any(unit._is_ratio(code) for unit in self.sub_units):
            numerators = [u._part(code, options, "numerator") for u in self.sub_units]
            denominators = [u._part(code, options, "denominator") for u in self.sub_units]
            return _percent(_add(numerators), _add(denominators))
        values = [unit.indicator(ref) for unit in self.sub_units]
        return _add([v for v in values if isinstance(v, Decimal)])


def _add(numbers: Sequence[Decimal | None]) -> Decimal | None:
    present = [n for n in numbers if n is not None]
    return sum(present, Decimal(0)) if present else None


def _percent(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    with localcontext(_CONTEXT):
        return numerator * 100 / denominator


__all__ = ["DictData", "Outcome", "RuleData", "evaluate", "show"]
