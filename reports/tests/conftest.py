"""Fixtures for the reports tests: a submission for each base, star ratings, filled-in texts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import make_base
from definitions.models import Definition
from registry.models import Authority, Base, Campaign, Category, StarRating
from submissions.models import Submission


def filled_items(n: int, noun: str = "成效") -> list[dict[str, str]]:
    return [
        {"lead": f"{noun}{i + 1}：领句", "content": f"{noun}{i + 1}的具体内容，包含关键数字。"}
        for i in range(n)
    ]


@pytest.fixture
def definition(db) -> Definition:
    return Definition.objects.create(
        version="test", code="summary", title="汇总表（测试）", content={}, checksum="0" * 64
    )


@pytest.fixture
def make_submission(campaign, definition) -> Callable[..., Submission]:
    def build(base: Base, **extra: Any) -> Submission:
        return Submission.objects.create(campaign=campaign, base=base, summary_definition=definition, **extra)

    return build


@pytest.fixture
def submission(make_submission, base) -> Submission:
    return make_submission(base)


@pytest.fixture
def sibling_submission(make_submission, sibling_base) -> Submission:
    return make_submission(sibling_base)


@pytest.fixture
def other_submission(make_submission, other_base) -> Submission:
    return make_submission(other_base)


@pytest.fixture
def report_texts() -> dict[str, Any]:
    return {
        "overview": "示范基地总体特点和发展实力。" * 10,
        "highlights": filled_items(3, "成效"),
        "practices": filled_items(4, "经验"),
        "problems": "存在的问题及建议。",
    }


@pytest.fixture
def add_bases(campaign) -> Callable[..., list[Base]]:
    """Adds `n` participating bases to an authority (the campaign already has the cast's bases)."""

    def build(authority: Authority, n: int, *, prefix: str = "示例基地") -> list[Base]:
        category = Category.objects.get(code="equipment")
        bases = [make_base(f"{prefix}{authority.short_name}{i:02d}", authority, category) for i in range(n)]
        campaign.bases.add(*bases)
        return bases

    return build


@pytest.fixture
def five_star(db) -> Callable[[Base, int], StarRating]:
    def build(base: Base, year: int = 2021, stars: int = 5) -> StarRating:
        return StarRating.objects.create(base=base, year=year, stars=stars)

    return build


@pytest.fixture
def case_values() -> dict[str, Any]:
    return {
        "title": "实施智能制造伙伴计划，加快园区数字化转型",
        "background": "为加快推动产业园区智改数转，示范基地创新推出智能制造伙伴计划。",
        "practices": filled_items(3, "做法"),
        "results": "推动各类智改数转项目50个，项目投资额接近30亿元。",
        "aspects": ["digital"],
    }


@pytest.fixture
def closed_campaign(campaign) -> Campaign:
    campaign.status = Campaign.Status.CLOSED
    campaign.save(update_fields=["status"])
    return campaign
