"""The rate limits' counters in the database: exact, atomic, and cheap."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import Cast
from tests.support.documents import every_feature_document

COUNTERS = {
    "BACKEND": "govplan.webutils.counter_cache.CounterCache",
    "LOCATION": "govplan_rate_counters",
}


@pytest.fixture
def counters(settings: Any) -> Any:
    settings.CACHES = {**settings.CACHES, "ratelimit": COUNTERS}
    call_command("createcachetable")
    cache = caches["ratelimit"]
    cache.clear()
    yield cache
    cache.clear()


@pytest.mark.django_db
def test_a_counter_is_added_once_per_window_and_counts_up(counters: Any) -> None:
    assert counters.add("rl:a", 1, 60) is True
    assert counters.add("rl:a", 1, 60) is False  # a live counter stays
    assert [counters.incr("rl:a") for _ in range(3)] == [2, 3, 4]
    assert counters.get("rl:a") == 4
    assert counters.get("rl:none", 0) == 0
    with pytest.raises(ValueError, match="not found"):
        counters.incr("rl:none")
    # An ended window is replaced by a new one.
    counters.set("rl:old", 9, -5)
    assert counters.get("rl:old") is None
    assert counters.add("rl:old", 1, 60) is True
    assert counters.get("rl:old") == 1
    assert counters.delete("rl:old") is True


@pytest.mark.django_db
def test_a_limited_save_costs_four_queries(cast: Cast, counters: Any, settings: Any) -> None:
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "save": {"user": "3/m", "global": "1000/m"}}
    document = every_feature_document(cast)
    client = Client()
    client.force_login(cast.editor_a)

    def add(name: str) -> Any:
        return client.post(
            reverse("document_entry_add", args=[document.pk]),
            data=json.dumps({"container": "row:projects", "content": {"cells": {"name": name}}}),
            content_type="application/json",
        )

    add("warm")
    with CaptureQueriesContext(connection) as queries:
        assert add("second").status_code == 200
    assert sum("govplan_rate_counters" in q["sql"] for q in queries) == 4  # add, incr × 2
    assert add("third").status_code == 200
    refused = add("fourth")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_lose_nothing(counters: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL's (SQLite serialises them)")
    counters.add("rl:busy", 0, 60)
    start = threading.Barrier(8)

    def worker() -> None:
        from django.db import connections

        start.wait()
        for _ in range(25):
            caches["ratelimit"].incr("rl:busy")
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counters.get("rl:busy") == 200
