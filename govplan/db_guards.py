"""Database triggers that refuse changes to rows the application treats as final
(audit entries, published framework versions), so that nothing going around the ORM can
rewrite them either.

UPDATE is refused on SQLite and PostgreSQL; DELETE on PostgreSQL only, because Django's
test flush deletes rows on SQLite (on PostgreSQL it truncates, which row triggers ignore).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def refuse_changes(
    *, table: str, name: str, message: str, when: str | None = None
) -> migrations.RunPython:
    """A migration operation installing (and, reversed, removing) the guard trigger.

    ``when`` is an SQL condition on OLD (e.g. ``OLD.status = 'published'``).
    """
    function = f"{name}_refuse"
    pg_when = f"WHEN ({when})" if when else ""
    sqlite_when = f"WHEN {when}" if when else ""
    forward_sql = {
        "postgresql": [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{message}';
END;
$$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW {pg_when} EXECUTE FUNCTION {function}()""",
        ],
        "sqlite": [
            f"""CREATE TRIGGER {name} BEFORE UPDATE ON {table} {sqlite_when}
BEGIN
  SELECT RAISE(ABORT, '{message}');
END""",
        ],
    }
    backward_sql = _dropped(name, table, function, [name])

    return _per_vendor(forward_sql, backward_sql)


def refuse_changes_while(
    *, table: str, name: str, message: str, condition: str
) -> migrations.RunPython:
    """Like ``refuse_changes`` with ``when``, for a condition that queries another table
    (e.g. ``EXISTS (SELECT 1 FROM t WHERE t.ref_id = OLD.id)``): PostgreSQL allows no
    subquery in a trigger's WHEN, so there the condition is tested in the function."""
    function = f"{name}_refuse"
    forward_sql = {
        "postgresql": [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
  IF {condition} THEN
    RAISE EXCEPTION '{message}';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {function}()""",
        ],
        "sqlite": [
            f"""CREATE TRIGGER {name} BEFORE UPDATE ON {table} WHEN {condition}
BEGIN
  SELECT RAISE(ABORT, '{message}');
END""",
        ],
    }
    backward_sql = _dropped(name, table, function, [name])
    return _per_vendor(forward_sql, backward_sql)


def require_parent_state(
    *,
    table: str,
    name: str,
    message: str,
    parent_status_sql: str,
    allowed: tuple[str, ...],
) -> migrations.RunPython:
    """A migration operation refusing INSERT and UPDATE of a row of ``table`` unless its
    parent is in one of the ``allowed`` states.

    ``parent_status_sql`` is a scalar subquery over NEW giving the parent's status, e.g.
    ``SELECT status FROM documents_document WHERE id = NEW.document_id``. On PostgreSQL the
    parent row is read FOR SHARE: a writer that forgot to lock it first still waits for a
    transition holding the parent's lock, then sees its outcome.
    """
    function = f"{name}_check"
    states = ", ".join(f"'{state}'" for state in allowed)
    forward_sql = {
        "postgresql": [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
DECLARE parent_status text;
BEGIN
  {parent_status_sql} FOR SHARE INTO parent_status;
  IF parent_status IS NULL OR parent_status NOT IN ({states}) THEN
    RAISE EXCEPTION '{message}';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {function}()""",
        ],
        "sqlite": [
            f"""CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table}
WHEN ({parent_status_sql}) NOT IN ({states})
BEGIN
  SELECT RAISE(ABORT, '{message}');
END"""
            for event in ("INSERT", "UPDATE")
        ],
    }
    backward_sql = _dropped(name, table, function, [f"{name}_{e}" for e in ("insert", "update")])

    return _per_vendor(forward_sql, backward_sql)


def _dropped(
    name: str, table: str, function: str, sqlite_triggers: list[str]
) -> dict[str, list[str]]:
    """What undoes a guard: PostgreSQL's trigger and its function, SQLite's triggers."""
    return {
        "postgresql": [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"DROP FUNCTION IF EXISTS {function}()",
        ],
        "sqlite": [f"DROP TRIGGER IF EXISTS {trigger}" for trigger in sqlite_triggers],
    }


def _per_vendor(
    forward: dict[str, list[str]], backward: dict[str, list[str]]
) -> migrations.RunPython:
    """A migration operation running each database's own statements (none for others)."""

    def run(statements: dict[str, list[str]]) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            for sql in statements.get(schema_editor.connection.vendor, []):
                schema_editor.execute(sql, params=None)

        return apply

    return migrations.RunPython(run(forward), run(backward))
