"""The questions later issues ask of the structure: the tree on a date, descendants on a
date, what a unit became and came from (on the shipped reference data)."""

from __future__ import annotations

import datetime as dt

import pytest

from govplan.orgunits.history import current_successors, predecessors, successors
from govplan.orgunits.models import Kind, OrgUnit
from tests.conftest import BEFORE_REFORM, REFORM, unit

pytestmark = pytest.mark.django_db


def test_code_24_names_bac_giang_then_bac_ninh() -> None:
    assert unit("gso-province", "24", BEFORE_REFORM).name == "Tỉnh Bắc Giang"
    assert unit("gso-province", "24", REFORM).name == "Tỉnh Bắc Ninh"
    assert unit("gso-province", "24", BEFORE_REFORM) != unit("gso-province", "24", REFORM)


def test_bac_giang_on_30_june_2025_is_a_province_with_its_own_descendants() -> None:
    bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    assert bac_giang.kind == Kind.PROVINCE
    assert bac_giang.is_valid_on(BEFORE_REFORM)
    descendants = bac_giang.descendants(on=BEFORE_REFORM)
    districts = descendants.filter(kind=Kind.DISTRICT)
    assert districts.count() == 10  # 1 city, 9 districts (Bắc Giang before the reform)
    assert districts.filter(name="Thành phố Bắc Giang").exists()
    assert descendants.filter(kind=Kind.COMMUNE).count() > 150
    # Every descendant on that day is a district or a commune of Bắc Giang, none of Bắc Ninh.
    old_bac_ninh = unit("gso-province", "27", BEFORE_REFORM)
    assert not descendants.filter(path__startswith=old_bac_ninh.path).exists()
    # On 1 July 2025 it has none left: it no longer exists.
    assert not bac_giang.descendants(on=REFORM).exists()


def test_bac_giang_on_1_july_2025_is_a_predecessor_of_bac_ninh() -> None:
    bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    new_bac_ninh = unit("gso-province", "24", REFORM)
    assert not bac_giang.is_valid_on(REFORM)
    became = successors(bac_giang)
    assert [(link.unit, link.kind, link.effective_date) for link in became] == [
        (new_bac_ninh, "merge", REFORM)
    ]
    came_from = {link.unit.name for link in predecessors(new_bac_ninh, transitive=False)}
    assert came_from == {"Tỉnh Bắc Giang", "Tỉnh Bắc Ninh"}
    assert current_successors(bac_giang, dt.date(2026, 1, 1)) == [new_bac_ninh]


def test_the_tree_as_of_a_date() -> None:
    def provinces(day: dt.date) -> int:
        return OrgUnit.objects.valid_on(day).filter(kind=Kind.PROVINCE, parent=None).count()

    assert provinces(BEFORE_REFORM) == 63
    assert provinces(REFORM) == 34
    assert OrgUnit.objects.valid_on(REFORM).filter(kind=Kind.DISTRICT).count() == 0
    assert OrgUnit.objects.valid_on(REFORM).filter(kind=Kind.COMMUNE).count() == 3321
    # Every unit valid on a day hangs under a parent valid that same day.
    for day in (BEFORE_REFORM, REFORM):
        orphans = (
            OrgUnit.objects.valid_on(day)
            .filter(parent__isnull=False)
            .exclude(parent__in=OrgUnit.objects.valid_on(day))
        )
        assert not orphans.exists()


def test_unmerged_province_spans_the_reform_with_new_communes() -> None:
    hanoi = unit("gso-province", "01", BEFORE_REFORM)
    assert hanoi == unit("gso-province", "01", REFORM)
    assert hanoi.descendants(on=BEFORE_REFORM).filter(kind=Kind.DISTRICT).count() == 30
    assert hanoi.descendants(on=REFORM).filter(kind=Kind.COMMUNE).count() == 126
    assert not hanoi.descendants(on=REFORM).filter(kind=Kind.DISTRICT).exists()


def test_ministries_merged_in_march_2025() -> None:
    finance = unit("govplan", "BTC")
    planning = unit("govplan", "BKHDT", dt.date(2025, 2, 28))
    assert [link.unit for link in successors(planning)] == [finance]
    agriculture_env = unit("govplan", "BNNMT")
    came_from = {link.unit.code for link in predecessors(agriculture_env, transitive=False)}
    assert {"BNNPTNT", "BTNMT"} <= came_from


def test_names_change_without_a_new_unit() -> None:
    hue = unit("gso-province", "46")
    assert hue.name == "Thành phố Huế"
    assert hue.name_on(dt.date(2024, 12, 31)) == "Tỉnh Thừa Thiên Huế"
    assert hue.name_on(dt.date(2025, 1, 1)) == "Thành phố Huế"
    dong_nai = unit("gso-province", "75", REFORM)
    assert dong_nai.name_on(REFORM) == "Tỉnh Đồng Nai"
    assert dong_nai.name_on(dt.date(2026, 4, 30)) == "Thành phố Đồng Nai"


def test_a_divided_commune_has_several_successors() -> None:
    from govplan.orgunits.models import Succession

    partial = (
        Succession.objects.filter(kind="partial_merge", predecessor__kind=Kind.COMMUNE)
        .select_related("predecessor")
        .first()
    )
    assert partial is not None
    became = successors(partial.predecessor, transitive=False)
    assert len(became) >= 2
    assert {link.kind for link in became} == {"partial_merge"}
