"""The audit table is append-only in the database itself (see govplan.db_guards)."""

from django.db import migrations

from govplan.db_guards import refuse_changes


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [
        refuse_changes(
            table="audit_auditevent",
            name="audit_auditevent_append_only",
            message="audit entries are append-only",
        )
    ]
