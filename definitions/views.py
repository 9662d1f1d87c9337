"""A form's shape as JSON at a stable address, for the data-entry page, imports and provincial systems.

The shape of a form is not secret, so any signed-in user may read it; values never appear here.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from accounts.http import AuthenticatedHttpRequest
from definitions.models import Definition
from definitions.notice import notice_for
from lib.deadlines import countdown
from registry.models import Campaign

JSON_PARAMS = {"ensure_ascii": False}


def _frozen(definition: Definition) -> str | None:
    return definition.frozen_at.isoformat() if definition.frozen_at else None


@login_required
def definition_index(request: AuthenticatedHttpRequest, version: str) -> JsonResponse:
    definitions = list(Definition.objects.filter(version=version).order_by("code"))
    if not definitions:
        raise Http404("未找到该版本的报表定义。")
    return JsonResponse(
        {
            "version": version,
            "definitions": [
                {
                    "code": d.code,
                    "title": d.title,
                    "short_title": d.content.get("short_title") or d.title,
                    "categories": d.content.get("categories") or [],
                    "checksum": d.checksum,
                    "frozen_at": _frozen(d),
                    "url": reverse("definitions:definition_json", args=[d.version, d.code]),
                }
                for d in definitions
            ],
        },
        json_dumps_params=JSON_PARAMS,
    )


@login_required
def definition_json(request: AuthenticatedHttpRequest, version: str, code: str) -> JsonResponse:
    definition = Definition.objects.filter(version=version, code=code).first()
    if definition is None:
        raise Http404("未找到该报表定义。")
    return JsonResponse(
        {
            "version": definition.version,
            "code": definition.code,
            "title": definition.title,
            "checksum": definition.checksum,
            "frozen_at": _frozen(definition),
            "definition": definition.content,
        },
        json_dumps_params=JSON_PARAMS,
    )


# --- the help page: the notice itself, its attachments, contacts and the current deadlines -----------


def _current_campaign() -> Campaign | None:
    campaigns = Campaign.objects.exclude(status=Campaign.Status.DRAFT).order_by("-year")
    return campaigns.filter(status=Campaign.Status.OPEN).first() or campaigns.first()


@login_required
def help_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every signed-in role may read the notice: it is public, and everyone works to it."""
    campaign = _current_campaign()
    version = campaign.form_version if campaign else "2022"
    notice = notice_for(version)
    if notice is None:
        raise Http404("未找到本年度的通知文本。")
    now = timezone.now()
    return render(
        request,
        "definitions/help.html",
        {
            "notice": notice,
            "campaign": campaign,
            "base_deadline": countdown(campaign.base_deadline, now) if campaign else None,
            "authority_deadline": countdown(campaign.authority_deadline, now) if campaign else None,
            "definitions": Definition.objects.filter(version=version).order_by("code"),
        },
    )


@login_required
def help_attachment(request: AuthenticatedHttpRequest, version: str, number: int) -> HttpResponse:
    notice = notice_for(version)
    attachment = next((a for a in notice.attachments if a.number == number), None) if notice else None
    if attachment is None:
        raise Http404("没有该附件。")
    response = HttpResponse(attachment.text + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
