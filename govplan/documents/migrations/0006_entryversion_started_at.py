"""An autosave coalesced into the latest version (issue 12) keeps when that version's run of
saves began, and the way back to each revision it absorbed (govplan.documents.versions).

SQLite adds these columns by rebuilding the table, which drops its triggers: 0003's guard is
put back afterwards (on PostgreSQL it is simply dropped and made again)."""

from django.db import migrations, models

from govplan.db_guards import require_parent_state

EDITABLE_ONLY = require_parent_state(
    table="documents_entryversion",
    name="documents_entryversion_editable",
    message="the document is not editable: its entries cannot change",
    parent_status_sql=(
        "SELECT d.status FROM documents_document d"
        " JOIN documents_entry e ON e.document_id = d.id WHERE e.id = NEW.entry_id"
    ),
    allowed=("draft", "returned"),
)


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_importbatch_plan")]

    operations = [
        migrations.RunPython(EDITABLE_ONLY.reverse_code, EDITABLE_ONLY.code),
        migrations.AddField(
            model_name="entryversion",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="entryversion",
            name="steps",
            field=models.JSONField(blank=True, default=list),
        ),
        EDITABLE_ONLY,
    ]
