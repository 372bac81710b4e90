"""An import batch keeps the whole plan its preview showed (rows changed, removed and added,
and every live row's revision), which applying carries out as it is, instead of the
revisions alone with the file planned again. A batch left unapplied from before has an empty
plan: applying it is refused, and the editor uploads the file again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_entry_origin")]
    operations = [
        migrations.RemoveField(model_name="importbatch", name="revisions"),
        migrations.AddField(
            model_name="importbatch", name="plan", field=models.JSONField(default=dict)
        ),
    ]
