"""A framework text uploaded and published by a central administrator, for tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.frameworks.models import FrameworkVersion


def publish(text: str, admin: Any, kinds: Sequence[str] = ("province",)) -> FrameworkVersion:
    """``text`` uploaded and published on its own deadline for the units of ``kinds``."""
    draft = do_upload_framework(text, actor=admin)
    return do_publish(draft, actor=admin, deadline=draft.deadline, kinds=list(kinds), unit_refs=[])
