"""The inbox: at each step the parties concerned hear what changed — never the person who acted — and the
configured channels deliver a copy (text message) from the task queue once the step has committed."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from baodao.accounts.models import Grant, Role, User
from baodao.needs.models import Kind
from baodao.needs.services import (
    claim_lapse,
    need_assign,
    need_claim,
    need_close,
    need_complete,
    need_confirm,
    need_decline,
    need_dispute,
    need_merge,
    need_publish,
    need_reopen,
    need_submit,
    need_withdraw,
)
from baodao.notify.models import Notice, Outbox
from baodao.notify.services import notice_read
from tests.needs.helpers import member_in, task, wish


class Inbox:
    """What arrived since the last look: {(person, title)}."""

    def __init__(self, c):
        self.c = c
        self.seen = 0
        self.names = {
            c.resident.pk: "resident",
            c.admin.pk: "admin",
            c.member.user.pk: "member",
            c.helper.user.pk: "helper",
            c.grid_worker.pk: "grid_worker",
            c.street_admin.pk: "street_admin",
            c.unit_admin.pk: "unit_admin",
        }
        self.new()

    def new(self):
        fresh = Notice.objects.filter(pk__gt=self.seen).order_by("pk")
        got = {(self.names.get(n.user_id, n.user_id), n.title) for n in fresh}
        self.seen = max([n.pk for n in fresh] or [self.seen])
        return got


@pytest.mark.django_db
def test_who_hears_what_along_a_wish(c):
    inbox = Inbox(c)
    need = wish(c)
    assert inbox.new() == {("admin", "有新的微心愿待审核")}
    need_publish(actor=c.admin, need=need)
    assert inbox.new() == {("resident", "您的需求已受理并发布")}
    need_claim(actor=c.member.user, need=need)
    assert inbox.new() == {("admin", "需求已被认领"), ("resident", "需求已被认领")}
    need_withdraw(actor=c.member.user, need=need, reason="临时出差")
    assert inbox.new() == {("admin", "有人退出了认领"), ("resident", "有人退出了认领")}
    claim = need_claim(actor=c.helper.user, need=need)
    inbox.new()
    claim_lapse(claim_id=claim.pk, now=claim.lapses_at)
    assert inbox.new() == {
        ("helper", "您的认领已超时失效"),
        ("admin", "认领超时失效，名额已重新开放"),
        ("resident", "认领超时失效，名额已重新开放"),
    }
    need_assign(actor=c.admin, need=need, member=c.member)
    assert inbox.new() == {("member", "社区指派给您一项需求"), ("resident", "您的需求已有人承接")}
    need_complete(actor=c.member.user, need=need, note="好了", hours=1)
    assert inbox.new() == {("resident", "请确认办结并评价")}
    need_dispute(actor=c.resident, need=need, reason="没好")
    assert inbox.new() == {("admin", "办结有异议"), ("member", "办结有异议")}
    need_reopen(actor=c.admin, need=need)
    assert inbox.new() == {("member", "办结被退回重办")}
    need_complete(actor=c.member.user, need=need, note="这回好了", hours=1)
    inbox.new()
    need_confirm(actor=c.resident, need=need, rating=5)
    assert inbox.new() == {("member", "您的服务已确认，记入服务台账")}


@pytest.mark.django_db
def test_who_hears_what_along_a_task(c):
    inbox = Inbox(c)
    need = task(c, places=2)
    assert inbox.new() == set()  # the community created it itself
    need_claim(actor=c.member.user, need=need)
    assert inbox.new() == {("admin", "需求已被认领")}
    need_claim(actor=c.helper.user, need=need)
    inbox.new()
    need_complete(actor=c.member.user, need=need, note="好了", hours=1)
    assert inbox.new() == {("admin", "请确认办结并评价")}
    need_confirm(actor=c.admin, need=need, rating=5)
    assert inbox.new() == {("member", "您的服务已确认，记入服务台账")}
    need_close(actor=c.admin, need=need, reason="活动结束")
    assert inbox.new() == {("helper", "社区已关闭您认领的需求")}


@pytest.mark.django_db
def test_decline_and_merge_tell_the_resident(c):
    inbox = Inbox(c)
    target = wish(c, title="同一件事")
    need_decline(actor=c.admin, need=wish(c), reason="重复")
    inbox.new()
    need_merge(actor=c.admin, need=wish(c, title="又一条"), into=target)
    assert inbox.new() == {("admin", "有新的微心愿待审核"), ("resident", "您的需求已与相同事项合并办理")}
    assert Notice.objects.filter(user=c.resident, title="您的需求未予受理", body="重复").exists()


@pytest.mark.django_db
def test_the_person_who_acts_is_never_told_of_its_own_step(c):
    inbox = Inbox(c)
    # the community admin takes down a request for a resident without a phone: it stands in for the resident
    need = need_submit(
        actor=c.admin,
        kind=Kind.REQUEST,
        title="积水",
        category="repair",
        community=c.r("C1"),
        contact_name="刘奶奶",
    )
    need_publish(actor=c.admin, need=need)
    assert inbox.new() == set()
    # a secretary who is also a member registered here takes the community's task on itself
    secretary = member_in(c, "兼任书记的党员")
    Grant.objects.create(user=secretary.user, role=Role.COMMUNITY_ADMIN, region=c.r("C1"))
    secretary_user = User.objects.get(pk=secretary.user.pk)
    inbox.names[secretary_user.pk] = "secretary"
    job = task(c, places=1)
    need_claim(actor=secretary_user, need=job)
    assert inbox.new() == {("admin", "需求已被认领")}
    need_complete(actor=secretary_user, need=job, note="好了", hours=1)
    assert inbox.new() == {("admin", "请确认办结并评价")}
    # a grid worker who took a request down hears about it as the resident's stand-in, except its own steps
    behalf = need_submit(
        actor=c.grid_worker,
        kind=Kind.REQUEST,
        title="路灯",
        category="repair",
        community=c.r("C1"),
        grid=c.r("C1G1"),
        contact_name="刘奶奶",
    )
    assert inbox.new() == {("admin", "有新的诉求待审核"), ("secretary", "有新的诉求待审核")}
    need_publish(actor=c.admin, need=behalf)
    need_claim(actor=c.helper.user, need=behalf)
    need_complete(actor=c.helper.user, need=behalf, note="修好了", hours=1)
    assert ("grid_worker", "请确认办结并评价") in inbox.new()
    need_confirm(actor=c.grid_worker, need=behalf, rating=4)
    assert inbox.new() == {("helper", "您的服务已确认，记入服务台账")}


@pytest.mark.django_db
def test_notices_link_to_the_need_and_are_read(c):
    need = wish(c)
    notice = Notice.objects.get(user=c.admin)
    assert notice.url == f"/needs/{need.pk}/"
    assert notice.body == "修水龙头"
    assert notice_read(user=c.resident, notice_id=notice.pk) == 0  # not its notice
    assert notice_read(user=c.admin, notice_id=notice.pk) == 1
    assert notice_read(user=c.admin) == 0


@pytest.mark.django_db(transaction=True)
def test_the_sms_channel_delivers_a_copy_through_the_task_queue(c, settings):
    settings.NOTIFY_CHANNELS = ["baodao.notify.services.SmsChannel"]
    need = wish(c)
    need_publish(actor=c.admin, need=need)
    assert not Outbox.objects.exists()  # queued, not sent inside the step
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    sent = set(Outbox.objects.values_list("phone", "text"))
    assert sent == {
        (c.admin.phone, "有新的微心愿待审核：修水龙头"),
        (c.resident.phone, "您的需求已受理并发布：修水龙头"),
    }


@pytest.mark.django_db(transaction=True)
def test_without_channels_nothing_is_queued_for_delivery(c, settings):
    settings.NOTIFY_CHANNELS = []
    wish(c)
    assert Notice.objects.exists()
    assert not DBTaskResult.objects.filter(task_path="baodao.notify.tasks.notices_deliver").exists()
