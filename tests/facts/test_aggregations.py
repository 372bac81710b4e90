"""The aggregations that moved onto the facts keep their arithmetic: a parent's
consolidation and the rules' subunits() sum the sub-units' live facts per cell, ratios as
a sum of numerators over a sum of denominators, "no data" counted as missing, a split
figure's levels per level; and a value saved is in the next answer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from govplan.documents.actions import do_create_document, do_save_entry
from govplan.documents.consolidation import consolidated
from govplan.documents.models import Document
from govplan.documents.read import load_document_view
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.orgunits.models import Kind
from govplan.workflow.validation import DocumentData
from tests.conftest import EVERY_FEATURE, TODAY, Cast

pytestmark = pytest.mark.django_db

RATIO = "value:HT.MAY_TINH_CBCC"
COUNT = "value:DVC.TRUC_TUYEN"


@pytest.fixture
def province(cast: Cast) -> Document:
    draft = do_upload_framework(EVERY_FEATURE.read_bytes(), actor=cast.central_admin)
    version = do_publish(
        draft,
        actor=cast.central_admin,
        deadline=draft.deadline,
        kinds=["province", "commune"],
        unit_refs=[],
    )
    communes = list(
        cast.province_a.descendants(on=TODAY).filter(kind=Kind.COMMUNE).order_by("code")[:3]
    )
    figures = [
        ({"cells": {"": {"n": "10", "d": "20"}}}, {"TOAN_TRINH": "5", "MOT_PHAN": "1"}),
        ({"cells": {}, "no_data": True, "no_data_reason": "Chưa điều tra"}, {"TOAN_TRINH": "7"}),
        ({"cells": {"": {"n": "1", "d": "2"}}}, {}),
    ]
    for commune, (ratio, count) in zip(communes, figures, strict=True):
        document = do_create_document(unit=commune, version=version, actor=cast.central_admin)
        do_save_entry(document, RATIO, 0, ratio, actor=cast.central_admin, locale="vi")
        if count:
            do_save_entry(
                document, COUNT, 0, {"cells": count}, actor=cast.central_admin, locale="vi"
            )
    return do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)


def row(summary: dict, code: str) -> dict:  # type: ignore[type-arg]
    return next(i for i in summary["indicators"] if i["code"] == code)


def test_consolidation_sums_the_facts(cast: Cast, province: Document) -> None:
    summary = consolidated(province, cast.central_admin)
    ratio = row(summary, "HT.MAY_TINH_CBCC")
    assert ratio["total"] == {"cells": {"": {"n": "11", "d": "22"}}}  # 50 %, not (50+50)/2
    assert (ratio["reported"], ratio["no_data"], ratio["missing"]) == (2, 1, 1)
    count = row(summary, "DVC.TRUC_TUYEN")
    assert count["total"] == {"cells": {"TOAN_TRINH": {"v": "12"}, "MOT_PHAN": {"v": "1"}}}
    assert (count["reported"], count["no_data"], count["missing"]) == (2, 0, 1)


def test_subunits_reads_the_facts_and_a_saved_value_is_in_the_next_answer(
    cast: Cast, province: Document
) -> None:
    def subunits(ref: str) -> Decimal | None:
        document = Document.objects.get(pk=province.pk)
        return DocumentData(document, load_document_view(document, previous=False)).subunits(ref)

    assert subunits("HT.MAY_TINH_CBCC") == Decimal(50)
    assert subunits("HT.MAY_TINH_CBCC.numerator") == Decimal(11)
    assert subunits("DVC.TRUC_TUYEN:TOAN_TRINH") == Decimal(12)
    assert subunits("DVC.TRUC_TUYEN") == Decimal(13)
    commune = Document.objects.filter(framework=province.framework, org_unit__kind="commune")
    third = commune.order_by("org_unit__code").last()
    assert third is not None
    do_save_entry(
        third,
        COUNT,
        0,
        {"cells": {"TOAN_TRINH": "30"}},
        actor=cast.central_admin,
        locale="vi",
    )
    assert subunits("DVC.TRUC_TUYEN:TOAN_TRINH") == Decimal(42)
    assert row(consolidated(province, cast.central_admin), "DVC.TRUC_TUYEN")["reported"] == 3
