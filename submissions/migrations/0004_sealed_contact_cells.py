"""A submission's phones and e-mails (the 联系信息 table and any phone/email field) encrypted at rest,
in the current values and in their history (security/fields.py, submissions/sensitive.py)."""

from django.db import migrations

import security.fields
from submissions.sensitive import contacts_seal_existing


def seal_existing(apps, schema_editor):
    contacts_seal_existing(
        value_model=apps.get_model("submissions", "Value"),
        change_model=apps.get_model("submissions", "ValueChange"),
        definition_model=apps.get_model("definitions", "Definition"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0003_material_check"),
        ("definitions", "0001_initial"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="value",
            name="raw",
            field=security.fields.SealedJSONField(blank=True, null=True, verbose_name="填写内容"),
        ),
        migrations.AlterField(
            model_name="value",
            name="value",
            field=security.fields.SealedJSONField(blank=True, null=True, verbose_name="规范值"),
        ),
        migrations.AlterField(
            model_name="valuechange",
            name="new_raw",
            field=security.fields.SealedJSONField(blank=True, null=True, verbose_name="新内容"),
        ),
        migrations.AlterField(
            model_name="valuechange",
            name="old_raw",
            field=security.fields.SealedJSONField(blank=True, null=True, verbose_name="原内容"),
        ),
        # Reversing leaves the tokens in place: they still decrypt with the key if migrated forward again.
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
