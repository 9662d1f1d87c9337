from django.db import migrations

from registry.reference import ensure_reference_data


def forwards(apps, schema_editor):
    ensure_reference_data(apps.get_model("registry", "Authority"), apps.get_model("registry", "Category"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
