"""A small hand-made national data set, built through the real actions (documents created,
values saved, one submitted and approved), and its figures asserted exactly: on the
structure as it was (63 provinces) and as it is (34), across the merger of Bắc Giang and
Bắc Ninh, a "no data" answer, a ratio, a yes/no count, the approved against the live layer,
and a province user's scope.

2017 reports (old provinces)        DVC.TRUC_TUYEN_2011       HT.LAN    KTCPDT.BAN_HANH
  Bắc Giang (old 24)                M4 10, M3 20, M1 5        9/10      yes
  Bắc Ninh (old 27)                 M4 30, M3 10, M2 7        1/90      no
  Hà Nội (01)                       M4 100, M3 50             50/100    yes
  Hưng Yên (old 33)                 no data                   —         yes
  Thái Bình (old 34)                (nothing filed)
2026 reports (new provinces)        DVC.TRUC_TUYEN
  Bắc Ninh (new 24)                 TOAN_TRINH 60 → 70 after approval, MOT_PHAN 15
  Hà Nội (01)                       TOAN_TRINH 200, MOT_PHAN 20
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from govplan.accounts.models import Role
from govplan.documents.actions import do_create_document, do_save_entry
from govplan.documents.models import Document
from govplan.national.figures import (
    OLD_STRUCTURE,
    TOTAL,
    Answer,
    Ask,
    BadAsk,
    Condition,
    answers,
    count_units,
    figure,
    parse_structure,
    time_series,
    values,
)
from govplan.orgunits.models import OrgUnit
from govplan.workflow.actions import do_transition
from tests.conftest import Cast, make_user, unit
from tests.support.frameworks import publish

pytestmark = pytest.mark.django_db

REPORT = """
format: govplan/framework@1
code: TEST-BC-{year}
kind: report
title: Báo cáo thử năm {year}
period: {{from: {year}, to: {year}}}
issued_by: {{number: {year}/TEST, date: {year}-03-01, issuer: Bộ Thông tin và Truyền thông}}
applies_to: {{kinds: [province]}}
reporting:
  recipient: Bộ Thông tin và Truyền thông
  delivery: [system]
  frequency: annual
  deadline: {deadline}
sections:
  - number: I
    title: KẾT QUẢ
    indicators: [{dvc}, HT.LAN, KTCPDT.BAN_HANH]
"""

ON_2017 = dt.date(2017, 6, 1)


def report(cast: Cast, year: int, deadline: str, dvc: str) -> Any:
    text = REPORT.format(year=year, deadline=deadline, dvc=dvc)
    return publish(text, cast.central_admin)


def fill(document: Document, actor: Any, entries: dict[str, Any]) -> None:
    for code, content in entries.items():
        do_save_entry(document, f"value:{code}", 0, content, actor=actor, locale="vi")


def filed(version: Any, unit_: OrgUnit, actor: Any, entries: dict[str, Any]) -> Document:
    document = do_create_document(unit=unit_, version=version, actor=actor)
    fill(document, actor, entries)
    return document


def ratio(n: str, d: str) -> dict[str, Any]:
    return {"cells": {"": {"n": n, "d": d}}}


def yes(flag: bool) -> dict[str, Any]:
    return {"cells": {"": flag}}


class Nation:
    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.old_bg = unit("gso-province", "24", ON_2017)
        self.old_bn = unit("gso-province", "27", ON_2017)
        self.hanoi = unit("gso-province", "01")
        self.old_hy = unit("gso-province", "33", ON_2017)
        self.old_tb = unit("gso-province", "34", ON_2017)
        self.new_bn = cast.province_a
        self.new_hy = unit("gso-province", "33")
        self.editor_hy = make_user("editor_hy", self.new_hy, Role.EDITOR)
        admin, editor_a, editor_b = cast.central_admin, cast.editor_a, cast.editor_b

        v2017 = report(cast, 2017, "2018-01-15", "DVC.TRUC_TUYEN_2011")
        filed(
            v2017,
            self.old_bg,
            editor_a,
            {
                "DVC.TRUC_TUYEN_2011": {"cells": {"M4": "10", "M3": "20", "M1": "5"}},
                "HT.LAN": ratio("9", "10"),
                "KTCPDT.BAN_HANH": yes(True),
            },
        )
        filed(
            v2017,
            self.old_bn,
            editor_a,
            {
                "DVC.TRUC_TUYEN_2011": {"cells": {"M4": "30", "M3": "10", "M2": "7"}},
                "HT.LAN": ratio("1", "90"),
                "KTCPDT.BAN_HANH": yes(False),
            },
        )
        filed(
            v2017,
            self.hanoi,
            admin,
            {
                "DVC.TRUC_TUYEN_2011": {"cells": {"M4": "100", "M3": "50"}},
                "HT.LAN": ratio("50", "100"),
                "KTCPDT.BAN_HANH": yes(True),
            },
        )
        filed(
            v2017,
            self.old_hy,
            self.editor_hy,
            {
                "DVC.TRUC_TUYEN_2011": {
                    "cells": {},
                    "no_data": True,
                    "no_data_reason": "Chưa thống kê",
                },
                "KTCPDT.BAN_HANH": yes(True),
            },
        )

        v2026 = report(cast, 2026, "2026-12-20", "DVC.TRUC_TUYEN")
        self.bn_2026 = filed(
            v2026,
            self.new_bn,
            editor_a,
            {
                "DVC.TRUC_TUYEN": {"cells": {"TOAN_TRINH": "60", "MOT_PHAN": "15"}},
                "HT.LAN": ratio("95", "100"),
                "KTCPDT.BAN_HANH": yes(True),
            },
        )
        filed(
            v2026,
            self.hanoi,
            editor_b,
            {
                "DVC.TRUC_TUYEN": {"cells": {"TOAN_TRINH": "200", "MOT_PHAN": "20"}},
                "HT.LAN": ratio("80", "100"),
                "KTCPDT.BAN_HANH": yes(False),
            },
        )
        do_transition(self.bn_2026, "submit", actor=editor_a)
        do_transition(self.bn_2026, "start_appraisal", actor=cast.appraiser)
        do_transition(self.bn_2026, "approve", actor=cast.appraiser)
        # After approval the live figure moves on (a later correction, not yet approved):
        # reopened by the central administrator, edited, left as a draft.
        do_transition(self.bn_2026, "reopen", actor=admin, reason="Sửa số liệu")
        version = self.bn_2026.entries.get(key="value:DVC.TRUC_TUYEN").revision
        do_save_entry(
            self.bn_2026,
            "value:DVC.TRUC_TUYEN",
            version,
            {"cells": {"TOAN_TRINH": "70", "MOT_PHAN": "15"}},
            actor=editor_a,
            locale="vi",
        )

    def ask(self, code: str, **kwargs: Any) -> Answer:
        user = kwargs.pop("user", self.cast.central_admin)
        return values(user, Ask(code, kwargs.pop("years", (2011, 2026)), **kwargs))


@pytest.fixture
def nation(cast: Cast) -> Nation:
    return Nation(cast)


def by_names(answer: Answer, year: int, cell: str = TOTAL) -> dict[tuple[str, ...], Any]:
    return {f.names: f.figure for f in answer.place_figures(year, cell)}


def test_the_2011_levels_join_the_series_as_toan_trinh_and_mot_phan(nation: Nation) -> None:
    new = nation.ask("DVC.TRUC_TUYEN")
    # M4 → toàn trình, M3 → một phần, M1 and M2 are no longer online services.
    assert new.figure(2017, "TOAN_TRINH").figure == Decimal(140)
    assert new.figure(2017, "MOT_PHAN").figure == Decimal(80)
    assert new.figure(2017).figure == Decimal(220)
    assert {c: f.figure for c, f in new.by_option(2017).items()} == {
        "TOAN_TRINH": Decimal(140),
        "MOT_PHAN": Decimal(80),
    }


def test_the_merged_province_on_the_new_structure_sums_its_predecessors(nation: Nation) -> None:
    new = nation.ask("DVC.TRUC_TUYEN")
    figures = by_names(new, 2017, "TOAN_TRINH")
    assert figures[("Bắc Ninh",)] == Decimal(40)  # Bắc Giang 10 + Bắc Ninh 30
    assert figures[("Hà Nội",)] == Decimal(100)
    merged = next(f for f in new.place_figures(2017) if f.names == ("Bắc Ninh",))
    assert not merged.own and set(merged.sources) == {nation.old_bg.pk, nation.old_bn.pk}
    assert merged.codes == ("24",)  # the new Bắc Ninh's province code, for the tile map
    # The series of a province formed in 2025 starts before it existed.
    series = new.series("TOAN_TRINH")[(nation.new_bn.pk,)]
    assert {year: f.figure for year, f in series.items()} == {
        2017: Decimal(40),
        2026: Decimal(70),
    }


def test_the_old_structure_keeps_the_old_provinces_and_groups_the_new_ones_values(
    nation: Nation,
) -> None:
    old = nation.ask("DVC.TRUC_TUYEN", structure=OLD_STRUCTURE)
    assert by_names(old, 2017, "TOAN_TRINH") == {
        ("Bắc Giang",): Decimal(10),
        ("Bắc Ninh",): Decimal(30),
        ("Hà Nội",): Decimal(100),
        ("Hưng Yên",): None,  # "no data" is shown, as no figure
    }
    # The new Bắc Ninh's 2026 figure cannot be split back: it belongs to both old provinces.
    assert by_names(old, 2026, "TOAN_TRINH") == {
        ("Bắc Giang", "Bắc Ninh"): Decimal(70),
        ("Hà Nội",): Decimal(200),
    }
    assert old.figure(2026, "TOAN_TRINH").figure == Decimal(270)
    # The group stands for its two old provinces: 3 of the 63 gave a figure.
    assert old.figure(2026, "TOAN_TRINH", kind="province").reporting == 3
    assert old.expected_by_kind["province"] == 63
    assert old.expected_by_kind["ministry"] + old.expected_by_kind["ministry_level"] == 22


def test_no_data_is_counted_apart_and_never_as_zero(nation: Nation) -> None:
    old = nation.ask("DVC.TRUC_TUYEN", structure=OLD_STRUCTURE, kinds=("province",))
    found = old.figure(2017)
    assert (found.reporting, found.no_data, found.expected, found.missing) == (3, 1, 63, 59)
    # Bắc Giang 10 + 20, not Hưng Yên's "no data" as 0
    assert found.distribution.minimum == Decimal(30)
    assert found.distribution.maximum == Decimal(150)
    hung_yen = next(f for f in old.place_figures(2017) if f.names == ("Hưng Yên",))
    assert hung_yen.figure is None and hung_yen.totals.is_no_data
    # On the new structure Hưng Yên (with Thái Bình, which filed nothing) says "no data".
    new = nation.ask("DVC.TRUC_TUYEN", kinds=("province",))
    found = new.figure(2017)
    assert (found.reporting, found.no_data, found.expected) == (2, 1, 34)


def test_a_ratio_is_the_sum_of_numerators_over_the_sum_of_denominators(nation: Nation) -> None:
    old = nation.ask("HT.LAN", structure=OLD_STRUCTURE)
    found = old.figure(2017)
    # (9 + 1 + 50) / (10 + 90 + 100) = 30 %; the mean of 90 %, 1.1 % and 50 % would be 47 %.
    assert (found.totals.numerator, found.totals.denominator) == (Decimal(60), Decimal(200))
    assert found.figure == Decimal(30)
    assert found.distribution.median == Decimal(50)
    new = nation.ask("HT.LAN")
    assert by_names(new, 2017)[("Bắc Ninh",)] == Decimal(10)  # (9 + 1) / (10 + 90)


def test_a_yes_no_count_says_x_of_y_provinces(nation: Nation) -> None:
    holds = Condition("true")
    old = nation.ask("KTCPDT.BAN_HANH", structure=OLD_STRUCTURE).count(2017, holds, kind="province")
    assert (old.met, old.reporting, old.expected) == (3, 4, 63)  # "3/63 tỉnh"
    assert set(old.met_units) == {nation.old_bg.pk, nation.hanoi.pk, nation.old_hy.pk}
    new = nation.ask("KTCPDT.BAN_HANH").count(2017, holds, kind="province")
    # The new Bắc Ninh only if both of its parts had it (Bắc Ninh had not).
    assert (new.met, new.reporting, new.expected) == (2, 3, 34)
    assert nation.ask("KTCPDT.BAN_HANH").figure(2026).figure == Decimal(1)
    # On the old structure the new Bắc Ninh's "yes" stands for Bắc Giang and Bắc Ninh.
    old_2026 = nation.ask("KTCPDT.BAN_HANH", structure=OLD_STRUCTURE)
    assert old_2026.figure(2026).figure == Decimal(2)
    assert old_2026.count(2026, holds).met == 2


def test_a_count_of_units_over_a_threshold_compares_percentages(nation: Nation) -> None:
    old = nation.ask("HT.LAN", structure=OLD_STRUCTURE)
    at_least_half = old.count(2017, Condition("ge", Decimal(50)))
    assert (at_least_half.met, at_least_half.reporting) == (2, 3)  # 90 % and 50 %


def test_the_approved_layer_holds_the_approved_figure_and_the_live_one_the_latest(
    nation: Nation,
) -> None:
    live = nation.ask("DVC.TRUC_TUYEN", years=(2026, 2026))
    approved = nation.ask("DVC.TRUC_TUYEN", years=(2026, 2026), layer="approved")
    assert live.figure(2026, "TOAN_TRINH").figure == Decimal(270)  # 70 + 200
    assert approved.figure(2026, "TOAN_TRINH").figure == Decimal(60)  # only Bắc Ninh, as approved
    submitted = nation.ask("DVC.TRUC_TUYEN", years=(2026, 2026), layer="submitted")
    assert submitted.figure(2026, "TOAN_TRINH").figure == Decimal(60)


def test_a_saved_value_is_in_the_next_answer(nation: Nation) -> None:
    hanoi_2026 = Document.objects.get(org_unit=nation.hanoi, period_start=2026)
    entry = hanoi_2026.entries.get(key="value:DVC.TRUC_TUYEN")
    do_save_entry(
        hanoi_2026,
        entry.key,
        entry.revision,
        {"cells": {"TOAN_TRINH": "201", "MOT_PHAN": "20"}},
        actor=nation.cast.editor_b,
        locale="vi",
    )
    assert nation.ask("DVC.TRUC_TUYEN").figure(2026, "TOAN_TRINH").figure == Decimal(271)


def test_a_province_asking_for_the_nation_gets_its_own_subtree(nation: Nation) -> None:
    mine = nation.ask("DVC.TRUC_TUYEN", user=nation.cast.editor_a, kinds=("province",))
    assert mine.expected_by_kind == {"province": 1}
    assert mine.figure(2017, "TOAN_TRINH").figure == Decimal(40)  # its predecessors' only
    old = nation.ask(
        "DVC.TRUC_TUYEN", user=nation.cast.editor_a, structure=OLD_STRUCTURE, kinds=("province",)
    )
    assert set(by_names(old, 2017, "TOAN_TRINH")) == {("Bắc Giang",), ("Bắc Ninh",)}
    assert old.expected_by_kind == {"province": 2}


def test_a_subtree_includes_the_units_it_came_from(nation: Nation) -> None:
    within = nation.ask("DVC.TRUC_TUYEN", within=nation.new_bn)
    assert within.figure(2017, "TOAN_TRINH").figure == Decimal(40)
    assert within.figure(2026, "TOAN_TRINH").figure == Decimal(70)


@pytest.mark.parametrize(
    ("ask", "message"),
    [
        (Ask("NO.SUCH", (2017, 2017)), "Không có chỉ tiêu NO.SUCH trong danh mục."),
        (Ask("HT.LAN", (2018, 2017)), "Khoảng năm phải đi từ năm trước đến năm sau."),
        (Ask("HT.LAN", (2017, 2017), layer="draft"), "Không có lớp số liệu draft"),
        (Ask("HT.LAN", (2017, 2017), kinds=("planet",)), "Không có loại đơn vị planet."),
    ],
)
def test_a_question_that_cannot_be_answered_says_why(cast: Cast, ask: Ask, message: str) -> None:
    with translation.override("vi"), pytest.raises(BadAsk) as refused:
        values(cast.central_admin, ask)
    assert str(refused.value).startswith(message)


def test_several_indicators_are_answered_by_one_grouped_query_over_the_facts(
    nation: Nation,
) -> None:
    codes = ["DVC.TRUC_TUYEN", "HT.LAN", "KTCPDT.BAN_HANH"]
    ask = Ask("", (2011, 2026), structure=OLD_STRUCTURE)
    with CaptureQueriesContext(connection) as queries:
        found = answers(nation.cast.central_admin, ask, codes)
    on_facts = [q["sql"] for q in queries.captured_queries if "facts_valuefact" in q["sql"]]
    assert len(on_facts) == 1 and "GROUP BY" in on_facts[0]
    assert len(queries.captured_queries) <= 8  # catalogue, places, successions, scope
    assert found["DVC.TRUC_TUYEN"].figure(2017, "TOAN_TRINH").figure == Decimal(140)
    assert found["HT.LAN"].figure(2017).figure == Decimal(30)
    assert found["KTCPDT.BAN_HANH"].figure(2017).figure == Decimal(3)


def test_a_shared_url_names_the_structure_old_or_new() -> None:
    assert parse_structure("old") == OLD_STRUCTURE
    assert parse_structure("new") is None and parse_structure("") is None
    with pytest.raises(BadAsk):
        parse_structure("1990")


def test_a_split_ministrys_figure_goes_to_its_main_successor_flagged(cast: Cast) -> None:
    """Bộ Lao động – Thương binh và Xã hội was split in 2025; the share each successor took
    is not recorded, so its figure goes whole to the main part (Bộ Nội vụ), flagged."""
    text = REPORT.format(year=2017, deadline="2018-01-15", dvc="DVC.TRUC_TUYEN_2011")
    version = publish(text.replace("[province]", "[ministry]"), cast.central_admin, ("ministry",))
    labour = unit("govplan", "BLDTBXH", ON_2017)
    filed(version, labour, cast.central_admin, {"DVC.TRUC_TUYEN_2011": {"cells": {"M4": "12"}}})
    new = values(cast.central_admin, Ask("DVC.TRUC_TUYEN", (2017, 2017), kinds=("ministry",)))
    [placed] = new.place_figures(2017, "TOAN_TRINH")
    assert (placed.names, placed.figure, placed.approximate) == (("Bộ Nội vụ",), Decimal(12), True)
    assert new.figure(2017, "TOAN_TRINH").approximate
    assert new.expected_by_kind == {"ministry": 14}
    old = values(
        cast.central_admin,
        Ask("DVC.TRUC_TUYEN", (2017, 2017), kinds=("ministry",), structure=OLD_STRUCTURE),
    )
    [own] = old.place_figures(2017, "TOAN_TRINH")
    assert (own.names, own.approximate, old.expected_by_kind) == (
        ("Bộ LĐ-TB&XH",),
        False,
        {"ministry": 18},
    )


def test_the_shortcuts_answer_as_values_does(nation: Nation) -> None:
    admin = nation.cast.central_admin
    ask = Ask("DVC.TRUC_TUYEN", (2011, 2026))
    assert figure(admin, ask, 2017, "TOAN_TRINH").figure == Decimal(140)
    lan = Ask("HT.LAN", (2017, 2017), structure=OLD_STRUCTURE)
    assert count_units(admin, lan, 2017, Condition("ge", Decimal(50))).met == 2
    series = time_series(admin, ask).series("TOAN_TRINH")
    assert {y: f.figure for y, f in series[(nation.hanoi.pk,)].items()} == {
        2017: Decimal(100),
        2026: Decimal(200),
    }


def test_places_are_named_as_they_were_on_the_structures_day(cast: Cast) -> None:
    ask = Ask("HT.LAN", (2017, 2017), kinds=("province",))
    old = values(cast.central_admin, replace(ask, structure=dt.date(2020, 1, 1)))
    new = values(cast.central_admin, ask)
    assert "Thừa Thiên Huế" in {p.name for p in old.places.values()}
    assert "Huế" in {p.name for p in new.places.values()}
    assert "Thừa Thiên Huế" not in {p.name for p in new.places.values()}


def test_a_ratio_given_without_its_denominator_does_not_bias_the_national_ratio(
    nation: Nation,
) -> None:
    version = Document.objects.get(org_unit=nation.hanoi, period_start=2026).framework_version
    filed(version, nation.new_hy, nation.editor_hy, {"HT.LAN": {"cells": {"": {"n": "40"}}}})
    found = nation.ask("HT.LAN").figure(2026)
    # Bắc Ninh 95/100 and Hà Nội 80/100: Hưng Yên's lone numerator is not added.
    assert (found.totals.numerator, found.totals.denominator) == (Decimal(175), Decimal(200))
    assert found.figure == Decimal("87.5")
