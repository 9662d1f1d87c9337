"""Stored form definitions: one row per (version, code), holding the checked source as JSON.

A campaign's submissions point at these rows, so once a base starts filling a definition it is
frozen: its content may no longer change, and a new year's form is a new version, not an edit.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models
from django.utils import timezone

from definitions.schema import FormDefinition, parse_definition


def canonical_json(content: dict[str, Any]) -> str:
    """Key order and spacing fixed, so equal content always gives the same checksum."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_checksum(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


class Definition(models.Model):
    """One yearly form (汇总表 or an annex) as the ministry published it."""

    version = models.CharField("版本", max_length=20, db_index=True)
    code = models.SlugField("代码", max_length=32)
    title = models.CharField("名称", max_length=200)
    content = models.JSONField("定义内容")
    checksum = models.CharField("校验值（SHA-256）", max_length=64)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    frozen_at = models.DateTimeField("冻结时间", null=True, blank=True)

    class Meta:
        verbose_name = "报表定义"
        verbose_name_plural = "报表定义"
        ordering = ["-version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="definition_unique_version_code")
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}版）"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def parsed(self) -> FormDefinition:
        """The checked definition. Parsed once per process and content: a FormDefinition is immutable,
        and every page, save and list validates against it, so re-parsing per request would dominate."""
        parsed = _PARSED.get(self.checksum)
        if parsed is None:
            parsed = parse_definition(self.content)
            if len(_PARSED) > 64:  # versions × forms is small; this only bounds a pathological process
                _PARSED.clear()
            _PARSED[self.checksum] = parsed
        return parsed


_PARSED: dict[str, FormDefinition] = {}
