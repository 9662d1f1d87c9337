"""Which cells of a submission are personal contact data (phones and e-mails), kept encrypted.

A field of type phone or email, or a table's column of those types (the 联系信息 table: 固定电话,
移动电话, 传真, 邮箱), is marked `Sensitive` before it is stored; `SealedJSONField` keeps marked
strings as AES-GCM/SM4 tokens (security/fields.py). Experts, who do not need to call anyone, see them
masked (`contacts_masked`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from definitions.schema import Field, parse_definition
from security.crypto import mask_email, mask_phone
from security.fields import Sensitive

SENSITIVE_TYPES = frozenset({"phone", "email"})


def _mark(kind: str, data: Any) -> Any:
    if kind in SENSITIVE_TYPES and isinstance(data, str) and data:
        return Sensitive(data)
    return data


def is_sensitive(fld: Field) -> bool:
    return fld.type in SENSITIVE_TYPES or any(c.type in SENSITIVE_TYPES for c in fld.columns)


def mark_sensitive(fld: Field, data: Any) -> Any:
    """`data` (a raw input or a canonical value of `fld`) with its phone and e-mail strings marked."""
    if fld.type == "table" and isinstance(data, list):
        kinds = {c.key: c.type for c in fld.columns}
        return [
            {k: _mark(kinds.get(k, ""), v) for k, v in row.items()} if isinstance(row, dict) else row
            for row in data
        ]
    return _mark(fld.type, data)


def _masked(kind: str, data: Any) -> Any:
    if not isinstance(data, str) or not data or kind not in SENSITIVE_TYPES:
        return data
    return mask_email(data) if kind == "email" else mask_phone(data)


def contacts_masked(fld: Field, data: Any) -> Any:
    """`data` with its phones and e-mails masked (138****5678, z***@example.com)."""
    if fld.type == "table" and isinstance(data, list):
        kinds = {c.key: c.type for c in fld.columns}
        return [
            {k: _masked(kinds.get(k, ""), v) for k, v in row.items()} if isinstance(row, dict) else row
            for row in data
        ]
    return _masked(fld.type, data)


def sensitive_fields(definitions: Iterable[Any]) -> dict[tuple[str, str], Field]:
    """{(form code, field code): field} of the fields holding contact data, over Definition rows
    (historical models in a migration too: only `code` and `content` are read)."""
    found: dict[tuple[str, str], Field] = {}
    for definition in definitions:
        for fld in parse_definition(definition.content).fields():
            if is_sensitive(fld):
                found[(definition.code, fld.code)] = fld
    return found


def contacts_seal_existing(*, value_model: Any, change_model: Any, definition_model: Any) -> int:
    """Encrypt (or re-encrypt under the current key) every stored contact cell and its history.
    Idempotent; returns how many rows were written."""
    by_version: dict[str, dict[tuple[str, str], Field]] = {}
    for version in definition_model.objects.values_list("version", flat=True).distinct():
        by_version[version] = sensitive_fields(definition_model.objects.filter(version=version))
    codes = {code for fields in by_version.values() for (_, code) in fields}
    written = 0
    rows = value_model.objects.filter(code__in=codes).select_related("submission__campaign")
    for row in rows.iterator(chunk_size=500):
        fld = by_version.get(row.submission.campaign.form_version, {}).get((row.form, row.code))
        if fld is None:
            continue
        value_model.objects.filter(pk=row.pk).update(
            raw=mark_sensitive(fld, row.raw), value=mark_sensitive(fld, row.value)
        )
        written += 1
    changes = change_model.objects.filter(code__in=codes).select_related("submission__campaign")
    for row in changes.iterator(chunk_size=500):
        fld = by_version.get(row.submission.campaign.form_version, {}).get((row.form, row.code))
        if fld is None:
            continue
        change_model.objects.filter(pk=row.pk).update(
            old_raw=mark_sensitive(fld, row.old_raw), new_raw=mark_sensitive(fld, row.new_raw)
        )
        written += 1
    return written


def values_contacts_masked(submission: Any, values: list[Any]) -> list[Any]:
    """The submission's Value rows with the contact cells masked in memory (never saved)."""
    fields = {
        (d.parsed().code, fld.code): fld
        for d in submission.definitions()
        for fld in d.parsed().fields()
        if is_sensitive(fld)
    }
    for value in values:
        fld = fields.get((value.form, value.code))
        if fld is not None:
            value.raw, value.value = contacts_masked(fld, value.raw), contacts_masked(fld, value.value)
    return values
