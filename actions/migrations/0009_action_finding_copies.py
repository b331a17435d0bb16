"""Each action keeps copies of its finding's reference and text, and of its type, for the list.

Matching the finding's words in a subquery cost a search for two common words about 60 ms at
100,000 actions (the subquery's ids were checked one by one against every candidate row), and
a filter on the finding's type had to join every action to its finding before it could read
the list in deadline order. With the copies on the action, every search word is one
trigram-indexed column of one table and the type filter reads an index in list order. The
copies are filled here for existing actions and kept in step by Action.save() and
Finding.save(). On PostgreSQL the search copy gets the same kind of trigram index as title and
description (0006), and the finding's own text and reference indexes, which only the search
used, are dropped.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat

FINDING_INDEXES = [
    ("finding_text_trgm", "actions_finding", "text"),
    ("finding_reference_trgm", "actions_finding", "reference"),
]


def fill(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    Finding = apps.get_model("actions", "Finding")
    finding = Finding.objects.filter(pk=OuterRef("finding_id"))
    Action.objects.update(
        finding_search_text=Concat(
            Subquery(finding.values("reference")),
            Value(" "),
            Subquery(finding.values("text")),
            output_field=models.TextField(),
        ),
        finding_kind=Subquery(finding.values("kind")),
    )


def index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS action_finding_search_trgm ON actions_action "
        "USING gin ((UPPER(finding_search_text::text)) gin_trgm_ops)"
    )
    for name, _, _ in FINDING_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS action_finding_search_trgm")
    for name, table, column in FINDING_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("actions", "0008_reminder_created_index")]

    operations = [
        migrations.AddField(
            model_name="action",
            name="finding_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("cause_of_concern", "Cause of concern"),
                    ("recommendation", "Recommendation"),
                    ("afi", "Area for improvement"),
                ],
                default="",
                editable=False,
                max_length=30,
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="finding_search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["finding_kind", "deadline", "id"], name="action_kind_deadline_idx"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(index, unindex, elidable=False),
    ]
