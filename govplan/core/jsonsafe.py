"""Reading JSON (or a tree loaded from YAML) that came from outside, strictly.

Python's ``json`` accepts things no GovPlan input may hold and fails on others with errors
that are not about JSON: ``NaN``, ``Infinity`` and ``1e400`` (which becomes infinity) are read
as numbers; ``"\\ud800"`` becomes a string that cannot be encoded; an integer literal of more
than 4,300 digits raises a ValueError; a few thousand ``[`` raise a RecursionError. Here each
of them is refused as a :class:`JsonProblem` naming where it is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NoReturn

from govplan.core.i18n import gettext_noop
from govplan.core.inputs import (
    MAX_INTEGER_DIGITS,
    character_problem,
    is_finite,
    strip_forbidden,
)

Where = tuple[str | int, ...]


class JsonProblem(ValueError):
    """Why a JSON text or a loaded tree is refused, and where (keys and list indexes)."""

    def __init__(self, where: Where, template: str, **params: Any) -> None:
        self.where = where
        self.template = template
        self.params = params
        super().__init__(f"{self.path}: {template % params if params else template}")

    @property
    def path(self) -> str:
        # A refused key is part of the path: shown without the characters it was refused for.
        return ".".join(strip_forbidden(str(part)) for part in self.where)


class _BadNumber:
    """A number literal left unconverted (NaN, Infinity, 1e400, 5,000 digits), kept as text
    so that the tree walk can say where it is."""

    __slots__ = ("finite", "text")

    def __init__(self, text: str, *, finite: bool = False) -> None:
        self.text = text if len(text) <= 24 else text[:20] + "…"
        self.finite = finite


def _int(text: str) -> int | _BadNumber:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        return _BadNumber(text, finite=True)
    return int(text)


def _float(text: str) -> float | _BadNumber:
    value = float(text)
    return value if math.isfinite(value) else _BadNumber(text)


def loads(
    data: bytes | str,
    *,
    max_depth: int,
    controls: bool = False,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> Any:
    """The JSON value in ``data``, checked with :func:`check_tree`.

    Raises JsonProblem; other ValueErrors raised by ``object_pairs_hook`` pass through."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonProblem(
                (), gettext_noop("not UTF-8 text (byte %(position)s)"), position=exc.start + 1
            ) from None
    try:
        value = json.loads(
            data,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_BadNumber,
            object_pairs_hook=object_pairs_hook,
        )
    except json.JSONDecodeError as exc:
        raise JsonProblem(
            (),
            gettext_noop("not valid JSON (line %(line)s, column %(column)s)"),
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise JsonProblem(
            (), gettext_noop("nested deeper than %(max)s levels"), max=max_depth
        ) from None
    check_tree(value, max_depth=max_depth, controls=controls)
    return value


def check_tree(value: Any, *, max_depth: int, controls: bool = False) -> None:
    """Refuse the first thing in a loaded tree (dicts, lists, scalars) that no input may hold:
    nesting deeper than ``max_depth``; a non-finite number or one with more than 15 digits
    before the decimal mark; in a key or a string, NUL or an unpaired surrogate, and with
    ``controls`` any other control character except tab and line breaks. Iterative, so
    that the depth check itself cannot overflow the stack."""
    stack: list[tuple[Any, Where]] = [(value, ())]
    while stack:
        item, where = stack.pop()
        if len(where) > max_depth:
            raise JsonProblem((), gettext_noop("nested deeper than %(max)s levels"), max=max_depth)
        if isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str):
                    _check_text(key, (*where, key), controls)
                stack.append((child, (*where, key)))
        elif isinstance(item, list | tuple):
            stack.extend((child, (*where, index)) for index, child in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, where, controls)
        elif isinstance(item, _BadNumber):
            if item.finite:
                _too_large(where)
            raise JsonProblem(
                where, gettext_noop("not a finite number: %(value)s"), value=item.text
            )
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int | float | Decimal):
            _check_number(item, where)


def _check_text(text: str, where: Where, controls: bool) -> None:
    problem = character_problem(text, unstorable_only=not controls)
    if problem is not None:
        template, params = problem
        raise JsonProblem(where, template, **params)


def _check_number(number: int | float | Decimal, where: Where) -> None:
    if not is_finite(number):
        raise JsonProblem(where, gettext_noop("not a finite number: %(value)s"), value=str(number))
    if abs(number) >= 10**MAX_INTEGER_DIGITS:
        _too_large(where)


def _too_large(where: Where) -> NoReturn:
    raise JsonProblem(
        where,
        gettext_noop("too large: at most %(digits)s digits before the decimal mark"),
        digits=MAX_INTEGER_DIGITS,
    )
