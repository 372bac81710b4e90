"""What a row save's answer reads of the row's table: only the parts of each row its
totals add up (money cells, phasing, group), extracted by the database, so that a save costs
what the table's figures cost, not what its texts or the rest of the document weigh
(issue 15). The saved row itself is laid out from the entry the save holds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import NotSupportedError
from django.db.models import F, Func, TextField

from govplan.core.documents.view import TableRow
from govplan.documents.models import Document, Entry


class _ContentParts(Func):
    """Some parts of an entry's content (each a path of keys) as one JSON array, as text:
    the database parses each row's content once and sends only those parts. Strings stay
    strings (a per-key extraction on SQLite gives "1000.5" back as a float)."""

    output_field = TextField()

    def __init__(self, paths: Sequence[Sequence[str]]) -> None:
        self.paths = [list(p) for p in paths]
        super().__init__(F("content"))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        paths = ["$" + "".join(f'."{key}"' for key in path) for path in self.paths]
        marks = ", ".join(["%s"] * len(paths))
        return f"JSON_EXTRACT({column}, {marks})", [*params, *paths]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        parts = ", ".join([f"({column} #> %s)"] * len(self.paths))
        return f"jsonb_build_array({parts})::text", [*params, *self.paths]

    def as_sql(self, *args: Any, **kwargs: Any) -> Any:
        raise NotSupportedError("SQLite and PostgreSQL only")


def rows_for_totals(document: Document, collection: str, money: Sequence[str]) -> list[TableRow]:
    """The live rows of one table, in the page's order, holding only what its totals add
    up: the money cells ``money``, the phasing and the group (a save's answer redraws the
    totals, not the rows). One query, whatever the rest of the document or the rows' other
    cells hold: the database extracts those parts of each row's content."""
    parts = _ContentParts([("phasing",), ("group",), *(("cells", code) for code in money)])
    found = (
        Entry.objects.filter(document=document, collection=collection, deleted=False)
        .order_by("position", "pk")
        .annotate(_parts=parts)
        .values_list("key", "revision", "_parts")
    )
    rows = []
    for key, revision, text in found:
        phasing, group, *values = json.loads(text)
        rows.append(
            TableRow(
                key,
                revision,
                {c: v for c, v in zip(money, values, strict=True) if v is not None},
                phasing if isinstance(phasing, dict) else {},
                None,
                group if isinstance(group, str) else "",
            )
        )
    return rows
