"""Writing a document: typed values checked where they are typed, every save versioned,
concurrent edits merged or shown as a conflict, never overwritten silently."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from govplan.audit.models import AuditEvent
from govplan.documents.actions import do_save_entry
from govplan.documents.models import Document, Entry, EntryVersion
from tests.conftest import Cast, example_version
from tests.support.documents import page_grid

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def api(client: Client, document: Document, op: str, body: dict) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post(
        reverse(f"document_entry_{op}", args=[document.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )
    is_json = response.headers.get("Content-Type", "").startswith("application/json")
    return response.status_code, response.json() if is_json else {}


def test_an_editor_creates_the_document_from_the_unit_page(cast: Cast) -> None:
    client = client_for(cast.editor_a)
    page = client.get(reverse("unit_detail", args=[cast.province_a.pk])).content.decode()
    version = example_version()
    assert f'name="version" value="{version.pk}"' in page
    response = client.post(
        reverse("document_create"), {"unit": cast.province_a.pk, "version": version.pk}
    )
    document = Document.objects.get(org_unit=cast.province_a)
    assert response["Location"] == reverse("document_edit", args=[document.pk])
    assert document.framework_version == version  # pinned
    assert document.title == "Kế hoạch chuyển đổi số năm 2027 – Tỉnh Bắc Ninh"
    # One document per unit and framework.
    again = client.post(
        reverse("document_create"), {"unit": cast.province_a.pk, "version": version.pk}
    )
    assert Document.objects.filter(org_unit=cast.province_a).count() == 1
    assert again.status_code == 302
    page = client.get(reverse("unit_detail", args=[cast.province_a.pk])).content.decode()
    assert reverse("document_edit", args=[document.pk]) in page


def test_only_the_units_editor_may_create_it(cast: Cast) -> None:
    version = example_version()
    for user, status in ((cast.viewer_a, 403), (cast.editor_b, 404), (cast.approver_a, 403)):
        response = client_for(user).post(
            reverse("document_create"), {"unit": cast.province_a.pk, "version": version.pk}
        )
        assert response.status_code == status
    assert not Document.objects.filter(org_unit=cast.province_a).exists()


def narrative_key(document: Document) -> str:
    spec = document.framework_version.parsed()
    return f"narrative:{next(s for s in spec.walk() if s.narrative).code}"


def test_narrative_is_saved_sanitised_and_versioned(
    cast: Cast, document_a: Document, settings: Any
) -> None:
    settings.AUTOSAVE_COALESCE_SECONDS = (
        0  # a version per save here; coalescing: tests/documents/test_storage.py
    )
    client = client_for(cast.editor_a)
    key = narrative_key(document_a)
    pasted = (
        '<h1 style="color:red">Hiện trạng</h1><p class="MsoNormal" onclick="x()">'
        "Đã có <b>LGSP</b><o:p></o:p></p><script>alert(1)</script>"
    )
    status, body = api(
        client, document_a, "save", {"key": key, "base": 0, "content": {"html": pasted}}
    )
    assert status == 200 and body["revision"] == 1
    assert body["content"]["html"] == "<h3>Hiện trạng</h3><p>Đã có <b>LGSP</b></p>"
    status, body = api(
        client, document_a, "save", {"key": key, "base": 1, "content": {"html": "<p>Bản 2</p>"}}
    )
    assert body["revision"] == 2
    assert list(EntryVersion.objects.filter(entry__key=key).values_list("revision", flat=True)) == [
        2,
        1,
    ]
    assert AuditEvent.objects.filter(object_type="documents.entry").count() >= 2


def test_two_people_on_the_same_text_get_a_conflict_with_both_texts(
    cast: Cast, document_a: Document
) -> None:
    key = narrative_key(document_a)
    do_save_entry(document_a, key, 0, {"html": "<p>gốc</p>"}, actor=cast.editor_a, locale="vi")
    first, second = client_for(cast.editor_a), client_for(cast.editor_a)
    status, _ = api(
        first, document_a, "save", {"key": key, "base": 1, "content": {"html": "<p>của A</p>"}}
    )
    assert status == 200
    status, body = api(
        second, document_a, "save", {"key": key, "base": 1, "content": {"html": "<p>của B</p>"}}
    )
    assert status == 409
    assert body["theirs"] == {"html": "<p>của A</p>"}
    assert body["revision"] == 2
    assert "editor_a" in body["message"]
    assert Entry.objects.get(document=document_a, key=key).content == {"html": "<p>của A</p>"}
    # "Keep mine": the same text, now based on the revision just seen, is saved.
    status, body = api(
        second, document_a, "save", {"key": key, "base": 2, "content": {"html": "<p>của B</p>"}}
    )
    assert status == 200 and body["revision"] == 3


def value_key(document: Document, type_: str) -> str:
    spec = document.framework_version.parsed()
    for section in spec.walk():
        for use in section.indicators:
            indicator = spec.indicators[use.indicator]
            if indicator.type == type_ and indicator.share and not indicator.disaggregation:
                return f"value:{indicator.code}"
    raise AssertionError(type_)


def test_indicator_values_are_typed_and_checked_at_the_cell(
    cast: Cast, document_a: Document
) -> None:
    client = client_for(cast.editor_a)
    key = value_key(document_a, "ratio")
    status, body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 0, "content": {"cells": {"": {"n": "240", "d": "230"}}}},
    )
    assert status == 400
    assert body["errors"] == {"cells..n": "240 lớn hơn 230: tử số là một phần của mẫu số"} or list(
        body["errors"]
    ) == ["cells..n"]
    status, body = api(
        client,
        document_a,
        "save",
        {
            "key": key,
            "base": 0,
            "content": {"cells": {"": {"n": "218", "d": "230"}}, "comment": "số liệu 14/12"},
        },
    )
    assert status == 200
    assert body["content"] == {"cells": {"": {"n": "218", "d": "230"}}, "comment": "số liệu 14/12"}
    count_key = value_key(document_a, "integer")
    status, body = api(
        client, document_a, "save", {"key": count_key, "base": 0, "content": {"cells": {"": "-3"}}}
    )
    assert status == 400 and "âm" in json.dumps(body["errors"], ensure_ascii=False)
    status, body = api(
        client,
        document_a,
        "save",
        {"key": count_key, "base": 0, "content": {"cells": {"": "mười"}}},
    )
    assert status == 400
    assert not Entry.objects.filter(document=document_a, key=count_key).exists()


def table_container(document: Document) -> tuple[str, str]:
    spec = document.framework_version.parsed()
    table = next(t for _, t in spec.tables() if t.phasing is not None)
    return f"row:{table.code}", table.code


def test_rows_are_added_saved_and_totals_computed(cast: Cast, document_a: Document) -> None:
    client = client_for(cast.editor_a)
    container, code = table_container(document_a)
    status, body = api(
        client,
        document_a,
        "add",
        {
            "container": container,
            "content": {
                "cells": {"name": "Nền tảng LGSP", "total": "1.500,5", "duration": "2026-2028"},
                "phasing": {
                    "2027|central_budget|capital": "1.000",
                    "2027|provincial_budget|recurrent": "200,25",
                },
            },
        },
    )
    assert status == 200, body
    assert body["content"]["cells"]["total"] == "1500.5"
    assert body["derived"]["row"]["total"] == "1.200,25"
    assert (
        body["derived"]["totals"][
            [c.code for c in document_a.framework_version.parsed().table(code).columns].index(
                "total"
            )
        ]
        == "1.500,5"
    )
    status, body2 = api(
        client,
        document_a,
        "add",
        {"container": container, "content": {"cells": {"name": "Kho dữ liệu", "total": "499,5"}}},
    )
    assert body2["derived"]["grand_total"] == "1.200,25"
    summary = {item["label"]: item["value"] for item in body2["derived"]["summary"]}
    assert summary["2027"] == "1.200,25"
    assert summary["Ngân sách trung ương"] == "1.000"
    assert summary["Vốn sự nghiệp"] == "200,25"
    columns = [c.code for c in document_a.framework_version.parsed().table(code).columns]
    assert body2["derived"]["totals"][columns.index("total")] == "2.000"


@pytest.mark.parametrize(
    ("content", "field", "message_part"),
    [
        ({"cells": {"total": "abc"}}, "cells.total", "abc"),
        ({"cells": {"nope": "1"}}, "cells.nope", "nope"),
        (
            {"cells": {}, "phasing": {"2031|central_budget|capital": "5"}},
            "phasing.2031|central_budget|capital",
            "2031",
        ),
        (
            {"cells": {}, "phasing": {"2027|central_budget|capital": "-5"}},
            "phasing.2027|central_budget|capital",
            "âm",
        ),
    ],
)
def test_a_bad_cell_is_refused_and_named(
    cast: Cast, document_a: Document, content, field, message_part
) -> None:  # type: ignore[no-untyped-def]
    container, _code = table_container(document_a)
    status, body = api(
        client_for(cast.editor_a), document_a, "add", {"container": container, "content": content}
    )
    assert status == 400
    assert field in body["errors"]
    assert message_part in body["errors"][field]
    assert not Entry.objects.filter(document=document_a, kind="row").exists()


def test_two_people_on_different_cells_of_a_row_are_merged(
    cast: Cast, document_a: Document
) -> None:
    container, _code = table_container(document_a)
    client = client_for(cast.editor_a)
    _status, body = api(
        client,
        document_a,
        "add",
        {"container": container, "content": {"cells": {"name": "A", "total": "10"}}},
    )
    key = body["key"]
    # Both start from revision 1; one changes the name, the other the total.
    status, _ = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 1, "content": {"cells": {"name": "A mới", "total": "10"}}},
    )
    assert status == 200
    status, body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 1, "content": {"cells": {"name": "A", "total": "25"}}},
    )
    assert status == 200 and body["status"] == "merged"
    assert body["content"]["cells"] == {"name": "A mới", "total": "25"}
    # The same cell changed differently: a conflict naming the cell, nothing saved.
    status, body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 3, "content": {"cells": {"name": "X", "total": "25"}}},
    )
    assert status == 200
    status, body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 3, "content": {"cells": {"name": "Y", "total": "25"}}},
    )
    assert status == 409
    assert body["conflicts"] == [{"path": "cells.name", "mine": "Y", "theirs": "X"}]
    assert Entry.objects.get(key=key).content["cells"]["name"] == "X"


def test_rows_are_deleted_reordered_and_restored(cast: Cast, document_a: Document) -> None:
    container, _code = table_container(document_a)
    client = client_for(cast.editor_a)
    keys = []
    for name in ("Một", "Hai", "Ba"):
        _s, body = api(
            client,
            document_a,
            "add",
            {"container": container, "content": {"cells": {"name": name}}},
        )
        keys.append(body["key"])
    # Move "Ba" first.
    status, _ = api(client, document_a, "move", {"key": keys[2], "after": None})
    assert status == 200
    order = list(
        Entry.objects.filter(document=document_a, kind="row", deleted=False)
        .order_by("position")
        .values_list("content__cells__name", flat=True)
    )
    assert order == ["Ba", "Một", "Hai"]
    # A stale delete is a conflict; a current one deletes.
    status, _ = api(client, document_a, "delete", {"key": keys[1], "base": 0})
    assert status == 409
    status, _ = api(client, document_a, "delete", {"key": keys[1], "base": 1})
    assert status == 200
    assert Entry.objects.get(key=keys[1]).deleted
    # The history page brings it back.
    response = client.post(
        reverse("document_entry_restore", args=[document_a.pk]), {"key": keys[1], "revision": 1}
    )
    assert response.status_code == 302
    restored = Entry.objects.get(key=keys[1])
    assert (
        not restored.deleted
        and restored.revision == 3
        and restored.content["cells"]["name"] == "Hai"
    )


def test_a_table_goes_back_to_an_earlier_moment(
    cast: Cast, document_a: Document, settings: Any
) -> None:
    settings.AUTOSAVE_COALESCE_SECONDS = 0  # every save a moment of its own
    from django.utils import timezone

    container, code = table_container(document_a)
    client = client_for(cast.editor_a)
    _s, first = api(
        client, document_a, "add", {"container": container, "content": {"cells": {"name": "Giữ"}}}
    )
    moment = timezone.now()
    EntryVersion.objects.filter(entry__key=first["key"]).update(
        saved_at=moment - timezone.timedelta(seconds=5)
    )
    api(
        client,
        document_a,
        "save",
        {"key": first["key"], "base": 1, "content": {"cells": {"name": "Đã sửa"}}},
    )
    _s, second = api(
        client,
        document_a,
        "add",
        {"container": container, "content": {"cells": {"name": "Thêm sau"}}},
    )
    history = client.get(
        reverse("document_table_history", args=[document_a.pk, code]),
        {"at": (moment - timezone.timedelta(seconds=1)).isoformat()},
    )
    assert (
        "Giữ" in history.content.decode()
        and "Thêm sau" not in history.content.decode().split("<h2>")[1]
    )
    client.post(
        reverse("document_table_restore", args=[document_a.pk, code]),
        {"at": (moment - timezone.timedelta(seconds=1)).isoformat()},
    )
    rows = Entry.objects.filter(document=document_a, kind="row")
    assert rows.get(key=first["key"]).content["cells"]["name"] == "Giữ"
    assert rows.get(key=second["key"]).deleted


def test_targets_need_a_value_and_a_year_in_the_period(cast: Cast, document_a: Document) -> None:
    spec = document_a.framework_version.parsed()
    section = next(s for s in spec.walk() if s.targets is not None)
    container = f"target:{section.code}"
    client = client_for(cast.editor_a)
    indicator = section.targets.indicators[0]
    status, body = api(
        client,
        document_a,
        "add",
        {"container": container, "content": {"indicator": indicator, "target": "80", "year": 2031}},
    )
    assert status == 400 and "year" in body["errors"]
    status, body = api(
        client, document_a, "add", {"container": container, "content": {"indicator": indicator}}
    )
    assert status == 400 and "target" in body["errors"]
    status, body = api(
        client,
        document_a,
        "add",
        {
            "container": container,
            "content": {"indicator": indicator, "baseline": "40", "target": "80", "year": 2027},
        },
    )
    assert status == 200
    status, body = api(
        client,
        document_a,
        "add",
        {"container": container, "content": {"text": "Nâng cao nhận thức về chuyển đổi số"}},
    )
    assert status == 200  # accepted, and shown as not measurable
    page = client.get(reverse("document_edit", args=[document_a.pk])).content.decode()
    assert "không đo được" in page or "not measurable" in page


def test_the_plain_form_saves_a_section_without_javascript(
    cast: Cast, document_a: Document
) -> None:
    spec = document_a.framework_version.parsed()
    section = next(
        s
        for s in spec.walk()
        if s.narrative
        and any(
            spec.indicators[u.indicator].type == "integer"
            and not spec.indicators[u.indicator].disaggregation
            for u in s.indicators
        )
    )
    indicator = next(
        u.indicator
        for u in section.indicators
        if spec.indicators[u.indicator].type == "integer"
        and not spec.indicators[u.indicator].disaggregation
    )
    client = client_for(cast.editor_a)
    response = client.post(
        reverse("document_section_save", args=[document_a.pk, section.code]),
        {
            "narrative": "<p>Không cần JavaScript</p>",
            "narrative_base": "0",
            f"v::{indicator}::": "1.234",
            f"base::{indicator}": "0",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert Entry.objects.get(document=document_a, key=f"narrative:{section.code}").content == {
        "html": "<p>Không cần JavaScript</p>"
    }
    assert Entry.objects.get(document=document_a, key=f"value:{indicator}").content["cells"] == {
        "": {"v": 1234}
    }
    # The plain form sends every field, an emptied one empty: that clears it.
    client.post(
        reverse("document_section_save", args=[document_a.pk, section.code]),
        {f"v::{indicator}::": "", f"base::{indicator}": "1", f"comment::{indicator}": "chưa có"},
    )
    assert Entry.objects.get(document=document_a, key=f"value:{indicator}").content == {
        "cells": {},
        "comment": "chưa có",
    }


def test_readers_cannot_write(cast: Cast, document_a: Document) -> None:
    key = narrative_key(document_a)
    for user, status in (
        (cast.viewer_a, 403),
        (cast.approver_a, 403),
        (cast.editor_b, 404),
        (cast.commune_editor_a, 404),
    ):
        code, _body = api(
            client_for(user), document_a, "save", {"key": key, "base": 0, "content": {"html": "x"}}
        )
        assert code == status
    assert not Entry.objects.filter(document=document_a).exists()
    page = (
        client_for(cast.viewer_a)
        .get(reverse("document_edit", args=[document_a.pk]))
        .content.decode()
    )
    assert 'data-editable="0"' in page


def test_the_editor_page_shows_what_was_saved(cast: Cast, document_a: Document) -> None:
    container, code = table_container(document_a)
    client = client_for(cast.editor_a)
    api(
        client,
        document_a,
        "add",
        {
            "container": container,
            "content": {"cells": {"name": "Cổng dịch vụ công", "total": "2500"}},
        },
    )
    page = client.get(reverse("document_edit", args=[document_a.pk])).content.decode()
    [row] = page_grid(page, code)
    assert row["cells"]["name"] == "Cổng dịch vụ công"
    assert row["cells"]["total"] == "2.500"
    assert Decimal("2500") == Decimal(
        Entry.objects.get(document=document_a, kind="row").content["cells"]["total"]
    )


def test_a_missing_legal_document_is_added_to_the_catalogue_and_cited(
    cast: Cast, document_a: Document
) -> None:
    from govplan.frameworks.models import LegalDocument

    client = client_for(cast.editor_a)
    response = client.post(
        reverse("document_legal_new", args=[document_a.pk, "I"]),
        {
            "legal_type": "decision",
            "legal_number": "1234/QĐ-UBND",
            "legal_date": "2026-05-12",
            "legal_issuer": "UBND tỉnh Bắc Ninh",
            "legal_title": "Phê duyệt Kiến trúc Chính quyền số tỉnh Bắc Ninh",
        },
    )
    assert response.status_code == 302
    legal = LegalDocument.objects.get(number="1234/QĐ-UBND")
    assert legal.code == "USER-1234-QD-UBND" and not legal.from_catalogue
    assert legal.created_by == cast.editor_a
    assert Entry.objects.get(document=document_a, key="legal:I").content == {
        "items": [{"code": "USER-1234-QD-UBND"}]
    }
    # Missing fields: refused with the fields named, nothing added.
    client.post(reverse("document_legal_new", args=[document_a.pk, "I"]), {"legal_type": "law"})
    assert LegalDocument.objects.filter(from_catalogue=False).count() == 1


def test_history_speaks_of_rows_and_columns_not_keys(
    cast: Cast, document_a: Document, settings: Any
) -> None:
    settings.AUTOSAVE_COALESCE_SECONDS = 0  # both saves kept as versions
    container, _code = table_container(document_a)
    client = client_for(cast.editor_a)
    _s, body = api(
        client,
        document_a,
        "add",
        {"container": container, "content": {"cells": {"name": "Cổng dữ liệu mở", "total": "300"}}},
    )
    api(
        client,
        document_a,
        "save",
        {
            "key": body["key"],
            "base": 1,
            "content": {"cells": {"name": "Cổng dữ liệu mở", "total": "350"}},
        },
    )
    page = client.get(
        reverse("document_entry_history", args=[document_a.pk]), {"key": body["key"]}
    ).content.decode()
    assert "Cổng dữ liệu mở" in page
    assert "Tổng mức đầu tư" in page  # the column's title from the framework
    assert "350" in page and "300" in page  # both versions
    overview = client.get(reverse("document_history", args=[document_a.pk])).content.decode()
    assert "Dòng “Cổng dữ liệu mở”" in overview


# A save names the fields it changes: a field left out keeps its saved value, an empty value
# clears it. The page leaves out a value it or the server refused, so a refused value never
# erases the saved one, whatever the page does next.


def test_a_ratio_part_left_out_keeps_its_saved_value(cast: Cast, document_a: Document) -> None:
    client = client_for(cast.editor_a)
    key = value_key(document_a, "ratio")
    status, _body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 0, "content": {"cells": {"": {"n": "10", "d": "33"}}}},
    )
    assert status == 200
    # 40 of 33 is refused, with the reason at the numerator; nothing is saved.
    status, body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 1, "content": {"cells": {"": {"n": "40", "d": "33"}}}},
    )
    assert status == 400 and body["errors"] == {
        "cells..n": "40 lớn hơn 33: tử số là một phần của mẫu số"
    }
    # The page then saves the rest without the refused numerator: the saved one stays.
    status, body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 1, "content": {"cells": {"": {"d": "33"}}, "comment": "ước tính"}},
    )
    assert status == 200
    assert body["content"] == {"cells": {"": {"n": "10", "d": "33"}}, "comment": "ước tính"}
    assert body["fields"] == {"cells..n": "10", "cells..d": "33", "comment": "ước tính"}
    assert Entry.objects.get(document=document_a, key=key).content["cells"] == {
        "": {"n": "10", "d": "33"}
    }
    # Clearing is explicit: an empty part.
    status, body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 2, "content": {"cells": {"": {"n": "", "d": "33"}}}},
    )
    assert status == 200 and body["content"]["cells"] == {"": {"d": "33"}}
    assert body["content"]["comment"] == "ước tính"  # left out, kept


def test_a_count_left_out_keeps_its_saved_value(cast: Cast, document_a: Document) -> None:
    client = client_for(cast.editor_a)
    key = value_key(document_a, "integer")
    api(client, document_a, "save", {"key": key, "base": 0, "content": {"cells": {"": "1.250"}}})
    status, body = api(
        client, document_a, "save", {"key": key, "base": 1, "content": {"cells": {"": "abc"}}}
    )
    assert status == 400 and list(body["errors"]) == ["cells."]
    status, body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 1, "content": {"cells": {}, "comment": "số liệu 14/12"}},
    )
    assert status == 200
    assert Entry.objects.get(document=document_a, key=key).content == {
        "cells": {"": {"v": 1250}},
        "comment": "số liệu 14/12",
    }
    assert body["fields"]["cells."] == "1.250"
    status, body = api(
        client, document_a, "save", {"key": key, "base": 2, "content": {"cells": {"": ""}}}
    )
    assert status == 200 and body["content"] == {"cells": {}, "comment": "số liệu 14/12"}


def test_cells_of_a_row_left_out_keep_their_saved_values(cast: Cast, document_a: Document) -> None:
    container, _code = table_container(document_a)
    client = client_for(cast.editor_a)
    phasing = "2027|central_budget|capital"
    _status, body = api(
        client,
        document_a,
        "add",
        {
            "container": container,
            "content": {
                "cells": {"name": "Cổng dữ liệu", "total": "1.500"},
                "phasing": {phasing: "1.234,5"},
            },
        },
    )
    key = body["key"]
    # The total is refused ("một nghìn"); the row is saved again without it, name changed.
    status, body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 1, "content": {"cells": {"name": "Cổng dữ liệu mở"}}},
    )
    assert status == 200
    assert body["content"] == {
        "cells": {"name": "Cổng dữ liệu mở", "total": "1500"},
        "phasing": {phasing: "1234.5"},
    }
    assert body["fields"]["cells.total"] == "1.500"
    assert body["fields"][f"phasing.{phasing}"] == "1.234,5"
    # Empty values clear the cells.
    status, body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 2, "content": {"cells": {"total": ""}, "phasing": {phasing: ""}}},
    )
    assert status == 200
    assert body["content"] == {"cells": {"name": "Cổng dữ liệu mở"}, "phasing": {}}


def test_a_left_out_field_still_takes_a_colleagues_change(cast: Cast, document_a: Document) -> None:
    """Left-out fields are filled from the revision the save started from, so the usual merge
    keeps what a colleague saved in that field meanwhile."""
    client = client_for(cast.editor_a)
    key = value_key(document_a, "ratio")
    api(
        client,
        document_a,
        "save",
        {"key": key, "base": 0, "content": {"cells": {"": {"n": "10", "d": "33"}}}},
    )
    colleague = client_for(cast.editor_a)
    status, _body = api(
        colleague,
        document_a,
        "save",
        {"key": key, "base": 1, "content": {"cells": {"": {"n": "12", "d": "33"}}}},
    )
    assert status == 200
    status, body = api(
        client,
        document_a,
        "save",
        {"key": key, "base": 1, "content": {"cells": {"": {"d": "33"}}, "comment": "đã rà soát"}},
    )
    assert status == 200 and body["status"] == "merged"
    assert body["content"] == {"cells": {"": {"n": "12", "d": "33"}}, "comment": "đã rà soát"}
    assert body["fields"]["cells..n"] == "12"


def test_targets_and_budget_lines_keep_what_a_save_leaves_out(
    cast: Cast, document_a: Document
) -> None:
    spec = document_a.framework_version.parsed()
    client = client_for(cast.editor_a)
    targets = next(s for s in spec.walk() if s.targets is not None)
    _status, body = api(
        client,
        document_a,
        "add",
        {
            "container": f"target:{targets.code}",
            "content": {
                "indicator": targets.targets.indicators[0],
                "baseline": "40",
                "target": "1,234",
                "year": 2027,
            },
        },
    )
    target_key = body["key"]
    # The target value is refused on the page; the rest of the row is sent without it.
    status, body = api(
        client,
        document_a,
        "save",
        {"key": target_key, "base": 1, "content": {"baseline": "45", "year": 2027}},
    )
    assert status == 200, body
    # Kept exactly: 1,234 is not read back as 1234.
    assert body["content"]["target"] == "1.234" and body["content"]["baseline"] == "45"
    assert body["fields"]["target"] == "1,234"
    budget = next(s for s in spec.walk() if s.budget is not None and s.budget.rows == "content")
    phasing = "2027|central_budget|capital"
    _status, body = api(
        client,
        document_a,
        "add",
        {
            "container": f"budget:{budget.code}",
            "content": {"label": "Đào tạo", "phasing": {phasing: "0,125"}},
        },
    )
    budget_key = body["key"]
    status, body = api(
        client,
        document_a,
        "save",
        {"key": budget_key, "base": 1, "content": {"label": "Đào tạo cán bộ"}},
    )
    assert status == 200, body
    assert body["content"] == {"label": "Đào tạo cán bộ", "phasing": {phasing: "0.125"}}
    status, body = api(
        client,
        document_a,
        "save",
        {"key": budget_key, "base": 2, "content": {"phasing": {phasing: "0,25"}}},
    )
    assert status == 200, body
    assert body["content"] == {"label": "Đào tạo cán bộ", "phasing": {phasing: "0.25"}}


def test_the_same_change_saved_twice_is_saved_once(cast: Cast, document_a: Document) -> None:
    """Two people (or one page, twice) clear the same value from the same revision: the second
    save finds it done and writes nothing."""
    client = client_for(cast.editor_a)
    key = value_key(document_a, "integer")
    api(client, document_a, "save", {"key": key, "base": 0, "content": {"cells": {"": "5"}}})
    stored = []
    for expected in ("saved", "unchanged"):
        status, body = api(
            client, document_a, "save", {"key": key, "base": 1, "content": {"cells": {"": ""}}}
        )
        assert status == 200 and body["status"] == expected
        stored.append(list(EntryVersion.objects.filter(entry__key=key).values()))
    assert stored[0] == stored[1]
