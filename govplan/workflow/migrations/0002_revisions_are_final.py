"""A submitted revision never changes, even around the ORM (govplan.db_guards)."""

from django.db import migrations

from govplan.db_guards import refuse_changes


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [
        refuse_changes(
            table="workflow_documentrevision",
            name="workflow_revision_final",
            message="a submitted revision cannot be changed",
        )
    ]
