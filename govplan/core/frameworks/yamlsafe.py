"""Loading YAML (or JSON) safely: no aliases, no repeated keys, no Python objects.

PyYAML's safe loader still expands aliases (a few lines can grow into gigabytes) and keeps
the last of two repeated keys without a word; a framework file gets neither.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node

from govplan.core.frameworks.problems import Problem, SpecError, gettext_noop

MAX_BYTES = 2_000_000


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
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice", key_node.start_mark
                )
            seen[key] = True
        return super().construct_mapping(node, deep=deep)


def _no_dates(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    # Dates stay text: the checker parses them itself and reports a bad one by path.
    return str(loader.construct_scalar(node))


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _no_dates)


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
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text, object_pairs_hook=_json_object)
        except json.JSONDecodeError as exc:
            raise SpecError(
                [
                    Problem(
                        "",
                        gettext_noop("line %(line)s: not valid JSON (%(reason)s)"),
                        {"line": exc.lineno, "reason": exc.msg},
                    )
                ]
            ) from None
        except ValueError as exc:
            raise SpecError(
                [Problem("", gettext_noop("%(reason)s"), {"reason": str(exc)})]
            ) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506  (a SafeLoader subclass)
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


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice")
        result[key] = value
    return result


def dump_text(data: Any) -> str:
    """YAML for people: keys in the given order, Vietnamese letters as they are."""
    return yaml.dump(data, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False, width=100)
