"""Campaign services: who takes part by default, and how the status may move."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from definitions.models import Definition, content_checksum
from registry.campaigns import campaign_close, campaign_create, campaign_open
from registry.models import Base, Campaign

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def form_2023(db) -> Definition:
    """Campaigns open only against a loaded form version; a one-item summary form is enough here."""
    content = {
        "code": "summary", "version": "2023", "title": "汇总表（2023年版）",
        "sections": [{"code": "一", "title": "总体发展情况",
                      "fields": [{"code": "1.1", "label": "销售收入", "type": "amount", "unit": "亿元", "years": [0]}]}],
    }  # fmt: skip
    return Definition.objects.create(
        version="2023",
        code="summary",
        title=content["title"],
        content=content,
        checksum=content_checksum(content),
    )


def create(**overrides) -> Campaign:
    args = {
        "year": 2023,
        "data_year": 2022,
        "history_years": [2021, 2020],
        "title": "2023年示范基地发展质量评价",
        "form_version": "2023",
        "base_deadline": dt.datetime(2023, 8, 24, 23, 59, 59, tzinfo=TZ),
        "authority_deadline": dt.datetime(2023, 8, 31, 23, 59, 59, tzinfo=TZ),
    }
    args.update(overrides)
    return campaign_create(**args)


def revoke(base: Base) -> None:
    Base.objects.filter(pk=base.pk).update(status=Base.Status.REVOKED, revoked_on=dt.date(2022, 1, 5))
    base.refresh_from_db()


class TestCampaignCreate:
    def test_new_campaign_is_a_draft_with_its_years(self, base):
        campaign = create()
        assert campaign.status == Campaign.Status.DRAFT
        assert campaign.years == [2022, 2021, 2020]

    def test_default_participants_are_all_active_bases(self, base, sibling_base, other_base):
        revoke(sibling_base)
        campaign = create()
        assert set(campaign.bases.all()) == {base, other_base}

    def test_revoked_base_keeps_its_earlier_campaigns(self, base, sibling_base):
        earlier = create(year=2021, data_year=2020, history_years=[2019, 2018])
        revoke(sibling_base)
        later = create()
        assert sibling_base in earlier.bases.all()
        assert sibling_base not in later.bases.all()

    def test_explicit_participants_are_used(self, base, sibling_base, other_base):
        campaign = create(bases=[base, other_base])
        assert set(campaign.bases.all()) == {base, other_base}

    def test_it_refuses_a_revoked_base_given_explicitly(self, base, sibling_base):
        revoke(sibling_base)
        with pytest.raises(ValidationError) as exc:
            create(bases=[base, sibling_base])
        assert "已取消称号" in str(exc.value.message_dict["bases"])
        assert not Campaign.objects.exists()

    def test_it_refuses_a_second_campaign_for_the_same_year(self, base):
        create()
        with pytest.raises(ValidationError) as exc:
            create(title="重复")
        assert "已存在" in exc.value.message_dict["year"][0]
        assert Campaign.objects.count() == 1

    def test_it_refuses_authority_deadline_before_base_deadline(self, base):
        with pytest.raises(ValidationError) as exc:
            create(authority_deadline=dt.datetime(2023, 8, 1, tzinfo=TZ))
        assert "不能早于" in exc.value.message_dict["authority_deadline"][0]

    def test_it_refuses_history_years_not_before_the_data_year(self, base):
        with pytest.raises(ValidationError) as exc:
            create(history_years=[2022, 2021])
        assert "历史年度" in exc.value.message_dict["history_years"][0]

    def test_it_refuses_naive_deadlines(self, base):
        with pytest.raises(ValidationError) as exc:
            create(base_deadline=dt.datetime(2023, 8, 24, 23, 59, 59))
        assert "时区" in exc.value.message_dict["base_deadline"][0]


class TestCampaignOpen:
    def test_it_opens_a_draft(self, base):
        campaign = create()
        campaign_open(campaign=campaign)
        assert campaign.status == Campaign.Status.OPEN
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.OPEN

    def test_opening_freezes_its_form_version_and_is_recorded(self, base, form_2023, ministry):
        campaign_open(campaign=create(), user=ministry)
        form_2023.refresh_from_db()
        assert form_2023.is_frozen
        event = Event.objects.get(action="campaign.open")
        assert (event.actor, event.data["definitions"]) == (ministry, ["summary"])

    def test_it_refuses_a_form_version_that_is_not_loaded(self, base):
        campaign = create(form_version="2099")
        with pytest.raises(ValidationError) as exc:
            campaign_open(campaign=campaign)
        assert "尚未加载" in exc.value.messages[0]
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.DRAFT

    def test_it_refuses_a_campaign_without_bases(self, base):
        campaign = create(bases=[])
        with pytest.raises(ValidationError) as exc:
            campaign_open(campaign=campaign)
        assert "尚未选择参评示范基地" in exc.value.messages[0]
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.DRAFT

    def test_it_refuses_when_no_base_holds_its_title(self, base):
        revoke(base)
        campaign = create()
        with pytest.raises(ValidationError):
            campaign_open(campaign=campaign)

    def test_it_refuses_an_open_campaign_even_from_a_stale_copy(self, base):
        campaign = create()
        stale = Campaign.objects.get(pk=campaign.pk)
        campaign_open(campaign=campaign)
        with pytest.raises(ValidationError) as exc:
            campaign_open(campaign=stale)
        assert "只有筹备中" in exc.value.messages[0]

    def test_it_refuses_a_closed_campaign(self, base):
        campaign = create()
        campaign_open(campaign=campaign)
        campaign_close(campaign=campaign)
        with pytest.raises(ValidationError):
            campaign_open(campaign=campaign)
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.CLOSED


class TestCampaignClose:
    def test_it_closes_an_open_campaign(self, base):
        campaign = create()
        campaign_open(campaign=campaign)
        campaign_close(campaign=campaign)
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.CLOSED

    def test_it_refuses_a_draft(self, base):
        campaign = create()
        with pytest.raises(ValidationError) as exc:
            campaign_close(campaign=campaign)
        assert "只有填报中" in exc.value.messages[0]
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.DRAFT

    def test_it_refuses_a_closed_campaign(self, base):
        campaign = create()
        campaign_open(campaign=campaign)
        campaign_close(campaign=campaign)
        with pytest.raises(ValidationError):
            campaign_close(campaign=campaign)
