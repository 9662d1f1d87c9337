"""A form's shape as JSON at a stable address, for the data-entry page, imports and provincial systems.

The shape of a form is not secret, so any signed-in user may read it; values never appear here.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse

from definitions.models import Definition

JSON_PARAMS = {"ensure_ascii": False}


def _frozen(definition: Definition) -> str | None:
    return definition.frozen_at.isoformat() if definition.frozen_at else None


@login_required
def definition_index(request: HttpRequest, version: str) -> JsonResponse:
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
def definition_json(request: HttpRequest, version: str, code: str) -> JsonResponse:
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
