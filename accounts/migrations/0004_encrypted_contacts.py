"""Phones and e-mails of the user table encrypted at rest (security/fields.py)."""

from django.db import migrations

import security.fields


def encrypt_existing(apps, schema_editor):
    # The historical model already has the encrypted fields: reading passes plain text through,
    # writing encrypts it.
    User = apps.get_model("accounts", "User")
    for pk, phone, email in User.objects.values_list("pk", "phone", "email").iterator(chunk_size=500):
        User.objects.filter(pk=pk).update(phone=phone, email=email)


def decrypt_existing(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    table = schema_editor.quote_name(User._meta.db_table)
    rows = list(User.objects.values_list("pk", "phone", "email"))
    with schema_editor.connection.cursor() as cursor:
        for pk, phone, email in rows:
            cursor.execute(f"UPDATE {table} SET phone = %s, email = %s WHERE id = %s", [phone, email, pk])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_role_grants"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="email",
            field=security.fields.EncryptedEmailField(blank=True, max_length=254, verbose_name="电子邮箱"),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=security.fields.EncryptedCharField(blank=True, max_length=30, verbose_name="联系电话"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
