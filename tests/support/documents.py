"""Documents the tests of hostile input write into."""

from __future__ import annotations

import json
import re
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


def page_grid(page: str, table: str) -> list[dict[str, Any]]:
    """The rows of ``table`` as the editor page sends them for its script to draw (a JSON
    element in the table's block), in page order, each with its cells and amounts by
    column: what the user sees in the grid once drawn."""
    block = page.split(f'data-table="{table}"', 1)[1].split('<script type="application/json"')
    head, data = block[0], block[1].split(">", 1)[1].split("</script>", 1)[0]
    container = page.split(f'data-table="{table}"', 1)[0].rsplit('data-container="', 1)[1]
    container = container.split('"', 1)[0]
    columns = re.findall(r'<th data-column="([^"]+)"', head.split("</thead>", 1)[0])
    amounts = re.findall(r'<th class="phasing-head" data-phasing="([^"]+)"', head)
    rows = []
    for placed, members in json.loads(data):
        for uid, revision, group, cells, phasing, total, origin, number in members:
            rows.append(
                {
                    "key": f"{container}:{uid}",
                    "revision": revision,
                    "under": placed,
                    "group": group,
                    "cells": dict(zip(columns, cells, strict=True)),
                    "phasing": {k: v for k, v in zip(amounts, phasing, strict=False) if v},
                    "total": total,
                    "origin": origin,
                    "number": number,
                }
            )
    return rows
