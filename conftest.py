"""The shared cast every test uses.

Story: 湖南 authority supervises two bases, 长沙 (ours) and 株洲. 江苏 authority supervises 苏州.
- filler: fills in for 长沙.            - reviewer: 湖南's reviewer.
- other_reviewer: 江苏's reviewer.      - ministry: 规划司.
- expert: assigned 长沙 only.            - other_filler: fills in for 苏州.
- sysadmin / secadmin / auditor: the three operators (三员), who see no base data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from accounts.models import Role, User
from registry.models import Authority, Base, Campaign, Category

PASSWORD = "Test-Passw0rd!"


@pytest.fixture
def hunan(db) -> Authority:
    return Authority.objects.get(code="miit-430000")


@pytest.fixture
def jiangsu(db) -> Authority:
    return Authority.objects.get(code="miit-320000")


@pytest.fixture
def equipment(db) -> Category:
    return Category.objects.get(code="equipment")


@pytest.fixture
def software(db) -> Category:
    return Category.objects.get(code="software")


def make_base(name: str, authority: Authority, category: Category, **extra) -> Base:
    defaults = {"batch": 1, "lead_industry": name.split("·")[0].split("(")[0], "location": "示例"}
    defaults.update(extra)
    return Base.objects.create(name=name, authority=authority, category=category, **defaults)


@pytest.fixture
def base(hunan, equipment) -> Base:
    return make_base(
        "装备制造(工程机械)·长沙示例经济技术开发区", hunan, equipment, industry_flags=["equipment"]
    )


@pytest.fixture
def sibling_base(hunan, equipment) -> Base:
    return make_base("装备制造(轨道交通)·株洲示例高新技术产业开发区", hunan, equipment, batch=2)


@pytest.fixture
def other_base(jiangsu, software) -> Base:
    return make_base("软件和信息服务·苏州示例软件园", jiangsu, software, batch=3)


def make_user(username: str, role: str, **extra) -> User:
    user = User(username=username, role=role, full_name=extra.pop("full_name", username), **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def filler(base) -> User:
    return make_user("filler", Role.BASE_FILLER, base=base, full_name="张填报")


@pytest.fixture
def other_filler(other_base) -> User:
    return make_user("other_filler", Role.BASE_FILLER, base=other_base, full_name="钱填报")


@pytest.fixture
def reviewer(hunan, base, sibling_base) -> User:
    return make_user("reviewer", Role.AUTHORITY_REVIEWER, authority=hunan, full_name="李审核")


@pytest.fixture
def other_reviewer(jiangsu, other_base) -> User:
    return make_user("other_reviewer", Role.AUTHORITY_REVIEWER, authority=jiangsu, full_name="赵审核")


@pytest.fixture
def ministry(db) -> User:
    return make_user("ministry", Role.MINISTRY_ADMIN, full_name="王规划", is_staff=True)


@pytest.fixture
def expert(base) -> User:
    user = make_user("expert", Role.EXPERT, full_name="孙专家")
    user.assigned_bases.add(base)
    return user


@pytest.fixture
def sysadmin(db) -> User:
    return make_user("sysadmin", Role.SYSTEM_ADMIN, full_name="周系统", is_staff=True)


@pytest.fixture
def secadmin(db) -> User:
    return make_user("secadmin", Role.SECURITY_ADMIN, full_name="吴安全", is_staff=True)


@pytest.fixture
def auditor(db) -> User:
    return make_user("auditor", Role.AUDIT_ADMIN, full_name="郑审计", is_staff=True)


@pytest.fixture
def campaign(base, sibling_base, other_base) -> Campaign:
    tz = dt.timezone(dt.timedelta(hours=8))
    c = Campaign.objects.create(
        year=2022,
        data_year=2021,
        history_years=[2020, 2019],
        title="2022年示范基地发展质量评价",
        form_version="2022",
        base_deadline=dt.datetime(2022, 8, 24, 23, 59, 59, tzinfo=tz),
        authority_deadline=dt.datetime(2022, 8, 31, 23, 59, 59, tzinfo=tz),
        status=Campaign.Status.OPEN,
    )
    c.bases.set([base, sibling_base, other_base])
    return c


@pytest.fixture
def last_campaign(db) -> Campaign:
    """The campaign before `campaign` (2021, data year 2020), closed: last year's materials."""
    tz = dt.timezone(dt.timedelta(hours=8))
    return Campaign.objects.create(
        year=2021, data_year=2020, history_years=[2019, 2018], title="2021年示范基地发展质量评价",
        form_version="2022", base_deadline=dt.datetime(2021, 8, 24, tzinfo=tz),
        authority_deadline=dt.datetime(2021, 8, 31, tzinfo=tz), status=Campaign.Status.CLOSED,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _status_caches_cleared():
    """submissions.status keeps materials' cells per process, keyed on their revision; the test
    database, rolled back between tests, gives the same keys and revisions to other data."""
    yield
    from submissions.status import caches_clear

    caches_clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Close this worker's database connections before its session drops the test database.

    Once a browser test has started Playwright, later tests reach Django's connections through
    another context than the session's own teardown does: that teardown closes only the connection
    it sees, and a plain test's connection left open in the other context makes PostgreSQL refuse to
    drop the database ("being accessed by other users"). The session's fixtures are finalized inside
    the last test's teardown, so this runs just before them.
    """
    if nextitem is None:
        from django.db import connections

        connections.close_all()
    yield
