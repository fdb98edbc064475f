"""The demo's posts, branch, volunteer team and lead members (baodao/demo/posts.py), as the seed builds them
at the small size the demo tests use."""

import pytest

from baodao.accounts.models import Grant
from baodao.demo.posts import BRANCH, EMERGENCY, REGULAR, TEAM
from baodao.posts.models import GridLead, HolderStatus, Kind, Post, PostHolder, Team
from tests.commands.test_seed_demo import seed

REGISTERED_MEMBER = "13900000007"


@pytest.fixture
def demo(db):
    return seed()


def test_it_sets_the_posts_and_fills_them(demo):
    assert set(Post.objects.values_list("community__code", flat=True)) == {"HB01"}
    assert "岗位与队伍：12 个岗位" in demo
    titles = dict(Post.objects.filter(active=True).values_list("title", "kind"))
    assert {t for t, k in titles.items() if k == Kind.REGULAR} == {s.title for s in REGULAR}
    assert (
        {t for t, k in titles.items() if k == Kind.EMERGENCY}
        == {
            "物资配送",
            "核酸检测/防疫",
            "环境消杀",
            "应急巡逻",
            "卫生清扫",
            "防汛抢险",
        }
        == {s.title for s in EMERGENCY}
    )
    assert not Post.objects.filter(duties="").exists()
    # emergency posts have 8 to 30 confirmed holders, and the counters agree
    for post in Post.objects.all():
        confirmed = post.holders.filter(status=HolderStatus.CONFIRMED).count()
        assert post.taken == confirmed <= post.headcount
        if post.kind == Kind.EMERGENCY:
            assert 8 <= confirmed <= 30, post.title
        else:
            assert confirmed >= 2, post.title
    statuses = set(PostHolder.objects.values_list("status", flat=True))
    assert statuses == {
        HolderStatus.CONFIRMED,
        HolderStatus.PENDING,
        HolderStatus.REJECTED,
        HolderStatus.WITHDRAWN,
    }
    assert PostHolder.objects.filter(status=HolderStatus.PENDING).count() >= 2
    assert PostHolder.objects.get(status=HolderStatus.WITHDRAWN).reason
    # every holder is registered in the community
    assert not PostHolder.objects.exclude(member__registered_community__code="HB01").exists()
    # the registered demo member holds two posts, waits for one and leads the team
    mine = dict(
        PostHolder.objects.filter(member__user__phone=REGISTERED_MEMBER).values_list("post__title", "status")
    )
    assert mine == {"物资配送": "confirmed", "法律咨询": "confirmed", "政策宣传": "pending"}
    team = Team.objects.get(name=TEAM)
    assert team.leader.user.phone == REGISTERED_MEMBER and team.kind == "team"


def test_it_forms_a_branch_and_a_team_with_leaders_and_names_lead_members(demo):
    for name, kind in ((BRANCH, "branch"), (TEAM, "team")):
        team = Team.objects.get(name=name)
        assert team.kind == kind and team.community.code == "HB01"
        assert 10 <= team.memberships.count() <= 20
        assert team.leader is not None and team.memberships.filter(member=team.leader).exists()
    # the grid worker names two lead members of its grid
    leads = GridLead.objects.select_related("grid", "member", "designated_by")
    assert leads.count() == 2
    grid = Grant.objects.get(user__phone="13900000004").region
    for lead in leads:
        assert lead.grid == grid and lead.member.grid == grid and lead.note
        assert lead.member.registered_community == grid.parent
        assert lead.designated_by.phone == "13900000004"
