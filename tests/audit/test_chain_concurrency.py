"""Several transactions writing audit entries at the same moment on PostgreSQL: the chain
does not fork, no two entries share a sequence number, and it verifies."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from govplan.audit.chain import verify_chain
from govplan.audit.models import Action, AuditEvent
from govplan.audit.recorder import record

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8
EACH = 25


def test_concurrent_writers_extend_one_chain() -> None:
    before = AuditEvent.objects.count()
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(EACH):
                with transaction.atomic():
                    record(Action.UPDATE, message=f"thread {n} entry {i}")
                    if i % 5 == 0:  # some transactions write two entries
                        record(Action.UPDATE, message=f"thread {n} entry {i} bis")
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    written = THREADS * (EACH + EACH // 5)
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == before + written
    assert seqs == list(range(1, len(seqs) + 1))  # no gap, no tie
    assert len(set(AuditEvent.objects.values_list("prev_hash", flat=True))) == len(seqs)  # no fork
    result, _ = verify_chain()
    assert result.ok, result.first
