"""The statistics pages (docs/programme.md, "Thống kê"): a programme's tasks by lead agency,
the nation's by programme and by agency, the list behind every figure, and each as XLSX.

Everyone signed in may open them; what is counted is scoped (stats.counted_tasks): central
users with a nationwide view count every task, an agency its own row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from govplan.access.policies import authenticated
from govplan.core.documents.cells import format_number
from govplan.core.programmes.deadlines import STATUS_LABELS
from govplan.orgunits.models import OrgUnit
from govplan.programmes import exports, stats
from govplan.programmes.models import Programme, Task
from govplan.programmes.reminders import task_url
from govplan.webutils.downloads import XLSX, attachment
from govplan.webutils.inputs import InputRefused, date_param, int_param, shown

PER_PAGE = 50


@dataclass(frozen=True)
class Selection:
    """What the page counts: the reporting day and whether sub-tasks count."""

    on: dt.date
    subtasks: bool

    def query(self, **more: Any) -> str:
        values: dict[str, Any] = {"on": self.on.isoformat()}
        if self.subtasks:
            values["sub"] = "1"
        values.update({k: v for k, v in more.items() if v is not None})
        return urlencode(values)


def _selection(data: QueryDict) -> Selection:
    on = date_param(data, "on") or timezone.localdate()
    sub = str(data.get("sub", ""))
    if sub not in ("", "0", "1"):
        raise InputRefused(
            "sub",
            _("“sub” is 1 (count sub-tasks) or empty, not “%(value)s”.") % {"value": shown(sub)},
        )
    return Selection(on, sub == "1")


def _percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    english = (get_language() or "vi").startswith("en")
    return format_number(value, locale="en" if english else "vi", places=1)


def _number(value: int) -> str:
    english = (get_language() or "vi").startswith("en")
    return format_number(Decimal(value), locale="en" if english else "vi")


def _cells(
    row: stats.Row, selection: Selection, *, programme: int | None, unit: int | None
) -> dict[str, Any]:
    """A table row as the template shows it: each figure with the link to its list."""
    base = reverse("programme_statistics_tasks")

    def link(figure: str) -> str:
        return f"{base}?{selection.query(figure=figure, programme=programme, unit=unit)}"

    figures = [
        {"key": f, "value": _number(row.counts[f]), "url": link(f)} for f in exports.TABLE_FIGURES
    ]
    rates = row.rates()
    shown_rates = [
        {"key": key, "value": _percent(rates[key]), "url": link(numerator)}
        for key, numerator, _den, _label in stats.RATES
    ]
    return {"label": row.label, "figures": figures, "rates": shown_rates}


def _headings() -> dict[str, Any]:
    return {
        "figures": [_(stats.FIGURE_LABELS[f]) for f in exports.TABLE_FIGURES],
        "rates": [_(label) for _key, _num, _den, label in stats.RATES],
    }


def _programme(pk: int) -> Programme:
    programme = Programme.objects.select_related("assigning_unit").filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


@authenticated
def programme_statistics(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme's tasks by lead agency on the reporting day, with the total."""
    programme = _programme(pk)
    selection = _selection(request.GET)
    tasks = stats.counted_tasks(request.user, subtasks=selection.subtasks, programme=programme)
    table = stats.by_agency(tasks, selection.on, subtasks=selection.subtasks)
    return render(
        request,
        "programmes/stats/programme.html",
        {
            "programme": programme,
            "selection": selection,
            "headings": _headings(),
            "rows": [_cells(r, selection, programme=programme.pk, unit=r.key) for r in table.rows],
            "total": _cells(table.total, selection, programme=programme.pk, unit=None),
            "export_url": reverse("programme_statistics_xlsx", args=[programme.pk])
            + "?"
            + selection.query(),
        },
    )


@authenticated
def programme_statistics_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(pk)
    selection = _selection(request.GET)
    tasks = stats.counted_tasks(request.user, subtasks=selection.subtasks, programme=programme)
    table = stats.by_agency(tasks, selection.on, subtasks=selection.subtasks)
    content = exports.table_xlsx(
        table,
        title=_("Assigned tasks by lead agency"),
        row_heading=_("Lead agency"),
        subject=programme.name,
    )
    return attachment(
        content, XLSX, f"thong-ke-nhiem-vu-{programme.code}-{selection.on:%Y%m%d}.xlsx"
    )


@authenticated
def national_statistics(request: HttpRequest) -> HttpResponse:
    """Every programme's tasks the user counts: by programme, and by lead agency."""
    selection = _selection(request.GET)
    tasks = stats.counted_tasks(request.user, subtasks=selection.subtasks)
    programmes = stats.by_programme(tasks, selection.on, subtasks=selection.subtasks)
    agencies = stats.by_agency(tasks, selection.on, subtasks=selection.subtasks)
    return render(
        request,
        "programmes/stats/national.html",
        {
            "selection": selection,
            "headings": _headings(),
            "programme_rows": [
                {
                    **_cells(r, selection, programme=r.key, unit=None),
                    "url": reverse("programme_statistics", args=[r.key]) + "?" + selection.query(),
                }
                for r in programmes.rows
            ],
            "programme_total": _cells(programmes.total, selection, programme=None, unit=None),
            "agency_rows": [
                _cells(r, selection, programme=None, unit=r.key) for r in agencies.rows
            ],
            "agency_total": _cells(agencies.total, selection, programme=None, unit=None),
            "export_programmes": reverse("national_statistics_xlsx")
            + "?"
            + selection.query(by="programme"),
            "export_agencies": reverse("national_statistics_xlsx")
            + "?"
            + selection.query(by="agency"),
        },
    )


@authenticated
def national_statistics_xlsx(request: HttpRequest) -> HttpResponse:
    selection = _selection(request.GET)
    by = str(request.GET.get("by") or "agency")
    if by not in ("agency", "programme"):
        raise InputRefused(
            "by", _("“by” is “agency” or “programme”, not “%(value)s”.") % {"value": shown(by)}
        )
    tasks = stats.counted_tasks(request.user, subtasks=selection.subtasks)
    if by == "agency":
        table = stats.by_agency(tasks, selection.on, subtasks=selection.subtasks)
        title, heading = _("Assigned tasks by lead agency"), _("Lead agency")
    else:
        table = stats.by_programme(tasks, selection.on, subtasks=selection.subtasks)
        title, heading = _("Assigned tasks by programme"), _("Programme")
    content = exports.table_xlsx(table, title=title, row_heading=heading)
    return attachment(content, XLSX, f"thong-ke-nhiem-vu-{by}-{selection.on:%Y%m%d}.xlsx")


@dataclass(frozen=True)
class Behind:
    """The list behind one figure: which figure, of which row."""

    selection: Selection
    figure: str
    programme: Programme | None
    unit: OrgUnit | None

    def query(self) -> str:
        return self.selection.query(
            figure=self.figure,
            programme=self.programme.pk if self.programme else None,
            unit=self.unit.pk if self.unit else None,
        )

    def describe(self) -> list[tuple[str, str]]:
        lines = [(_("Figure"), _(stats.FIGURE_LABELS[self.figure]))]
        if self.programme is not None:
            lines.append((_("Programme"), self.programme.name))
        if self.unit is not None:
            lines.append((_("Lead agency"), self.unit.name))
        return lines


def _behind(request: HttpRequest) -> tuple[Behind, QuerySet[Task]]:
    selection = _selection(request.GET)
    figure = str(request.GET.get("figure") or stats.TOTAL)
    if figure not in stats.FIGURES:
        raise InputRefused(
            "figure",
            _("“figure” must be one of %(allowed)s, not “%(value)s”.")
            % {"allowed": ", ".join(stats.FIGURES), "value": shown(figure)},
        )
    programme_id = int_param(request.GET, "programme")
    unit_id = int_param(request.GET, "unit")
    programme = _programme(programme_id) if programme_id is not None else None
    unit = None
    if unit_id is not None:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise Http404
    tasks = stats.tasks_behind(
        stats.counted_tasks(request.user, subtasks=selection.subtasks, programme=programme),
        figure,
        selection.on,
        unit=unit_id,
    )
    if not selection.subtasks:
        # Counted by their task, the sub-tasks are listed under it; counted as tasks (sub=1),
        # they are rows of their own.
        tasks = tasks.prefetch_related(
            Prefetch(
                "children",
                queryset=Task.objects.select_related("programme", "lead_unit").order_by(
                    "position", "code"
                ),
            )
        )
    return Behind(selection, figure, programme, unit), tasks


def _task_line(task: Task, on: dt.date) -> dict[str, Any]:
    status = stats.status_of(task, on)
    return {
        "task": task,
        "url": task_url(task.pk),
        "status": _(STATUS_LABELS[status]),
        "status_key": status.value,
        "completed_on": task.completed_on
        if task.completed_on and task.completed_on <= on
        else None,
    }


@authenticated
def statistics_tasks(request: HttpRequest) -> HttpResponse:
    """The tasks behind a figure; their count is the figure."""
    behind, tasks = _behind(request)
    on = behind.selection.on
    page = Paginator(tasks, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/stats/tasks.html",
        {
            "behind": behind,
            "title": _(stats.FIGURE_LABELS[behind.figure]),
            "selection": behind.selection,
            "page": page,
            "count": page.paginator.count,
            "items": [
                {
                    **_task_line(t, on),
                    "children": []
                    if behind.selection.subtasks
                    else [_task_line(c, on) for c in t.children.all()],
                }
                for t in page.object_list
            ],
            "query_base": behind.query(),
            "export_url": reverse("programme_statistics_tasks_xlsx") + "?" + behind.query(),
            "back_url": (
                reverse("programme_statistics", args=[behind.programme.pk])
                if behind.programme
                else reverse("national_statistics")
            )
            + "?"
            + behind.selection.query(),
        },
    )


@authenticated
def statistics_tasks_xlsx(request: HttpRequest) -> HttpResponse:
    behind, tasks = _behind(request)
    content = exports.tasks_xlsx(
        tasks,
        behind.selection.on,
        title=_("Tasks: %(figure)s") % {"figure": _(stats.FIGURE_LABELS[behind.figure])},
        lines=behind.describe(),
        with_subtasks=not behind.selection.subtasks,
    )
    return attachment(content, XLSX, f"nhiem-vu-{behind.figure}-{behind.selection.on:%Y%m%d}.xlsx")
