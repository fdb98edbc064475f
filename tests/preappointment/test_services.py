"""The pre-appointment flow through its services: asking (registered and never registered), answering,
explaining, one open check per member, every illegal transition, who may act, notices and audit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.accounts.models import Role
from baodao.audit.models import Action, AuditEvent
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.notify.models import Notice
from baodao.preappointment.models import Check, Status
from baodao.preappointment.services import check_answer, check_ask, check_explain
from baodao.registration.models import Registration
from baodao.registration.models import Status as RegStatus
from tests import factories

REASON = "拟任办公室主任职务任前考察"


def ask(w, m, actor=None, reason=REASON):
    return check_ask(actor=actor or w.users["unit_admin"], member=m, reason=reason)


def test_it_asks_the_community_of_a_registered_member(w, reg):
    check = ask(w, w.members["member"])
    assert check.status == Status.PENDING
    assert check.registered is True
    assert check.community == w.r("C1")
    assert check.statement == ""
    assert check.unit == w.units["U1"]
    notices = Notice.objects.filter(user=w.users["community_admin"])
    assert [n.title for n in notices] == ["任前考察：请反馈李明同志在社区的表现"]
    assert not Notice.objects.filter(user=w.users["other_community_admin"]).exists()
    event = AuditEvent.objects.get(action=Action.PREAPPOINTMENT_ASKED)
    assert event.detail["registered"] is True and event.detail["community"] == "C1"


def test_it_states_a_member_never_registered_and_asks_the_unit_to_explain(w, newcomer):
    district = w.users["district_admin"]
    check = ask(w, newcomer, actor=district)
    assert check.status == Status.EXPLANATION_REQUIRED
    assert check.registered is False and check.community is None
    today = timezone.localdate(check.asked_at)
    assert check.statement == (
        f"经查，陈新 同志（区税务局）截至 {today.year}年{today.month}月{today.day}日 未到居住地社区报到。"
    )
    assert Notice.objects.filter(user=w.users["unit_admin"], title__contains="补充情况说明").count() == 1
    assert not Notice.objects.filter(user=w.users["community_admin"]).exists()


def test_a_pending_application_is_not_a_registration(w):
    from baodao.registration.services import registration_apply

    registration_apply(member=w.members["member"], community=w.r("C1"), grid=w.r("C1G1"))
    check = ask(w, w.members["member"])
    assert check.registered is False and check.status == Status.EXPLANATION_REQUIRED


def test_a_member_who_left_is_reported_on_by_the_last_community(w, reg):
    Registration.objects.filter(pk=reg.pk).update(status=RegStatus.ENDED, ended_at=timezone.now())
    check = ask(w, w.members["member"])
    assert check.registered is True and check.community == w.r("C1")


def test_the_registration_in_force_wins_over_an_older_one(w, reg):
    Registration.objects.filter(pk=reg.pk).update(status=RegStatus.ENDED, ended_at=timezone.now())
    factories.registered(w.members["member"], w.r("C2"), w.r("C2G1"), by=w.users["other_community_admin"])
    assert ask(w, w.members["member"]).community == w.r("C2")


def test_one_open_check_per_member(w, reg, newcomer):
    ask(w, w.members["member"])
    with pytest.raises(Conflict) as exc:
        ask(w, w.members["member"], actor=w.users["district_admin"])
    assert exc.value.code == "already_open"
    ask(w, newcomer)
    with pytest.raises(Conflict):
        ask(w, newcomer)


def test_a_closed_check_lets_a_new_one_be_asked(w, reg):
    check = ask(w, w.members["member"])
    check_answer(actor=w.users["community_admin"], check=check, comment="表现良好")
    assert ask(w, w.members["member"]).status == Status.PENDING


@pytest.mark.parametrize("reason", ["", "   ", "长" * 301])
def test_the_reason_is_required_and_bounded(w, reg, reason):
    with pytest.raises(Invalid) as exc:
        ask(w, w.members["member"], reason=reason)
    assert "reason" in exc.value.fields
    assert not Check.objects.exists()


@pytest.mark.parametrize(
    "who", ["street_admin", "community_admin", "grid_worker", "member", "other_unit_admin", "resident"]
)
def test_only_the_unit_or_the_district_asks(w, reg, who):
    with pytest.raises(Forbidden):
        ask(w, w.members["member"], actor=w.users[who])


def test_a_district_admin_of_another_district_does_not_ask(w, reg):
    far = factories.user(Role.DISTRICT_ADMIN, region_=w.r("D2"))
    with pytest.raises(Forbidden):
        ask(w, w.members["member"], actor=far)


def test_the_answer_freezes_the_report_and_tells_the_asker(w, reg):
    from tests.preappointment.helpers import served

    check = ask(w, w.members["member"], actor=w.users["district_admin"])
    served(w, w.members["member"], timezone.now() - timedelta(days=1), hours="3")
    check = check_answer(actor=w.users["community_admin"], check=check, comment="  积极参加社区服务  ")
    assert check.status == Status.ANSWERED
    assert check.comment == "积极参加社区服务"
    assert check.answered_by == w.users["community_admin"]
    assert check.report["total"] == {"services": 1, "hours": "3.00", "points": "0.00"}
    # later service does not change the frozen report
    served(w, w.members["member"], timezone.now(), hours="5")
    check.refresh_from_db()
    assert check.report["total"]["hours"] == "3.00"
    assert (
        Notice.objects.filter(user=w.users["district_admin"], title__startswith="任前考察已回复").count() == 1
    )
    assert AuditEvent.objects.filter(action=Action.PREAPPOINTMENT_ANSWERED).count() == 1


@pytest.mark.parametrize("comment", ["", "长" * 1001])
def test_the_comment_is_required_and_bounded(w, reg, comment):
    check = ask(w, w.members["member"])
    with pytest.raises(Invalid) as exc:
        check_answer(actor=w.users["community_admin"], check=check, comment=comment)
    assert "comment" in exc.value.fields
    check.refresh_from_db()
    assert check.status == Status.PENDING


@pytest.mark.parametrize(
    "who", ["unit_admin", "district_admin", "street_admin", "other_community_admin", "grid_worker"]
)
def test_only_the_community_answers(w, reg, who):
    check = ask(w, w.members["member"])
    with pytest.raises(Forbidden):
        check_answer(actor=w.users[who], check=check, comment="好")


def test_the_explanation_closes_an_unregistered_check(w, newcomer):
    check = ask(w, newcomer, actor=w.users["district_admin"])
    check = check_explain(actor=w.users["unit_admin"], check=check, explanation="该同志长期外派援疆。")
    assert check.status == Status.EXPLAINED
    assert check.explanation == "该同志长期外派援疆。"
    assert check.explained_by == w.users["unit_admin"]
    assert Notice.objects.filter(user=w.users["district_admin"], title__contains="补充情况说明").count() == 1
    assert AuditEvent.objects.filter(action=Action.PREAPPOINTMENT_EXPLAINED).count() == 1


def test_the_asker_who_explains_is_not_told_of_its_own_explanation(w, newcomer):
    check = ask(w, newcomer)
    check_explain(actor=w.users["unit_admin"], check=check, explanation="外派")
    assert not Notice.objects.filter(user=w.users["unit_admin"]).exists()


@pytest.mark.parametrize("explanation", ["", "长" * 2001])
def test_the_explanation_is_required_and_bounded(w, newcomer, explanation):
    check = ask(w, newcomer)
    with pytest.raises(Invalid):
        check_explain(actor=w.users["unit_admin"], check=check, explanation=explanation)


@pytest.mark.parametrize("who", ["district_admin", "community_admin", "other_unit_admin"])
def test_only_the_unit_explains(w, newcomer, who):
    check = ask(w, newcomer)
    with pytest.raises(Forbidden):
        check_explain(actor=w.users[who], check=check, explanation="说明")


def _answered(w):
    check = ask(w, w.members["member"])
    return check_answer(actor=w.users["community_admin"], check=check, comment="好")


def _explained(w, m):
    check = ask(w, m)
    return check_explain(actor=w.users["unit_admin"], check=check, explanation="说明")


def test_an_answered_check_is_not_answered_again(w, reg):
    check = _answered(w)
    with pytest.raises(Conflict) as exc:
        check_answer(actor=w.users["community_admin"], check=check, comment="再答")
    assert exc.value.code == "illegal_transition"


def test_an_explained_check_is_not_explained_again(w, newcomer):
    check = _explained(w, newcomer)
    with pytest.raises(Conflict) as exc:
        check_explain(actor=w.users["unit_admin"], check=check, explanation="再说明")
    assert exc.value.code == "illegal_transition"


def test_a_pending_check_takes_no_explanation(w, reg):
    # the unit admin of the check's unit may explain, but a registered member's check is not explained
    check = ask(w, w.members["member"])
    with pytest.raises(Conflict) as exc:
        check_explain(actor=w.users["unit_admin"], check=check, explanation="说明")
    assert exc.value.code == "illegal_transition"


def test_an_answered_check_takes_no_explanation(w, reg):
    check = _answered(w)
    with pytest.raises(Conflict):
        check_explain(actor=w.users["unit_admin"], check=check, explanation="说明")


def test_an_unregistered_check_takes_no_answer(w, newcomer):
    """The state is looked at before the person: a check waiting for an explanation, or explained, is not
    answered by anyone (409), not even by its asker."""
    check = ask(w, newcomer, actor=w.users["district_admin"])
    for who in ("district_admin", "community_admin", "unit_admin"):
        with pytest.raises(Conflict) as exc:
            check_answer(actor=w.users[who], check=check, comment="好")
        assert exc.value.code == "illegal_transition"
    check = check_explain(actor=w.users["unit_admin"], check=check, explanation="说明")
    with pytest.raises(Conflict):
        check_answer(actor=w.users["community_admin"], check=check, comment="好")


def test_the_community_cannot_explain_a_pending_check(w, reg):
    check = ask(w, w.members["member"])
    with pytest.raises(Conflict) as exc:
        check_explain(actor=w.users["community_admin"], check=check, explanation="说明")
    assert exc.value.code == "illegal_transition"


def test_a_member_off_the_roster_is_not_asked_about(w, newcomer):
    from baodao.members.models import Member

    Member.objects.filter(pk=newcomer.pk).update(on_roster=False)
    newcomer.refresh_from_db()
    with pytest.raises(Invalid) as exc:
        ask(w, newcomer)
    assert exc.value.fields == {"member": ["该党员已不在本单位名册。"]}
    assert not Check.objects.exists()


def test_a_stale_copy_cannot_answer_twice(w, reg):
    check = ask(w, w.members["member"])
    stale = Check.objects.get(pk=check.pk)
    check_answer(actor=w.users["community_admin"], check=check, comment="第一次")
    with pytest.raises(Conflict):
        check_answer(actor=w.users["community_admin"], check=stale, comment="第二次")
    assert Check.objects.get(pk=check.pk).comment == "第一次"
