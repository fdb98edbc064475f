"""点单: who may submit what, what is checked, and what a submission records."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.lib.errors import Forbidden, Invalid
from baodao.needs.models import Kind, Need, NeedEvent, Status
from baodao.needs.services import need_submit
from baodao.notify.models import Notice
from tests.needs.helpers import CJK, member_in, task, wish

pytestmark = pytest.mark.django_db


def submit(c, actor, *, kind=Kind.WISH, community="C1", grid="C1G1", **kwargs):
    fields = {"title": "楼道灯坏了", "category": "repair"}
    fields.update(kwargs)
    return need_submit(
        actor=actor,
        kind=kind,
        community=c.r(community),
        grid=c.r(grid) if grid else None,
        **fields,
    )


def test_it_takes_a_residents_wish_for_vetting(c):
    need = wish(c, description="厨房水龙头一直滴水")
    assert (need.status, need.kind, need.requester, need.submitted_by) == (
        Status.SUBMITTED,
        Kind.WISH,
        c.resident,
        c.resident,
    )
    assert not need.on_behalf
    assert need.path == c.r("C1G1").path
    assert need.contact_name == c.resident.name and need.contact_phone == "13700000001"
    assert need.respond_by is not None and need.resolve_by is not None
    assert [e.kind for e in need.events.all()] == [NeedEvent.Kind.SUBMITTED]
    assert list(Notice.objects.values_list("user", "title")) == [(c.admin.pk, "有新的微心愿待审核")]


def test_a_member_living_in_the_community_submits_as_a_resident(c):
    need = submit(c, c.member.user, kind=Kind.REQUEST)
    assert (need.requester, need.on_behalf) == (c.member.user, False)


def test_a_grid_worker_takes_one_down_for_a_resident_without_a_phone(c):
    need = submit(
        c, c.grid_worker, kind=Kind.REQUEST, contact_name="独居的刘奶奶", contact_phone="", address="3栋"
    )
    assert need.requester is None and need.submitted_by == c.grid_worker and need.on_behalf
    assert need.contact_name == "独居的刘奶奶" and need.contact_phone == ""
    # the timeline says it was taken down for a resident, not who: the name stays in the contact block
    assert need.events.get().note == "代居民提交"


def test_on_behalf_needs_the_residents_name(c):
    with pytest.raises(Invalid) as caught:
        submit(c, c.grid_worker, contact_name="  ")
    assert "contact_name" in caught.value.fields


def test_the_community_admin_may_also_take_one_down(c):
    need = submit(c, c.admin, grid=None, contact_name="刘奶奶")
    assert need.on_behalf and need.requester is None and need.path == c.r("C1").path


@pytest.mark.parametrize(
    ("who", "community", "grid"),
    [
        ("resident", "C2", "C2G1"),  # not its community
        ("grid_worker", "C1", "C1G2"),  # not its grid
        ("grid_worker", "C1", None),  # a grid worker answers for its grid only
        ("other_member", "C1", "C1G1"),  # lives in C2
        ("other_community_admin", "C1", "C1G1"),
        ("far_community_admin", "C1", "C1G1"),
        ("street_admin", "C1", "C1G1"),
        ("district_admin", "C1", "C1G1"),
        ("unit_admin", "C1", "C1G1"),
    ],
)
def test_outsiders_may_not_submit_for_a_community(c, who, community, grid):
    actor = c.w.users[who]
    with pytest.raises(Forbidden) as caught:
        submit(c, actor, community=community, grid=grid, contact_name="某人")
    assert CJK.search(caught.value.detail)
    assert not Need.objects.exists()


@pytest.mark.parametrize("kind", [Kind.SERVICE, Kind.TASK])
@pytest.mark.parametrize(
    "who", ["resident", "grid_worker", "member", "street_admin", "other_community_admin"]
)
def test_only_the_community_admin_creates_services_and_tasks(c, kind, who):
    with pytest.raises(Forbidden) as caught:
        submit(c, c.w.users[who], kind=kind, contact_name="某人")
    assert caught.value.detail == "服务清单和任务清单由社区管理员发布。"
    assert not Need.objects.exists()


def test_a_community_task_may_be_published_at_once(c):
    due = timezone.now() + timedelta(days=3)
    need = task(c, places=5, due_at=due, skills=["法律咨询"])
    assert (need.status, need.places, need.taken, need.skills) == (Status.PUBLISHED, 5, 0, ["legal"])
    assert need.requester is None and need.respond_by is None and need.resolve_by == due
    assert [e.kind for e in need.events.all()] == ["created", "published"]


def test_a_community_task_not_published_waits(c):
    need = task(c, publish=False)
    assert need.status == Status.SUBMITTED
    assert [e.kind for e in need.events.all()] == ["created"]


def test_a_resident_may_not_publish_its_own_wish(c):
    with pytest.raises(Forbidden):
        submit(c, c.resident, publish=True)
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "chore"}, "kind"),
        ({"title": "  "}, "title"),
        ({"title": "长" * 81}, "title"),
        ({"description": "长" * 2001}, "description"),
        ({"category": "gardening"}, "category"),
        ({"grid": "C2G1"}, "grid"),
        ({"community": "S1", "grid": None}, "community"),
        ({"places": 0}, "places"),
        ({"places": 1001}, "places"),
        ({"places": "五"}, "places"),
        ({"skills": ["飞行"]}, "skills"),
        ({"due_at": "past"}, "due_at"),
        ({"starts_at": "late"}, "starts_at"),
    ],
)
def test_it_refuses_bad_input_with_the_field(c, changes, field):
    changes = dict(changes)
    now = timezone.now()
    if changes.get("due_at") == "past":
        changes["due_at"] = now - timedelta(minutes=1)
    if changes.get("starts_at") == "late":
        changes.update(starts_at=now + timedelta(days=2), due_at=now + timedelta(days=1))
    with pytest.raises(Invalid) as caught:
        submit(c, c.admin, **{"kind": Kind.TASK, **changes})
    assert field in caught.value.fields, caught.value.fields
    assert CJK.search(caught.value.detail)
    assert not Need.objects.exists()


def test_a_category_may_be_given_by_its_chinese_name(c):
    assert submit(c, c.resident, category="设施维修").category == "repair"


def test_a_members_residence_not_its_registration_makes_it_a_resident(c):
    newcomer = member_in(c, "刚搬来的", community="C1", grid="C1G2", register=False)
    need = submit(c, newcomer.user, grid="C1G2")
    assert need.requester == newcomer.user


@pytest.mark.parametrize(
    "phone", ["13800138000", "0571-88886666", "010 6512 3456", "+86 138 0013 8000", "+8613800138000"]
)
def test_it_takes_a_mobile_or_a_landline_as_people_write_it(c, phone):
    need = submit(c, c.grid_worker, contact_name="刘奶奶", contact_phone=f" {phone} ")
    assert need.contact_phone == phone


@pytest.mark.parametrize(
    "phone",
    [
        "abc",
        "1380013800a",
        "138-0013-800O",
        "12345",
        "-13800138000",
        "13800138000-",
        "1" * 21,
        "+" + "1" * 20,
    ],
)
def test_it_refuses_what_is_not_a_phone_number(c, phone):
    for actor, extra in ((c.grid_worker, {"contact_name": "刘奶奶"}), (c.resident, {})):
        with pytest.raises(Invalid) as caught:
            submit(c, actor, contact_phone=phone, **extra)
        assert list(caught.value.fields) == ["contact_phone"]
        assert caught.value.detail == "联系电话格式不正确，请填写手机号或带区号的固定电话。"
    assert not Need.objects.exists()
