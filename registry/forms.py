"""Forms of the registry pages: the list's filters and the registry import."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet

from registry.importing import MAX_FILE_BYTES, ImportFileError, detect_format, parse_records, read_table
from registry.models import Authority, Base, Category, batch_label

# Sort keys offered by the list's column headers: key → order_by fields.
SORTS: dict[str, list[str]] = {
    "name": ["name"],
    "batch": ["batch", "name"],
    "authority": ["authority__sort_order", "batch", "name"],
    "category": ["category__sort_order", "batch", "name"],
    "series": ["series", "batch", "name"],
    "status": ["status", "batch", "name"],
}
DEFAULT_SORT = "batch"


class BaseFilterForm(forms.Form):
    """The list's search box and filters, read from the query string."""

    q = forms.CharField(label="搜索", required=False, max_length=100)
    authority = forms.ModelChoiceField(
        label="省级主管部门", queryset=Authority.objects.none(), required=False, empty_label="全部"
    )
    category = forms.ModelChoiceField(
        label="类型", queryset=Category.objects.all(), required=False, empty_label="全部"
    )
    batch = forms.TypedChoiceField(label="批次", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *Base.Status.choices])
    series = forms.ChoiceField(label="系列", required=False, choices=[("", "全部"), *Base.Series.choices])
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, key) for name in SORTS for key in (name, f"-{name}")],
        widget=forms.HiddenInput,
    )

    def __init__(
        self, *args: Any, authorities: QuerySet[Authority], batches: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["authority"]).queryset = authorities
        cast(forms.ChoiceField, self.fields["batch"]).choices = [
            ("", "全部"),
            *((b, batch_label(b)) for b in batches),
        ]
        self.fields["q"].widget.attrs.update({"placeholder": "名称、主导产业或所在地", "type": "search"})

    def filter(self, bases: QuerySet[Base]) -> QuerySet[Base]:
        """Apply the valid filters; an invalid one (a tampered id) is ignored and shown as an error."""
        self.is_valid()
        data = self.cleaned_data  # holds the valid fields only
        if q := (data.get("q") or "").strip():
            bases = bases.filter(
                Q(name__icontains=q) | Q(lead_industry__icontains=q) | Q(location__icontains=q)
            )
        if data.get("authority"):
            bases = bases.filter(authority=data["authority"])
        if data.get("category"):
            bases = bases.filter(category=data["category"])
        if data.get("batch"):
            bases = bases.filter(batch=data["batch"])
        if data.get("status"):
            bases = bases.filter(status=data["status"])
        if data.get("series"):
            bases = bases.filter(series=data["series"])
        return bases.order_by(*self.ordering_for(data.get("sort") or DEFAULT_SORT))

    @staticmethod
    def ordering_for(sort: str) -> list[str]:
        descending = sort.startswith("-")
        fields = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT])
        if descending:
            # Only the leading key flips; ties keep their natural order.
            return [f"-{fields[0]}", *fields[1:]]
        return fields


class RegistryImportUploadForm(forms.Form):
    content: bytes
    file_format: str

    file = forms.FileField(
        label="名录文件",
        help_text="Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码）文件，不超过 5 MB，第一行为表头。",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("文件超过 5 MB，请拆分后分批导入。")
        content = upload.read()
        try:
            file_format = detect_format(upload.name, content[:8])
            parse_records(read_table(content, file_format))
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.content = content
        self.file_format = file_format
        return upload


class RegistryImportApplyForm(forms.Form):
    only_valid_rows = forms.BooleanField(label="仅导入无误的行", required=False)
