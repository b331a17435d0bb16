import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_meeting_office"),
        ("actions", "0021_force_office"),
    ]

    operations = [
        migrations.AlterField(
            model_name="meeting",
            name="office",
            field=models.ForeignKey(
                help_text="The office holding the meeting (the PCC's, or its Panel's).",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="meetings",
                to="tracker.office",
            ),
        ),
    ]
