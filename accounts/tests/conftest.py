"""Fixtures for the accounts tests: a registry large enough to show query counts do not grow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from accounts.models import Role, User
from conftest import make_base, make_user
from registry.models import Authority, Base, Campaign, Category, StarRating


@pytest.fixture(autouse=True)
def production_password_age(settings) -> None:
    """The production maximum age (config.settings.test lifts it for clock-moving tests elsewhere)."""
    settings.PASSWORD_MAX_AGE_DAYS = 90


@pytest.fixture
def many_bases(db, base, sibling_base, other_base) -> Callable[[int], list[Base]]:
    """Adds `n` more bases spread over authorities, categories and batches; a few revoked."""

    def build(n: int) -> list[Base]:
        # Our authority (湖南) and the other one (江苏) first, so every role's scope grows.
        ours = [base.authority, other_base.authority]
        authorities = ours + list(
            Authority.objects.exclude(pk__in=[a.pk for a in ours]).order_by("sort_order")[:4]
        )
        categories = list(Category.objects.all())
        created = []
        for i in range(n):
            revoked = i % 7 == 0
            created.append(
                make_base(
                    f"批量示例基地{i:03d}",
                    authorities[i % len(authorities)],
                    categories[i % len(categories)],
                    batch=1 + i % 10,
                    status=Base.Status.REVOKED if revoked else Base.Status.ACTIVE,
                    revoked_on=dt.date(2021, 1, 1) if revoked else None,
                )
            )
        for b in created[:5]:
            StarRating.objects.create(base=b, year=2021, stars=3)
        return created

    return build


@pytest.fixture
def open_campaign(base, sibling_base, other_base) -> Campaign:
    """An open campaign whose base deadline is ten days away (in real time)."""
    now = timezone.now()
    c = Campaign.objects.create(
        year=now.year + 1,
        data_year=now.year,
        history_years=[now.year - 1, now.year - 2],
        title=f"{now.year + 1}年示范基地发展质量评价",
        form_version=str(now.year + 1),
        base_deadline=now + dt.timedelta(days=10),
        authority_deadline=now + dt.timedelta(days=17),
        status=Campaign.Status.OPEN,
    )
    c.bases.set([base, sibling_base])
    return c


@pytest.fixture
def make_account(db) -> Callable[..., User]:
    def build(username: str, role: str = Role.EXPERT, **extra) -> User:
        return make_user(username, role, **extra)

    return build
