"""Loading YAML (or JSON) safely: no aliases, no repeated keys, no Python objects.

PyYAML's safe loader still expands aliases (a few lines can grow into gigabytes) and keeps
the last of two repeated keys without a word; a framework file gets neither. Nor does it get
what no input may hold (govplan.core.jsonsafe.check_tree): nesting deeper than 40 levels,
NaN or infinite numbers (``.nan``, ``.inf``, ``1e400``), numbers of more than 15 digits,
control characters or unpaired surrogates (``"\\x07"``, ``"\\ud800"``) in any text.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from govplan.core.frameworks.problems import Problem, SpecError, join
from govplan.core.i18n import gettext_noop
from govplan.core.inputs import MAX_INTEGER_DIGITS
from govplan.core.jsonsafe import JsonProblem, check_tree
from govplan.core.jsonsafe import loads as json_loads

MAX_BYTES = 2_000_000
MAX_DEPTH = 40  # the shipped frameworks nest 11 levels deep at most


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (&name, *name) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)  # type: ignore[arg-type]

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, "a list or a mapping cannot be a key", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice", key_node.start_mark
                )
            seen[key] = True
        return super().construct_mapping(node, deep=deep)


def _no_dates(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    # Dates stay text: the checker parses them itself and reports a bad one by path.
    return str(loader.construct_scalar(node))


def _bounded_int(loader: yaml.SafeLoader, node: ScalarNode) -> Any:
    # PyYAML converts with int(), which refuses more than 4,300 digits with a ValueError
    # that is not a YAML error; a number that long is refused here, where its line is known.
    text = str(loader.construct_scalar(node)).replace("_", "").lstrip("+-")
    if len(text) > MAX_INTEGER_DIGITS + 2:  # room for a 0x / 0o prefix
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"a number of more than {MAX_INTEGER_DIGITS} digits",
            node.start_mark,
        )
    return loader.construct_yaml_int(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _no_dates)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _bounded_int)


def load_text(text: str | bytes, *, name: str = "file") -> Any:
    """Parse a YAML or JSON document; a syntax problem becomes a SpecError with its line."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise SpecError([Problem("", gettext_noop("the file is larger than 2 MB"))])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SpecError([Problem("", gettext_noop("the file is not UTF-8 text"))]) from None
    if len(text) > MAX_BYTES:
        raise SpecError([Problem("", gettext_noop("the file is larger than 2 MB"))])
    stripped = text.lstrip()
    try:
        if stripped.startswith(("{", "[")):
            return json_loads(
                text, max_depth=MAX_DEPTH, controls=True, object_pairs_hook=_json_object
            )
        if _nests_deeper(text, 2 * MAX_DEPTH):
            raise RecursionError  # before PyYAML, whose scanner is quadratic in flow depth
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506  (a SafeLoader subclass)
        check_tree(data, max_depth=MAX_DEPTH, controls=True)
        return data
    except JsonProblem as exc:
        path = ""
        for part in exc.where:
            path = join(path, part if isinstance(part, int) else str(part))
        raise SpecError([Problem(path, exc.template, exc.params)]) from None
    except _DuplicateKey as exc:
        raise SpecError(
            [Problem("", gettext_noop("the key '%(key)s' appears twice"), {"key": exc.key})]
        ) from None
    except RecursionError:
        raise SpecError(
            [Problem("", gettext_noop("nested deeper than %(max)s levels"), {"max": MAX_DEPTH})]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else "?"
        reason = exc.problem or exc.context or "syntax error"
        raise SpecError(
            [
                Problem(
                    "",
                    gettext_noop("line %(line)s: not valid YAML (%(reason)s)"),
                    {"line": line, "reason": reason},
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(
            [Problem("", gettext_noop("not valid YAML (%(reason)s)"), {"reason": str(exc)})]
        ) from None


_BRACKET = re.compile(r"[\[\]{}]")


def _nests_deeper(text: str, limit: int) -> bool:
    """Whether ``[`` and ``{`` nest deeper than ``limit``, counted over the whole text
    (inside quotes too: a file with that many unclosed brackets in its titles is refused
    with the same message)."""
    depth = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth = max(0, depth - 1)
    return False


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key[:100]
        super().__init__(key)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def dump_text(data: Any) -> str:
    """YAML for people: keys in the given order, Vietnamese letters as they are."""
    return yaml.dump(data, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False, width=100)
