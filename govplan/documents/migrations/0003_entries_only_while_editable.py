"""The database itself refuses to write an entry, or an entry's version, of a document that is
not a draft or returned: what was submitted, approved or issued cannot change around the
actions either (govplan.db_guards; the actions lock the document first, see lock_for_edit)."""

from django.db import migrations

from govplan.db_guards import require_parent_state

EDITABLE = ("draft", "returned")


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_document_appraiser_document_issued_date_and_more")]
    operations = [
        require_parent_state(
            table="documents_entry",
            name="documents_entry_editable",
            message="the document is not editable: its entries cannot change",
            parent_status_sql=("SELECT status FROM documents_document WHERE id = NEW.document_id"),
            allowed=EDITABLE,
        ),
        require_parent_state(
            table="documents_entryversion",
            name="documents_entryversion_editable",
            message="the document is not editable: its entries cannot change",
            parent_status_sql=(
                "SELECT d.status FROM documents_document d"
                " JOIN documents_entry e ON e.document_id = d.id WHERE e.id = NEW.entry_id"
            ),
            allowed=EDITABLE,
        ),
    ]
