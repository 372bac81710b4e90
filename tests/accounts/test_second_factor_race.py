"""Two sessions typing the same code at the same moment (PostgreSQL, real transactions): the
code opens one of them, never both. The device row is locked while a code is checked."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from govplan.accounts import second_factor
from govplan.accounts.actions import do_regenerate_recovery_codes, do_verify_second_factor
from govplan.audit.models import Action, AuditEvent
from tests.support.otp import TEST_SECRET, authenticator_for

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def at_once(*actions: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(actions))
    results: list[Any] = []

    def run(action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(action())
        except BaseException as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_recovery_code_typed_twice_at_once_opens_one_session(small_nation) -> None:  # type: ignore[no-untyped-def]
    _province, people = small_nation
    user = people["appraiser"]
    authenticator_for(user)
    code = do_regenerate_recovery_codes(user)[0]
    for _round in range(3):
        results = at_once(*(lambda: do_verify_second_factor(user, code) for _ in range(4)))
        assert not [r for r in results if isinstance(r, BaseException)], results
        assert sum(r.device is not None for r in results) <= 1
    assert AuditEvent.objects.filter(action=Action.OTP_RECOVERY_USED).count() == 1
    assert second_factor.recovery_codes_left(user) == 9


def test_an_authenticator_code_typed_twice_at_once_opens_one_session(small_nation) -> None:  # type: ignore[no-untyped-def]
    _province, people = small_nation
    user = people["appraiser"]
    authenticator_for(user)
    code = second_factor.current_code(TEST_SECRET)
    results = at_once(*(lambda: do_verify_second_factor(user, code) for _ in range(4)))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(r.device is not None for r in results) == 1
