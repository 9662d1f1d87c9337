"""The evaluation of the demo's current campaign, so every evaluation page shows real numbers: the
scoring model, a data-quality check, expert scores from three experts, a trial scoring of every
submitted or completely filled material, star ratings by the 2022 rule, published today."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from evaluation.models import ExpertProfile, ScoreRun
from evaluation.services import (
    expert_assign,
    expert_profile_save,
    expert_score_save,
    quality_check_run,
    ratings_compute,
    ratings_publish,
    scoring_model_load,
    scoring_run,
)
from registry.models import Authority, Campaign

# Two more experts so the ministry sees a spread between experts; they have no password (data only).
EXTRA_EXPERTS = (("demo_expert_b", "钱评审"), ("demo_expert_c", "冯评审"))
COMMENTS = (
    "主导产业集聚度高，龙头企业带动作用明显，建议进一步加强产业链协同创新。",
    "研发投入强度较高，但绿色低碳指标与同类基地相比仍有差距。",
    "数据翔实，公共服务平台建设成效突出，两化融合水平有待提升。",
)


@dataclass
class EvaluationDemo:
    scored: int
    flagged: int
    rated: int
    expert_scores: int


def _experts(ministry: User | None) -> list[User]:
    experts = list(User.objects.filter(username="demo_expert", role=Role.EXPERT, is_active=True))
    if not experts:
        return []
    main = experts[0]
    bases = list(main.assigned_bases.select_related("authority"))
    provinces = {b.authority.region_code[:2] for b in bases if b.authority.region_code}
    home = (
        Authority.objects.filter(kind=Authority.Kind.PROVINCE)
        .exclude(region_code__regex=r"^(" + "|".join(sorted(provinces) or ["xx"]) + ")")
        .order_by("sort_order")
        .first()
    )
    for username, name in EXTRA_EXPERTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": Role.EXPERT, "full_name": name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        experts.append(user)
    for expert in experts:
        if (
            not ExpertProfile.objects.filter(user=expert, authority__isnull=False).exists()
            and home is not None
        ):
            expert_profile_save(
                expert=expert, authority=home, organisation="演示评审专家库", user=ministry or expert
            )
        if expert is not main:
            expert_assign(expert=expert, bases=bases, user=ministry or expert)
    return experts


@transaction.atomic
def demo_evaluation_load(*, campaign: Campaign, seed: int = 2022) -> EvaluationDemo:
    ministry = User.objects.filter(username="demo_ministry").first()
    model = scoring_model_load(campaign=campaign, user=ministry)
    rng = random.Random(seed)
    count = 0
    for expert in _experts(ministry):
        for base in expert.assigned_bases.filter(campaigns=campaign):
            scores = {d.code: rng.randint(55, 95) for d in model.parsed().dimensions}
            expert_score_save(
                campaign=campaign, base=base, expert=expert, scores=scores, comment=rng.choice(COMMENTS)
            )
            count += 1
    quality = quality_check_run(campaign=campaign, user=ministry)
    run = scoring_run(campaign=campaign, user=ministry, scope=ScoreRun.Scope.COMPLETE)
    rated = ratings_compute(campaign=campaign, user=ministry)
    if ministry is not None:
        ratings_publish(campaign=campaign, user=ministry, publish_on=timezone.localdate())
    return EvaluationDemo(
        scored=run.base_count, flagged=sum(quality.counts.values()), rated=rated, expert_scores=count
    )
