"""The audit chain (govplan.core.auditchain): sequence numbers and hashes for every entry,
the existing ones chained in id order; PostgreSQL's chain trigger; SQLite's DELETE guard;
the record of verifications."""

from typing import Any

from django.db import migrations, models
from django.utils import timezone

from govplan.core import auditchain

LOCK_KEY = 0x60_A0_D1_7C  # govplan.audit.chain.LOCK_KEY

PG_CHAIN = f"""CREATE OR REPLACE FUNCTION audit_auditevent_chain() RETURNS trigger AS $$
DECLARE head_seq bigint; head_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock({LOCK_KEY});
  SELECT seq, hash INTO head_seq, head_hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1;
  IF head_seq IS NULL THEN
    head_seq := 0;
    head_hash := repeat('0', 64);
  END IF;
  IF NEW.seq IS DISTINCT FROM head_seq + 1 OR NEW.prev_hash IS DISTINCT FROM head_hash THEN
    RAISE EXCEPTION 'audit entry % does not follow the chain head %', NEW.seq, head_seq;
  END IF;
  IF NEW.at < clock_timestamp() - interval '5 minutes'
     OR NEW.at > clock_timestamp() + interval '5 minutes' THEN
    RAISE EXCEPTION 'audit entry % is not dated now', NEW.seq;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql"""


# The head, locked, in one round trip: the lock first, then the read in a snapshot taken
# after it (a statement inside a volatile function gets its own), never a stale head.
PG_HEAD = f"""CREATE OR REPLACE FUNCTION audit_chain_head(OUT head_seq bigint, OUT head_hash text)
AS $$
BEGIN
  PERFORM pg_advisory_xact_lock({LOCK_KEY});
  SELECT seq, hash INTO head_seq, head_hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1;
END;
$$ LANGUAGE plpgsql VOLATILE"""


def chain_existing(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only"
        )
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_append_only")
    fields = ("id", *auditchain.CONTENT_FIELDS)
    prev, seq, updates = auditchain.GENESIS, 0, []

    def flush() -> None:
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE audit_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                updates,
            )
        updates.clear()

    for row in AuditEvent.objects.order_by("id").values_list(*fields).iterator(chunk_size=2000):
        values = dict(zip(fields, row, strict=True))
        seq += 1
        digest = auditchain.entry_hash(prev, seq, values)
        updates.append((seq, prev, digest, values["id"]))
        prev = digest
        if len(updates) >= 2000:
            flush()
    flush()
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            """CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE ON audit_auditevent
BEGIN
  SELECT RAISE(ABORT, 'audit entries are append-only');
END"""
        )


def guards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CHAIN, params=None)
        schema_editor.execute(PG_HEAD, params=None)
        schema_editor.execute(
            "CREATE TRIGGER audit_auditevent_chain BEFORE INSERT ON audit_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION audit_auditevent_chain()"
        )
    elif vendor == "sqlite":
        # Rebuilding the table (the AlterField above) dropped 0002's UPDATE guard.
        schema_editor.execute(
            """CREATE TRIGGER IF NOT EXISTS audit_auditevent_append_only
BEFORE UPDATE ON audit_auditevent
BEGIN
  SELECT RAISE(ABORT, 'audit entries are append-only');
END"""
        )
        # The function is the application's (govplan.audit.apps): outside the test suite's
        # flush it refuses; a connection without it (the sqlite3 shell) cannot delete at all.
        schema_editor.execute(
            """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
WHEN NOT govplan_audit_may_delete()
BEGIN
  SELECT RAISE(ABORT, 'audit entries are append-only');
END"""
        )


def unguards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_chain ON audit_auditevent")
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_auditevent_chain()")
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_chain_head()")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_delete")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(null=True, verbose_name="sequence"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(unique=True, verbose_name="sequence"),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["-seq"],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
            },
        ),
        migrations.RunPython(guards, unguards),
        migrations.CreateModel(
            name="Verification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("started_at", models.DateTimeField(default=timezone.now, verbose_name="started")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished")),
                ("ok", models.BooleanField(default=False, verbose_name="chain intact")),
                ("entries", models.BigIntegerField(default=0, verbose_name="entries verified")),
                ("head_seq", models.BigIntegerField(default=0, verbose_name="last entry")),
                ("head_hash", models.CharField(blank=True, max_length=64, verbose_name="last hash")),
                ("breaks", models.IntegerField(default=0, verbose_name="broken links")),
                ("problem", models.CharField(blank=True, max_length=32, verbose_name="problem")),
                ("break_seq", models.BigIntegerField(blank=True, null=True, verbose_name="first broken entry")),
                ("break_entry_id", models.BigIntegerField(blank=True, null=True, verbose_name="first broken entry id")),
                ("detail", models.TextField(blank=True, verbose_name="detail")),
                ("sink", models.CharField(blank=True, max_length=500, verbose_name="external copy")),
            ],
            options={
                "verbose_name": "audit chain verification",
                "verbose_name_plural": "audit chain verifications",
                "ordering": ["-started_at", "-id"],
            },
        ),
    ]
