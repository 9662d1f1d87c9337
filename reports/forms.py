"""Forms of the report editor, the provincial summary and the case editor.

Lists of "lead + content" items are posted as repeated fields (`<prefix>_lead`, `<prefix>_content`)
so the page's add/remove buttons only clone or drop a row. The rules themselves live in
reports/services.py; these forms only read the request.
"""

from __future__ import annotations

from itertools import zip_longest
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from registry.models import Authority, Base
from reports.models import CaseAspect
from reports.services import SUMMARY_FIELDS, clean_items


def items_from_post(data: QueryDict, prefix: str) -> list[dict[str, str]]:
    """The posted items in page order; rows left entirely empty are dropped."""
    leads = data.getlist(f"{prefix}_lead")
    contents = data.getlist(f"{prefix}_content")
    return clean_items(
        [{"lead": lead or "", "content": content or ""} for lead, content in zip_longest(leads, contents)]
    )


class RevisionForm(forms.Form):
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class ReportForm(RevisionForm):
    overview = forms.CharField(label="一、示范基地发展概述", required=False, widget=forms.Textarea)
    problems = forms.CharField(label="四、存在的问题及建议", required=False, widget=forms.Textarea)


class SummaryForm(RevisionForm):
    progress = forms.CharField(label=SUMMARY_FIELDS["progress"], required=False, widget=forms.Textarea)
    difficulties = forms.CharField(
        label=SUMMARY_FIELDS["difficulties"], required=False, widget=forms.Textarea
    )
    next_steps = forms.CharField(label=SUMMARY_FIELDS["next_steps"], required=False, widget=forms.Textarea)

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in SUMMARY_FIELDS}


class CaseForm(forms.Form):
    """A case. The base is chosen only when recommending; completeness is checked by the service."""

    base = forms.ModelChoiceField(
        label="推荐示范基地", queryset=Base.objects.none(), empty_label="请选择本省参评示范基地"
    )
    title = forms.CharField(label="标题", required=False)
    background = forms.CharField(label="背景或亟待解决的突出问题", required=False, widget=forms.Textarea)
    results = forms.CharField(label="成效", required=False, widget=forms.Textarea)
    aspects = forms.MultipleChoiceField(
        label="聚焦方面（选择1-2个）",
        choices=CaseAspect.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "聚焦方面须从通知列出的方面中选择，或选择“其他”并简要说明。"},
    )
    aspect_other = forms.CharField(label="其他方面（简要说明）", required=False, max_length=100)
    revision = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, bases: QuerySet[Base] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if bases is None:
            del self.fields["base"]
        else:
            cast(forms.ModelChoiceField, self.fields["base"]).queryset = bases
            self.fields["base"].error_messages["invalid_choice"] = (
                "只能推荐本省参加本年度评价、尚未推荐过的示范基地。"
            )
            self.fields["base"].error_messages["required"] = "请选择推荐的示范基地。"


class CaseFilterForm(forms.Form):
    authority = forms.ModelChoiceField(
        label="省级主管部门", queryset=Authority.objects.none(), required=False, empty_label="全部"
    )
    aspect = forms.ChoiceField(label="聚焦方面", choices=[("", "全部"), *CaseAspect.choices], required=False)

    def __init__(self, *args: Any, authorities: QuerySet[Authority], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["authority"]).queryset = authorities
