"""The access helper decides what each role may see; every role is tried against others' objects."""

import pytest
from django.http import Http404

from permissions.access import access_authority, access_base, visible_authorities, visible_bases


class TestVisibleBases:
    def test_filler_sees_only_own_base(self, filler, base, sibling_base, other_base):
        assert list(visible_bases(filler)) == [base]

    def test_reviewer_sees_own_authoritys_bases(self, reviewer, base, sibling_base, other_base):
        assert set(visible_bases(reviewer)) == {base, sibling_base}

    def test_ministry_sees_all(self, ministry, base, sibling_base, other_base):
        assert set(visible_bases(ministry)) == {base, sibling_base, other_base}

    def test_expert_sees_only_assigned(self, expert, base, sibling_base, other_base):
        assert list(visible_bases(expert)) == [base]

    @pytest.mark.parametrize("role_fixture", ["sysadmin", "secadmin", "auditor"])
    def test_operators_see_no_base(self, request, role_fixture, base, other_base):
        assert not visible_bases(request.getfixturevalue(role_fixture)).exists()

    def test_inactive_user_sees_nothing(self, filler):
        filler.is_active = False
        filler.save(update_fields=["is_active"])
        assert not visible_bases(filler).exists()


class TestAccessBase:
    def test_it_refuses_other_base_to_filler(self, filler, sibling_base):
        with pytest.raises(Http404):
            access_base(filler, sibling_base.pk)

    def test_it_refuses_other_authority(self, reviewer, other_base):
        with pytest.raises(Http404):
            access_base(reviewer, other_base.pk)

    def test_it_refuses_garbage_ids(self, ministry):
        with pytest.raises(Http404):
            access_base(ministry, "abc")

    def test_it_returns_own(self, reviewer, base):
        assert access_base(reviewer, base.pk) == base


class TestAccessAuthority:
    def test_reviewer_sees_only_own(self, reviewer, hunan, jiangsu):
        assert list(visible_authorities(reviewer)) == [hunan]
        with pytest.raises(Http404):
            access_authority(reviewer, jiangsu.pk)

    def test_filler_sees_own_bases_authority(self, filler, hunan):
        assert list(visible_authorities(filler)) == [hunan]
