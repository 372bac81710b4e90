"""The province tile maps' layouts (data/dashboards/tiles-63.csv, tiles-34.csv): each
province's GSO code → grid row, column and short label, for the structure as it was (63)
or as it is (34). Codes were reused in 2025, so a file is read only with its structure."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from django.conf import settings

from govplan.core.charts import Tile

FILES = {"old": "tiles-63.csv", "new": "tiles-34.csv"}


def path(structure: str) -> Path:
    return Path(settings.REFERENCE_DATA_DIR) / "dashboards" / FILES[structure]


@cache
def layout(structure: str) -> tuple[Tile, ...]:
    """The tiles of ``structure`` ("old" or "new"), keyed by province code."""
    with path(structure).open(encoding="utf-8", newline="") as handle:
        return tuple(
            Tile(row["code"], int(row["row"]), int(row["col"]), row["label"], row["label"])
            for row in csv.DictReader(handle)
        )
