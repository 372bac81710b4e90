"""Kept database connections: a pool per process in production, checked before use."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client

from govplan.env import Env, postgres_connections


def test_production_pools_connections_and_checks_them() -> None:
    settings = postgres_connections(Env({}), development=False)
    assert settings == {
        "CONN_MAX_AGE": 0,  # Django's pool refuses anything else: the pool keeps them
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"pool": {"min_size": 2, "max_size": 4, "timeout": 10}},
    }
    sized = postgres_connections(
        Env({"DB_POOL_MIN_SIZE": "1", "DB_POOL_MAX_SIZE": "8", "DB_POOL_TIMEOUT": "3"}),
        development=False,
    )
    assert sized["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 3}


def test_without_the_pool_connections_persist_in_production_only() -> None:
    assert postgres_connections(Env({"DB_POOL": "0"}), development=False) == {
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }
    assert postgres_connections(Env({}), development=True)["CONN_MAX_AGE"] == 0
    assert "OPTIONS" not in postgres_connections(Env({}), development=True)
    kept = postgres_connections(Env({"DB_POOL": "0", "DB_CONN_MAX_AGE": "60"}), development=False)
    assert kept["CONN_MAX_AGE"] == 60


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DB_CONN_MAX_AGE": "60"}, "DB_CONN_MAX_AGE cannot be set with DB_POOL=1"),
        ({"DB_POOL_MIN_SIZE": "5", "DB_POOL_MAX_SIZE": "2"}, "DB_POOL_MAX_SIZE=2 is below"),
        ({"DB_POOL_MAX_SIZE": "0"}, "DB_POOL_MAX_SIZE=0 is below 1"),
        ({"DB_POOL": "sometimes"}, "DB_POOL='sometimes' is not a boolean"),
        ({"DB_POOL_TIMEOUT": "soon"}, "DB_POOL_TIMEOUT='soon' is not an integer"),
    ],
)
def test_a_bad_pool_setting_stops_the_start(variables: dict[str, str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        postgres_connections(Env(variables), development=False)


@pytest.mark.django_db
def test_the_health_check_asks_the_database() -> None:
    """Public and cheap: one query, no session, no user."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]


@pytest.mark.django_db(transaction=True)
def test_pooled_connections_serve_threads_and_come_back(settings) -> None:  # type: ignore[no-untyped-def]
    """Where the suite runs with the pool (DB_POOL=1 on PostgreSQL), threads share it: each
    request thread takes a connection and gives it back when it closes."""
    if connection.vendor != "postgresql" or not connection.pool:
        pytest.skip("the pool: PostgreSQL with DB_POOL=1")
    statuses: list[int] = []

    def request() -> None:
        statuses.append(Client().get("/healthz").status_code)
        from django.db import connection as own

        own.close()  # what Django does at the end of each request

    threads = [threading.Thread(target=request) for _ in range(connection.pool.max_size * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(threads)
    assert connection.pool.get_stats()["pool_size"] <= connection.pool.max_size
