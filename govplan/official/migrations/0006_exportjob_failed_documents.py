from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("official", "0005_issued_freeze_signer_cert")]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="failed",
            field=models.JSONField(default=list),
        ),
    ]
