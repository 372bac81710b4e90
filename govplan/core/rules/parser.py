"""Reading a rule: a hand-written tokenizer and a recursive-descent parser.

The text is never handed to Python (no eval, exec or compile): it is cut into tokens, and
the tokens are read by the grammar below, lowest precedence first::

    rule        := or
    or          := and ("or" and)*
    and         := not ("and" not)*
    not         := "not" not | comparison
    comparison  := additive [compare-op additive]        (no chaining: a < b < c is refused)
    additive    := term (("+" | "-") term)*
    term        := unary (("*" | "/") unary)*
    unary       := "-" unary | atom
    atom        := number | "text" | true | false | #{…} | @{…}
                 | name "(" [or ("," or)*] ")" | "(" or ")"

Each expression also gets a kind (number, condition, text, value, column, table) so that
a column where a number is needed, a table outside count(), or "1 + 2" as a whole rule
are refused with a message that says where.

Long because: the grammar above is one recursive-descent parser, a method per level, each
calling the next and all sharing the token stream, the node budget and the kinds; split
across modules the grammar could no longer be read top to bottom. The tokenizer and the
tables of operators and functions are the only other parts, and the parser is their one
reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

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
    walk,
)

MAX_LENGTH = 2000
MAX_NODES = 300
MAX_DEPTH = 40

COMPARISON_SPELLINGS = {
    "=": "=",
    "==": "=",
    "!=": "!=",
    "≠": "!=",
    "<>": "!=",
    "<": "<",
    "<=": "<=",
    "≤": "<=",
    ">": ">",
    ">=": ">=",
    "≥": ">=",
}
PAIR_OPERATORS = ("both_or_neither", "not_both")
ORDERING = ("<", "<=", ">", ">=")
KEYWORDS = ("and", "or", "not", "true", "false", *PAIR_OPERATORS)
FUNCTIONS = (
    "abs",
    "avg",
    "count",
    "filled",
    "if",
    "max",
    "min",
    "minimum",
    "national",
    "previous",
    "round",
    "subunits",
    "sum",
    "total",
)
AGGREGATES = ("sum", "avg", "min", "max", "count")
# name -> (fewest, most) arguments; None: no limit
ARITY: dict[str, tuple[int, int | None]] = {
    "abs": (1, 1),
    "avg": (1, 1),
    "count": (1, 2),
    "filled": (1, 1),
    "if": (3, 3),
    "max": (1, None),
    "min": (1, None),
    "minimum": (1, 1),
    "national": (1, 1),
    "previous": (1, 1),
    "round": (1, 2),
    "subunits": (1, 1),
    "sum": (1, 1),
    "total": (1, 1),
}
_SINGLE_CHAR_OPS = "+-*/(),=<>≠≤≥"


class RuleSyntaxError(Exception):
    """A rule that cannot be read: ``position`` is the 0-based character offset of the
    problem, ``template`` % ``params`` the English message (marked for translation)."""

    def __init__(self, position: int, template: str, **params: Any) -> None:
        self.position = position
        self.template = template
        self.params = params
        super().__init__(f"position {position}: {self.message}")

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


# --------------------------------------------------------------------------- tokens

NUMBER, STRING, IREF, TREF, WORD, OP, END = "number", "string", "iref", "tref", "word", "op", "end"


@dataclass(frozen=True)
class Token:
    kind: str
    text: str  # as written
    value: str  # number text, string contents, reference contents, lower-case word, operator
    start: int
    end: int


def _shown(text: str) -> str:
    return "'" + (text if len(text) <= 40 else text[:37] + "...") + "'"


def _describe(token: Token) -> str:
    return gettext_noop("the end of the rule") if token.kind == END else _shown(token.text)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if "0" <= ch <= "9":
            while i < n and "0" <= text[i] <= "9":
                i += 1
            if i + 1 < n and text[i] == "." and "0" <= text[i + 1] <= "9":
                i += 1
                while i < n and "0" <= text[i] <= "9":
                    i += 1
            tokens.append(Token(NUMBER, text[start:i], text[start:i], start, i))
            continue
        if ch == '"':
            i += 1
            chars: list[str] = []
            while True:
                if i >= n:
                    raise RuleSyntaxError(
                        start, gettext_noop('unterminated text: the closing " is missing')
                    )
                if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\':
                    chars.append(text[i + 1])
                    i += 2
                    continue
                if text[i] == '"':
                    i += 1
                    break
                chars.append(text[i])
                i += 1
            tokens.append(Token(STRING, text[start:i], "".join(chars), start, i))
            continue
        if ch in "#@" and i + 1 < n and text[i + 1] == "{":
            i += 2
            while i < n and text[i] not in "{}\n":
                i += 1
            if i >= n or text[i] != "}":
                raise RuleSyntaxError(
                    start,
                    gettext_noop("unterminated reference %(ref)s: the closing } is missing"),
                    ref=_shown(text[start:i]),
                )
            i += 1
            kind = IREF if ch == "#" else TREF
            tokens.append(Token(kind, text[start:i], text[start + 2 : i - 1], start, i))
            continue
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            while i < n and text[i].isascii() and (text[i].isalnum() or text[i] == "_"):
                i += 1
            tokens.append(Token(WORD, text[start:i], text[start:i].lower(), start, i))
            continue
        two = text[i : i + 2]
        if two in ("==", "!=", "<>", "<=", ">="):
            tokens.append(Token(OP, two, two, start, i + 2))
            i += 2
            continue
        if ch in _SINGLE_CHAR_OPS:
            tokens.append(Token(OP, ch, ch, start, i + 1))
            i += 1
            continue
        raise RuleSyntaxError(start, gettext_noop("unexpected character %(char)s"), char=_shown(ch))
    tokens.append(Token(END, "", "", n, n))
    return tokens


# --------------------------------------------------------------------------- parser

# Kinds of expression, known while reading.
K_NUMBER, K_CONDITION, K_TEXT, K_VALUE, K_COLUMN, K_TABLE = (
    "number",
    "condition",
    "text",
    "value",  # an indicator's value, a cell: a number, a yes/no or a code
    "column",
    "table",
)
_KIND_NAMES = {
    K_NUMBER: gettext_noop("a number"),
    K_CONDITION: gettext_noop("a condition"),
    K_TEXT: gettext_noop("a text"),
}


@dataclass(frozen=True)
class _Expr:
    node: Expression
    kind: str


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.nodes = 0
        self.depth = 0
        self.scopes: list[str] = []  # tables whose rows a count() condition looks at
        self.context: list[str] = []  # "(" inside brackets, "f" inside a function's arguments

    # -- helpers

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != END:
            self.index += 1
        return token

    def fail(self, position: int, template: str, **params: Any) -> NoReturn:
        raise RuleSyntaxError(position, template, **params)

    def expected(self, what: str) -> NoReturn:
        self.fail(
            self.token.start,
            gettext_noop("expected %(expected)s but found %(found)s"),
            expected=what,
            found=_describe(self.token),
        )

    def is_op(self, *ops: str) -> bool:
        return self.token.kind == OP and self.token.value in ops

    def is_word(self, *words: str) -> bool:
        return self.token.kind == WORD and self.token.value in words

    def comparison_op(self) -> str | None:
        if self.token.kind == OP and self.token.value in COMPARISON_SPELLINGS:
            return COMPARISON_SPELLINGS[self.token.value]
        if self.is_word(*PAIR_OPERATORS):
            return self.token.value
        return None

    def count(self, position: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(
                position,
                gettext_noop("the rule is too long (more than %(max)s parts)"),
                max=MAX_NODES,
            )

    def enter(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(
                position,
                gettext_noop("the rule is nested too deeply (more than %(max)s levels)"),
                max=MAX_DEPTH,
            )

    def leave(self) -> None:
        self.depth -= 1

    # -- kind checks

    def scalar(self, expr: _Expr) -> _Expr:
        node = expr.node
        if expr.kind == K_COLUMN:
            assert isinstance(node, ColumnRef)
            self.fail(
                node.start,
                gettext_noop(
                    "@{%(ref)s} is a table column, not a number: use it inside sum(), avg(), "
                    "min(), max() or count()"
                ),
                ref=node.ref,
            )
        if expr.kind == K_TABLE:
            assert isinstance(node, TableRef)
            self.fail(
                node.start,
                gettext_noop("@{%(ref)s} is a table: it can only be counted, as count(@{%(ref)s})"),
                ref=node.ref,
            )
        return expr

    def number(self, expr: _Expr) -> _Expr:
        self.scalar(expr)
        if expr.kind in (K_CONDITION, K_TEXT):
            self.fail(
                expr.node.start,
                gettext_noop("expected a number but found %(found)s"),
                found=_KIND_NAMES[expr.kind],
            )
        return expr

    def condition(self, expr: _Expr) -> _Expr:
        self.scalar(expr)
        if expr.kind in (K_NUMBER, K_TEXT):
            self.fail(
                expr.node.start,
                gettext_noop("expected a condition (a comparison) but found %(found)s"),
                found=_KIND_NAMES[expr.kind],
            )
        return expr

    # -- grammar

    def rule(self) -> Rule:
        if not self.text.strip():
            self.fail(0, gettext_noop("the rule is empty"))
        expr = self.or_()
        if self.token.kind != END:
            if self.comparison_op() is not None:
                self.chained()
            self.expected(gettext_noop("an operator or the end of the rule"))
        if expr.kind != K_CONDITION:
            self.scalar(expr)
            self.fail(expr.node.start, gettext_noop("the rule must be a condition (a comparison)"))
        return Rule(text=self.text, expression=expr.node, size=self.nodes)

    def chained(self) -> NoReturn:
        self.fail(
            self.token.start,
            gettext_noop(
                "comparisons cannot be chained: write a < b and b < c instead of a < b < c"
            ),
        )

    def logical(self, op: str, operand: Callable[[], _Expr]) -> _Expr:
        left: _Expr = operand()
        while self.is_word(op):
            if left.kind in (K_NUMBER, K_TEXT) and self.context[-1:] == ["("]:
                break  # "(1 + 2 and …": the bracket was meant to close
            token = self.advance()
            self.condition(left)
            right = self.condition(operand())
            self.count(token.start)
            node = Logical(op, left.node, right.node, start=left.node.start, end=right.node.end)
            left = _Expr(node, K_CONDITION)
        return left

    def or_(self) -> _Expr:
        return self.logical("or", self.and_)

    def and_(self) -> _Expr:
        return self.logical("and", self.not_)

    def not_(self) -> _Expr:
        if self.is_word("not"):
            token = self.advance()
            self.enter(token.start)
            operand = self.condition(self.not_())
            self.leave()
            self.count(token.start)
            return _Expr(Not(operand.node, start=token.start, end=operand.node.end), K_CONDITION)
        return self.comparison()

    def comparison(self) -> _Expr:
        left = self.additive()
        op = self.comparison_op()
        if op is None:
            return left
        token = self.advance()
        right = self.additive()
        if self.comparison_op() is not None:
            self.chained()
        for side in (left, right):
            if op in ORDERING:
                self.number(side)
            else:
                self.scalar(side)
        self.count(token.start)
        node = Comparison(op, left.node, right.node, start=left.node.start, end=right.node.end)
        return _Expr(node, K_CONDITION)

    def additive(self) -> _Expr:
        left = self.term()
        while self.is_op("+", "-"):
            token = self.advance()
            self.number(left)
            right = self.number(self.term())
            self.count(token.start)
            node = Arithmetic(
                token.value, left.node, right.node, start=left.node.start, end=right.node.end
            )
            left = _Expr(node, K_NUMBER)
        return left

    def term(self) -> _Expr:
        left = self.unary()
        while self.is_op("*", "/"):
            token = self.advance()
            self.number(left)
            right = self.number(self.unary())
            self.count(token.start)
            node = Arithmetic(
                token.value, left.node, right.node, start=left.node.start, end=right.node.end
            )
            left = _Expr(node, K_NUMBER)
        return left

    def unary(self) -> _Expr:
        if self.is_op("-"):
            token = self.advance()
            self.enter(token.start)
            operand = self.number(self.unary())
            self.leave()
            self.count(token.start)
            return _Expr(Negate(operand.node, start=token.start, end=operand.node.end), K_NUMBER)
        return self.atom()

    def atom(self) -> _Expr:
        token = self.token
        if token.kind == NUMBER:
            self.advance()
            self.count(token.start)
            return _Expr(Number(Decimal(token.value), start=token.start, end=token.end), K_NUMBER)
        if token.kind == STRING:
            self.advance()
            self.count(token.start)
            return _Expr(Text(token.value, start=token.start, end=token.end), K_TEXT)
        if token.kind == IREF:
            self.advance()
            self.count(token.start)
            return _Expr(self.indicator_ref(token), K_VALUE)
        if token.kind == TREF:
            self.advance()
            self.count(token.start)
            return self.table_ref(token)
        if token.kind == WORD:
            if token.value in ("true", "false"):
                self.advance()
                self.count(token.start)
                node = Boolean(token.value == "true", start=token.start, end=token.end)
                return _Expr(node, K_CONDITION)
            following = self.tokens[self.index + 1]
            if token.value in KEYWORDS:
                self.expected(gettext_noop("a value"))
            if following.kind == OP and following.value == "(":
                return self.call()
            self.fail(
                token.start,
                gettext_noop(
                    "unknown word %(word)s: write an indicator as #{CODE} and a table "
                    "column as @{table.column}"
                ),
                word=_shown(token.text),
            )
        if self.is_op("("):
            self.advance()
            self.enter(token.start)
            self.context.append("(")
            expr = self.or_()
            self.context.pop()
            if not self.is_op(")"):
                if self.comparison_op() is not None:
                    self.chained()
                self.expected("')'")
            self.advance()
            self.leave()
            return expr
        self.expected(gettext_noop("a value"))

    def indicator_ref(self, token: Token) -> IndicatorRef:
        code, options, part = split_indicator_ref(token.value)
        if not code or any(not o for o in options) or any(c.isspace() for c in code):
            self.fail(
                token.start,
                gettext_noop(
                    "%(ref)s is not an indicator reference like #{CODE} or #{CODE:OPTION}"
                ),
                ref=_shown(token.text),
            )
        return IndicatorRef(token.value, code, options, part, start=token.start, end=token.end)

    def table_ref(self, token: Token) -> _Expr:
        table, dot, column = (p.strip() for p in token.value.partition("."))
        if not table or (dot and not column):
            self.fail(
                token.start,
                gettext_noop("%(ref)s is not a table reference like @{table.column} or @{table}"),
                ref=_shown(token.text),
            )
        if not dot:
            return _Expr(TableRef(token.value, table, start=token.start, end=token.end), K_TABLE)
        node = ColumnRef(token.value, table, column, start=token.start, end=token.end)
        return _Expr(node, K_VALUE if table in self.scopes else K_COLUMN)

    def call(self) -> _Expr:
        name_token = self.advance()
        name = name_token.value
        if name not in FUNCTIONS:
            self.fail(
                name_token.start,
                gettext_noop("unknown function %(name)s(): the functions are %(known)s"),
                name=name_token.text,
                known=", ".join(FUNCTIONS),
            )
        self.advance()  # "("
        self.enter(name_token.start)
        args: list[_Expr] = []
        scoped = False
        self.context.append("f")
        if not self.is_op(")"):
            while True:
                args.append(self.or_())
                if name == "count" and len(args) == 1 and isinstance(args[0].node, TableRef):
                    self.scopes.append(args[0].node.table)
                    scoped = True
                if self.is_op(","):
                    self.advance()
                    continue
                if self.is_op(")"):
                    break
                if self.comparison_op() is not None:
                    self.chained()
                self.expected("',' or ')'")
        end = self.advance().end
        self.context.pop()
        if scoped:
            self.scopes.pop()
        self.leave()
        fewest, most = ARITY[name]
        if len(args) < fewest or (most is not None and len(args) > most):
            expected = (
                str(fewest)
                if fewest == most
                else f"{fewest}-{most}"
                if most is not None
                else f"{fewest}+"
            )
            self.fail(
                name_token.start,
                gettext_noop("%(name)s() takes %(expected)s argument(s), %(given)s given"),
                name=name,
                expected=expected,
                given=len(args),
            )
        kind = self.check_call(name, name_token, args)
        self.count(name_token.start)
        node = Call(name, tuple(a.node for a in args), start=name_token.start, end=end)
        return _Expr(node, kind)

    def needs_column(self, name: str, expr: _Expr) -> None:
        if not isinstance(expr.node, ColumnRef):
            if isinstance(expr.node, TableRef) and name != "count":
                self.scalar(expr)
            self.fail(
                expr.node.start,
                gettext_noop("%(name)s() needs a table column @{table.column} here"),
                name=name,
            )

    def needs_indicator(self, name: str, expr: _Expr) -> IndicatorRef:
        if not isinstance(expr.node, IndicatorRef):
            self.fail(
                expr.node.start,
                gettext_noop("%(name)s() needs an indicator reference #{…} here"),
                name=name,
            )
        return expr.node

    def check_call(self, name: str, token: Token, args: list[_Expr]) -> str:
        if name in ("sum", "avg"):
            self.needs_column(name, args[0])
            return K_NUMBER
        if name in ("min", "max"):
            if len(args) == 1:
                self.needs_column(name, args[0])
            else:
                for arg in args:
                    self.number(arg)
            return K_NUMBER
        if name == "count":
            first = args[0]
            if len(args) == 2:
                if not isinstance(first.node, TableRef):
                    self.fail(
                        first.node.start,
                        gettext_noop("count() with a condition needs a table @{table} first"),
                    )
                self.condition(args[1])
            elif not isinstance(first.node, TableRef):
                self.needs_column(name, first)
            return K_NUMBER
        if name == "abs":
            self.number(args[0])
            return K_NUMBER
        if name == "round":
            for arg in args:
                self.number(arg)
            return K_NUMBER
        if name == "total":
            ref = self.needs_indicator(name, args[0])
            if ref.options or ref.part:
                self.fail(
                    ref.start,
                    gettext_noop("total() takes an indicator code alone, as total(#{%(code)s})"),
                    code=ref.code,
                )
            return K_NUMBER
        if name in ("previous", "subunits", "national", "minimum"):
            self.needs_indicator(name, args[0])
            return K_VALUE if name == "previous" else K_NUMBER
        if name == "filled":
            if args[0].kind != K_COLUMN:
                self.scalar(args[0])
            return K_CONDITION
        assert name == "if"
        self.condition(args[0])
        a, b = self.scalar(args[1]), self.scalar(args[2])
        return a.kind if a.kind == b.kind else K_VALUE


def parse(text: str) -> Rule:
    """Read a rule; raise RuleSyntaxError (with the position) if it cannot be read."""
    if len(text) > MAX_LENGTH:
        raise RuleSyntaxError(
            MAX_LENGTH,
            gettext_noop("the rule is too long (more than %(max)s characters)"),
            max=MAX_LENGTH,
        )
    return _Parser(text).rule()


def references(rule: Rule) -> tuple[set[str], set[str]]:
    """The indicator references (the text inside #{…}) and the table references (inside
    @{…}) that a rule names, as written."""
    indicators: set[str] = set()
    tables: set[str] = set()
    for node in walk(rule.expression):
        if isinstance(node, IndicatorRef):
            indicators.add(node.ref)
        elif isinstance(node, ColumnRef | TableRef):
            tables.add(node.ref)
    return indicators, tables


__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "RuleSyntaxError",
    "Token",
    "parse",
    "references",
    "tokenize",
]
