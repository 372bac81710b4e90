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
    backward_sql = {
        "postgresql": [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"DROP FUNCTION IF EXISTS {function}()",
        ],
        "sqlite": [f"DROP TRIGGER IF EXISTS {name}"],
    }

    def run(statements: dict[str, list[str]]) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            for sql in statements.get(schema_editor.connection.vendor, []):
                schema_editor.execute(sql, params=None)

        return apply

    return migrations.RunPython(run(forward_sql), run(backward_sql))
