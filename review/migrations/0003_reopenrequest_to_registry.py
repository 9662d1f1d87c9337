# ReopenRequest moves to registry (registry 0004): only the state forgets it here; the table stays
# until registry 0004 takes it over and renames it.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_reminder"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ReopenRequest")],
            database_operations=[],
        ),
    ]
