"""What each scale of the generated data set covers."""

from __future__ import annotations

from dataclasses import dataclass

FIRST_YEAR = 2011
LAST_YEAR = 2025
PLAN_PERIODS = ((2011, 2015), (2016, 2020), (2021, 2025), (2026, 2030))


@dataclass(frozen=True)
class Scale:
    name: str
    years: tuple[int, ...]  # the annual report cycles
    # Provinces (GSO codes, on either structure; their predecessors and successors come
    # along) and ministries (govplan codes) that file; empty: all of them.
    provinces: tuple[str, ...] = ()
    ministries: tuple[str, ...] = ()
    # Districts and communes filing the local report, at most this many under each
    # province-level unit (None: all; 0: none).
    locals_per_province: int | None = None
    # Share of the local (district, commune) documents of past cycles that are approved
    # with a real revision; the provinces' and ministries' past cycles are all approved.
    local_approved_share: float = 0.0
    # Share of the provinces and ministries that have not started the current cycle.
    top_not_started: float = 0.1

    @property
    def plan_periods(self) -> tuple[tuple[int, int], ...]:
        """The five-year plans that overlap the scale's years (and the next one)."""
        first, last = min(self.years), max(self.years)
        return tuple(p for p in PLAN_PERIODS if p[1] >= first and p[0] <= last + 1)


ALL_YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))

SCALES = {
    # The demo's slice: two provinces that merged in 2025 (Bắc Giang and Bắc Ninh into Bắc
    # Ninh) and Hà Nội, one ministry, five cycles, a few communes each.
    "tiny": Scale(
        "tiny",
        years=tuple(range(2021, LAST_YEAR + 1)),
        provinces=("24", "01"),
        ministries=("BKHCN", "BTC"),
        locals_per_province=3,
        local_approved_share=0.5,
        top_not_started=0.0,
    ),
    # Every province and ministry over the 15 cycles, 20 local units under each province.
    "small": Scale("small", years=ALL_YEARS, locals_per_province=20, local_approved_share=0.2),
    # Everything: ~700 districts and ~10,000 communes before, 3,321 communes after.
    "full": Scale("full", years=ALL_YEARS),
}
