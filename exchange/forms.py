"""Upload form for a sealed scan; the content checks themselves live in exchange.services."""

from __future__ import annotations

from django import forms

from exchange.services import scan_file_check


class SealedScanForm(forms.Form):
    file = forms.FileField(
        label="盖章扫描件",
        help_text="PDF、JPG 或 PNG，不超过 10MB；请扫描盖章后的全部页面。",
        error_messages={
            "required": "请选择要上传的盖章扫描件。",
            "empty": "文件为空，请选择盖章后的扫描件。",
        },
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.checked = scan_file_check(upload)
        return upload


class EvidenceForm(SealedScanForm):
    """A supporting document at an item: the same content checks as a sealed scan."""

    file = forms.FileField(
        label="证明材料",
        help_text="PDF、JPG 或 PNG，不超过 10MB。",
        error_messages={"required": "请选择要上传的证明材料文件。", "empty": "文件为空，请重新选择。"},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )
