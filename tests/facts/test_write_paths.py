"""Every way an entry changes writes exactly its live facts, in the same transaction: a
save (new, over, merged), an autosave coalesced into the last version, a deletion, a
restore of an entry or a whole table, a move, an XLSX import, a carry-over; a refused save
changes no fact. The frozen layers follow the workflow: a submission writes the submitted
layer, a resubmission replaces it, an approval writes the approved revision's facts, which
later live edits do not touch."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from govplan.core.adapters.xlsx import RowData
from govplan.documents import actions
from govplan.documents.content import ContentError
from govplan.documents.models import Document, Entry
from govplan.documents.tables_xlsx import do_apply_import, do_preview_import
from govplan.facts.models import BudgetFact, ResultFact, TargetFact, ValueFact
from tests.conftest import Cast
from tests.documents.test_xlsx_and_files import workbook_with
from tests.facts.helpers import budgets, exact, values
from tests.support.documents import every_feature_document

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def document(cast: Cast) -> Document:
    return every_feature_document(cast)


def save(cast: Cast, document: Document, key: str, base: int, raw: dict) -> actions.SaveResult:  # type: ignore[type-arg]
    return actions.do_save_entry(document, key, base, raw, actor=cast.editor_a, locale="vi")


def test_a_new_value_then_its_change_replace_the_cells_facts(
    cast: Cast, document: Document
) -> None:
    save(
        cast, document, "value:DVC.TRUC_TUYEN", 0, {"cells": {"TOAN_TRINH": "12", "MOT_PHAN": "40"}}
    )
    assert values(document) == {
        ("DVC.TRUC_TUYEN", "TOAN_TRINH"): {"value": D(12)},
        ("DVC.TRUC_TUYEN", "MOT_PHAN"): {"value": D(40)},
    }
    save(cast, document, "value:DVC.TRUC_TUYEN", 1, {"cells": {"TOAN_TRINH": "15", "MOT_PHAN": ""}})
    assert values(document) == {("DVC.TRUC_TUYEN", "TOAN_TRINH"): {"value": D(15)}}
    assert exact(document)


def test_a_ratio_a_two_dimension_ratio_a_boolean_a_choice_and_a_date(
    cast: Cast, document: Document
) -> None:
    save(
        cast,
        document,
        "value:HT.MAY_TINH_CBCC",
        0,
        {
            "cells": {
                "": {"n": "200", "d": "260"},
                "TINH": {"n": "90", "d": "100"},
                "HUYEN": {"n": "45,5", "d": "50"},
            }
        },
    )
    save(
        cast,
        document,
        "value:VB.DIEN_TU",
        0,
        {"cells": {"NOI_BO|HOAN_TOAN": {"n": "218", "d": "230"}}},
    )
    save(cast, document, "value:LGSP.TRIEN_KHAI", 0, {"cells": {"": "true"}})
    save(cast, document, "value:HT.WAN_LOAI", 0, {"cells": {"": "TSLCD"}})
    save(cast, document, "value:KTCPDT.NGAY_BAN_HANH", 0, {"cells": {"": "15/03/2026"}})
    found = values(document)
    assert found[("HT.MAY_TINH_CBCC", "TINH")] == {"numerator": D(90), "denominator": D(100)}
    assert found[("HT.MAY_TINH_CBCC", "HUYEN")] == {"numerator": D("45.5"), "denominator": D(50)}
    # The framework asks this figure by administrative level: the levels are parts of the
    # whole unit's figure (level ""), never options to add to it.
    assert dict(
        ValueFact.objects.filter(document=document, indicator_code="HT.MAY_TINH_CBCC").values_list(
            "cell", "level"
        )
    ) == {"": "", "TINH": "TINH", "HUYEN": "HUYEN"}
    assert not ValueFact.objects.filter(
        document=document, indicator_code="HT.MAY_TINH_CBCC"
    ).exclude(option_1="")
    assert found[("VB.DIEN_TU", "NOI_BO|HOAN_TOAN")] == {"numerator": D(218), "denominator": D(230)}
    two = ValueFact.objects.get(document=document, indicator_code="VB.DIEN_TU")
    assert (two.option_1, two.option_2) == ("NOI_BO", "HOAN_TOAN")
    assert two.indicator is not None and two.indicator.code == "VB.DIEN_TU"
    assert found[("LGSP.TRIEN_KHAI", "")] == {"boolean": True}
    assert found[("HT.WAN_LOAI", "")] == {"text": "TSLCD"}
    assert found[("KTCPDT.NGAY_BAN_HANH", "")] == {"text": "2026-03-15"}
    fact = ValueFact.objects.get(document=document, indicator_code="LGSP.TRIEN_KHAI")
    assert (fact.org_unit, fact.unit_kind, fact.unit_path) == (
        cast.province_a,
        "province",
        cast.province_a.path,
    )
    assert (fact.period_start, fact.period_end, fact.document_kind) == (2027, 2028, "plan")
    assert exact(document)


def test_no_data_is_one_fact_without_a_figure(cast: Cast, document: Document) -> None:
    save(cast, document, "value:DVC.TRUC_TUYEN", 0, {"cells": {"TOAN_TRINH": "12"}})
    save(
        cast,
        document,
        "value:DVC.TRUC_TUYEN",
        1,
        {"cells": {}, "no_data": True, "no_data_reason": "Chưa thống kê"},
    )
    assert values(document) == {("DVC.TRUC_TUYEN", ""): {"no_data": True}}
    assert exact(document)


def test_a_merge_of_two_editors_writes_the_merged_content(cast: Cast, document: Document) -> None:
    key = "value:DVC.TRUC_TUYEN"
    save(cast, document, key, 0, {"cells": {"TOAN_TRINH": "1", "MOT_PHAN": "2"}})
    save(cast, document, key, 1, {"cells": {"TOAN_TRINH": "10", "MOT_PHAN": "2"}})
    merged = save(cast, document, key, 1, {"cells": {"TOAN_TRINH": "1", "MOT_PHAN": "20"}})
    assert merged.status == "merged"
    assert values(document) == {
        ("DVC.TRUC_TUYEN", "TOAN_TRINH"): {"value": D(10)},
        ("DVC.TRUC_TUYEN", "MOT_PHAN"): {"value": D(20)},
    }
    assert exact(document)


def test_a_conflict_or_invalid_content_changes_no_fact(cast: Cast, document: Document) -> None:
    key = "value:DVC.TRUC_TUYEN"
    save(cast, document, key, 0, {"cells": {"TOAN_TRINH": "1"}})
    save(cast, document, key, 1, {"cells": {"TOAN_TRINH": "10"}})
    before = values(document)
    assert save(cast, document, key, 1, {"cells": {"TOAN_TRINH": "7"}}).status == "conflict"
    assert values(document) == before
    with pytest.raises(ContentError):
        save(cast, document, key, 2, {"cells": {"TOAN_TRINH": "mười"}})
    assert values(document) == before == {("DVC.TRUC_TUYEN", "TOAN_TRINH"): {"value": D(10)}}
    assert exact(document)


def test_a_coalesced_autosave_keeps_the_facts_current(
    cast: Cast, document: Document, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.AUTOSAVE_COALESCE_SECONDS = 600
    key = "value:DVC.TRUC_TUYEN"
    for base, figure in enumerate(("1", "12", "123")):
        save(cast, document, key, base, {"cells": {"TOAN_TRINH": figure}})
    entry = Entry.objects.get(document=document, key=key)
    assert entry.revision == 3 and entry.versions.count() == 1  # coalesced into one version
    assert values(document) == {("DVC.TRUC_TUYEN", "TOAN_TRINH"): {"value": D(123)}}
    assert exact(document)


def add_project(cast: Cast, document: Document, name: str, phasing: dict[str, str]) -> Entry:
    return actions.do_add_entry(
        document,
        "row:projects",
        {
            "cells": {"name": name, "field": "Y tế", "status": "new"},
            "phasing": phasing,
            "group": "apps",
        },
        actor=cast.editor_a,
        locale="vi",
    )


def test_a_projects_phasing_by_year_and_for_the_whole_period(
    cast: Cast, document: Document
) -> None:
    add_project(
        cast,
        document,
        "Kho dữ liệu",
        {"2027|central_budget|capital": "100", "0|oda|recurrent": "25,5"},
    )
    assert budgets(document) == {
        ("Kho dữ liệu", 2027, "central_budget", "capital"): D(100),
        ("Kho dữ liệu", 0, "oda", "recurrent"): D("25.5"),
    }
    fact = BudgetFact.objects.filter(document=document).first()
    assert fact is not None
    assert (fact.collection, fact.group, fact.field, fact.project_status) == (
        "table:projects",
        "apps",
        "Y tế",
        "new",
    )
    assert exact(document)


def test_delete_restore_and_move_of_a_row(cast: Cast, document: Document) -> None:
    first = add_project(cast, document, "Một", {"2027|central_budget|capital": "10"})
    second = add_project(cast, document, "Hai", {"2028|provincial_budget|capital": "20"})
    actions.do_delete_entry(document, first.key, first.revision, actor=cast.editor_a)
    assert set(budgets(document)) == {("Hai", 2028, "provincial_budget", "capital")}
    assert exact(document)
    actions.do_restore_entry(document, first.key, 1, actor=cast.editor_a)
    assert set(budgets(document)) == {
        ("Một", 2027, "central_budget", "capital"),
        ("Hai", 2028, "provincial_budget", "capital"),
    }
    actions.do_move_entry(document, second.key, None, actor=cast.editor_a)
    assert len(budgets(document)) == 2
    assert exact(document)


def test_a_table_restored_to_an_earlier_moment(cast: Cast, document: Document, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUTOSAVE_COALESCE_SECONDS = 0  # every save its own version, as the moment needs
    kept = add_project(cast, document, "Giữ", {"2027|central_budget|capital": "10"})
    moment = timezone.now()
    actions.do_save_entry(
        document,
        kept.key,
        1,
        {"cells": {"name": "Giữ"}, "phasing": {"2027|central_budget|capital": "99"}},
        actor=cast.editor_a,
        locale="vi",
    )
    add_project(cast, document, "Thêm sau", {"2028|oda|capital": "5"})
    assert len(budgets(document)) == 2
    actions.do_restore_collection(document, "table:projects", moment, actor=cast.editor_a)
    assert budgets(document) == {("Giữ", 2027, "central_budget", "capital"): D(10)}
    assert exact(document)


def test_an_xlsx_import_writes_the_rows_facts(cast: Cast, document: Document) -> None:
    old = add_project(cast, document, "Cũ", {"2027|central_budget|capital": "10"})
    data = workbook_with(
        document,
        [
            RowData(uid=None, cells={"name": "Nhập mới"}, phasing={"2027|oda|capital": "7"}),
        ],
    )
    preview = do_preview_import(document, data, filename="b.xlsx", actor=cast.editor_a, locale="vi")
    assert preview.batch is not None, preview.problems
    do_apply_import(preview.batch, actor=cast.editor_a)
    assert Entry.objects.get(pk=old.pk).deleted  # the file no longer has it
    assert budgets(document) == {("Nhập mới", 2027, "oda", "capital"): D(7)}
    assert exact(document)


def test_targets_and_results_with_their_source(cast: Cast, document: Document) -> None:
    target = actions.do_add_entry(
        document,
        "target:MUC_TIEU",
        {"indicator": "DVC.TRUC_TUYEN", "option": "TOAN_TRINH", "target": "80", "year": "2028"},
        actor=cast.editor_a,
        locale="vi",
    )
    fact = TargetFact.objects.get(document=document, layer="live")
    assert (fact.indicator_code, fact.cell, fact.year, fact.target) == (
        "DVC.TRUC_TUYEN",
        "TOAN_TRINH",
        2028,
        D(80),
    )
    assert fact.indicator is not None
    result = actions.do_add_entry(
        document,
        "result:MUC_TIEU",
        {
            "source": {
                "document": document.pk,
                "key": target.key,
                "indicator": "DVC.TRUC_TUYEN",
                "option": "TOAN_TRINH",
                "target": "80",
                "year": 2028,
                "text": "Số DVC toàn trình",
            },
            "achieved": "85",
            "status": "achieved",
        },
        actor=cast.editor_a,
        locale="vi",
    )
    got = ResultFact.objects.get(document=document, layer="live", entry_key=result.key)
    assert (got.source_document_id, got.source_key, got.indicator_code, got.cell) == (
        document.pk,
        target.key,
        "DVC.TRUC_TUYEN",
        "TOAN_TRINH",
    )
    assert (got.target, got.achieved, got.status, got.year) == (D(80), D(85), "achieved", 2028)
    assert got.text == "Số DVC toàn trình"
    assert exact(document)


def test_a_deleted_document_takes_its_facts_with_it(cast: Cast, document: Document) -> None:
    save(cast, document, "value:DVC.TRUC_TUYEN", 0, {"cells": {"TOAN_TRINH": "12"}})
    assert ValueFact.objects.filter(document_id=document.pk).exists()
    pk = document.pk
    Document.objects.filter(pk=pk).delete()
    assert not ValueFact.objects.filter(document_id=pk).exists()


def test_a_result_whose_plan_is_gone_has_no_source(cast: Cast, document: Document) -> None:
    actions.do_add_entry(
        document,
        "result:MUC_TIEU",
        {"source": {"document": 999999, "key": "target:MUC_TIEU:abcdef1", "text": "Cũ"}},
        actor=cast.editor_a,
        locale="vi",
    )
    got = ResultFact.objects.get(document=document, layer="live")
    assert (got.source_document_id, got.source_key, got.text) == (
        None,
        "target:MUC_TIEU:abcdef1",
        "Cũ",
    )
    assert exact(document)


def test_a_carry_over_writes_the_carried_rows_facts(cast: Cast) -> None:
    from govplan.documents.actions import do_create_document
    from tests.facts.helpers import small_framework
    from tests.support.frameworks import publish

    old_version = publish(small_framework("TEST-FACTS-A"), cast.central_admin)
    later = small_framework("TEST-FACTS-B").replace(
        "{from: 2027, to: 2028}", "{from: 2028, to: 2029}"
    )
    new_version = publish(later, cast.central_admin)
    old = do_create_document(unit=cast.province_a, version=old_version, actor=cast.editor_a)
    actions.do_add_entry(
        old,
        "row:projects",
        {
            "cells": {"name": "Trục LGSP", "status": "continuing", "total": "1000"},
            "phasing": {"2027|central_budget|capital": "300", "2028|central_budget|capital": "200"},
        },
        actor=cast.editor_a,
        locale="vi",
    )
    new = do_create_document(
        unit=cast.province_a, version=new_version, actor=cast.editor_a, carry_from=[old]
    )
    # The remaining year only, in the new document's facts, as its entry now holds it.
    assert budgets(new) == {("Trục LGSP", 2028, "central_budget", "capital"): D(200)}
    assert BudgetFact.objects.get(document=new).period_start == 2028
    assert exact(new) and exact(old)
