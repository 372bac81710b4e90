"""Reading (and, to simulate time passing, writing) a site's database from the test, beside
the site's own processes: plain sqlite3 or psycopg, no Django."""

from __future__ import annotations

import sqlite3
from typing import Any


def query(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
            return list(conn.execute(sql.replace("%s", "?"), params).fetchall())
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        cursor = conn.execute(sql, params)  # type: ignore[arg-type]
        return list(cursor.fetchall()) if cursor.description else []


def writer_inside_a_transaction(url: str) -> bool:
    """Whether another process holds a write transaction open on the database right now:
    SQLite: the write lock is taken (the application begins IMMEDIATE); PostgreSQL: a
    backend of the site has written in a transaction not yet committed."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        else:
            conn.execute("ROLLBACK")
            return False
        finally:
            conn.close()
    rows = query(
        url,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL",
    )
    return bool(rows[0][0])
