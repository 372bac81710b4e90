"""Revisions reference the entry versions they froze instead of copying the document (issue
12): the RevisionEntry table, the attachments list beside it, and existing revisions moved
over where every entry of their copy is exactly a version that was current when they were
submitted; the others keep their copy (``snapshot``), read as before. A version referenced
by a revision never changes, even around the ORM (govplan.db_guards)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from govplan.db_guards import refuse_changes, refuse_changes_while

# 0002's guard: dropped while the existing revisions are moved over, then put back.
REVISION_FINAL = refuse_changes(
    table="workflow_documentrevision",
    name="workflow_revision_final",
    message="a submitted revision cannot be changed",
)


def reference_versions(apps: Any, schema_editor: Any) -> None:
    revisions = apps.get_model("workflow", "DocumentRevision")
    revision_entries = apps.get_model("workflow", "RevisionEntry")
    entries = apps.get_model("documents", "Entry")
    versions = apps.get_model("documents", "EntryVersion")
    # The ids first: each revision is updated while the list is walked.
    for pk in list(revisions.objects.filter(snapshot__isnull=False).values_list("pk", flat=True)):
        revision = revisions.objects.get(pk=pk)
        frozen = revision.snapshot if isinstance(revision.snapshot, dict) else {}
        items = frozen.get("entries")
        if not isinstance(items, dict):
            continue
        by_key = {
            e.key: e for e in entries.objects.filter(document_id=revision.document_id, key__in=items)
        }
        # Each entry's latest version when the revision was made: two queries per revision.
        latest = dict(
            versions.objects.filter(
                entry__in=list(by_key.values()), saved_at__lte=revision.created_at
            )
            .order_by()
            .values("entry_id")
            .annotate(last=models.Max("revision"))
            .values_list("entry_id", "last")
        )
        current = {
            v.entry_id: v
            for v in versions.objects.filter(entry_id__in=latest, revision__in=set(latest.values()))
            if latest[v.entry_id] == v.revision
        }
        chosen = []
        for key, item in items.items():
            entry = by_key.get(key)
            if entry is None or item.get("kind", entry.kind) != entry.kind:
                break
            version = current.get(entry.pk)
            if (
                version is None
                or version.deleted
                or version.content != item.get("content")
                or version.position != item.get("position")
            ):
                break
            chosen.append(version.pk)
        else:
            revision_entries.objects.bulk_create(
                [revision_entries(revision=revision, version_id=pk) for pk in chosen]
            )
            revision.attachments = list(frozen.get("attachments") or [])
            revision.snapshot = None
            revision.save(update_fields=["attachments", "snapshot"])


def copy_back(apps: Any, schema_editor: Any) -> None:
    """Reversed: the referenced content copied into the revision again."""
    revisions = apps.get_model("workflow", "DocumentRevision")
    revision_entries = apps.get_model("workflow", "RevisionEntry")
    for pk in list(revisions.objects.filter(snapshot__isnull=True).values_list("pk", flat=True)):
        revision = revisions.objects.get(pk=pk)
        rows = (
            revision_entries.objects.filter(revision=revision)
            .order_by("version__entry__collection", "version__position", "version__entry_id")
            .values_list(
                "version__entry__key",
                "version__entry__kind",
                "version__content",
                "version__position",
            )
        )
        revision.snapshot = {
            "entries": {
                key: {"content": content, "position": position, "kind": kind}
                for key, kind, content, position in rows
            },
            "attachments": revision.attachments,
        }
        revision.save(update_fields=["snapshot"])
    revision_entries.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0006_entryversion_started_at"),
        ("workflow", "0002_revisions_are_final"),
    ]

    operations = [
        migrations.RunPython(REVISION_FINAL.reverse_code, REVISION_FINAL.code),
        migrations.AddField(
            model_name="documentrevision",
            name="attachments",
            field=models.JSONField(default=list),
        ),
        migrations.AlterField(
            model_name="documentrevision",
            name="snapshot",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="RevisionEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "revision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="workflow.documentrevision",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="frozen_in",
                        to="documents.entryversion",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("revision", "version"), name="revision_entry_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(reference_versions, copy_back),
        REVISION_FINAL,
        refuse_changes(
            table="workflow_revisionentry",
            name="workflow_revisionentry_final",
            message="a submitted revision cannot be changed",
        ),
        refuse_changes_while(
            table="documents_entryversion",
            name="documents_entryversion_frozen",
            message="an entry version frozen in a submitted revision cannot be changed",
            condition="EXISTS (SELECT 1 FROM workflow_revisionentry r WHERE r.version_id = OLD.id)",
        ),
    ]
