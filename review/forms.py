"""Forms of the review pages. The state machine checks roles and states again; these check input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from lib.text import MaxCharsValidator, char_count
from review.services import FieldNote

COMMENT_MAX = 2000
NOTE_MAX = 1000


class ReturnForm(forms.Form):
    """退回: a general comment and per-field comments posted as parallel `note_field`/`note_text` lists."""

    comment = forms.CharField(
        label="退回意见",
        required=False,
        validators=[MaxCharsValidator(COMMENT_MAX)],
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args: Any, field_choices: list[tuple[str, list[tuple[str, str]]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.field_choices = field_choices
        self.allowed = {value for _, options in field_choices for value, _ in options}
        self.notes: list[FieldNote] = []
        self.note_rows: list[tuple[str, str]] = [("", "")]
        self.note_errors: list[str] = []

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        post = self.data if isinstance(self.data, QueryDict) else QueryDict("")
        fields, texts = post.getlist("note_field"), post.getlist("note_text")
        rows = list(zip(fields, texts, strict=False))
        self.note_rows = rows or [("", "")]
        notes = []
        for number, (value, text) in enumerate(rows, start=1):
            text = text.strip()
            if not value and not text:
                continue
            if not value:
                self.note_errors.append(f"第 {number} 条字段意见未选择指标。")
                continue
            if value not in self.allowed:
                self.note_errors.append(f"第 {number} 条字段意见选择的指标不存在。")
                continue
            if not text:
                self.note_errors.append(f"第 {number} 条字段意见未填写意见内容。")
                continue
            if (n := char_count(text)) > NOTE_MAX:
                self.note_errors.append(f"第 {number} 条字段意见不能超过 {NOTE_MAX} 字（现为 {n} 字）。")
                continue
            form, code, year = value.split("|")
            notes.append(FieldNote(form=form, code=code, year=int(year), text=text))
        if self.note_errors:
            raise forms.ValidationError(self.note_errors)
        if not (data.get("comment") or "").strip() and not notes:
            raise forms.ValidationError("退回时请填写退回意见，或至少一条字段意见。")
        self.notes = notes
        return data


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label="初审意见（可选）",
        required=False,
        validators=[MaxCharsValidator(COMMENT_MAX)],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    """A yes/no verdict with a comment that is required for "no"."""

    decision = forms.ChoiceField(choices=[("yes", "是"), ("no", "否")])
    comment = forms.CharField(required=False, validators=[MaxCharsValidator(COMMENT_MAX)])

    refusal_message = "请填写理由。"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "no" and not (data.get("comment") or "").strip():
            self.add_error("comment", self.refusal_message)
        return data

    @property
    def yes(self) -> bool:
        return bool(self.cleaned_data["decision"] == "yes")


class ExplanationDecisionForm(DecisionForm):
    refusal_message = "不认可情况说明时请填写理由。"


class ReopenDecisionForm(DecisionForm):
    refusal_message = "不支持补报时请填写理由。"


class ReopenRequestForm(forms.Form):
    reason = forms.CharField(
        label="补报理由",
        validators=[MaxCharsValidator(COMMENT_MAX)],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
