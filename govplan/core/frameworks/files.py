"""Reading the shipped files: catalogues and frameworks from paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from govplan.core.frameworks.catalogue import Catalogue, parse_catalogue
from govplan.core.frameworks.legal import LegalCatalogue, parse_legal
from govplan.core.frameworks.model import Framework
from govplan.core.frameworks.parse import parse_framework
from govplan.core.frameworks.yamlsafe import load_text

DATA_DIR = Path(__file__).resolve().parents[3] / "data"
CATALOGUE_PATH = DATA_DIR / "indicators" / "catalogue.yaml"
LEGAL_PATH = DATA_DIR / "legal" / "catalogue.yaml"
FRAMEWORKS_DIR = DATA_DIR / "frameworks"


def read_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    return parse_catalogue(load_text(path.read_bytes(), name=path.name))


def read_legal(path: Path = LEGAL_PATH) -> LegalCatalogue:
    return parse_legal(load_text(path.read_bytes(), name=path.name))


def read_framework(
    path: Path, catalogue: Catalogue | None = None, legal: LegalCatalogue | None = None
) -> Framework:
    return parse_framework(
        load_text(path.read_bytes(), name=path.name),
        catalogue if catalogue is not None else read_catalogue(),
        legal if legal is not None else read_legal(),
    )


def follows_loop(code: str, follows: str, previous_of: Callable[[str], str | None]) -> list[str]:
    """The loop that ``code`` following ``follows`` would close, or [] if none.

    ``previous_of(c)`` gives the framework that ``c`` follows (None at the start of a line).
    """
    chain = [code]
    current: str | None = follows
    while current:
        if current in chain:
            return [*chain, current]
        chain.append(current)
        if len(chain) > 1000:
            return chain
        current = previous_of(current)
    return []
