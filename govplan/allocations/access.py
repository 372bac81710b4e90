"""Who sees and manages pools. Central administrators manage them; the central authority's
readers (appraisers) read everything; an agency sees the pools with its own proposals and
allocations only (the rows of the units it may see)."""

from __future__ import annotations

from django.http import Http404

from govplan.access.scoping import Capability, require_national, scope_for
from govplan.accounts.types import AnyUser
from govplan.allocations.models import Pool, Scenario


def reads_everything(user: AnyUser) -> bool:
    return scope_for(user).grant(Capability.VIEW).national


def manages(user: AnyUser) -> bool:
    return scope_for(user).grant(Capability.ADMINISTER).national


def require_manager(user: AnyUser) -> None:
    require_national(user, Capability.ADMINISTER)


def require_central_reader(user: AnyUser) -> None:
    require_national(user, Capability.VIEW)


def load_pool(user: AnyUser, pk: int) -> Pool:
    """Pools are national: every signed-in user may open one (an agency then sees only its
    own rows); a missing one is a 404."""
    pool = Pool.objects.select_related("programme").filter(pk=pk).first()
    if pool is None:
        raise Http404
    return pool


def load_scenario(user: AnyUser, pool: Pool, pk: int) -> Scenario:
    scenario = Scenario.objects.filter(pool=pool, pk=pk).first()
    if scenario is None:
        raise Http404
    return scenario
