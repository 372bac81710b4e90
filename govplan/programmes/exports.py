"""The statistics tables and the task lists as XLSX, in the Government Office's layout: a title,
the reporting date and what is counted, then the table (figures and rates as numbers; texts
always texts, whatever they start with: core.adapters.xlsx's workbook options and
write_typed)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from govplan.core.adapters.xlsx import Formats, fit_width, new_workbook, write_typed
from govplan.core.printable import printable
from govplan.core.programmes.deadlines import STATUS_LABELS
from govplan.programmes import stats
from govplan.programmes.models import Task

# The columns of the table, in the Government Office's order (stats.FIGURE_LABELS).
TABLE_FIGURES: tuple[str, ...] = (
    stats.TOTAL,
    stats.STANDING,
    stats.DATED,
    stats.DUE,
    stats.COMPLETED,
    stats.COMPLETED_ON_TIME,
    stats.COMPLETED_LATE,
    stats.OPEN,
    stats.OPEN_IN_TIME,
    stats.OVERDUE,
)


def description(on: dt.date, subtasks: bool) -> list[tuple[str, str]]:
    return [
        (_("Reporting date"), on.strftime("%d/%m/%Y")),
        (
            _("Counted"),
            _("tasks and sub-tasks, each as one")
            if subtasks
            else _("tasks (sub-tasks are counted with their task)"),
        ),
    ]


def _header(sheet: Any, workbook: Any, title: str, lines: Sequence[tuple[str, str]]) -> int:
    bold = workbook.add_format({"bold": True, "font_size": 13})
    sheet.write_string(0, 0, printable(title)[:32767], bold)
    row = 1
    for label, value in lines:
        sheet.write_string(row, 0, printable(label))
        sheet.write_string(row, 1, printable(value)[:32767])
        row += 1
    return row + 1


def table_xlsx(table: stats.Table, *, title: str, row_heading: str, subject: str = "") -> bytes:
    """A statistics table: one row per agency (or programme), then the total."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, title=title)
    formats = Formats(workbook)
    percent = workbook.add_format({"num_format": "0.0", "valign": "top"})
    percent_bold = workbook.add_format({"num_format": "0.0", "valign": "top", "bold": True})
    sheet = workbook.add_worksheet(_("Statistics")[:31])
    lines = description(table.on, table.subtasks)
    if subject:
        lines.insert(0, (_("Programme"), subject))
    row = _header(sheet, workbook, title, lines)
    headings = [
        _("No."),
        row_heading,
        *(_(stats.FIGURE_LABELS[f]) for f in TABLE_FIGURES),
        *(_(label) for _key, _num, _den, label in stats.RATES),
    ]
    for col, heading in enumerate(headings):
        sheet.write_string(row, col, printable(heading), formats.header)
    header_row = row
    row += 1
    names: list[str] = []
    for number, line in enumerate(table.rows, start=1):
        sheet.write_number(row, 0, number)
        names.append(write_typed(sheet, row, 1, "text", line.label, formats))
        _figures(sheet, row, line, formats, percent)
        row += 1
    write_typed(sheet, row, 1, "text", _("Total"), formats, bold=True)
    _figures(sheet, row, table.total, formats, percent_bold, bold=True)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, min(fit_width(names, header=row_heading), 60))
    sheet.set_column(2, len(headings) - 1, 13)
    sheet.freeze_panes(header_row + 1, 2)
    workbook.close()
    return buffer.getvalue()


def _figures(
    sheet: Any, row: int, line: stats.Row, formats: Formats, percent: Any, *, bold: bool = False
) -> None:
    for col, figure in enumerate(TABLE_FIGURES, start=2):
        write_typed(sheet, row, col, "integer", line.counts[figure], formats, bold=bold)
    rates = line.rates()
    for col, (key, _num, _den, _label) in enumerate(stats.RATES, start=2 + len(TABLE_FIGURES)):
        value = rates[key]
        if value is not None:
            sheet.write_number(row, col, float(value), percent)


def tasks_xlsx(
    tasks: Iterable[Task],
    on: dt.date,
    *,
    title: str,
    lines: Sequence[tuple[str, str]],
    with_subtasks: bool = True,
) -> bytes:
    """The tasks behind a figure and their status on the reporting date; ``with_subtasks``
    (when sub-tasks are counted with their task), each task's sub-tasks under it (indented
    codes)."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, title=title)
    formats = Formats(workbook)
    sheet = workbook.add_worksheet(_("Tasks")[:31])
    row = _header(sheet, workbook, title, [*lines, (_("Reporting date"), f"{on:%d/%m/%Y}")])
    headings = [
        _("No."),
        _("Code"),
        _("Content"),
        _("Programme"),
        _("Lead agency"),
        _("Task deadline"),
        _("Due date"),
        _("Completed on"),
        _("Status"),
        _("Expected product"),
    ]
    for col, heading in enumerate(headings):
        sheet.write_string(row, col, printable(heading), formats.header)
    header_row = row
    row += 1
    for number, task in enumerate(tasks, start=1):
        sheet.write_number(row, 0, number)
        row = _task_row(sheet, row, task, on, formats, indent="")
        for child in task.children.all() if with_subtasks else ():
            row = _task_row(sheet, row, child, on, formats, indent="    ")
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 2, 70)
    sheet.set_column(3, 4, 30)
    sheet.set_column(5, 8, 16)
    sheet.set_column(9, 9, 40)
    sheet.freeze_panes(header_row + 1, 2)
    workbook.close()
    return buffer.getvalue()


def _task_row(sheet: Any, row: int, task: Task, on: dt.date, formats: Formats, indent: str) -> int:
    write_typed(sheet, row, 1, "text", indent + task.code, formats)
    write_typed(sheet, row, 2, "longtext", task.content, formats)
    write_typed(sheet, row, 3, "text", task.programme.name, formats)
    write_typed(sheet, row, 4, "text", task.lead_unit.name, formats)
    write_typed(sheet, row, 5, "text", task.deadline.label_vi(), formats)
    write_typed(sheet, row, 6, "date", task.due_date, formats)
    shown = task.completed_on if task.completed_on and task.completed_on <= on else None
    write_typed(sheet, row, 7, "date", shown, formats)
    write_typed(sheet, row, 8, "text", _(STATUS_LABELS[stats.status_of(task, on)]), formats)
    write_typed(sheet, row, 9, "text", task.expected_product, formats)
    return row + 1
