import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0021_force_office"),
    ]

    operations = [
        migrations.AlterField(
            model_name="force",
            name="office",
            field=models.ForeignKey(
                help_text="The PCC's office that oversees the force.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="forces",
                to="tracker.office",
            ),
        ),
    ]
