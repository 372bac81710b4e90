"""The scoping layer with the fixed cast: who sees and may change which unit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from govplan.access.scoping import Capability, get_for, scope_for, visible_to
from govplan.accounts.actions import do_grant_membership, do_revoke_membership
from govplan.accounts.models import Membership, Role, User
from govplan.orgunits.models import Kind, OrgUnit
from tests.conftest import BEFORE_REFORM, Cast, unit

pytestmark = pytest.mark.django_db


def visible_units(user: User) -> set[int]:
    return set(visible_to(OrgUnit.objects.all(), user).values_list("pk", flat=True))


def test_central_roles_see_the_whole_nation(cast: Cast) -> None:
    total = OrgUnit.objects.count()
    assert len(visible_units(cast.central_admin)) == total
    assert len(visible_units(cast.appraiser)) == total


def test_province_editor_sees_its_subtree_and_the_units_it_came_from(cast: Cast) -> None:
    seen = visible_units(cast.editor_a)
    assert cast.province_a.pk in seen
    assert cast.commune_a.pk in seen
    # History: the old Bắc Giang and its communes, merged into Bắc Ninh, stay visible.
    bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    assert bac_giang.pk in seen
    assert set(bac_giang.descendants().values_list("pk", flat=True)) <= seen
    # Nothing of province B, nor the ministries.
    assert cast.province_b.pk not in seen
    assert not (set(cast.province_b.descendants().values_list("pk", flat=True)) & seen)
    assert unit("govplan", "BTC").pk not in seen


def test_commune_editor_sees_only_its_commune_and_its_predecessors(cast: Cast) -> None:
    seen = visible_units(cast.commune_editor_a)
    assert cast.commune_a.pk in seen
    assert cast.province_a.pk not in seen
    assert all(
        kind == Kind.COMMUNE
        for kind in OrgUnit.objects.filter(pk__in=seen).values_list("kind", flat=True)
    )


def test_edit_and_approve_are_for_the_own_unit_only(cast: Cast) -> None:
    assert get_for(cast.editor_a, OrgUnit, Capability.EDIT, pk=cast.province_a.pk)
    with pytest.raises(PermissionDenied):  # visible, but a sub-unit edits its own documents
        get_for(cast.editor_a, OrgUnit, Capability.EDIT, pk=cast.commune_a.pk)
    with pytest.raises(Http404):  # not even visible
        get_for(cast.editor_b, OrgUnit, Capability.EDIT, pk=cast.province_a.pk)
    with pytest.raises(PermissionDenied):
        get_for(cast.editor_a, OrgUnit, Capability.APPROVE, pk=cast.province_a.pk)
    assert get_for(cast.approver_a, OrgUnit, Capability.APPROVE, pk=cast.province_a.pk)
    with pytest.raises(PermissionDenied):
        get_for(cast.viewer_a, OrgUnit, Capability.EDIT, pk=cast.province_a.pk)
    with pytest.raises(PermissionDenied):  # central admins administer, they do not write plans
        get_for(cast.central_admin, OrgUnit, Capability.EDIT, pk=cast.province_a.pk)


def test_appraisal_reaches_agencies_not_the_appraisers_own_unit(cast: Cast) -> None:
    assert scope_for(cast.appraiser).can(Capability.APPRAISE, cast.province_a)
    province_appraiser = User.objects.create_user("prov_appraiser")
    Membership.objects.create(user=province_appraiser, org_unit=cast.province_a, role="appraiser")
    scope = scope_for(province_appraiser)
    assert scope.can(Capability.APPRAISE, cast.commune_a)
    assert not scope.can(Capability.APPRAISE, cast.province_a)
    assert not scope.can(Capability.APPRAISE, cast.province_b)


def test_nobody_without_a_membership_sees_anything(cast: Cast) -> None:
    stranger = User.objects.create_user("stranger")
    assert visible_units(stranger) == set()
    inactive = cast.editor_a
    inactive.is_active = False
    inactive.save()
    assert visible_units(User.objects.get(pk=inactive.pk)) == set()


def test_scoping_costs_a_fixed_number_of_queries(cast: Cast) -> None:
    """The scope is computed once per request, whatever the size of the subtree."""
    user = User.objects.get(pk=cast.editor_a.pk)
    with CaptureQueriesContext(connection) as first:
        list(visible_to(OrgUnit.objects.all(), user)[:10])
    with CaptureQueriesContext(connection) as second:
        list(visible_to(OrgUnit.objects.all(), user)[:10])
        list(visible_to(Membership.objects.all(), user))
    assert len(first) <= 6  # memberships, predecessors (≤ a few generations), paths, the query
    assert len(second) == 2  # only the two queries themselves


def test_a_model_without_a_scope_cannot_be_reached(cast: Cast) -> None:
    from govplan.orgunits.models import Succession

    with pytest.raises(TypeError, match="SCOPE_UNIT"):
        visible_to(Succession.objects.all(), cast.central_admin)


def test_a_successors_editor_edits_what_its_predecessors_wrote_while_in_force(
    cast: Cast,
) -> None:
    """The historical grant, through the scoping layer itself (SQL and Python agree): the
    new Bắc Ninh's editor edits the old Bắc Giang's 2011-2015 plan, not a document filed
    under the old Bắc Giang for a day after it ended, nor anything of another province."""
    from govplan.documents.actions import do_create_document
    from govplan.documents.models import Document
    from govplan.frameworks.models import FrameworkVersion
    from tests.conftest import example_version

    bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    past = do_create_document(
        unit=bac_giang,
        version=FrameworkVersion.objects.get(framework__code="KH-UDCNTT-2011-2015"),
        actor=cast.central_admin,
    )
    version = example_version()  # written for 20/12/2026, after Bắc Giang ended
    later = Document.objects.create(
        org_unit=bac_giang,
        framework=version.framework,
        framework_version=version,
        kind="plan",
        title="x",
        period_start=2027,
        period_end=2027,
        created_by=cast.central_admin,
    )
    hanoi = do_create_document(unit=cast.province_b, version=version, actor=cast.editor_b)
    editable = set(
        visible_to(Document.objects.all(), cast.editor_a, Capability.EDIT).values_list(
            "pk", flat=True
        )
    )
    assert past.pk in editable and later.pk not in editable and hanoi.pk not in editable
    assert get_for(cast.editor_a, Document, Capability.EDIT, pk=past.pk) == past
    with pytest.raises(PermissionDenied):
        get_for(cast.editor_a, Document, Capability.EDIT, pk=later.pk)
    with pytest.raises(PermissionDenied):  # a viewer still only reads
        get_for(cast.viewer_a, Document, Capability.EDIT, pk=past.pk)
    with pytest.raises(Http404):
        get_for(cast.editor_b, Document, Capability.EDIT, pk=past.pk)
    # The unit as such (its page, its header): yes; approving is the approver's.
    assert get_for(cast.editor_a, OrgUnit, Capability.EDIT, pk=bac_giang.pk) == bac_giang
    assert get_for(cast.approver_a, Document, Capability.APPROVE, pk=past.pk) == past
    with pytest.raises(PermissionDenied):
        get_for(cast.editor_a, Document, Capability.APPROVE, pk=past.pk)
    # Central administrators: every unit no longer in force, never one in force.
    admin_editable = set(
        visible_to(Document.objects.all(), cast.central_admin, Capability.EDIT).values_list(
            "pk", flat=True
        )
    )
    assert past.pk in admin_editable and hanoi.pk not in admin_editable
    assert later.pk not in admin_editable


def test_a_granted_or_revoked_membership_counts_at_once_for_the_same_user(cast: Cast) -> None:
    user = cast.editor_b
    assert not scope_for(user).can(Capability.EDIT, cast.province_a)
    membership = do_grant_membership(user, cast.province_a, Role.EDITOR, actor=cast.central_admin)
    assert scope_for(user).can(Capability.EDIT, cast.province_a)
    do_revoke_membership(membership, actor=cast.central_admin)
    assert not scope_for(user).can(Capability.EDIT, cast.province_a)
