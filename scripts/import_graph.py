"""Which govplan apps import each other, and which imports hide inside functions.

`python scripts/import_graph.py` prints every pair of apps that import each other (a cycle
between layers) and every govplan import made inside a function or method, with where it is.
import-linter (`lint-imports`, in `make test`) holds the layers; this script is what shows,
when a contract breaks, which lines to look at first.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "govplan"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_of(module: str) -> str:
    """`govplan.documents.views.api` → `documents`; a top-level module stands for itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imported(node: ast.Import | ast.ImportFrom, here: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = here.split(".")
        if not is_package:
            anchor = anchor[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    return [base] if node.module else [f"{base}.{alias.name}" for alias in node.names]


class Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        self.depth = 0
        self.top: list[tuple[int, str]] = []
        self.inner: list[tuple[int, str]] = []
        self.ready: list[tuple[int, str]] = []
        self.in_ready = 0

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        # AppConfig.ready() is where Django wants an app's wiring (signals, registrations):
        # its imports are listed apart, not counted as hidden.
        ready = node.name == "ready" and self.module.endswith(".apps")
        self.depth += 1
        self.in_ready += ready
        self.generic_visit(node)
        self.in_ready -= ready
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        # `if TYPE_CHECKING:` imports are for the type checker only.
        test = node.test
        if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def _add(self, node: ast.Import | ast.ImportFrom) -> None:
        for name in imported(node, self.module, self.is_package):
            if name == "govplan" or name.startswith("govplan."):
                found = self.ready if self.in_ready else self.inner if self.depth else self.top
                found.append((node.lineno, name))

    visit_Import = _add
    visit_ImportFrom = _add


def collect() -> list[Collector]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        collector = Collector(module_name(path), path.name == "__init__.py")
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        found.append(collector)
    return found


def main() -> int:
    collectors = collect()
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in collectors:
        for line, name in c.top:
            a, b = app_of(c.module), app_of(name)
            if a != b:
                edges[a, b].append(f"{c.module}:{line} → {name}")
    pairs = sorted({tuple(sorted(key)) for key in edges if (key[1], key[0]) in edges})
    print(f"Apps importing each other (module level): {len(pairs)}")
    for a, b in pairs:
        print(f"  {a} ↔ {b}")
        for edge in edges[a, b] + edges[b, a]:
            print(f"      {edge}")
    inner = [(c.module, line, name) for c in collectors for line, name in c.inner]
    print(f"\nImports inside functions: {len(inner)}")
    for module, line, name in inner:
        print(f"  {module}:{line} → {name}")
    ready = [(c.module, line, name) for c in collectors for line, name in c.ready]
    print(f"\nImports in AppConfig.ready(): {len(ready)}")
    for module, line, name in ready:
        print(f"  {module}:{line} → {name}")
    return 0  # a report; lint-imports is the gate


if __name__ == "__main__":
    sys.exit(main())
