"""A row save answers with the row as shown and its table's totals ("derived"), at a cost
that does not grow with the document (issue 15, item 2): the answer is the same as the one
computed the old way (every row of the table loaded whole and laid out), on a 300-row
grouped table with amounts for two years and the whole period, and a row save makes the
same number of queries on that plan as on a small one."""

from __future__ import annotations

import json
import random
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from govplan.core.documents.keys import Collection, new_uid
from govplan.documents.actions import do_save_entry
from govplan.documents.content import parse_key, read_entry
from govplan.documents.models import Document, Entry
from govplan.documents.presentation import input_locale, table_block
from govplan.documents.read import row_of, visible_sections
from govplan.documents.views.api import _Encoder
from tests.conftest import Cast
from tests.support.documents import every_feature_document

pytestmark = pytest.mark.django_db

SOURCES = ("central_budget", "provincial_budget", "oda", "science_fund")
PERIODS = ("2027", "2028", "0")  # 0: the whole period
LONG_TEXT = "<p>" + "Phát triển hạ tầng số đồng bộ, hiện đại, kết nối thông suốt. " * 400 + "</p>"


def reference_derived(document: Document, entry: Entry) -> dict[str, Any]:
    """The answer as it was computed before issue 15: every live row of the table loaded
    whole, in the page's order, and laid out by ``table_block``."""
    spec = document.framework_version.parsed()
    table = spec.table(Collection.parse(entry.collection).code)
    assert table is not None
    rows = [
        row_of(e)
        for e in Entry.objects.filter(document=document, collection=entry.collection, deleted=False)
        .select_related("origin__org_unit")
        .order_by("position", "pk")
    ]
    block = table_block(spec, table, rows, input_locale(), only=entry.key)
    return {
        "row": next(iter(block["rows"]), None),
        "totals": block["totals"],
        "phasing_totals": block["phasing_totals"],
        "grand_total": block["grand_total"],
        "summary": block["summary"],
        "group": entry.content.get("group", ""),
        "groups": [
            {"code": g["code"], "totals": g["totals"], "phasing_total": g["phasing_total"]}
            for g in block["groups"]
        ],
    }


def english(content: dict[str, Any]) -> dict[str, Any]:
    """The same figures as an English-speaking user types them (1,000.5, not 1.000,5)."""
    return {
        part: {k: v.replace(".", "").replace(",", ".") for k, v in value.items()}
        if isinstance(value, dict)
        else value
        for part, value in content.items()
    }


def as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=_Encoder))


def fill(document: Document, user: Any, rows: int, *, long_texts: bool, seed: int = 15) -> None:
    """``rows`` project rows read by the editor's own reader (groups I, II and none; money
    with decimals, empty and zero; amounts for 2027, 2028 and the whole period), a few
    deleted, stored in one statement; the narratives long or one line."""
    spec = document.framework_version.parsed()
    rng = random.Random(seed)
    entries = []
    for i in range(rows):
        amount = f"{rng.randint(0, 9_999)},{rng.randint(0, 99):02d}"
        raw: dict[str, Any] = {
            "cells": {
                "name": f"Dự án {i}",
                "goal": "Mục tiêu dài. " * rng.randint(1, 40),
                "total": rng.choice((amount, "", "0", "1.000.000")),
                "amount_2027": rng.choice((amount, "")),
                "units": str(rng.randint(0, 50)),
            },
            "phasing": {
                f"{period}|{source}|{kind}": f"{rng.randint(1, 900)},{rng.randint(0, 9)}"
                for period in PERIODS
                for source in SOURCES
                for kind in ("capital", "recurrent")
                if rng.random() < 0.3
            },
        }
        group = rng.choice(("apps", "infra", "apps", None))
        if group:
            raw["group"] = group
        key = f"row:projects:{new_uid()}"
        address = parse_key(spec, key)
        content = read_entry(spec, key, raw, locale="vi")
        if i == 1:  # stored before the input checks: 18 digits, which no float keeps
            content["cells"]["total"] = "1234567890123456.78"
            content["phasing"]["2027|oda|capital"] = "98765432109876.5432"
        entries.append(
            Entry(
                document=document,
                key=key,
                kind=address.kind,
                section_code=address.section,
                collection=address.collection,
                position=rng.choice((i, i + 0.5, 7)),  # ties, ordered by pk as the page does
                content=content,
                revision=1,
                deleted=i % 37 == 5,
                updated_by=user,
            )
        )
    Entry.objects.bulk_create(entries)
    for section in visible_sections(spec, document):
        if section.narrative:
            html = LONG_TEXT if long_texts else "<p>Một dòng.</p>"
            do_save_entry(
                document,
                f"narrative:{section.code}",
                0,
                {"html": html},
                actor=user,
                locale="vi",
            )


def save(client: Client, document: Document, entry: Entry, content: dict[str, Any]) -> Any:
    response = client.post(
        reverse("document_entry_save", args=[document.pk]),
        data=json.dumps({"key": entry.key, "base": entry.revision, "content": content}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_answer_to_a_row_save_is_the_one_computed_from_every_row(
    cast: Cast, language: str
) -> None:
    document = every_feature_document(cast)
    fill(document, cast.editor_a, 300, long_texts=True)
    client = Client()
    client.force_login(cast.editor_a)
    live = list(
        Entry.objects.filter(document=document, kind="row", deleted=False).order_by(
            "position", "pk"
        )
    )
    whole = "0|science_fund|capital" if language == "vi" else "0|science_fund|recurrent"
    edits: list[tuple[Entry, dict[str, Any]]] = [
        # a cell and an amount of a row in a group
        (live[0], {"cells": {"total": "12,5"}, "phasing": {"2028|oda|capital": "3,25"}}),
        # a row moved to another group, with a whole-period amount
        (live[150], {"group": "infra", "phasing": {whole: "1.000,5"}}),
        # a row taken out of its group, its money cleared
        (live[-1], {"group": "", "cells": {"total": "", "amount_2027": ""}}),
    ]
    client.cookies["django_language"] = language
    for entry, content in edits:
        if language == "en":  # the user's own way of writing numbers
            content = english(content)
        body = save(client, document, entry, content)
        assert body["status"] == "saved"
        saved = Entry.objects.get(pk=entry.pk)
        with translation.override(language):
            reference = reference_derived(document, saved)
        assert as_json(body["derived"]) == as_json(reference)
        assert body["derived"]["row"]["key"] == entry.key
    # The totals are those of the live rows only, whatever was deleted.
    derived = body["derived"]
    assert [g["code"] for g in derived["groups"]] == ["apps", "infra", ""]
    assert derived["group"] == ""


def test_the_totals_add_up_what_the_rows_hold(cast: Cast) -> None:
    """Not only the same as before: right, on three rows one can add up by hand."""
    document = every_feature_document(cast)
    client = Client()
    client.force_login(cast.editor_a)
    keys = []
    for name, group, total, amount in (
        ("A", "apps", "1.000,5", "100"),
        ("B", "apps", "2.000", "50,25"),
        ("C", "infra", "", "7"),
    ):
        response = client.post(
            reverse("document_entry_add", args=[document.pk]),
            data=json.dumps(
                {
                    "container": "row:projects",
                    "content": {
                        "cells": {"name": name, "total": total},
                        "group": group,
                        "phasing": {"2027|oda|capital": amount, "0|oda|capital": "1"},
                    },
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 200
        keys.append(response.json()["key"])
    entry = Entry.objects.get(key=keys[1])
    derived = save(client, document, entry, {"cells": {"total": "3.000"}})["derived"]
    table = document.framework_version.parsed().table("projects")
    assert table is not None
    columns = [c.code for c in table.columns]
    assert derived["totals"][columns.index("total")] == "4.000,5"
    assert derived["grand_total"] == "160,25"  # 100 + 50,25 + 7 + three whole-period 1
    assert derived["row"]["number"] == 2 and derived["row"]["total"] == "51,25"
    groups = {g["code"]: g for g in derived["groups"]}
    assert groups["apps"]["totals"][columns.index("total")] == "4.000,5"
    assert groups["apps"]["phasing_total"] == "152,25"
    assert groups["infra"]["phasing_total"] == "8"
    assert Decimal("152.25") + Decimal(8) == Decimal("160.25")


def queries_of_a_save(client: Client, document: Document, entry: Entry) -> list[str]:
    entry.refresh_from_db()
    sql: list[str] = []

    def counted(run: Any, statement: str, *args: Any) -> Any:
        sql.append(statement)
        return run(statement, *args)

    # Below the test client: its request_started signal empties Django's own query log.
    with connection.execute_wrapper(counted):
        save(client, document, entry, {"cells": {"total": str(entry.revision)}})
    return sql


def test_a_row_save_makes_as_many_queries_on_a_long_plan_as_on_a_short_one(
    cast: Cast,
) -> None:
    document = every_feature_document(cast)
    client = Client()
    client.force_login(cast.editor_a)
    fill(document, cast.editor_a, 3, long_texts=False)
    entry = Entry.objects.filter(document=document, kind="row", deleted=False).first()
    assert entry is not None
    queries_of_a_save(client, document, entry)  # warm: the spec parsed, the session read
    short = queries_of_a_save(client, document, entry)
    # The same plan grown to 300 rows, its narratives to 4,000 words each.
    fill(document, cast.editor_a, 297, long_texts=True, seed=16)
    long = queries_of_a_save(client, document, entry)
    assert len(long) == len(short), "\n".join(long)
    # The answer reads the table once, for its totals; the document's other entries never.
    table_reads = [q for q in long if '"documents_entry"."collection" =' in q]
    assert len(table_reads) == 1, table_reads
    # Only parts of each row's content (SQLite: JSON_EXTRACT(content, %s); PostgreSQL:
    # content -> %s, content #> %s), never the column whole.
    assert not re.search(r'"documents_entry"\."content"(?!,\s*%s| -> | #> )', table_reads[0])
