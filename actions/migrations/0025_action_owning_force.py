"""Each action keeps a copy of its finding's inspection's force (Action.owning_force).

Scoping a list to one office joined every action to its finding, inspection and force before
it could keep the office's rows: at 100,000 actions in 43 offices, one office's search read
every matching action of every office (about 9,000 for a common word) to keep its 200, and was
2.7 times slower than a search of all forces. With the force on the action, the scope is an
indexed column of the one table that search and list already filter, so PostgreSQL combines
it with the search's trigram indexes before reading a row. The copy is filled here for
existing actions and kept in step by Action.save(), Finding.save() and Inspection.save().
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    Finding = apps.get_model("actions", "Finding")
    force = Finding.objects.filter(pk=OuterRef("finding_id")).values("inspection__force_id")
    Action.objects.update(owning_force_id=Subquery(force))


class Migration(migrations.Migration):
    dependencies = [("actions", "0024_finding_partners")]

    operations = [
        migrations.AddField(
            model_name="action",
            name="owning_force",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="actions.force",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="action",
            name="owning_force",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="actions.force",
            ),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["owning_force", "deadline", "id"], name="action_force_deadline_idx"
            ),
        ),
    ]
