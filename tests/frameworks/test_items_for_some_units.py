"""A question asked only of some units, without an invented sub-section, and a figure asked
for only some options of an indicator (issue 13, items 8 and 9): the checker, what each
unit is asked, the numbers the framework chooses, the editor page, the blank form, the
checks before submission and the official document."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from govplan.core.frameworks.files import read_catalogue, read_legal
from govplan.core.frameworks.model import Framework
from govplan.core.frameworks.parse import parse_framework
from govplan.core.frameworks.problems import SpecError
from govplan.core.frameworks.visibility import for_unit, sequence
from govplan.core.frameworks.yamlsafe import load_text
from govplan.documents.actions import do_add_entry, do_create_document, do_save_entry
from govplan.documents.content import ContentError
from govplan.documents.models import Document, Entry
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.official.build import official_document
from govplan.workflow.validation import validate
from tests.conftest import Cast

FRAMEWORK = """
format: govplan/framework@1
code: TEST-RIENG-2099
kind: report
title: Báo cáo thử năm 2099
period: {from: 2099, to: 2099}
issued_by: {number: 2/TEST, date: 2098-09-01, issuer: Bộ Khoa học và Công nghệ}
applies_to: {kinds: [province, ministry]}
reporting: {recipient: Bộ Khoa học và Công nghệ, frequency: annual}
sections:
  - number: I
    title: KẾT QUẢ
    numbering: renumber
    sections:
      - number: a
        title: Riêng các Bộ về hệ thống ngành
        applies_to: {kinds: [ministry]}
        narrative: true
      - number: b
        title: Dịch vụ công
        narrative: true
        indicators:
          - indicator: DVC.TONG_SO
            split: {by: CAP_HANH_CHINH, options: [TINH, HUYEN], applies_to: {kinds: [province]}}
          - {indicator: HT.LAN, applies_to: {kinds: [ministry]}}
          - {indicator: DVC.TRUC_TUYEN_2011, options: [M3, M4]}
        tables:
          - code: systems
            title: Hệ thống thông tin ngành
            applies_to: {kinds: [ministry]}
            columns: [{code: name, title: Tên hệ thống, type: text, role: system_name}]
  - number: II
    title: KIẾN NGHỊ
    sections:
      - {number: "1", title: Riêng các Bộ, applies_to: {kinds: [ministry]}, narrative: true}
      - {number: "2", title: Kiến nghị chung, narrative: true}
  - number: III
    title: MỤC TIÊU RIÊNG CỦA CÁC BỘ
    targets: {indicators: [DVC.TONG_SO], applies_to: {kinds: [ministry]}}
rules:
  - code: R1
    check: "#{DVC.TRUC_TUYEN_2011:M3} + #{DVC.TRUC_TUYEN_2011:M4} <= #{DVC.TONG_SO}"
    message: Số DVC mức độ 3, 4 không vượt tổng số.
"""


def data() -> dict[str, Any]:
    result: dict[str, Any] = load_text(FRAMEWORK)
    return result


def parse(document: dict[str, Any]) -> Framework:
    return parse_framework(document, read_catalogue(), read_legal())


def numbered(sections: list[Any]) -> list[tuple[str, str]]:
    return [(s.number, s.title) for s in sections]


def test_each_unit_is_asked_only_its_items_numbered_as_the_framework_chooses() -> None:
    spec = parse(data())
    province = for_unit(spec, "province", "gso-province", "24")
    # I renumbers: "b" becomes "a" when the ministries' "a" is hidden; II keeps the letter's.
    assert numbered(province) == [
        ("I", "KẾT QUẢ"),
        ("a", "Dịch vụ công"),
        ("II", "KIẾN NGHỊ"),
        ("2", "Kiến nghị chung"),
    ]
    services = province[1]
    assert [u.indicator for u in services.indicators] == ["DVC.TONG_SO", "DVC.TRUC_TUYEN_2011"]
    assert services.tables == ()
    split = services.indicators[0].split
    assert split is not None and (split.dimension, split.options) == (
        "CAP_HANH_CHINH",
        ("TINH", "HUYEN"),
    )
    ministry = for_unit(spec, "ministry", "govplan", "BQP")
    # III asks only for targets, of ministries: the province does not see it at all.
    assert [s.number for s in ministry] == ["I", "a", "b", "II", "1", "2", "III"]
    assert ministry[6].targets is not None
    assert [u.indicator for u in ministry[2].indicators] == [
        "DVC.TONG_SO",
        "HT.LAN",
        "DVC.TRUC_TUYEN_2011",
    ]
    assert [t.code for t in ministry[2].tables] == ["systems"]
    assert ministry[2].indicators[0].split is None  # the split is asked of provinces only


def test_renumbering_keeps_the_style_of_the_numbers() -> None:
    assert sequence(["b", "c"]) == ["a", "b"]
    assert sequence(["2", "3"]) == ["1", "2"]
    assert sequence(["II", "IV"]) == ["I", "II"]
    assert sequence(["B"]) == ["A"]
    assert sequence(["b1", "b3"]) == ["b1", "b3"]  # a style not recognised is kept


def test_the_new_keys_read_back_and_old_stored_frameworks_read_with_defaults() -> None:
    spec = parse(data())
    assert Framework.from_dict(spec.to_dict()) == spec
    use = spec.section("I.b").indicators[2]
    assert use.options == ("M3", "M4")
    stored = spec.to_dict()
    del stored["numbering"]
    for section in stored["sections"]:
        for child in section["sections"]:
            for item in child.get("indicators", ()):
                del item["options"], item["applies_to"], item["split"]
            for table in child.get("tables", ()):
                del table["applies_to"]
    old = Framework.from_dict(stored)
    assert old.numbering == "as_letter"
    assert old.section("I.b").indicators[1].applies_to is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["sections"][0]["sections"][1]["indicators"][2].__setitem__(
                "options", ["M3", "M5"]
            ),
            'sections[0].sections[1].indicators[2].options[1]: "M5" is not an option of '
            "DVC.TRUC_TUYEN_2011 (options: M1, M2, M3, M4)",
        ),
        (
            lambda d: d["sections"][0]["sections"][1]["indicators"].__setitem__(
                0, {"indicator": "DVC.TONG_SO", "options": ["M3"]}
            ),
            "sections[0].sections[1].indicators[0].options: DVC.TONG_SO has no options: "
            "it is not disaggregated",
        ),
        (
            lambda d: d["sections"][0]["sections"][1]["indicators"][2].__setitem__(
                "options", ["M4", "M4"]
            ),
            'sections[0].sections[1].indicators[2].options[1]: "M4" is listed twice',
        ),
        (
            lambda d: d["rules"][0].__setitem__("check", "#{DVC.TRUC_TUYEN_2011:M2} >= 0"),
            'rules[0].check: #{DVC.TRUC_TUYEN_2011:M2}: "M2" is not asked by this framework '
            "(it asks M3, M4)",
        ),
        (
            lambda d: d["sections"][0]["sections"][1]["indicators"][1].__setitem__(
                "applies_to", {"kinds": ["ministery"]}
            ),
            "sections[0].sections[1].indicators[1].applies_to.kinds",
        ),
        (
            lambda d: d["sections"][0]["sections"][1]["tables"][0].__setitem__(
                "applies_to", {"kinds": []}
            ),
            "sections[0].sections[1].tables[0].applies_to: names no unit kind and no unit",
        ),
        (
            lambda d: d["sections"][0].__setitem__("numbering", "continue"),
            'sections[0].numbering: unknown value "continue"',
        ),
        (lambda d: d.__setitem__("numbering", "roman"), 'numbering: unknown value "roman"'),
        (
            lambda d: d["sections"][0]["sections"][1]["indicators"][0].__setitem__(
                "split", "CAP_HANH"
            ),
            'sections[0].sections[1].indicators[0].split: "CAP_HANH" is not a dimension of the '
            "indicator catalogue",
        ),
        (
            lambda d: d["sections"][0]["sections"][1]["indicators"][0]["split"].__setitem__(
                "options", ["TINH", "THON"]
            ),
            'sections[0].sections[1].indicators[0].split.options[1]: "THON" is not an option of '
            "CAP_HANH_CHINH",
        ),
        (
            lambda d: d["sections"][0]["sections"][1]["indicators"][2].__setitem__(
                "split", "CAP_HANH_CHINH"
            ),
            "sections[0].sections[1].indicators[2].split: DVC.TRUC_TUYEN_2011 is already "
            "divided by DVC_MUC_DO_2011",
        ),
    ],
)
def test_a_wrong_item_condition_or_option_is_refused_where_it_is(change, expected) -> None:  # type: ignore[no-untyped-def]
    broken = copy.deepcopy(data())
    change(broken)
    with pytest.raises(SpecError) as caught:
        parse(broken)
    found = [str(p) for p in caught.value.problems]
    assert any(p.startswith(expected) for p in found), found


@pytest.fixture
def province_report(cast: Cast) -> Document:
    draft = do_upload_framework(FRAMEWORK.encode(), actor=cast.central_admin)
    version = do_publish(
        draft, actor=cast.central_admin, deadline=None, kinds=["province"], unit_refs=[]
    )
    return do_create_document(unit=cast.province_a, version=version, actor=cast.editor_a)


@pytest.mark.django_db
def test_an_item_hidden_from_the_unit_is_neither_shown_nor_required(
    cast: Cast, province_report: Document
) -> None:
    codes = {f.check_id for f in validate(province_report).findings}
    assert "required:value:DVC.TONG_SO" in codes
    assert "required:value:HT.LAN" not in codes
    assert "required:table:systems" not in codes
    assert "required:narrative:I.a" not in codes and "required:narrative:II.1" not in codes
    client = Client()
    client.force_login(cast.editor_a)
    page = client.get(reverse("document_edit", args=[province_report.pk])).content.decode()
    assert "a. Dịch vụ công" in page and "b. Dịch vụ công" not in page
    assert "Riêng các Bộ" not in page and "Hệ thống thông tin ngành" not in page
    assert "Mức độ 3" in page and "Mức độ 4" in page
    assert "Mức độ 1" not in page and "Mức độ 2" not in page


@pytest.mark.django_db
def test_a_figure_for_an_option_not_asked_is_refused_and_nothing_changes(
    cast: Cast, province_report: Document
) -> None:
    key = "value:DVC.TRUC_TUYEN_2011"
    with pytest.raises(ContentError) as caught:
        do_save_entry(
            province_report,
            key,
            0,
            {"cells": {"M4": "5", "M1": "3"}},
            actor=cast.editor_a,
            locale="vi",
        )
    assert "M1" in str(caught.value.errors)
    assert not Entry.objects.filter(document=province_report, key=key).exists()
    do_save_entry(
        province_report, key, 0, {"cells": {"M3": "7", "M4": "5"}}, actor=cast.editor_a, locale="vi"
    )
    assert Entry.objects.get(document=province_report, key=key).content["cells"] == {
        "M3": {"v": 7},
        "M4": {"v": 5},
    }


@pytest.mark.django_db
def test_the_official_document_prints_the_units_numbers_and_the_asked_options(
    cast: Cast, province_report: Document
) -> None:
    official = official_document(province_report)
    first, second = official.sections
    assert [(c.number, c.title) for c in first.children] == [("a", "Dịch vụ công")]
    assert [(c.number, c.title) for c in second.children] == [("2", "Kiến nghị chung")]
    printed = repr(first.children[0].blocks)
    assert "Mức độ 3" in printed and "Mức độ 4" in printed
    assert "Mức độ 1" not in printed and "(LAN)" not in printed


@pytest.mark.django_db
def test_the_blank_form_says_to_whom_an_item_is_asked_and_which_options(cast: Cast) -> None:
    draft = do_upload_framework(FRAMEWORK.encode(), actor=cast.central_admin)
    client = Client()
    client.force_login(cast.central_admin)
    form = client.get(reverse("framework_form", args=[draft.framework.code, 1])).content.decode()
    assert form.count("Chỉ áp dụng cho: Bộ") >= 3  # I.a, HT.LAN, the systems table, II.1
    assert "Mức độ 4" in form and "Mức độ 2" not in form
    # The levels of DVC.TONG_SO are asked of provinces only.
    assert "Cấp hành chính của các cơ quan, đơn vị: chỉ áp dụng cho Tỉnh" in form
    assert "Toàn đơn vị" in form and "Cấp huyện (quận, huyện, thị xã, thành phố)" in form


@pytest.mark.django_db
def test_a_figure_split_by_level_keeps_the_whole_as_the_indicator_and_adds_the_parts(
    cast: Cast, province_report: Document
) -> None:
    key = "value:DVC.TONG_SO"
    client = Client()
    client.force_login(cast.editor_a)
    page = client.get(reverse("document_edit", args=[province_report.pk])).content.decode()
    assert "Toàn đơn vị" in page and "Cấp tỉnh (sở, ban, ngành)" in page
    assert "Cấp huyện" in page and "Cấp xã" not in page  # only the levels asked
    # A level not asked is refused; the whole and the levels asked are kept.
    with pytest.raises(ContentError):
        do_save_entry(
            province_report,
            key,
            0,
            {"cells": {"": "100", "XA": "5"}},
            actor=cast.editor_a,
            locale="vi",
        )
    do_save_entry(
        province_report,
        key,
        0,
        {"cells": {"": "100", "TINH": "60", "HUYEN": "50"}},
        actor=cast.editor_a,
        locale="vi",
    )
    findings = {f.check_id: f for f in validate(province_report).findings}
    assert "more than the whole" in findings[f"split:{key}:value"].message or (
        "nhiều hơn" in findings[f"split:{key}:value"].message
    )
    assert "required:value:DVC.TONG_SO" not in findings
    entry = Entry.objects.get(document=province_report, key=key)
    do_save_entry(
        province_report,
        key,
        entry.revision,
        {"cells": {"": "100", "TINH": "60", "HUYEN": "40"}},
        actor=cast.editor_a,
        locale="vi",
    )
    assert f"split:{key}:value" not in {f.check_id for f in validate(province_report).findings}
    # The official document prints the whole unit's figure and each level's.
    official = official_document(Document.objects.get(pk=province_report.pk))
    printed = repr(official.sections[0].children[0].blocks)
    assert "Toàn đơn vị" in printed and "Cấp tỉnh (sở, ban, ngành)" in printed


@pytest.mark.django_db
def test_the_cycle_workbook_lists_the_asked_options_and_the_levels(
    cast: Cast, province_report: Document
) -> None:
    import io

    from python_calamine import CalamineWorkbook

    from govplan.official.cycle_workbook import INDICATOR_SHEET, cycle_workbook

    do_save_entry(
        province_report,
        "value:DVC.TONG_SO",
        0,
        {"cells": {"": "100", "TINH": "60", "HUYEN": "40"}},
        actor=cast.editor_a,
        locale="vi",
    )
    content = cycle_workbook(province_report.framework_version, [province_report], title="t")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(INDICATOR_SHEET)
    lines = rows.to_python(skip_empty_area=False)
    top = next(i for i, r in enumerate(lines) if r and r[0] == "Đơn vị")
    code, breakdown = lines[top].index("Mã chỉ tiêu"), lines[top].index("Phân tổ")
    asked = {(r[code], r[breakdown]) for r in lines[top + 1 :]}
    assert ("DVC.TONG_SO", "") in asked
    assert ("DVC.TONG_SO", "Cấp tỉnh (sở, ban, ngành)") in asked
    assert ("DVC.TONG_SO", "Cấp huyện (quận, huyện, thị xã, thành phố)") in asked
    levels = {b for c, b in asked if c == "DVC.TRUC_TUYEN_2011"}
    assert levels == {"Mức độ 3", "Mức độ 4"}


@pytest.mark.django_db
def test_the_editor_form_saves_the_levels_and_never_a_hidden_item(
    cast: Cast, province_report: Document
) -> None:
    client = Client()
    client.force_login(cast.editor_a)
    save = reverse("document_section_save", args=[province_report.pk, "I.b"])
    response = client.post(
        save,
        {
            "narrative": "<p>Dịch vụ công.</p>",
            "narrative_base": "0",
            "base::DVC.TONG_SO": "0",
            "v::DVC.TONG_SO::": "100",
            "v::DVC.TONG_SO::TINH": "60",
            "v::DVC.TONG_SO::HUYEN": "40",
        },
    )
    assert response.status_code == 302
    saved = Entry.objects.get(document=province_report, key="value:DVC.TONG_SO")
    assert saved.content["cells"] == {"": {"v": 100}, "TINH": {"v": 60}, "HUYEN": {"v": 40}}
    assert not Entry.objects.filter(document=province_report, key="value:HT.LAN").exists()
    # A section the unit is not asked cannot be written to.
    hidden = reverse("document_section_save", args=[province_report.pk, "I.a"])
    assert client.post(hidden, {"narrative": "<p>x</p>", "narrative_base": "0"}).status_code == 404
    assert not Entry.objects.filter(document=province_report, key="narrative:I.a").exists()


@pytest.mark.django_db
def test_the_levels_alone_do_not_answer_a_required_split_figure(
    cast: Cast, province_report: Document
) -> None:
    do_save_entry(
        province_report,
        "value:DVC.TONG_SO",
        0,
        {"cells": {"TINH": "60"}},
        actor=cast.editor_a,
        locale="vi",
    )
    codes = {f.check_id for f in validate(province_report).findings}
    assert "required:value:DVC.TONG_SO" in codes  # the whole unit's figure is missing


@pytest.mark.django_db
def test_no_save_writes_what_the_unit_is_not_asked(cast: Cast, province_report: Document) -> None:
    """Whatever the way in (the page's autosave, the API, a hand-made request: they all go
    through do_save_entry and do_add_entry), a figure, a row, a text or a target the framework
    asks of other units only is refused, and nothing is written."""
    hidden = [
        ("value:HT.LAN", {"cells": {"": {"n": "5", "d": "10"}}}),
        ("narrative:I.a", {"html": "<p>Không hỏi tỉnh.</p>"}),
        ("narrative:II.1", {"html": "<p>Không hỏi tỉnh.</p>"}),
    ]
    for key, content in hidden:
        with translation.override("vi"), pytest.raises(ContentError) as refused:
            do_save_entry(province_report, key, 0, content, actor=cast.editor_a, locale="vi")
        assert "không yêu cầu đơn vị của bạn" in str(refused.value.errors[""])
    for container, content in (
        ("row:systems", {"cells": {"name": "Hệ thống riêng"}}),
        ("target:III", {"indicator": "DVC.TONG_SO", "target": "10", "year": "2099"}),
    ):
        with pytest.raises(ContentError):
            do_add_entry(province_report, container, content, actor=cast.editor_a, locale="vi")
    assert not Entry.objects.filter(document=province_report).exists()
    # What the unit is asked is saved as ever.
    do_save_entry(
        province_report,
        "narrative:II.2",
        0,
        {"html": "<p>Kiến nghị.</p>"},
        actor=cast.editor_a,
        locale="vi",
    )
    assert Entry.objects.filter(document=province_report, key="narrative:II.2").exists()
