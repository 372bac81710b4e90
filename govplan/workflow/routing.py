"""Which unit appraises a document: the framework's rule per kind of unit, for one document
(``AppraisalRouter.unit_id``, what ``actions.parties`` asks) and as a database filter
(``AppraisalRouter.routed_to``, what the queue asks)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from govplan.core.frameworks.model import AppraisalRule, appraised_by
from govplan.documents.models import Document
from govplan.orgunits.models import Kind, OrgUnit


@dataclass(frozen=True)
class OwnUnit:
    """A unit an appraiser belongs to, as the queue's filter needs it."""

    pk: int
    kind: str
    path: str


class AppraisalRouter:
    """Which unit appraises a document, as its framework configures it per kind of unit.

    The rule, in two forms kept side by side (tests/workflow/test_queue.py compares them over
    every kind of unit and route): ``unit_id`` answers for one document, ``routed_to`` is the
    same rule as a database filter for the queue. One router answers for a whole list with a
    few queries in all: the central authority and the provinces are loaded once and each
    framework version is read once."""

    def __init__(self) -> None:
        self._central: int | None = None
        self._central_loaded = False
        self._provinces: set[int] | None = None
        self._by: dict[tuple[int, str], str] = {}
        self._nested: list[str] | None = None

    def _central_id(self) -> int | None:
        if not self._central_loaded:
            self._central = (
                OrgUnit.objects.valid_on(timezone.localdate())
                .filter(kind=Kind.CENTRAL)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            self._central_loaded = True
        return self._central

    def _province_ids(self) -> set[int]:
        if self._provinces is None:
            self._provinces = set(
                OrgUnit.objects.filter(kind=Kind.PROVINCE).values_list("pk", flat=True)
            )
        return self._provinces

    def unit_id(self, document: Document) -> int | None:
        unit = document.org_unit
        key = (document.framework_version_id, unit.kind)
        if key not in self._by:
            self._by[key] = document.framework_version.parsed().appraised_by(unit.kind)
        by = self._by[key]
        if by == "central":
            return self._central_id()
        if by == "parent":
            return unit.parent_id
        # The nearest province above the unit (any province, past ones included).
        provinces = self._province_ids()
        return next((i for i in reversed(unit.ancestor_ids()) if i in provinces), None)

    def routed_to(self, own: list[OwnUnit], rules: dict[int, tuple[AppraisalRule, ...]]) -> Q:
        """Documents ``unit_id`` sends to one of ``own``, as a filter on Document.

        ``rules``: the appraisal rules of each framework version the filter must cover (a
        document of another version matches nothing)."""
        own_ids = {u.pk for u in own}
        # Versions with the same rules share one condition: the database then reads each
        # document once (one term per version made SQLite look the same rows up 8 times).
        alike: dict[tuple[AppraisalRule, ...], list[int]] = {}
        for version_id, version_rules in rules.items():
            alike.setdefault(version_rules, []).append(version_id)
        matched = Q(pk__in=[])
        for version_rules, version_ids in alike.items():
            routes: dict[str, list[str]] = {}
            for kind in Kind.values:
                by = appraised_by(version_rules, kind)
                if by != "central":
                    routes.setdefault(by, []).append(kind)
            # A kind no rule names goes to the central authority: the central route is
            # "every kind not routed elsewhere", exact for any kind string.
            elsewhere = [k for kinds in routes.values() for k in kinds]
            conditions = [("central", ~Q(org_unit__kind__in=elsewhere))]
            conditions += [(by, Q(org_unit__kind__in=kinds)) for by, kinds in routes.items()]
            routed = Q(pk__in=[])
            for by, of_kind in conditions:
                target = self._target_q(by, own, own_ids)
                if target is not None:
                    routed |= of_kind & target
            matched |= Q(framework_version_id__in=sorted(version_ids)) & routed
        return matched

    def _target_q(self, by: str, own: list[OwnUnit], own_ids: set[int]) -> Q | None:
        if by == "central":
            # Only a unit of the central kind can be the central authority: no query else.
            if not any(u.kind == Kind.CENTRAL for u in own):
                return None
            return Q() if self._central_id() in own_ids else None
        if by == "parent":
            return Q(org_unit__parent_id__in=own_ids)
        # Strictly below one of the user's provinces and not below a province nested deeper
        # in it (the nearest province appraises).
        provinces = [u for u in own if u.kind == Kind.PROVINCE]
        if not provinces:
            return None
        nested = self._nested_provinces(provinces)
        within = Q(pk__in=[])
        for province in provinces:
            below = Q(org_unit__path__startswith=province.path) & ~Q(org_unit_id=province.pk)
            for path in nested:
                if path != province.path and path.startswith(province.path):
                    below &= ~(Q(org_unit__path__startswith=path) & ~Q(org_unit__path=path))
            within |= below
        return within

    def _nested_provinces(self, provinces: list[OwnUnit]) -> list[str]:
        """The paths of provinces below the given ones (none in the reference data), loaded
        once per router."""
        if self._nested is None:
            below = Q(pk__in=[])
            for province in provinces:
                below |= Q(path__startswith=province.path) & ~Q(pk=province.pk)
            self._nested = list(
                OrgUnit.objects.filter(below, kind=Kind.PROVINCE).values_list("path", flat=True)
            )
        return self._nested
