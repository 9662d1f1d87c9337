"""Recording, verifying, anchoring and purging audit events.

Each event's hash is an HMAC-SHA256, keyed with AUDIT_HMAC_KEY from the environment, over its content
and the previous event's hash. Without the key nobody can recompute the chain after editing a row;
`audit_anchor` copies the head (seq, hash) outside the database every day, so removing the newest
rows is caught too. Writers lock the single ChainHead row, so the chain cannot fork.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone

from audit.context import current_ip
from audit.models import ChainHead, Event

HEAD_PK = 1


def _key() -> bytes:
    return str(settings.AUDIT_HMAC_KEY).encode()


def _mac(payload: dict[str, Any], key: bytes | None = None) -> str:
    message = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hmac.new(key if key is not None else _key(), message.encode(), hashlib.sha256).hexdigest()


def _payload(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "actor_username": event.actor_username,
        "ip": event.ip,
        "action": event.action,
        "outcome": event.outcome,
        "summary": event.summary,
        "target": [event.target_type, event.target_id],
        "base": event.base_id,
        "authority": event.authority_id,
        "data": event.data,
        "prev": event.prev_hash,
    }


def event_hash(event: Event, key: bytes | None = None) -> str:
    return _mac(_payload(event), key)


def _locked_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is None:
        # First event ever (or a database emptied by a test flush): start from whatever is there.
        last = Event.objects.order_by("-seq").only("seq", "hash").first()
        ChainHead.objects.bulk_create(
            [ChainHead(pk=HEAD_PK, seq=last.seq if last else 0, hash=last.hash if last else "")],
            ignore_conflicts=True,
        )
        head = ChainHead.objects.select_for_update().get(pk=HEAD_PK)
    return head


# No savepoint of its own: an event belongs to the caller's transaction (a failure to record it fails
# the action), and the savepoint was two statements on every autosave.
@transaction.atomic(savepoint=False)
def event_record(
    *,
    actor: Any,
    action: str,
    summary: str,
    target: models.Model | None = None,
    base: Any = None,
    authority: Any = None,
    data: dict[str, Any] | None = None,
    outcome: str = Event.Outcome.SUCCESS,
    username: str = "",
    ip: str | None = None,
) -> Event:
    """Append one event: who (`actor`, or only the `username` typed for a failed login), from which
    address (the current request's unless `ip` is given), what (`action`, `summary`, `target`, `data`)
    and whether it was done or refused (`outcome`). Appended under the chain-head lock."""
    if outcome not in Event.Outcome.values:
        raise ValueError(f"unknown outcome {outcome!r}")
    head = _locked_head()
    has_actor = bool(getattr(actor, "pk", None))
    event = Event(
        seq=head.seq + 1,
        at=timezone.now(),
        actor=actor if has_actor else None,
        actor_name=(getattr(actor, "display_name", "") or "")[:80] if has_actor else "",
        actor_username=(getattr(actor, "username", "") if has_actor else username)[:150],
        ip=ip if ip is not None else current_ip.get(),
        action=action,
        outcome=outcome,
        summary=summary[:300],
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        base=base,
        authority=authority,
        data=json.loads(json.dumps(data or {}, ensure_ascii=False, default=str)),
        prev_hash=head.hash,
    )
    event.hash = event_hash(event)
    event.save()
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


# --- verification --------------------------------------------------------------------------------


@dataclass
class Verification:
    """What `audit_verify` found. `problems` are Chinese sentences; empty means the trail is intact."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)
    broken: list[int] = field(default_factory=list)  # event ids whose hash or link fails
    anchors: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def chain_verify_full(*, anchor_dir: Path | None = None) -> Verification:
    """Recompute every link; compare the chain head and every anchor outside the table."""
    report = Verification()
    head = ChainHead.objects.filter(pk=HEAD_PK).first()
    expected_seq = (head.purged_through_seq if head else 0) + 1
    prev = head.purged_through_hash if head else ""
    last_seq, last_hash = 0, ""
    by_seq: dict[int, str] = {}
    for event in Event.objects.order_by("seq").iterator(chunk_size=2000):
        report.checked += 1
        if event.seq != expected_seq:
            report.problems.append(
                f"序号 {expected_seq} 至 {event.seq - 1} 的审计记录缺失（记录被删除）。"
                if event.seq > expected_seq
                else f"序号 {event.seq} 重复或顺序错乱。"
            )
        if event.prev_hash != prev:
            report.broken.append(event.pk)
            report.problems.append(f"第 {event.seq} 条记录与前一条的链接不符（前序记录被改动或删除）。")
        elif not hmac.compare_digest(event.hash, event_hash(event)):
            report.broken.append(event.pk)
            report.problems.append(
                f"第 {event.seq} 条记录（{event.at:%Y-%m-%d %H:%M}，{event.action}）的校验值不符：内容被篡改，或整条链被不持有密钥者重新计算。"
            )
        by_seq[event.seq] = event.hash
        expected_seq, prev = event.seq + 1, event.hash
        last_seq, last_hash = event.seq, event.hash
    if head is not None and (head.seq, head.hash) != (last_seq, last_hash):
        report.problems.append(
            f"链头记录为第 {head.seq} 条，而表中最新一条为第 {last_seq} 条：最新的记录被删除或链头被改动。"
        )
    purged = head.purged_through_seq if head else 0
    for anchor in anchors_read(anchor_dir):
        report.anchors += 1
        seq, digest = int(anchor["seq"]), str(anchor["hash"])
        if seq <= purged or seq == 0:
            continue
        if seq > last_seq:
            report.problems.append(
                f"{anchor.get('at', '')} 的锚点记录到第 {seq} 条，而表中只到第 {last_seq} 条：审计记录尾部被截断。"
            )
        elif by_seq.get(seq) != digest:
            report.problems.append(f"第 {seq} 条记录与 {anchor.get('at', '')} 的锚点不一致：记录被替换。")
    return report


def chain_verify() -> list[int]:
    """Ids of events whose hash no longer matches their content or whose link is broken."""
    return chain_verify_full(anchor_dir=None).broken


# --- anchors -------------------------------------------------------------------------------------


def anchor_directory(anchor_dir: Path | None = None) -> Path:
    return Path(anchor_dir or settings.AUDIT_ANCHOR_DIR)


def anchors_read(anchor_dir: Path | None = None) -> list[dict[str, Any]]:
    directory = anchor_directory(anchor_dir)
    if not directory.is_dir():
        return []
    anchors = []
    for path in sorted(directory.glob("audit-anchor-*.json")):
        try:
            anchors.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            anchors.append({"seq": 10**18, "hash": "", "at": f"无法读取的锚点文件 {path.name}"})
    return anchors


@transaction.atomic
def chain_anchor(*, anchor_dir: Path | None = None, actor: Any = None) -> dict[str, Any]:
    """Record the anchoring itself, then write the head (seq, hash, time) to a new file outside the
    database. Returns the anchor written."""
    event = event_record(actor=actor, action="audit.anchor", summary="审计链头锚定（写入库外锚点文件）")
    anchor = {
        "seq": event.seq,
        "hash": event.hash,
        "at": timezone.localtime(event.at).isoformat(timespec="seconds"),
        "database": settings.DATABASES["default"].get("NAME", "")
        and str(settings.DATABASES["default"]["NAME"]),
    }
    directory = anchor_directory(anchor_dir)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime(event.at).strftime("%Y%m%dT%H%M%S")
    path = directory / f"audit-anchor-{stamp}-{event.seq:012d}.json"
    path.write_text(json.dumps(anchor, ensure_ascii=False, indent=1), encoding="utf-8")
    anchor["path"] = str(path)
    recipients = list(settings.AUDIT_ANCHOR_EMAILS)
    if recipients:
        # After commit: the anchored event must exist before anyone is told its hash.
        transaction.on_commit(lambda: _anchor_mail(anchor, recipients))
    return anchor


def _anchor_mail(anchor: dict[str, Any], recipients: list[str]) -> None:
    body = (
        "审计日志链头锚点（请妥善保存本邮件，核查时与 manage.py audit_verify 的结果比对）：\n\n"
        f"时间：{anchor['at']}\n序号：{anchor['seq']}\n校验值：{anchor['hash']}\n"
        f"数据库：{anchor.get('database', '')}\n"
    )
    send_mail(
        subject=f"审计日志锚点 第 {anchor['seq']} 条 {anchor['at'][:10]}",
        message=body,
        from_email=None,
        recipient_list=recipients,
    )


# --- retention -----------------------------------------------------------------------------------


class RetentionError(Exception):
    pass


def retention_days() -> int:
    return max(180, int(settings.AUDIT_RETENTION_DAYS))


@transaction.atomic
def events_purge(*, before: dt.date, actor: Any = None, today: dt.date | None = None) -> int:
    """Remove the events older than `before`, which must be at least the retention period ago (180
    days or more). The chain stays verifiable: the head remembers the last removed link."""
    today = today or timezone.localdate()
    oldest_allowed = today - dt.timedelta(days=retention_days())
    if before > oldest_allowed:
        raise RetentionError(
            f"审计记录至少保存 {retention_days()} 天：只能清除 {oldest_allowed:%Y-%m-%d} 之前的记录，"
            f"不能清除 {before:%Y-%m-%d} 之前的记录。"
        )
    head = _locked_head()
    report = chain_verify_full()
    if not report.ok:
        raise RetentionError("审计链校验未通过，清除会毁掉证据，已拒绝：" + report.problems[0])
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    first_kept = Event.objects.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
    through = (first_kept - 1) if first_kept is not None else head.seq
    last_removed = Event.objects.filter(seq=through).values_list("hash", flat=True).first()
    if through <= head.purged_through_seq or last_removed is None:
        return 0
    doomed = Event.objects.filter(seq__lte=through)
    count = doomed.count()
    # The one sanctioned removal: below the model layer, which refuses deletes.
    models.QuerySet.delete(doomed)
    head.purged_through_seq, head.purged_through_hash = through, last_removed
    head.save(update_fields=["purged_through_seq", "purged_through_hash"])
    event_record(
        actor=actor,
        action="audit.purge",
        summary=f"清除 {before:%Y-%m-%d} 之前的审计记录 {count} 条（保存期满 {retention_days()} 天）",
        data={"before": before.isoformat(), "through_seq": through, "count": count},
    )
    return count
