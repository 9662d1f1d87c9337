"""Recording audit events. Each event's hash covers its content and the previous event's hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from audit.models import Event


def _digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _payload(event: Event) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "summary": event.summary,
        "target": [event.target_type, event.target_id],
        "base": event.base_id,
        "authority": event.authority_id,
        "data": event.data,
        "prev": event.prev_hash,
    }


@transaction.atomic
def event_record(
    *,
    actor: Any,
    action: str,
    summary: str,
    target: models.Model | None = None,
    base: Any = None,
    authority: Any = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event. The chain head is read under a lock so concurrent writers cannot fork it."""
    last = Event.objects.select_for_update().order_by("-id").only("hash").first()
    event = Event(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "display_name", "") or "",
        action=action,
        summary=summary[:300],
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        base=base,
        authority=authority,
        data=json.loads(json.dumps(data or {}, ensure_ascii=False, default=str)),
        prev_hash=last.hash if last else "",
    )
    event.hash = _digest(_payload(event))
    event.save()
    return event


def chain_verify() -> list[int]:
    """Ids of events whose hash no longer matches their content or whose link is broken."""
    broken: list[int] = []
    prev = ""
    for event in Event.objects.order_by("id").iterator():
        if event.prev_hash != prev or event.hash != _digest(_payload(event)):
            broken.append(event.pk)
        prev = event.hash
    return broken
