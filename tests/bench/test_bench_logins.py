"""The timing benchmarks (bench/*.py) sign in with the test client; bench/second_factor.py
finishes those logins, so an appraiser's or administrator's pages are measured, not the
redirect to the code page."""

from __future__ import annotations

import pytest
from django.test import Client

from bench.second_factor import verified
from tests.conftest import Cast
from tests.support.otp import ORIGINAL_FORCE_LOGIN

pytestmark = pytest.mark.django_db


def test_a_bench_login_reaches_the_pages(cast: Cast) -> None:
    for user, page in ((cast.appraiser, "/appraisal/"), (cast.editor_a, "/")):
        client = Client()
        ORIGINAL_FORCE_LOGIN(client, user)  # as the benchmark does, without the tests' shortcut
        verified(client)
        assert client.get(page).status_code == 200, user
