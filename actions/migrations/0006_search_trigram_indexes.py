"""Trigram indexes for the action list's text search, on PostgreSQL only.

The search is icontains on the action's title and description and the finding's text and
reference, which Django sends to PostgreSQL as UPPER(column::text) LIKE UPPER('%word%'); these
GIN trigram indexes on the same expressions let it find the rows without reading every one.
SQLite (the newcomer default) has no pg_trgm and searches its small tables directly.
"""

from django.db import migrations

INDEXES = [
    ("action_title_trgm", "actions_action", "title"),
    ("action_description_trgm", "actions_action", "description"),
    ("finding_text_trgm", "actions_finding", "text"),
    ("finding_reference_trgm", "actions_finding", "reference"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("actions", "0005_import_report")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
