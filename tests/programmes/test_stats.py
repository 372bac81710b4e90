"""The Government Office's arithmetic on a hand-built set covering every status and standing
tasks: the figures exactly, each figure equal to the count of the list behind it, the SQL
figures equal to core's statuses, the scoping (an agency sees its own row) and a constant
number of queries as tasks grow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govplan.core.programmes.deadlines import Status
from govplan.programmes import stats
from govplan.programmes.models import Programme, Task
from tests.conftest import Cast, unit
from tests.programmes.helpers import programme, task

pytestmark = pytest.mark.django_db

N = dt.date(2008, 6, 30)
D = dt.date


def build(cast: Cast) -> Programme:
    """Thirteen tasks of the Ministry of Information and Communications (one with a
    sub-task) and one of the Ministry of Finance; the comment says what each is on N."""
    mic = unit("govplan", "BTTTT", on=D(2008, 1, 1))
    mof = unit("govplan", "BTC", on=D(2008, 1, 1))
    thh = unit("govplan", "THH", on=D(2008, 1, 1))
    owner = programme("P2007", thh, on=D(2007, 12, 28))
    t1 = task(owner, "1", mic, due=D(2008, 3, 31), completed=D(2008, 3, 15))  # due, on time
    task(owner, "2", mic, due=D(2008, 3, 31), completed=D(2008, 5, 1))  # due, late
    task(owner, "3", mic, due=D(2008, 3, 31), reported=D(2008, 2, 1))  # overdue
    task(owner, "4", mic, due=N)  # due on N, not completed: within the deadline
    task(owner, "5", mic, due=N, completed=N)  # due, on time
    task(owner, "6", mic, due=D(2008, 12, 31), completed=D(2008, 6, 1))  # early
    task(owner, "7", mic, due=D(2008, 12, 31), reported=D(2008, 5, 1))  # in progress
    task(owner, "8", mic, due=D(2008, 12, 31))  # not started
    task(owner, "9", mic, due=D(2008, 12, 31), reported=D(2008, 7, 15))  # not started on N
    task(owner, "10", mic, due=D(2008, 12, 31), completed=D(2008, 8, 1))  # open on N
    task(owner, "11", mic, due=None)  # standing
    task(owner, "12", mic, due=None, completed=D(2008, 2, 1))  # standing, completed
    task(owner, "13", mic, due=D(2008, 1, 31), completed=D(2008, 7, 10))  # overdue on N
    task(owner, "1.1", mic, due=D(2008, 3, 31), parent=t1)  # sub-task, overdue
    task(owner, "14", mof, due=D(2008, 4, 30), completed=D(2008, 4, 30))  # due, on time
    return owner


MIC = {
    stats.TOTAL: 13,
    stats.STANDING: 2,
    stats.DATED: 11,
    stats.DUE: 6,
    stats.COMPLETED: 4,
    stats.COMPLETED_ON_TIME: 3,
    stats.COMPLETED_LATE: 1,
    stats.OPEN: 7,
    stats.OPEN_IN_TIME: 5,
    stats.OVERDUE: 2,
    stats.DUE_COMPLETED: 3,
    stats.DUE_ON_TIME: 2,
}
MOF = {
    stats.TOTAL: 1,
    stats.STANDING: 0,
    stats.DATED: 1,
    stats.DUE: 1,
    stats.COMPLETED: 1,
    stats.COMPLETED_ON_TIME: 1,
    stats.COMPLETED_LATE: 0,
    stats.OPEN: 0,
    stats.OPEN_IN_TIME: 0,
    stats.OVERDUE: 0,
    stats.DUE_COMPLETED: 1,
    stats.DUE_ON_TIME: 1,
}


def test_the_government_office_figures_exactly(cast: Cast) -> None:
    owner = build(cast)
    table = stats.by_agency(
        stats.counted_tasks(cast.central_admin, programme=owner), N, subtasks=False
    )
    rows = {r.label: r for r in table.rows}
    assert list(rows) == ["Bộ Thông tin và Truyền thông", "Bộ Tài chính"]
    assert rows["Bộ Thông tin và Truyền thông"].counts == MIC
    assert rows["Bộ Tài chính"].counts == MOF
    assert table.total.counts == {k: MIC[k] + MOF[k] for k in MIC}
    assert rows["Bộ Thông tin và Truyền thông"].rates() == {
        "rate_completed": Decimal("50.0"),
        "rate_on_time": Decimal("33.3"),
        "rate_overdue": Decimal("33.3"),
    }
    assert rows["Bộ Tài chính"].rates() == {
        "rate_completed": Decimal("100.0"),
        "rate_on_time": Decimal("100.0"),
        "rate_overdue": Decimal("0.0"),
    }
    # The form adds up: completed + not completed = tasks with a deadline; standing apart.
    for row in [*table.rows, table.total]:
        c = row.counts
        assert c[stats.DATED] == c[stats.COMPLETED] + c[stats.OPEN]
        assert c[stats.COMPLETED] == c[stats.COMPLETED_ON_TIME] + c[stats.COMPLETED_LATE]
        assert c[stats.OPEN] == c[stats.OPEN_IN_TIME] + c[stats.OVERDUE]
        assert c[stats.TOTAL] == c[stats.DATED] + c[stats.STANDING]


def test_sub_tasks_counted_when_asked(cast: Cast) -> None:
    owner = build(cast)
    table = stats.by_agency(
        stats.counted_tasks(cast.central_admin, subtasks=True, programme=owner), N, subtasks=True
    )
    mic = table.rows[0].counts
    assert (mic[stats.TOTAL], mic[stats.DUE], mic[stats.OVERDUE]) == (14, 7, 3)


def test_nothing_due_is_no_rate(cast: Cast) -> None:
    assert stats.rate(0, 0) is None
    assert stats.rate(1, 3) == Decimal("33.3")
    assert stats.rate(2, 3) == Decimal("66.7")


@pytest.mark.parametrize(
    "day", [D(2008, 1, 31), D(2008, 3, 31), D(2008, 4, 1), N, D(2008, 7, 1), D(2009, 1, 1)]
)
def test_sql_figures_agree_with_core_statuses(cast: Cast, day: dt.date) -> None:
    owner = build(cast)
    everything = Task.objects.filter(programme=owner)
    statuses = [(t, stats.status_of(t, day)) for t in everything]
    table = stats.by_agency(
        stats.counted_tasks(cast.central_admin, subtasks=True, programme=owner),
        day,
        subtasks=True,
    )
    dated = [s for t, s in statuses if t.due_date is not None]
    due = [s for t, s in statuses if t.due_date is not None and t.due_date <= day]
    expected = {
        stats.TOTAL: len(statuses),
        stats.STANDING: len(statuses) - len(dated),
        stats.DATED: len(dated),
        stats.DUE: len(due),
        stats.COMPLETED_ON_TIME: dated.count(Status.COMPLETED_ON_TIME),
        stats.COMPLETED_LATE: dated.count(Status.COMPLETED_LATE),
        stats.OVERDUE: dated.count(Status.OVERDUE),
        stats.OPEN_IN_TIME: dated.count(Status.IN_PROGRESS) + dated.count(Status.NOT_STARTED),
        stats.DUE_ON_TIME: due.count(Status.COMPLETED_ON_TIME),
    }
    assert {k: table.total.counts[k] for k in expected} == expected


def _figures(page: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(row label, figure value, list url) for every figure and rate link of a table."""
    found = []
    for row in [*page["rows"], page["total"]]:
        for f in row["figures"]:
            found.append((row["label"], f["value"], f["url"]))
    return found


def test_every_figure_is_the_count_of_its_list(cast: Cast) -> None:
    owner = build(cast)
    client = Client()
    client.force_login(cast.central_admin)
    for query, overdue_rate in (
        ({"on": N.isoformat()}, "33,3"),  # 2 of 6
        ({"on": N.isoformat(), "sub": "1"}, "42,9"),  # 3 of 7
    ):
        response = client.get(reverse("programme_statistics", args=[owner.pk]), query)
        assert response.status_code == 200
        context = response.context
        figures = _figures({"rows": context["rows"], "total": context["total"]})
        assert len(figures) == 3 * 10
        for label, value, url in figures:
            listed = client.get(url)
            assert listed.status_code == 200, url
            assert listed.context["count"] == int(value), (label, url)
        # A rate opens its numerator's list.
        mic = context["rows"][0]
        assert mic["rates"][2]["value"] == overdue_rate
        assert "figure=overdue" in mic["rates"][2]["url"]


def test_national_page_counts_by_programme_and_by_agency(cast: Cast) -> None:
    build(cast)
    other = programme("P2026", cast.central, on=D(2026, 1, 5))
    task(other, "1", cast.province_a, due=D(2026, 3, 31), completed=D(2026, 3, 1))
    task(other, "2", cast.province_b, due=D(2026, 3, 31))
    client = Client()
    client.force_login(cast.central_admin)
    response = client.get(reverse("national_statistics"), {"on": "2026-06-30"})
    assert response.status_code == 200
    programmes = {r["label"]: r for r in response.context["programme_rows"]}
    assert programmes["Chương trình P2026"]["figures"][0]["value"] == "2"
    assert programmes["Chương trình P2007"]["figures"][0]["value"] == "14"
    assert response.context["agency_total"]["figures"][0]["value"] == "16"
    text = response.content.decode()
    assert "Bộ Thông tin và Truyền thông" in text and "Bộ Tài chính" in text


def test_an_agency_sees_only_its_own_row(cast: Cast) -> None:
    owner = programme("P2026", cast.central, on=D(2026, 1, 5))
    task(owner, "1", cast.province_a, due=D(2026, 3, 31), completed=D(2026, 3, 1))
    task(owner, "2", cast.province_b, due=D(2026, 3, 31))
    task(owner, "3", cast.province_b, due=None, content="Nhiệm vụ riêng của Hà Nội")
    client = Client()
    client.force_login(cast.editor_b)
    on = {"on": "2026-06-30"}
    response = client.get(reverse("programme_statistics", args=[owner.pk]), on)
    assert [r["label"] for r in response.context["rows"]] == [cast.province_b.name]
    assert response.context["total"]["figures"][0]["value"] == "2"
    assert cast.province_a.name not in response.content.decode()
    national = client.get(reverse("national_statistics"), on)
    assert [r["label"] for r in national.context["agency_rows"]] == [cast.province_b.name]
    # Province A's list, asked for by hand, is empty for editor_b; its own row is not.
    listed = client.get(
        reverse("programme_statistics_tasks"), {**on, "figure": "total", "unit": cast.province_a.pk}
    )
    assert listed.context["count"] == 0
    own = client.get(
        reverse("programme_statistics_tasks"),
        {**on, "figure": "standing", "unit": cast.province_b.pk},
    )
    assert own.context["count"] == 1
    assert "Nhiệm vụ riêng của Hà Nội" in own.content.decode()
    # The province's editor sees its province's row; the central administrator both.
    client.force_login(cast.editor_a)
    response = client.get(reverse("programme_statistics", args=[owner.pk]), on)
    assert [r["label"] for r in response.context["rows"]] == [cast.province_a.name]


def test_the_assigning_authority_sees_its_programme_whole(cast: Cast) -> None:
    from govplan.accounts.models import Role
    from tests.conftest import make_user

    owner = programme("P2026", cast.central, on=D(2026, 1, 5))
    task(owner, "1", cast.province_a, due=D(2026, 3, 31))
    task(owner, "2", cast.province_b, due=D(2026, 3, 31))
    elsewhere = programme("OTHER", unit("gso-province", "79"), on=D(2026, 1, 5))
    task(elsewhere, "1", cast.province_b, due=D(2026, 3, 31))
    officer = make_user("cdsqg_editor", cast.central, Role.EDITOR)
    counted = stats.counted_tasks(officer)
    assert sorted(counted.values_list("programme__code", "code")) == [
        ("P2026", "1"),
        ("P2026", "2"),
    ]


def test_bad_parameters_are_refused_by_name(cast: Cast) -> None:
    owner = build(cast)
    client = Client()
    client.force_login(cast.central_admin)
    page = reverse("programme_statistics", args=[owner.pk])
    for query, field in (
        ({"on": "31/02/2008"}, "on"),
        ({"on": "yesterday"}, "on"),
        ({"sub": "yes"}, "sub"),
    ):
        response = client.get(page, query)
        assert response.status_code == 400, query
        assert field in response.content.decode()
    listed = reverse("programme_statistics_tasks")
    response = client.get(listed, {"figure": "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert client.get(listed, {"unit": "99999999"}).status_code == 404
    assert client.get(listed, {"programme": "99999999"}).status_code == 404
    assert client.get(reverse("programme_statistics", args=[99999999])).status_code == 404
    assert client.get(reverse("national_statistics_xlsx"), {"by": "province"}).status_code == 400


def test_the_page_list_shows_statuses_and_sub_tasks(cast: Cast) -> None:
    owner = build(cast)
    client = Client()
    client.force_login(cast.central_admin)
    response = client.get(
        reverse("programme_statistics_tasks"),
        {"on": N.isoformat(), "figure": "due_on_time", "programme": owner.pk},
    )
    codes = [i["task"].code for i in response.context["items"]]
    assert codes == ["1", "14", "5"]  # (in the order entered: positions, then codes)
    first = response.context["items"][0]
    assert [c["task"].code for c in first["children"]] == ["1.1"]
    assert first["children"][0]["status_key"] == Status.OVERDUE.value
    assert first["completed_on"] == D(2008, 3, 15)
    assert "15/03/2008" in response.content.decode()


def test_sub_tasks_counted_as_tasks_are_rows_of_their_own(cast: Cast) -> None:
    owner = build(cast)
    client = Client()
    client.force_login(cast.central_admin)
    query = {"on": N.isoformat(), "figure": "overdue", "programme": owner.pk, "sub": "1"}
    response = client.get(reverse("programme_statistics_tasks"), query)
    assert [i["task"].code for i in response.context["items"]] == ["1.1", "13", "3"]
    assert all(i["children"] == [] for i in response.context["items"])
    assert response.content.decode().count('data-subtask="') == 0
    workbook = client.get(reverse("programme_statistics_tasks_xlsx"), query)
    from tests.programmes.test_exports import rows_of

    rows = rows_of(workbook.content)
    header = next(i for i, row in enumerate(rows) if row[0] == "STT")
    assert [r[1] for r in rows[header + 1 :]] == ["1.1", "13", "3"]


def _queries(client: Client, url: str, query: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_tasks(cast: Cast) -> None:
    owner = build(cast)
    mic = unit("govplan", "BTTTT", on=D(2008, 1, 1))
    client = Client()
    client.force_login(cast.central_admin)
    query = {"on": N.isoformat()}
    pages = [
        reverse("programme_statistics", args=[owner.pk]),
        reverse("national_statistics"),
    ]
    listed = reverse("programme_statistics_tasks")
    before = [_queries(client, p, query) for p in pages]
    before_list = _queries(client, listed, {**query, "figure": "total"})
    for n in range(40):
        parent = task(owner, f"x{n}", mic, due=D(2008, 2, 1) if n % 2 else None)
        task(owner, f"x{n}.1", mic, due=D(2008, 2, 1), parent=parent)
    assert [_queries(client, p, query) for p in pages] == before
    assert _queries(client, listed, {**query, "figure": "total"}) == before_list
