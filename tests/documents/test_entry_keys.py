"""Entry keys are built and read in one place (govplan.core.documents.keys); the kinds the
database stores are that module's."""

from __future__ import annotations

from govplan.core.documents import keys
from govplan.documents.models import EntryKind


def test_the_stored_kinds_are_the_keys_kinds() -> None:
    assert set(EntryKind.values) == set(keys.KINDS)
