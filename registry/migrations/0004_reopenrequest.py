# Moves ReopenRequest from review to registry without touching its rows: the state moves (review
# 0003 forgets the model, this migration learns it under its old table), then the table is renamed.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_registryimport"),
        ("review", "0003_reopenrequest_to_registry"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReopenRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reason", models.TextField(verbose_name="申请理由")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending_authority", "待省级主管部门审核"),
                                    ("pending_ministry", "待部级审批"),
                                    ("refused", "省级主管部门不支持"),
                                    ("rejected", "部级未批准"),
                                    ("granted", "已批准补报"),
                                ],
                                max_length=24,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "requested_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="申请时间"),
                        ),
                        ("authority_comment", models.TextField(blank=True, verbose_name="省级意见")),
                        ("authority_at", models.DateTimeField(blank=True, null=True)),
                        ("ministry_comment", models.TextField(blank=True, verbose_name="部级意见")),
                        ("ministry_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "window_until",
                            models.DateTimeField(blank=True, null=True, verbose_name="补报截止时间"),
                        ),
                        (
                            "authority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reopen_requests",
                                to="registry.authority",
                            ),
                        ),
                        (
                            "authority_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "base",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reopen_requests",
                                to="registry.base",
                            ),
                        ),
                        (
                            "campaign",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reopen_requests",
                                to="registry.campaign",
                            ),
                        ),
                        (
                            "ministry_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="申请人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "补报申请",
                        "verbose_name_plural": "补报申请",
                        "ordering": ["-requested_at"],
                        "db_table": "review_reopenrequest",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="reopenrequest", table=None),
    ]
