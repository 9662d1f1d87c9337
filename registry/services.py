"""State changes of the registry: the bulk import of bases from a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from registry.importing import (
    FIELD_LABELS,
    ImportFileError,
    PlannedChange,
    Reference,
    ValidationReport,
    build_reference,
    plan_changes,
    validate_file,
)
from registry.models import Authority, Base, Category, RegistryImport


class RegistryImportError(Exception):
    """An import cannot be applied; the message is shown to the user as it is."""


@dataclass
class ImportReview:
    """A stored file validated against today's registry: what the report page shows."""

    report: ValidationReport
    planned: list[PlannedChange]
    reference: Reference

    @property
    def counts(self) -> dict[str, int]:
        actions = [change.action for change in self.planned]
        return {
            "total": len(self.report.rows),
            "good": len(self.report.good_rows),
            "bad": len(self.report.bad_rows),
            "create": actions.count("create"),
            "update": actions.count("update"),
            "unchanged": actions.count("unchanged"),
        }


def import_reference() -> Reference:
    return build_reference(
        Authority.objects.values_list("pk", "code", "name", "short_name", "kind"),
        Category.objects.values_list("pk", "code", "name"),
    )


def _existing_values(names: list[str], *, lock: bool = False) -> dict[str, Base]:
    qs = Base.objects.filter(name__in=names)
    if lock:
        qs = qs.select_for_update()
    return {base.name: base for base in qs}


def _as_values(base: Base) -> dict[str, Any]:
    return {key: getattr(base, key) for key in FIELD_LABELS}


def registry_import_review(*, registry_import: RegistryImport) -> ImportReview:
    """Validate the stored file against the current registry (three queries)."""
    reference = import_reference()
    report = validate_file(bytes(registry_import.content), registry_import.file_format, reference)
    names = [row.data.name for row in report.good_rows if row.data]
    existing = {name: _as_values(base) for name, base in _existing_values(names).items()}
    return ImportReview(report=report, planned=plan_changes(report, existing), reference=reference)


@transaction.atomic
def registry_import_create(*, file_name: str, file_format: str, content: bytes, user: User) -> RegistryImport:
    """Keep an uploaded file with its validation summary until the ministry confirms it.

    Raises ImportFileError when the file cannot be read at all; nothing is stored then.
    """
    reference = import_reference()
    report = validate_file(content, file_format, reference)
    registry_import = RegistryImport.objects.create(
        file_name=file_name[:255],
        file_format=file_format,
        content=content,
        uploaded_by=user,
        summary={
            "total": len(report.rows),
            "good": len(report.good_rows),
            "bad": len(report.bad_rows),
        },
    )
    event_record(
        actor=user,
        action="registry.import_upload",
        summary=f"上传名录导入文件：{registry_import.file_name}（{len(report.rows)} 行，{len(report.bad_rows)} 行有误）",
        target=registry_import,
        data={"format": file_format, "bytes": len(content), **registry_import.summary},
    )
    return registry_import


@transaction.atomic
def registry_import_apply(
    *, registry_import: RegistryImport, user: User, only_valid_rows: bool
) -> dict[str, int]:
    """Create or update the bases the file describes; returns the counts of what was done.

    A file with errors is applied only when the user chose to import just its valid rows. The import
    row is locked so two confirmations (double click, two servers) cannot both apply it.
    """
    locked = RegistryImport.objects.select_for_update().get(pk=registry_import.pk)
    if locked.status != RegistryImport.Status.PENDING:
        raise RegistryImportError(f"该文件已处理（{locked.get_status_display()}），不能重复导入。")
    try:
        review = registry_import_review(registry_import=locked)
    except ImportFileError as exc:
        raise RegistryImportError(str(exc)) from exc
    counts = review.counts
    if counts["bad"] and not only_valid_rows:
        raise RegistryImportError(
            f"文件中有 {counts['bad']} 行存在错误，未导入任何数据。"
            "请修改文件后重新上传，或选择“仅导入无误的行”。"
        )
    if not counts["good"]:
        raise RegistryImportError("文件中没有无误的行，未导入任何数据。")

    existing = _existing_values([change.data.name for change in review.planned], lock=True)
    created = updated = unchanged = 0
    for change in review.planned:
        base = existing.get(change.data.name)
        if base is None:
            base = Base.objects.create(name=change.data.name, **change.data.field_values())
            event_record(
                actor=user, action="base.create", summary=f"名录导入新建：{base.name}", target=base, base=base,
                authority=base.authority, data={"import": locked.pk},
            )  # fmt: skip
            created += 1
            continue
        changed = [key for key, value in change.data.field_values().items() if getattr(base, key) != value]
        if not changed:
            unchanged += 1
            continue
        # The registry keeps its history too: each changed field, before and after, in the audit trail.
        before = {key: getattr(base, key) for key in changed}
        for key in changed:
            setattr(base, key, change.data.field_values()[key])
        base.save(update_fields=[*changed, "updated_at"])
        event_record(
            actor=user, action="base.update", summary=f"名录导入更新：{base.name}", target=base, base=base,
            authority=base.authority,
            data={"import": locked.pk, "changes": {k: [before[k], getattr(base, k)] for k in changed}},
        )  # fmt: skip
        updated += 1

    result = {"created": created, "updated": updated, "unchanged": unchanged, "skipped": counts["bad"]}
    locked.status = RegistryImport.Status.APPLIED
    locked.applied_by = user
    locked.applied_at = timezone.now()
    locked.only_valid_rows = only_valid_rows
    locked.result = result
    locked.save(update_fields=["status", "applied_by", "applied_at", "only_valid_rows", "result"])
    event_record(
        actor=user, action="registry.import", summary=f"名录导入：{locked.file_name}", target=locked,
        data=result,
    )  # fmt: skip
    registry_import.refresh_from_db()
    return result


@transaction.atomic
def registry_import_discard(*, registry_import: RegistryImport, user: User) -> None:
    """Drop a pending upload; its file is kept so the record of what was uploaded stays complete."""
    locked = RegistryImport.objects.select_for_update().get(pk=registry_import.pk)
    if locked.status != RegistryImport.Status.PENDING:
        raise RegistryImportError(f"该文件已处理（{locked.get_status_display()}），不能放弃。")
    locked.status = RegistryImport.Status.DISCARDED
    locked.applied_by = user
    locked.applied_at = timezone.now()
    locked.save(update_fields=["status", "applied_by", "applied_at"])
    event_record(
        actor=user,
        action="registry.import_discard",
        summary=f"放弃名录导入文件：{locked.file_name}",
        target=locked,
    )
    registry_import.refresh_from_db()
