"""State changes of the evaluation, and the one database read scoring needs.

Keyword-only, typed, atomic; every change the ministry makes is recorded in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from definitions.models import Definition, content_checksum
from definitions.schema import BaseProfile, FormDefinition
from evaluation.models import (
    BaseScore,
    Disqualification,
    ExpertConflict,
    ExpertProfile,
    ExpertScore,
    QualityFlag,
    QualityRun,
    Rating,
    RatingPublication,
    ScoreRun,
    ScoringModel,
)
from evaluation.quality import (
    Flag,
    ReportItem,
    Text,
    contradictions,
    copied_texts,
    history_mismatches,
    peer_outliers,
    report_contradictions,
    unexplained_jumps,
)
from evaluation.schema import ModelError, ScoringDefinition, check_items, parse_model
from evaluation.scoring import BaseInput, BaseResult, indicator_value, score_all
from evaluation.stars import stars_assign
from lib import authz
from lib.authz import Ask
from registry.models import Authority, Base, Campaign, StarRating
from reports.models import DevelopmentReport
from review.services import FieldNote, ministry_return
from submissions.models import Submission, Value, WarningExplanation

MODELS_DIR = Path(settings.BASE_DIR) / "evaluation" / "scoring_models"
SUBMITTED_STATES = (Submission.Status.SUBMITTED, Submission.Status.APPROVED, Submission.Status.ACCEPTED)


def model_file(campaign: Campaign) -> Path:
    return MODELS_DIR / f"{campaign.year}.yaml"


def summary_definition(form_version: str) -> FormDefinition:
    row = Definition.objects.filter(version=form_version, code="summary").first()
    if row is None:
        raise ValidationError(f"未找到{form_version}版汇总表定义，请先加载报表定义。")
    return row.parsed()


def model_check(content: Any, *, campaign: Campaign) -> ScoringDefinition:
    """Parse and check a model for `campaign`; a ValidationError in Chinese says what is wrong."""
    try:
        parsed = parse_model(content)
        check_items(parsed, summary_definition(campaign.form_version))
    except ModelError as exc:
        raise ValidationError(f"评分模型有误：{exc}") from exc
    if parsed.campaign_year != campaign.year:
        raise ValidationError(f"评分模型适用于{parsed.campaign_year}年度，不是{campaign.year}年度。")
    if parsed.form_version != campaign.form_version:
        raise ValidationError(
            f"评分模型对应{parsed.form_version}版报表，本年度使用{campaign.form_version}版。"
        )
    return parsed


def current_model(campaign: Campaign) -> ScoringModel | None:
    return campaign.scoring_models.order_by("-created_at", "-id").first()


@transaction.atomic
def scoring_model_load(*, campaign: Campaign, user: User | None, path: Path | None = None) -> ScoringModel:
    """Load the campaign's model file. The same content again changes nothing; a changed file under
    the same version replaces an unfrozen model (recorded); a frozen one needs a new version."""
    path = path or model_file(campaign)
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationError(f"评分模型文件 {path.name} 无法读取：{exc}") from exc
    parsed = model_check(content, campaign=campaign)
    checksum = content_checksum(content)
    existing = (
        ScoringModel.objects.select_for_update().filter(campaign=campaign, version=parsed.version).first()
    )
    if existing is not None:
        if existing.checksum == checksum:
            return existing
        if existing.is_frozen:
            raise ValidationError(f"评分模型 {parsed.version} 已冻结，修改须使用新的版本号。")
        return scoring_model_update(model=existing, content=content, user=user)
    model = ScoringModel.objects.create(
        campaign=campaign,
        version=parsed.version,
        title=parsed.title,
        content=content,
        checksum=checksum,
        source=str(path.relative_to(settings.BASE_DIR))
        if path.is_relative_to(settings.BASE_DIR)
        else path.name,
    )
    event_record(
        actor=user,
        action="evaluation.model_load",
        summary=f"加载评分模型：{model.title}（{model.version}）",
        target=model,
        data={"checksum": checksum, "source": model.source},
    )
    return model


@transaction.atomic
def scoring_model_update(*, model: ScoringModel, content: Any, user: User | None) -> ScoringModel:
    """Change an unfrozen model's content (the admin's edit); old and new checksums are recorded."""
    model = ScoringModel.objects.select_for_update().get(pk=model.pk)
    if model.is_frozen:
        raise ValidationError("评分模型已冻结（星级已发布），不能修改；请新建版本。")
    parsed = model_check(content, campaign=model.campaign)
    if parsed.version != model.version:
        raise ValidationError(f"版本号须保持为 {model.version}；新版本请另行加载。")
    old = model.checksum
    new = content_checksum(content)
    if old == new:
        return model
    model.content, model.checksum, model.title, model.updated_at = content, new, parsed.title, timezone.now()
    model.save(update_fields=["content", "checksum", "title", "updated_at"])
    event_record(
        actor=user,
        action="evaluation.model_update",
        summary=f"修改评分模型：{model.title}（{model.version}）",
        target=model,
        data={"old_checksum": old, "new_checksum": new},
    )
    return model


# --- the scoring read ----------------------------------------------------------------------------


@dataclass
class ScoringData:
    inputs: list[BaseInput]
    submissions: dict[int, int]  # base id -> submission id
    read_seconds: float


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _answer(value: Any) -> bool | None:
    if isinstance(value, dict):
        value = value.get("answer")
    return value if isinstance(value, bool) else None


def scoring_data(
    campaign: Campaign,
    model: ScoringDefinition,
    *,
    scope: str,
    expert: dict[int, tuple[dict[str, float], int]] | None = None,
) -> ScoringData:
    """Everything scoring reads, in three queries: submissions with their bases, values, disqualifications."""
    started = time.perf_counter()
    summary = summary_definition(campaign.form_version)
    fields = summary.field_map()
    items = sorted(model.items())
    subs = Submission.objects.filter(campaign=campaign).select_related("base__category")
    if scope == ScoreRun.Scope.SUBMITTED:
        subs = subs.filter(status__in=SUBMITTED_STATES)
    sub_rows = list(
        subs.only(
            "id",
            "status",
            "base__id",
            "base__category__code",
            "base__industry_flags",
            "base__producer_services_led",
        )
    )
    years = [campaign.data_year, campaign.data_year - 1]
    values: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    answers: dict[int, dict[str, bool]] = defaultdict(dict)
    yesno = {c for c in items if fields[c].type == "yesno"}
    rows = Value.objects.filter(
        submission__campaign=campaign, form="summary", code__in=items, year__in=[*years, 0]
    ).values_list("submission_id", "code", "year", "value")
    for sub_id, code, year, value in rows.iterator(chunk_size=5000):
        if code in yesno:
            a = _answer(value)
            if a is not None:
                answers[sub_id][code] = a
            continue
        n = _number(value)
        if n is not None:
            values[sub_id][code][year] = n
    reasons = {
        d.base_id: d.label for d in Disqualification.objects.filter(campaign=campaign, lifted_at__isnull=True)
    }
    blank_cache: dict[BaseProfile, frozenset[str]] = {}
    indicator_items = {c for _, ind in model.indicators() for c in ind.items}
    inputs: list[BaseInput] = []
    submissions: dict[int, int] = {}
    for sub in sub_rows:
        base = sub.base
        sub_values = values.get(sub.pk, {})
        if not any(campaign.data_year in per_year for per_year in sub_values.values()):
            continue  # nothing of the data year filled in yet: not scorable
        profile = BaseProfile(
            category=base.category.code,
            industry_flags=frozenset(base.industry_flags or ()),
            producer_services_led=base.producer_services_led,
        )
        blank = blank_cache.get(profile)
        if blank is None:
            blank = frozenset(
                c for c in items if summary.status_for(fields[c], profile) in ("optional", "hidden")
            )
            blank_cache[profile] = blank
        incomplete = any(campaign.data_year not in sub_values.get(c, {}) for c in indicator_items - blank)
        if scope == ScoreRun.Scope.COMPLETE and sub.status not in SUBMITTED_STATES and incomplete:
            continue  # a draft still missing a mandatory item the model reads: not in a trial run
        expert_scores, expert_count = (expert or {}).get(base.pk, ({}, 0))
        inputs.append(
            BaseInput(
                base_id=base.pk,
                category=profile.category,
                values=sub_values,
                answers=answers.get(sub.pk, {}),
                blank_allowed=blank,
                expert=expert_scores,
                expert_count=expert_count,
                disqualified=reasons.get(base.pk, ""),
            )
        )
        submissions[base.pk] = sub.pk
    return ScoringData(inputs=inputs, submissions=submissions, read_seconds=time.perf_counter() - started)


def _ranks(results: Iterable[BaseResult]) -> tuple[dict[int, int], dict[int, tuple[int, int]]]:
    """Competition ranks (equal totals share a rank), nationally and within each category."""
    scored = sorted(
        ((r.base_id, r.category, r.total) for r in results if r.total is not None),
        key=lambda t: (-t[2], t[0]),
    )
    overall: dict[int, int] = {}
    by_cat: dict[str, list[tuple[int, float]]] = defaultdict(list)
    previous: float | None = None
    rank = 0
    for n, (base_id, cat, total) in enumerate(scored, start=1):
        if previous is None or abs(total - previous) > 1e-9:
            rank = n
        overall[base_id], previous = rank, total
        by_cat[cat].append((base_id, total))
    category: dict[int, tuple[int, int]] = {}
    for rows in by_cat.values():
        previous, rank = None, 0
        for n, (base_id, total) in enumerate(rows, start=1):
            if previous is None or abs(total - previous) > 1e-9:
                rank = n
            category[base_id], previous = (rank, len(rows)), total
    return overall, category


@transaction.atomic
def scoring_run(*, campaign: Campaign, user: User | None, scope: str = ScoreRun.Scope.SUBMITTED) -> ScoreRun:
    """Score the campaign's bases with its current model and store every result with its breakdown."""
    if scope not in ScoreRun.Scope.values:
        raise ValidationError("请选择参与评分的材料范围。")
    model = current_model(campaign)
    if model is None:
        model = scoring_model_load(campaign=campaign, user=user)
    started = time.perf_counter()
    definition = model.parsed()
    data = scoring_data(campaign, definition, scope=scope, expert=expert_means(campaign))
    if not data.inputs:
        raise ValidationError("没有可评分的材料：所选范围内尚无填报了本年度数据的示范基地。")
    results = score_all(definition, data.inputs, data_year=campaign.data_year)
    overall, category = _ranks(results.values())
    run = ScoreRun.objects.create(
        campaign=campaign,
        model=model,
        model_checksum=model.checksum,
        model_content=model.content,
        scope=scope,
        run_by=user if getattr(user, "pk", None) else None,
        base_count=len(results),
    )
    BaseScore.objects.bulk_create(
        [
            BaseScore(
                run=run,
                base_id=r.base_id,
                submission_id=data.submissions.get(r.base_id),
                total=_round(r.total),
                data_total=_round(r.data_total),
                bonus=r.bonus,
                deduction=r.deduction,
                dimensions={d.code: _round(d.score) for d in r.dimensions},
                indicator_values={
                    i.code: i.value for d in r.dimensions for i in d.indicators if i.value is not None
                },
                rank=overall.get(r.base_id),
                category_rank=category.get(r.base_id, (None, 0))[0],
                category_count=category.get(r.base_id, (None, 0))[1],
                disqualified_reason=r.disqualified,
                result=r.to_json(),
            )
            for r in results.values()
        ],
        batch_size=500,
    )
    run.seconds = time.perf_counter() - started
    run.save(update_fields=["seconds"])
    event_record(
        actor=user,
        action="evaluation.score_run",
        summary=f"{campaign.title}：评分 {run.base_count} 个示范基地（{run.get_scope_display()}）",
        target=run,
        data={"model": model.version, "checksum": model.checksum, "bases": run.base_count},
    )
    return run


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def current_run(campaign: Campaign) -> ScoreRun | None:
    return campaign.score_runs.order_by("-run_at", "-id").first()


# --- disqualification ----------------------------------------------------------------------------


@transaction.atomic
def disqualification_record(
    *, campaign: Campaign, base: Base, user: User, kind: str, reason: str
) -> Disqualification:
    """取消参评资格 for 瞒报/虚报, with the facts; the next scoring leaves the base out."""
    model = current_model(campaign)
    kinds = model.parsed().disqualification_reasons if model else ("瞒报", "虚报")
    if kind not in kinds:
        raise ValidationError(f"请选择情形：{'、'.join(kinds)}。")
    if not reason.strip():
        raise ValidationError("请写明认定瞒报、虚报的事实与依据。")
    if not campaign.bases.filter(pk=base.pk).exists():
        raise ValidationError("该示范基地未参加本年度评价。")
    if (
        Disqualification.objects.select_for_update()
        .filter(campaign=campaign, base=base, lifted_at__isnull=True)
        .exists()
    ):
        raise ValidationError("该示范基地已被取消本年度参评资格。")
    d = Disqualification.objects.create(
        campaign=campaign, base=base, kind=kind, reason=reason.strip(), decided_by=user
    )
    event_record(
        actor=user,
        action="evaluation.disqualify",
        summary=f"取消{base.name}{campaign.year}年度参评资格（{kind}）",
        target=d,
        base=base,
        authority=base.authority,
        data={"kind": kind, "reason": d.reason},
    )
    return d


@transaction.atomic
def disqualification_lift(*, disqualification: Disqualification, user: User, reason: str) -> Disqualification:
    d = (
        Disqualification.objects.select_for_update()
        .select_related("base__authority")
        .get(pk=disqualification.pk)
    )
    if d.lifted_at is not None:
        raise ValidationError("该认定已撤销。")
    if not reason.strip():
        raise ValidationError("请填写撤销理由。")
    d.lifted_at, d.lifted_by, d.lift_reason = timezone.now(), user, reason.strip()
    d.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    event_record(
        actor=user,
        action="evaluation.disqualify_lift",
        summary=f"撤销对{d.base.name}取消参评资格的认定",
        target=d,
        base=d.base,
        authority=d.base.authority,
        data={"reason": d.lift_reason},
    )
    return d


# --- data-quality checks -------------------------------------------------------------------------

# Words the reports use for an item besides its label in the 汇总表.
REPORT_ALIASES: dict[str, tuple[str, ...]] = {
    "6.1": ("年末从业人员", "从业人员"),
    "6.2": ("研发人员",),
    "1.3a": ("工业增加值",),
    "1.4b": ("规模以上企业",),
    "3.1": ("研发投入",),
    "2.1": ("税金",),
}


def _report_items(summary: FormDefinition) -> list[ReportItem]:
    items = []
    for fld in summary.fields():
        if fld.type not in ("amount", "count"):
            continue
        labels = {lab.removeprefix("其中：") for lab in fld.all_labels()}
        labels |= set(REPORT_ALIASES.get(fld.code, ()))
        items.append(ReportItem(code=fld.code, unit=fld.unit, labels=tuple(sorted(labels))))
    return items


def _report_texts(report: Any) -> list[tuple[str, str]]:
    if report is None:
        return []
    texts = [("发展概述", report.overview or "")]
    for part, label in (("highlights", "亮点和成效"), ("practices", "做法和经验")):
        for n, item in enumerate(getattr(report, part) or [], start=1):
            texts.append((f"{label}{n}", f"{item.get('lead', '')}。{item.get('content', '')}"))
    texts.append(("问题及建议", report.problems or ""))
    return [(w, t) for w, t in texts if t.strip()]


def previous_campaign(campaign: Campaign) -> Campaign | None:
    return Campaign.objects.filter(year__lt=campaign.year).order_by("-year").first()


@transaction.atomic
def quality_check_run(*, campaign: Campaign, user: User | None) -> QualityRun:
    """Check every filled material of the campaign and store the flags (the previous run's stay as history)."""
    started = time.perf_counter()
    model = current_model(campaign) or scoring_model_load(campaign=campaign, user=user)
    definition = model.parsed()
    rules = definition.quality
    summary = summary_definition(campaign.form_version)
    fields = summary.field_map()
    labels = {code: fld.label for code, fld in fields.items()} | {
        ind.code: ind.name for _, ind in definition.indicators()
    }
    numeric = [c for c, f in fields.items() if f.is_numeric]
    texts_fields = [c for c, f in fields.items() if f.type == "text"]
    yesno = [c for c, f in fields.items() if f.type == "yesno"]
    subs = list(
        Submission.objects.filter(campaign=campaign)
        .select_related("base__category", "report")
        .order_by("base_id")
    )
    by_sub = {s.pk: s for s in subs}
    values: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    answers: dict[int, dict[str, bool]] = defaultdict(dict)
    texts: dict[int, dict[str, str]] = defaultdict(dict)
    rows = Value.objects.filter(submission__campaign=campaign, form="summary").values_list(
        "submission_id", "code", "year", "value"
    )
    numeric_set, text_set, yesno_set = set(numeric), set(texts_fields), set(yesno)
    for sub_id, code, year, value in rows.iterator(chunk_size=5000):
        if code in numeric_set:
            n = _number(value)
            if n is not None:
                values[sub_id][code][year] = n
        elif code in text_set and isinstance(value, str):
            texts[sub_id][code] = value
        elif code in yesno_set:
            a = _answer(value)
            if a is not None:
                answers[sub_id][code] = a

    # Last campaign's figures and texts of the same bases.
    prev_values: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    prev_texts: dict[tuple[int, str], str] = {}
    before = previous_campaign(campaign)
    if before is not None:
        prev_subs = dict(Submission.objects.filter(campaign=before).values_list("pk", "base_id"))
        for sub_id, code, year, value in (
            Value.objects.filter(
                submission__campaign=before, form="summary", code__in=[*numeric, *texts_fields]
            )
            .values_list("submission_id", "code", "year", "value")
            .iterator(chunk_size=5000)
        ):
            base_id = prev_subs[sub_id]
            if code in numeric_set:
                n = _number(value)
                if n is not None:
                    prev_values[base_id][code][year] = n
            elif isinstance(value, str):
                prev_texts[(base_id, code)] = value
        for old in DevelopmentReport.objects.filter(submission__campaign=before).select_related("submission"):
            for where, text in _report_texts(old):
                prev_texts[(old.submission.base_id, f"report:{where}")] = text

    accepted = defaultdict(set)
    for sub_id, key in WarningExplanation.objects.filter(
        submission__campaign=campaign, verdict=WarningExplanation.Verdict.ACCEPTED
    ).values_list("submission_id", "finding_key"):
        parts = key.split(":")
        if len(parts) >= 3 and parts[0] == "yoy" and parts[2].isdigit():
            accepted[sub_id].add((parts[1], int(parts[2])))

    filled = [s for s in subs if any(campaign.data_year in per for per in values.get(s.pk, {}).values())]
    flags: dict[int, list[Flag]] = defaultdict(list)
    indicators = definition.indicator_map()
    plaus: dict[int, dict[str, float]] = {}
    categories = {}
    report_items = _report_items(summary)
    all_texts: list[Text] = []
    for sub in filled:
        vals = values[sub.pk]
        flags[sub.pk] += history_mismatches(
            vals,
            prev_values.get(sub.base_id, {}),
            years=campaign.history_years,
            tolerance=rules.history_tolerance,
            labels=labels,
        )
        flags[sub.pk] += unexplained_jumps(
            {c: v for c, v in vals.items() if fields[c].yoy},
            years=[campaign.data_year, campaign.data_year - 1],
            limit=rules.jump_percent,
            accepted=accepted.get(sub.pk, set()),
            labels=labels,
        )
        flags[sub.pk] += contradictions(
            vals,
            answers.get(sub.pk, {}),
            year=campaign.data_year,
            rules=rules.consistency,
            answer_checks=rules.answers,
        )
        report: DevelopmentReport | None = getattr(sub, "report", None)  # AttributeError when absent
        report_texts = _report_texts(report)
        flags[sub.pk] += report_contradictions(
            report_texts,
            vals,
            report_items,
            data_year=campaign.data_year,
            tolerance=rules.report_tolerance,
            labels=labels,
        )
        categories[sub.pk] = sub.base.category.code
        point: dict[str, float] = {}
        probe = BaseInput(base_id=sub.pk, category="", values=vals)
        for key in rules.plausibility:
            if key in indicators:
                v = indicator_value(indicators[key], probe, campaign.data_year)
            else:
                v = vals.get(key, {}).get(campaign.data_year)
            if v is not None:
                point[key] = v
        plaus[sub.pk] = point
        for code, text in texts[sub.pk].items():
            all_texts.append(
                Text(owner=sub.base_id, where=code, label=f"{code} {labels.get(code, '')[:20]}", text=text)
            )
        for where, text in report_texts:
            all_texts.append(
                Text(owner=sub.base_id, where=f"report:{where}", label=f"发展报告·{where}", text=text)
            )
    for sub_id, found in peer_outliers(
        plaus,
        categories,
        keys=rules.plausibility,
        limit=rules.mad_limit,
        labels=labels,
        year=campaign.data_year,
    ).items():
        flags[sub_id] += found
    sub_of_base = {s.base_id: s.pk for s in filled}
    names = {s.base_id: s.base.name for s in filled}
    for base_id, found in copied_texts(
        all_texts,
        prev_texts,
        k=rules.shingle,
        threshold=rules.copy_jaccard,
        min_chars=rules.copy_min_chars,
        names=names,
    ).items():
        flags[sub_of_base[base_id]] += found

    run = QualityRun.objects.create(
        campaign=campaign, run_by=user if getattr(user, "pk", None) else None, base_count=len(filled)
    )
    QualityFlag.objects.bulk_create(
        [
            QualityFlag(
                run=run,
                base_id=by_sub[sub_id].base_id,
                submission_id=sub_id,
                kind=f.kind,
                code=f.code,
                year=f.year,
                message=f.message,
                detail=f.detail,
            )
            for sub_id, found in flags.items()
            for f in found
        ],
        batch_size=1000,
    )
    counts = Counter(f.kind for found in flags.values() for f in found)
    run.counts = dict(counts)
    run.seconds = time.perf_counter() - started
    run.save(update_fields=["counts", "seconds"])
    event_record(
        actor=user,
        action="evaluation.quality_run",
        summary=f"{campaign.title}：数据质量检查 {run.base_count} 个示范基地，发现问题 {sum(counts.values())} 条",
        target=run,
        data={"counts": run.counts},
    )
    return run


def current_quality_run(campaign: Campaign) -> QualityRun | None:
    return campaign.quality_runs.order_by("-run_at", "-id").first()


@transaction.atomic
def quality_return(
    *, campaign: Campaign, base: Base, user: User, flag_ids: Iterable[int], comment: str
) -> Submission:
    """Send the base's material back (部级退回) with the chosen flags as comments at their items."""
    run = current_quality_run(campaign)
    if run is None:
        raise ValidationError("尚未进行数据质量检查。")
    chosen = list(run.flags.filter(base=base, pk__in=list(flag_ids)).select_for_update())
    if not chosen:
        raise ValidationError("请勾选要随退回发出的问题。")
    submission = Submission.objects.get(campaign=campaign, base=base)
    lines = "\n".join(f"· {f.get_kind_display()}：{f.message}" for f in chosen)
    text = f"{comment.strip()}\n数据质量问题：\n{lines}" if comment.strip() else f"数据质量问题：\n{lines}"
    fields = summary_definition(campaign.form_version).field_map()
    notes = [
        FieldNote(form="summary", code=f.code, year=f.year, text=f"{f.get_kind_display()}：{f.message}")
        for f in chosen
        if f.code in fields
    ]
    ministry_return(submission=submission, user=user, comment=text, field_notes=notes)
    now = timezone.now()
    QualityFlag.objects.filter(pk__in=[f.pk for f in chosen]).update(returned_at=now, returned_by=user)
    event_record(
        actor=user,
        action="evaluation.quality_return",
        summary=f"随退回向{base.name}发出数据质量问题 {len(chosen)} 条",
        target=submission,
        base=base,
        authority=base.authority,
        data={"flags": [f.pk for f in chosen]},
    )
    return submission


# --- expert review ---------------------------------------------------------------------------------


def province_of(authority: Authority | None) -> str:
    """The province an authority belongs to: the first two digits of its region code (计划单列市 and
    通信管理局 fall in their province); the Corps, without a code, is its own."""
    if authority is None:
        return ""
    return authority.region_code[:2] if authority.region_code else f"authority:{authority.pk}"


def expert_conflicts(expert: User, bases: Iterable[Base]) -> dict[int, str]:
    """Base id -> why the expert may not review it: a base of their own province, or a declared conflict."""
    profile = ExpertProfile.objects.filter(user=expert).select_related("authority").first()
    home = province_of(profile.authority) if profile else ""
    declared = dict(ExpertConflict.objects.filter(expert=expert).values_list("base_id", "reason"))
    out: dict[int, str] = {}
    for base in bases:
        if base.pk in declared:
            out[base.pk] = f"已申报利益冲突：{declared[base.pk]}"
        elif home and province_of(base.authority) == home:
            out[base.pk] = "本省（区、市）示范基地，须回避"
    return out


@transaction.atomic
def expert_profile_save(
    *, expert: User, authority: Authority | None, organisation: str, user: User
) -> ExpertProfile:
    if not authz.allows(Ask.EXPERT, expert):
        raise ValidationError("只能为评审专家填写所在省份。")
    if authority is None:
        raise ValidationError("请选择专家所在省份，用于利益冲突回避。")
    profile, _ = ExpertProfile.objects.select_for_update().get_or_create(user=expert)
    profile.authority, profile.organisation = authority, organisation.strip()[:100]
    profile.save(update_fields=["authority", "organisation"])
    conflicted = expert_conflicts(expert, expert.assigned_bases.select_related("authority"))
    if conflicted:
        expert.assigned_bases.remove(*conflicted)
    event_record(
        actor=user,
        action="evaluation.expert_profile",
        summary=f"评审专家{expert.display_name}：所在省份 {authority.short_name}",
        target=profile,
        data={"authority": authority.pk, "removed_conflicts": sorted(conflicted)},
    )
    return profile


@transaction.atomic
def expert_assign(*, expert: User, bases: Iterable[Base], user: User) -> list[Base]:
    """Set the bases assigned to the expert. A base with a conflict of interest is refused, named."""
    if not authz.allows(Ask.EXPERT, expert):
        raise ValidationError("只能向评审专家分配示范基地。")
    if not ExpertProfile.objects.filter(user=expert, authority__isnull=False).exists():
        raise ValidationError("请先填写专家所在省份，再分配示范基地（用于利益冲突回避）。")
    bases = list(bases)
    conflicts = expert_conflicts(expert, bases)
    if conflicts:
        names = {b.pk: b.name for b in bases}
        raise ValidationError(
            "以下示范基地存在利益冲突，不能分配："
            + "；".join(f"{names[pk]}（{why}）" for pk, why in conflicts.items())
        )
    before = set(expert.assigned_bases.values_list("pk", flat=True))
    expert.assigned_bases.set(bases)
    after = {b.pk for b in bases}
    event_record(
        actor=user,
        action="evaluation.expert_assign",
        summary=f"为评审专家{expert.display_name}分配示范基地 {len(after)} 个",
        target=expert,
        data={"added": sorted(after - before), "removed": sorted(before - after)},
    )
    return bases


@transaction.atomic
def expert_conflict_declare(*, expert: User, base: Base, reason: str) -> ExpertConflict:
    """The expert declares a conflict: the base is taken off their list and their score for it dropped."""
    if not reason.strip():
        raise ValidationError("请说明利益关系。")
    conflict, _ = ExpertConflict.objects.update_or_create(
        expert=expert, base=base, defaults={"reason": reason.strip()}
    )
    expert.assigned_bases.remove(base)
    ExpertScore.objects.filter(expert=expert, base=base).delete()
    event_record(
        actor=expert,
        action="evaluation.expert_conflict",
        summary=f"评审专家{expert.display_name}申报与{base.name}存在利益冲突，回避评审",
        target=conflict,
        base=base,
        authority=base.authority,
        data={"reason": conflict.reason},
    )
    return conflict


@transaction.atomic
def expert_score_save(
    *, campaign: Campaign, base: Base, expert: User, scores: dict[str, Any], comment: str
) -> ExpertScore:
    """Save an expert's 0-100 score per dimension with a comment; only for an assigned, unconflicted base."""
    if not authz.allows(Ask.EXPERT, expert) or not expert.assigned_bases.filter(pk=base.pk).exists():
        raise ValidationError("该示范基地未分配给您评审。")
    if expert_conflicts(expert, [base]):
        raise ValidationError("您与该示范基地存在利益冲突，须回避评审。")
    model = current_model(campaign)
    if model is None:
        raise ValidationError("本年度评分模型尚未加载，暂不能评分。")
    errors: dict[str, str] = {}
    clean: dict[str, float] = {}
    for dim in model.parsed().dimensions:
        raw = scores.get(dim.code)
        try:
            value = float(str(raw).strip())
        except (TypeError, ValueError):
            errors[dim.code] = f"请填写“{dim.name}”的评分（0-100）。"
            continue
        if not 0 <= value <= 100:
            errors[dim.code] = f"“{dim.name}”的评分须在 0 到 100 之间。"
            continue
        clean[dim.code] = value
    if not comment.strip():
        errors["comment"] = "请填写评审意见。"
    if errors:
        raise ValidationError(errors)
    score, _ = ExpertScore.objects.update_or_create(
        campaign=campaign,
        base=base,
        expert=expert,
        defaults={"scores": clean, "comment": comment.strip(), "updated_at": timezone.now()},
    )
    event_record(
        actor=expert,
        action="evaluation.expert_score",
        summary=f"评审专家{expert.display_name}为{base.name}评分",
        target=score,
        base=base,
        authority=base.authority,
        data={"scores": clean},
    )
    return score


def expert_means(campaign: Campaign) -> dict[int, tuple[dict[str, float], int]]:
    """Per base: each dimension's mean over the experts who scored it, and how many experts did."""
    sums: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    counts: Counter[int] = Counter()
    for base_id, scores in ExpertScore.objects.filter(campaign=campaign).values_list("base_id", "scores"):
        counts[base_id] += 1
        for dim, value in scores.items():
            sums[base_id][dim].append(float(value))
    return {
        base_id: ({dim: sum(vs) / len(vs) for dim, vs in dims.items()}, counts[base_id])
        for base_id, dims in sums.items()
    }


# --- star ratings ----------------------------------------------------------------------------------


def publication(campaign: Campaign) -> RatingPublication | None:
    return RatingPublication.objects.filter(campaign=campaign).first()


def _require_unpublished(campaign: Campaign) -> None:
    if RatingPublication.objects.filter(campaign=campaign).exists():
        raise ValidationError("本年度星级已发布，不能再修改。")


@transaction.atomic
def ratings_compute(*, campaign: Campaign, user: User | None) -> int:
    """Stars for every scored base of the latest run by the campaign's rule, overall and per dimension.
    The ministry's overrides stay (with their reasons); a disqualified base gets no stars."""
    _require_unpublished(campaign)
    run = current_run(campaign)
    if run is None:
        raise ValidationError("尚未评分，请先运行评分。")
    rule = run.parsed().stars
    scores = list(run.scores.filter(total__isnull=False))
    overall = stars_assign(
        {s.base_id: s.total for s in scores if s.total is not None}, method=rule.method, levels=rule.overall
    )
    per_dim: dict[str, dict[int, int]] = {}
    for dim in run.parsed().dimensions:
        values = {s.base_id: s.dimensions[dim.code] for s in scores if s.dimensions.get(dim.code) is not None}
        per_dim[dim.code] = stars_assign(values, method=rule.method, levels=rule.dimensions)
    existing = {r.base_id: r for r in Rating.objects.select_for_update().filter(campaign=campaign)}
    keep = {s.base_id for s in scores}
    Rating.objects.filter(campaign=campaign).exclude(base_id__in=keep).delete()
    new, changed = [], []
    for s in scores:
        dims = {code: stars[s.base_id] for code, stars in per_dim.items() if s.base_id in stars}
        r = existing.get(s.base_id)
        if r is None:
            new.append(
                Rating(
                    campaign=campaign,
                    base_id=s.base_id,
                    run=run,
                    score=s,
                    computed_stars=overall[s.base_id],
                    dimension_stars=dims,
                )
            )
        else:
            r.run, r.score, r.computed_stars, r.dimension_stars = run, s, overall[s.base_id], dims
            changed.append(r)
    Rating.objects.bulk_create(new, batch_size=500)
    Rating.objects.bulk_update(changed, ["run", "score", "computed_stars", "dimension_stars"], batch_size=500)
    counts = Counter(overall.values())
    event_record(
        actor=user,
        action="evaluation.ratings_compute",
        summary=f"{campaign.title}：按星级规则评定 {len(scores)} 个示范基地",
        target=run,
        data={"stars": {str(k): counts[k] for k in sorted(counts)}},
    )
    return len(scores)


@transaction.atomic
def rating_override(*, rating: Rating, user: User, stars: int | None, reason: str) -> Rating:
    """The ministry sets a base's stars by hand (or back to the rule's, with `stars` None), with a reason."""
    rating = Rating.objects.select_for_update().select_related("base__authority").get(pk=rating.pk)
    _require_unpublished(rating.campaign)
    if stars is not None and not 1 <= stars <= 5:
        raise ValidationError("星级须为 1 到 5。")
    if not reason.strip():
        raise ValidationError("调整星级须填写理由。")
    before = rating.stars
    rating.override_stars = stars
    rating.override_reason = reason.strip() if stars is not None else ""
    rating.override_by = user if stars is not None else None
    rating.override_at = timezone.now() if stars is not None else None
    rating.save(update_fields=["override_stars", "override_reason", "override_by", "override_at"])
    event_record(
        actor=user,
        action="evaluation.rating_override",
        summary=f"调整{rating.base.name}的星级：{before}星 → {rating.stars}星",
        target=rating,
        base=rating.base,
        authority=rating.base.authority,
        data={
            "before": before,
            "after": rating.stars,
            "computed": rating.computed_stars,
            "reason": reason.strip(),
        },
    )
    return rating


@transaction.atomic
def ratings_publish(*, campaign: Campaign, user: User, publish_on: dt.date) -> RatingPublication:
    """Publish the ratings on `publish_on`: each base's stars go into its star history, the model freezes."""
    _require_unpublished(campaign)
    ratings = list(Rating.objects.filter(campaign=campaign).select_related("run__model"))
    if not ratings:
        raise ValidationError("尚未评定星级，不能发布。")
    today = timezone.localdate()
    if publish_on < today:
        raise ValidationError("发布日期不能早于今天。")
    for r in ratings:
        StarRating.objects.update_or_create(
            base_id=r.base_id, year=campaign.year, defaults={"stars": r.stars}
        )
    ScoringModel.objects.filter(pk=ratings[0].run.model_id, frozen_at__isnull=True).update(
        frozen_at=timezone.now()
    )
    pub = RatingPublication.objects.create(campaign=campaign, publish_on=publish_on, published_by=user)
    counts = Counter(r.stars for r in ratings)
    event_record(
        actor=user,
        action="evaluation.ratings_publish",
        summary=f"发布{campaign.title}星级评定结果（{len(ratings)} 个示范基地，{publish_on:%Y-%m-%d} 起可见）",
        target=pub,
        data={"publish_on": publish_on.isoformat(), "stars": {str(k): counts[k] for k in sorted(counts)}},
    )
    return pub


def is_published(campaign: Campaign, *, today: dt.date | None = None) -> bool:
    pub = publication(campaign)
    return pub is not None and pub.publish_on <= (today or timezone.localdate())
