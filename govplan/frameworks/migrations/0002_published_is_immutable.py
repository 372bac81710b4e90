"""A published framework version never changes, even around the ORM (govplan.db_guards)."""

from django.db import migrations

from govplan.db_guards import refuse_changes


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_initial")]
    operations = [
        refuse_changes(
            table="frameworks_frameworkversion",
            name="frameworks_version_published_immutable",
            message="a published framework version cannot be changed",
            when="OLD.status = 'published'",
        )
    ]
