"""Check framework files from the command line: prints OK or every problem with its path.

python -m govplan.core.frameworks.check data/frameworks/*.yaml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from govplan.core.frameworks.catalogue import parse_catalogue
from govplan.core.frameworks.files import CATALOGUE_PATH, LEGAL_PATH, read_framework
from govplan.core.frameworks.legal import parse_legal
from govplan.core.frameworks.problems import SpecError
from govplan.core.frameworks.yamlsafe import load_text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE_PATH)
    parser.add_argument("--legal", type=Path, default=LEGAL_PATH)
    args = parser.parse_args(argv)
    status = 0
    try:
        catalogue = parse_catalogue(load_text(args.catalogue.read_bytes()))
        print(f"{args.catalogue}: OK ({len(catalogue.indicators)} indicators)")
    except SpecError as exc:
        print(f"{args.catalogue}:")
        for problem in exc.problems:
            print(f"  {problem}")
        return 1
    try:
        legal = parse_legal(load_text(args.legal.read_bytes()))
        print(f"{args.legal}: OK ({len(legal.documents)} documents)")
    except SpecError as exc:
        print(f"{args.legal}:")
        for problem in exc.problems:
            print(f"  {problem}")
        return 1
    for path in args.files:
        try:
            framework = read_framework(path, catalogue, legal)
        except SpecError as exc:
            status = 1
            print(f"{path}:")
            for problem in exc.problems:
                print(f"  {problem}")
        else:
            sections = sum(1 for _ in framework.walk())
            tables = sum(1 for _ in framework.tables())
            print(
                f"{path}: OK ({sections} sections, {tables} tables, {len(framework.rules)} rules)"
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
