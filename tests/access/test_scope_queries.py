"""What the scoping layer costs each request, and that what it reads is never stale."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govplan.access.scoping import Capability, scope_for
from govplan.accounts.actions import do_grant_membership, do_revoke_membership
from govplan.accounts.models import Role
from govplan.documents.models import Document
from govplan.frameworks.models import FrameworkVersion, clear_spec_cache
from tests.conftest import BEFORE_REFORM, Cast, unit

pytestmark = pytest.mark.django_db


def _fresh(user):  # type: ignore[no-untyped-def]
    """The user as the next request loads it: nothing of the scope cached on it."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize(
    "who", ["central_admin", "appraiser", "editor_a", "approver_a", "commune_editor_a"]
)
def test_a_scope_takes_one_query_whatever_the_history(
    cast: Cast, who: str, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    user = _fresh(getattr(cast, who))
    with django_assert_num_queries(1):
        scope_for(user)
    with django_assert_num_queries(0):  # and once per request
        scope_for(user)


def test_one_query_reaches_every_generation_and_role(cast: Cast) -> None:
    """A user holding several roles, in a unit with two generations of predecessors (the new
    Bắc Ninh came from Bắc Giang and the old Bắc Ninh), still costs one query, and sees and
    writes for all of them."""
    user = _fresh(cast.editor_a)
    do_grant_membership(user, cast.province_b, Role.VIEWER, actor=cast.central_admin)
    user = _fresh(user)
    with CaptureQueriesContext(connection) as queries:
        scope = scope_for(user)
    assert len(queries.captured_queries) == 1
    bac_giang = unit("gso-province", "24", BEFORE_REFORM)
    old_bac_ninh = unit("gso-province", "27", BEFORE_REFORM)
    for unit_ in (cast.province_a, cast.province_b, bac_giang, old_bac_ninh, cast.commune_a):
        assert scope.can(Capability.VIEW, unit_), unit_
    assert scope.can(Capability.EDIT, bac_giang)  # ended: written for by its successor
    assert not scope.can(Capability.EDIT, cast.province_b)  # viewer there, no more
    ministry = unit("govplan", "BTC")
    assert not scope.can(Capability.VIEW, ministry)
    assert scope.membership_unit_ids == {cast.province_a.pk, cast.province_b.pk}


def test_a_membership_granted_or_revoked_counts_on_the_next_request(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.editor_b)
    page = reverse("unit_detail", args=[cast.province_a.pk])
    assert client.get(page).status_code == 404
    membership = do_grant_membership(
        cast.editor_b, cast.province_a, Role.VIEWER, actor=cast.central_admin
    )
    assert client.get(page).status_code == 200
    do_revoke_membership(membership, actor=cast.central_admin)
    assert client.get(page).status_code == 404


def test_the_document_page_does_not_read_the_framework_spec_once_parsed(
    cast: Cast, document_a: Document
) -> None:
    """A published framework's spec is parsed once per process: a document page neither
    parses nor even reads the 60 KB stored spec again."""
    clear_spec_cache()
    client = Client()
    client.force_login(cast.editor_a)
    page = reverse("document_edit", args=[document_a.pk])
    assert client.get(page).status_code == 200  # parses it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    assert response.status_code == 200
    spec_column = f'"{FrameworkVersion._meta.db_table}"."spec"'
    assert not [q["sql"] for q in queries.captured_queries if spec_column in q["sql"]]
    # The scoping layer read the memberships and the units' history once.
    membership_reads = [
        q for q in queries.captured_queries if 'FROM "accounts_membership" m' in q["sql"]
    ]
    assert len(membership_reads) == 1
