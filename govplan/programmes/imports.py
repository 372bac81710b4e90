"""A programme's tasks from a spreadsheet: read safely, planned row by row with every error
by row and column, then applied all or nothing (actions.do_preview_import, do_apply_import).

One sheet (the first), a header row naming the columns (English or Vietnamese, in any
order): code, parent code, content, document, article, assigned on, lead agency code,
co-operating agency codes, deadline, expected product. A code already in the programme is
refused (an import adds tasks; a task is changed on its own page), as is a code twice in the
file. The file is read by the project's safe reader, in a child process under limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from govplan.core.adapters.xlsx_reader import (
    ReadLimits,
    SheetRequest,
    WorkbookReadFailed,
    inspect_workbook,
    read_sheets,
)
from govplan.core.documents.cells import CellValueError
from govplan.core.programmes.deadline_text import UNREADABLE, parse_deadline
from govplan.core.programmes.deadlines import Deadline, DeadlineError, DeadlineKind
from govplan.documents.content import message
from govplan.orgunits.models import OrgUnit
from govplan.programmes.checks import TaskInput, check_task
from govplan.programmes.models import Programme, Task

MAX_ROWS = 5000
MAX_FILE_BYTES = 10 * 1024 * 1024
READ_LIMITS = ReadLimits(memory_bytes=512 * 1024 * 1024, seconds=20, output_bytes=64 * 1024 * 1024)

# field -> (English header, Vietnamese header, other spellings), matched without case or
# diacritics.
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "ma", "ma nhiem vu", "ma so"),
    "parent_code": ("parent code", "ma nhiem vu cha", "nhiem vu cha", "ma cha"),
    "content": ("content", "noi dung", "noi dung nhiem vu"),
    "source_document": ("document", "van ban giao", "van ban"),
    "source_article": ("article", "dieu khoan", "dieu", "khoan"),
    "assigned_on": ("assigned on", "ngay giao"),
    "lead_unit": ("lead agency code", "ma co quan chu tri", "co quan chu tri", "chu tri"),
    "co_units": (
        "co-operating agency codes",
        "ma co quan phoi hop",
        "co quan phoi hop",
        "phoi hop",
    ),
    "deadline": ("deadline", "thoi han", "thoi han hoan thanh"),
    "expected_product": ("expected product", "san pham", "san pham du kien"),
}
REQUIRED = ("code", "content", "source_document", "assigned_on", "lead_unit", "deadline")
MAX_LENGTH = {
    "code": 64,
    "parent_code": 64,
    "content": 5000,
    "source_document": 300,
    "source_article": 100,
    "expected_product": 500,
}


def column_labels() -> dict[str, str]:
    return {
        "code": _("Code"),
        "parent_code": _("Parent code"),
        "content": _("Content"),
        "source_document": _("Assigning document"),
        "source_article": _("Article"),
        "assigned_on": _("Assigned on"),
        "lead_unit": _("Lead agency"),
        "co_units": _("Co-operating agencies"),
        "deadline": _("Deadline"),
        "expected_product": _("Expected product"),
        "parent": _("Parent code"),
    }


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s_]+", " ", bare).strip(" :*")


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Problem:
    row: int | None  # the sheet's row number (the header is 1); None for the file
    column: str  # "C" or ""
    field: str  # the column's label, or ""
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class Plan:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "problems": [p.as_dict() for p in self.problems]}


def programme_version(programme: Programme) -> str:
    """A digest of the programme and its tasks as they are now: a preview made before any
    of them changed is stale."""
    digest = hashlib.sha256()
    digest.update(f"{programme.pk}|{programme.assigning_unit_id}|{programme.code}".encode())
    for values in (
        Task.objects.filter(programme=programme)
        .order_by("pk")
        .values_list("pk", "code", "parent_id", "lead_unit_id", "due_date", "assigned_on")
    ):
        digest.update(repr(values).encode())
    return digest.hexdigest()


def read_rows(data: bytes) -> tuple[list[list[Any]], list[Problem]]:
    """The first sheet's rows (header first), or the problem that stops the reading."""
    if len(data) > MAX_FILE_BYTES:
        return [], [Problem(None, "", "", _("The file is larger than 10 MB."))]
    try:
        declared = inspect_workbook(data)
    except CellValueError as error:
        return [], [Problem(None, "", "", message(error.error))]
    if not declared:
        return [], [Problem(None, "", "", _("The workbook has no sheet."))]
    sheet = declared[0]
    request = SheetRequest(sheet.name, MAX_ROWS + 1, len(COLUMNS) + 10)
    too_many = _("The sheet has more than %(max)s rows; split the list into several files.") % {
        "max": MAX_ROWS
    }
    if sheet.last_cell is not None and sheet.last_cell[0] > request.max_rows:
        return [], [Problem(None, "", "", too_many)]
    try:
        cells = read_sheets(data, [request], READ_LIMITS, context="programme task import")
    except CellValueError as error:
        return [], [Problem(None, "", "", message(error.error))]
    except WorkbookReadFailed:
        return [], [
            Problem(None, "", "", _("The file could not be read: it is too large or damaged."))
        ]
    found = cells.sheets.get(sheet.name)
    if found is None or found.unreadable or (found.rows is None and found.too_large is None):
        return [], [Problem(None, "", "", _("The sheet could not be read."))]
    if found.too_large is not None:
        if found.too_large[0] > request.max_rows:
            return [], [Problem(None, "", "", too_many)]
        return [], [Problem(None, "", "", _("The sheet has more columns than a task list has."))]
    return found.rows or [], []


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%d/%m/%Y}"
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if 1900 <= day.year <= 2200:
            return day
    raise ValueError(text)


def _deadline(value: Any) -> Deadline:
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return Deadline.on(day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise DeadlineError(UNREADABLE)
    return parse_deadline(_text(value))


def deadline_json(deadline: Deadline) -> dict[str, Any]:
    return {
        "kind": deadline.kind.value,
        "year": deadline.year,
        "month": deadline.month,
        "quarter": deadline.quarter,
        "day": deadline.day,
    }


def deadline_from_json(data: dict[str, Any]) -> Deadline:
    return Deadline(
        DeadlineKind(data["kind"]),
        year=data.get("year"),
        month=data.get("month"),
        quarter=data.get("quarter"),
        day=data.get("day"),
    )


def find_unit(code: str, day: dt.date | None) -> tuple[OrgUnit | None, str]:
    """The unit a code names (``scheme:code`` or a plain code), in force on ``day`` when one
    is in force then; otherwise the message saying why not."""
    scheme = ""
    if ":" in code:
        scheme, code = (part.strip() for part in code.split(":", 1))
    units = OrgUnit.objects.filter(code=code)
    if scheme:
        units = units.filter(scheme=scheme)
    candidates = list(units.order_by("pk")[:20])
    if not candidates:
        return None, _("No agency has the code %(code)s.") % {"code": code[:64]}
    if day is not None:
        in_force = [u for u in candidates if u.is_valid_on(day)]
        if len(in_force) == 1:
            return in_force[0], ""
        if not in_force:
            names = ", ".join(sorted({u.name for u in candidates}))
            return None, _(
                "%(units)s (code %(code)s) did not exist on %(day)s, the day the task was assigned."
            ) % {"units": names, "code": code, "day": f"{day:%d/%m/%Y}"}
        candidates = in_force
    if len(candidates) == 1:
        return candidates[0], ""
    schemes = ", ".join(sorted({f"{u.scheme}:{u.code}" for u in candidates}))
    return None, _("The code %(code)s names several agencies; write one of %(schemes)s.") % {
        "code": code,
        "schemes": schemes,
    }


def plan_rows(programme: Programme, rows: list[list[Any]]) -> Plan:
    """Each row as it will be saved, and every problem by row and column."""
    plan = Plan()
    labels = column_labels()
    header_row = next((i for i, r in enumerate(rows) if any(_text(c) for c in r)), None)
    if header_row is None:
        plan.problems.append(Problem(None, "", "", _("The sheet is empty.")))
        return plan
    aliases = {alias: name for name, spelled in COLUMNS.items() for alias in spelled}
    where: dict[str, int] = {}
    for index, cell in enumerate(rows[header_row]):
        name = aliases.get(_plain(_text(cell)))
        if name is not None and name not in where:
            where[name] = index
    missing = [labels[name] for name in REQUIRED if name not in where]
    if missing:
        plan.problems.append(
            Problem(
                header_row + 1,
                "",
                "",
                _("The header row lacks the columns: %(columns)s.")
                % {"columns": ", ".join(missing)},
            )
        )
        return plan
    existing = {t.code: t for t in Task.objects.filter(programme=programme)}
    taken = set(existing)
    file_codes: dict[str, int] = {}
    body = rows[header_row + 1 :]
    codes_in_file = {_text(r[where["code"]]) for r in body if where["code"] < len(r)}
    for offset, raw in enumerate(body):
        number = header_row + 2 + offset
        cells = {name: raw[i] if i < len(raw) else None for name, i in where.items()}
        if not any(_text(v) for v in cells.values()):
            continue
        problems: list[Problem] = []

        def refuse(
            name: str, text: str, row_number: int = number, into: list[Problem] = problems
        ) -> None:
            column = _letter(where[name]) if name in where else ""
            into.append(Problem(row_number, column, labels.get(name, ""), text))

        texts: dict[str, str] = {}
        for name in MAX_LENGTH:
            text = _text(cells.get(name))
            if text.startswith("="):
                refuse(name, _("A formula is not accepted; type the value itself."))
                text = ""
            elif len(text) > MAX_LENGTH[name]:
                refuse(name, _("At most %(max)s characters.") % {"max": MAX_LENGTH[name]})
                text = text[: MAX_LENGTH[name]]
            texts[name] = text
        assigned_on: dt.date | None = None
        if _text(cells.get("assigned_on")):
            try:
                assigned_on = _day(cells["assigned_on"])
            except ValueError:
                refuse("assigned_on", _("Not a date: write it as 02/01/2008."))
        lead: OrgUnit | None = None
        lead_code = _text(cells.get("lead_unit"))
        if lead_code:
            lead, why = find_unit(lead_code, assigned_on)
            if lead is None:
                refuse("lead_unit", why)
        co_units: list[OrgUnit] = []
        for code in filter(
            None, (c.strip() for c in re.split(r"[,;\n]", _text(cells.get("co_units"))))
        ):
            unit, why = find_unit(code, assigned_on)
            if unit is None:
                refuse("co_units", why)
            elif unit not in co_units:
                co_units.append(unit)
        if len(co_units) > 100:
            refuse("co_units", _("At most 100 co-operating agencies."))
        deadline: Deadline | None = None
        if _text(cells.get("deadline")) or isinstance(cells.get("deadline"), dt.date):
            try:
                deadline = _deadline(cells["deadline"])
            except DeadlineError as error:
                refuse("deadline", _(str(error)))
        parent: Task | None = None
        parent_code = texts["parent_code"]
        if parent_code:
            if parent_code in existing:
                parent = existing[parent_code]
            elif parent_code not in codes_in_file:
                refuse(
                    "parent_code",
                    _("No task has the code %(code)s, in the programme or in the file.")
                    % {"code": parent_code},
                )
            elif parent_code == texts["code"]:
                refuse("parent_code", _("A task cannot be placed under itself."))
        data = TaskInput(
            code=texts["code"],
            content=texts["content"],
            source_document=texts["source_document"],
            source_article=texts["source_article"],
            assigned_on=assigned_on,
            lead_unit=lead,
            co_units=co_units,
            deadline=deadline,
            expected_product=texts["expected_product"],
            parent=parent,
        )
        errors = check_task(programme, data, codes_taken=taken)
        shown = {(p.field) for p in problems}
        for name, said in errors.items():
            target = "parent_code" if name == "parent" else name
            # A cell already refused for its form is not refused again for being empty.
            if labels.get(target, "") in shown and name in ("lead_unit", "deadline", "assigned_on"):
                continue
            if name == "code" and texts["code"] in file_codes:
                said = _("The code %(code)s is already used on row %(row)s of this file.") % {
                    "code": texts["code"],
                    "row": file_codes[texts["code"]],
                }
            refuse(target, said)
        if texts["code"]:
            taken.add(texts["code"])
            file_codes.setdefault(texts["code"], number)
        plan.problems.extend(problems)
        plan.rows.append(
            {
                "row": number,
                "code": texts["code"],
                "parent_code": parent_code,
                "content": texts["content"],
                "source_document": texts["source_document"],
                "source_article": texts["source_article"],
                "assigned_on": assigned_on.isoformat() if assigned_on else None,
                "lead_unit_id": lead.pk if lead else None,
                "lead_unit_name": lead.name if lead else "",
                "co_unit_ids": [u.pk for u in co_units],
                "co_unit_names": [u.name for u in co_units],
                "deadline": deadline_json(deadline) if deadline else None,
                "deadline_label": deadline.label_vi() if deadline else "",
                "expected_product": texts["expected_product"],
                "ok": not problems,
            }
        )
    if not plan.rows and not plan.problems:
        plan.problems.append(Problem(None, "", "", _("The sheet has no task under its header.")))
    _check_cycles(plan)
    return plan


def _check_cycles(plan: Plan) -> None:
    """Sub-tasks named by the file form a tree: a parent chain that loops is refused."""
    labels = column_labels()
    parents = {r["code"]: r["parent_code"] for r in plan.rows if r["code"]}
    for row in plan.rows:
        seen = {row["code"]}
        code = parents.get(row["code"], "")
        while code and code in parents:
            if code in seen:
                plan.problems.append(
                    Problem(row["row"], "", labels["parent_code"], _("The parent codes loop."))
                )
                row["ok"] = False
                break
            seen.add(code)
            code = parents.get(code, "")


def creation_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents before their sub-tasks (the file's order otherwise)."""
    in_file = {r["code"] for r in rows}
    done: set[str] = set()
    ordered: list[dict[str, Any]] = []
    pending = list(rows)
    while pending:
        rest = []
        for row in pending:
            if row["parent_code"] in in_file and row["parent_code"] not in done:
                rest.append(row)
            else:
                ordered.append(row)
                done.add(row["code"])
        if len(rest) == len(pending):  # a loop: _check_cycles refused it already
            ordered.extend(rest)
            break
        pending = rest
    return ordered
