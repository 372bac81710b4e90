"""A pilot's comparison as XLSX: the table of its page (indicators × pilot units against the
comparable units), for the year and layer asked, figures as numbers."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from govplan.access.policies import authenticated
from govplan.accounts.types import AuthenticatedRequest
from govplan.core.adapters.tables_xlsx import Cell, SheetTable, write_tables_xlsx
from govplan.pilots.access import load_pilot
from govplan.pilots.comparison import Line
from govplan.pilots.models import Designation
from govplan.pilots.selection import selected_comparison
from govplan.webutils.downloads import XLSX, attachment

PLACES = Decimal("0.01")


def _number(value: Decimal | None) -> Cell:
    return "" if value is None else value.quantize(PLACES)


def _row(line: Line) -> tuple[Cell, ...]:
    c = line.comparison
    name = f"{line.indicator.code} {line.indicator.name}"
    if line.measure:
        name += f" ({line.measure})"
    if line.boolean:
        own: Cell = "" if c.value is None else (_("yes") if c.value else _("no"))
        share = "" if line.share_yes is None else f"{line.share_yes:.0f}% {_('yes')}"
        return (name, line.unit.name, own, "", share, c.count, "")
    return (
        name,
        line.unit.name,
        _number(c.value),
        _number(c.median),
        _number(c.mean),
        c.count,
        _number(c.above_median),
    )


@authenticated
def pilot_comparison_xlsx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pilot = load_pilot(request.user, pk)
    designations = list(
        Designation.objects.filter(pilot=pilot).select_related("unit").order_by("designated_from")
    )
    _selection, _indicators, table = selected_comparison(
        request.user, pilot, designations, request.GET
    )
    with translation.override("vi"):
        sheet = SheetTable(
            name=_("Comparison"),
            headers=(
                _("Indicator"),
                _("Pilot unit"),
                _("Pilot's figure"),
                _("Comparable units' median"),
                _("Mean"),
                _("Units compared"),
                _("Difference from the median"),
            ),
            rows=tuple(_row(line) for line in table.lines),
            lines_above=(
                pilot.name,
                _("Indicators against comparable units")
                + (f", {table.year}" if table.year else "")
                + f" ({_('approved') if table.layer == 'approved' else _('latest submitted')})",
            ),
            totals=False,
            widths=(48, 32, 14, 14, 14, 12, 14),
            whole=False,
        )
        content = write_tables_xlsx(pilot.name, [sheet])
    year = table.year or "moi-nhat"
    return attachment(content, XLSX, f"so-sanh-mo-hinh-diem-{pilot.pk}-{year}.xlsx")
