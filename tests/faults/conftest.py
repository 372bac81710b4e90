"""The fault tests run the application as real processes (gunicorn, ``manage.py db_worker``)
over a copy of the session's test database, kill them, and check what is left."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import copy_test_database, drop_copy


@pytest.fixture
def site(tmp_path: Path, transactional_db) -> Iterator[tuple[Path, str]]:  # type: ignore[no-untyped-def]
    """A folder and the DATABASE_URL of a copy of the test database (reference data,
    catalogues, published frameworks) that subprocesses open and may write. The test runs
    outside a transaction (pytest-django runs such tests last), so the copy sees all of it;
    a test of that kind before this one may have emptied the database: loaded again then."""
    from django.core.management import call_command
    from django.db import connection

    from govplan.orgunits.models import OrgUnit
    from govplan.orgunits.reference import load_reference
    from tests.conftest import REFERENCE_DIR

    if not OrgUnit.objects.filter(source__gt="").exists():
        call_command("flush", interactive=False, verbosity=0)
        load_reference(REFERENCE_DIR)
        call_command("load_frameworks", verbosity=0)
    url = copy_test_database(connection, tmp_path)
    try:
        yield tmp_path, url
    finally:
        drop_copy(connection, url)
