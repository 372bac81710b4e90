"""Who sees and does what on programmes and tasks (docs/programme.md, "Ai làm gì").

- A programme's list and page: everyone signed in (a programme is a public decision), but
  the tasks shown are only those the user may see.
- A task is seen by central users with a nationwide view (central administrators, central
  appraisers), by the assigning authority (who may view its unit), by the lead agency and by
  the co-operating agencies (whoever may view them: their editors, approvers, viewers and
  those above them); anyone else gets 404, not even its existence.
- The programme is managed (its tasks entered, imported, deleted; completions confirmed or
  returned; extensions granted or refused) by central administrators and by the editors and
  approvers of the assigning unit.
- Progress, completion and extension requests are the lead agency's editors' (EDIT over the
  lead unit).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from govplan.access.scoping import Capability, scope_for
from govplan.accounts.types import AnyUser
from govplan.orgunits.models import OrgUnit
from govplan.programmes.models import Programme, Task


def can_manage(user: AnyUser, programme: Programme) -> bool:
    scope = scope_for(user)
    if scope.is_central_admin:
        return True
    unit = programme.assigning_unit
    return scope.can(Capability.EDIT, unit) or scope.can(Capability.APPROVE, unit)


def can_report(user: AnyUser, task: Task) -> bool:
    """The lead agency's editors report progress, declare completion, ask for more time."""
    return scope_for(user).can(Capability.EDIT, task.lead_unit)


def visible_tasks(user: AnyUser, tasks: QuerySet[Task] | None = None) -> QuerySet[Task]:
    """The tasks ``user`` may see (module docstring)."""
    qs = Task.objects.all() if tasks is None else tasks
    scope = scope_for(user)
    view = scope.grant(Capability.VIEW)
    if view.national:
        return qs
    condition = Q(pk__in=[])
    units = view.q("")
    if units is not None:
        seen = OrgUnit.objects.filter(units).values("pk")
        condition |= Q(lead_unit__in=seen) | Q(programme__assigning_unit__in=seen)
        condition |= Q(pk__in=Task.objects.filter(co_units__in=seen).values("pk"))
    # The assigning unit's editors and approvers (managers) see their programme's tasks.
    managed = Q(pk__in=[])
    for capability in (Capability.EDIT, Capability.APPROVE):
        grant = scope.grant(capability)
        if grant.units:
            managed |= Q(programme__assigning_unit__in=sorted(grant.units))
    return qs.filter(condition | managed)


def load_programme(user: AnyUser, pk: int, *, manage: bool = False) -> Programme:
    """404 if there is no such programme; 403 if ``manage`` and the user may not manage it."""
    programme = Programme.objects.select_related("assigning_unit").filter(pk=pk).first()
    if programme is None:
        raise Http404
    if manage and not can_manage(user, programme):
        raise PermissionDenied
    return programme


def load_task(user: AnyUser, pk: int, *, manage: bool = False, report: bool = False) -> Task:
    """404 if the user may not see the task; 403 if they see it but may not manage it
    (``manage``) or report on it (``report``)."""
    task = (
        visible_tasks(user, Task.objects.select_related("programme__assigning_unit", "lead_unit"))
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    if manage and not can_manage(user, task.programme):
        raise PermissionDenied
    if report and not can_report(user, task):
        raise PermissionDenied
    return task
