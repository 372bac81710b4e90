"""Two people pressing *Nhắc các đơn vị chậm* at the same moment on PostgreSQL: the unit is
reminded once, and the second is told it already was (its own units, tests/support/nation)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from govplan.accounts.models import User
from govplan.audit.models import AuditEvent
from govplan.frameworks.actions import do_publish, do_upload_framework
from govplan.national import completeness as figures
from govplan.national.actions import ALREADY_TODAY, Reminded, do_send_reminders
from govplan.workflow.models import Notification, ReminderLog
from tests.national.test_completeness import CYCLE


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_reminders_at_once_remind_the_unit_once(small_nation) -> None:  # type: ignore[no-untyped-def]
    province, people = small_nation
    admin = people["admin"]
    second = User.objects.create_user("admin_2", full_name="Admin 2")
    second.memberships.create(org_unit=admin.memberships.get().org_unit, role="central_admin")
    deadline = timezone.localdate() - dt.timedelta(days=3)
    text = CYCLE.replace("CODE", "TEST-DU-RACE").replace("DEADLINE", deadline.isoformat())
    draft = do_upload_framework(text, actor=admin)
    version = do_publish(draft, actor=admin, deadline=deadline, kinds=["province"], unit_refs=[])
    today = timezone.localdate()
    barrier = threading.Barrier(2)
    results: dict[str, Reminded] = {}

    def press(user: User) -> None:
        try:
            actor = User.objects.get(pk=user.pk)
            rows = figures.remindable(
                figures.filtered(figures.expected(version, actor), version, today)
            )
            barrier.wait()
            results[user.username] = do_send_reminders(version, rows, actor=actor, today=today)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(u,)) for u in (admin, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(r.reminded) for r in results.values()) == [0, 1]
    loser = next(r for r in results.values() if not r.reminded)
    assert [u.pk for u in loser.skipped[ALREADY_TODAY]] == [province.pk]
    assert ReminderLog.objects.count() == 1
    assert Notification.objects.filter(user=people["editor_a"]).count() == 1
    assert AuditEvent.objects.filter(action="national.remind").count() == 2
