"""Make the audit table append-only in the database itself, not only in the ORM.

PostgreSQL refuses UPDATE and DELETE of a row (TRUNCATE, used only to reset a
test database, is a table operation and not affected). SQLite refuses UPDATE;
DELETE stays possible there because Django's test flush deletes rows.
"""

from django.db import migrations

PG_FORWARD = [
    """CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_auditevent_append_only
  BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]
SQLITE_FORWARD = [
    """CREATE TRIGGER audit_auditevent_append_only
BEFORE UPDATE ON audit_auditevent
BEGIN
  SELECT RAISE(ABORT, 'audit entries are append-only');
END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS audit_auditevent_append_only"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor, []):
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
