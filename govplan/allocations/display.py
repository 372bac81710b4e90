"""How the pool's figures are put in words on its pages and exports."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from govplan.allocations.models import Allocation
from govplan.core.allocation.compute import REASONS
from govplan.core.documents.cells import format_number


def reason_text(row: Allocation) -> str:
    template = REASONS.get(row.reason, row.reason)
    percent = format_number(Decimal(row.percent), locale="vi", places=1)
    return _(template) % {"group": row.group, "percent": percent}


def million(amount: Decimal) -> str:
    return format_number(amount.normalize(), locale="vi")
