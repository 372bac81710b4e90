"""Documents the tests of hostile input write into."""

from __future__ import annotations

from typing import Any

from govplan.documents.actions import do_create_document
from govplan.documents.models import Document
from govplan.frameworks.actions import do_publish, do_upload_framework
from tests.conftest import EVERY_FEATURE


def every_feature_document(cast: Any) -> Document:
    """Province A's plan of the test framework that has every kind of entry, column and
    indicator (targets, results, budget lines, dates, URLs …), published for provinces."""
    draft = do_upload_framework(EVERY_FEATURE.read_bytes(), actor=cast.central_admin)
    version = do_publish(
        draft, actor=cast.central_admin, deadline=draft.deadline, kinds=["province"], unit_refs=[]
    )
    return do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)
