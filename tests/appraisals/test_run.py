"""Starting a run: who may, for which regions and periods; the rules it keeps; a run again; the queue."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from baodao.appraisals import services
from baodao.appraisals.models import Appraisal, AppraisalRun, RunStatus, Status
from baodao.appraisals.services import appraisal_finalise, appraisal_run
from baodao.audit.models import Action, AuditEvent
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.lib.periods import period_parse
from baodao.policy.models import Period, Policy

from .helpers import Q3, YEAR, local

pytestmark = pytest.mark.django_db


def test_a_community_admin_runs_its_community_and_the_rules_are_kept(c):
    m = c.member()
    c.registered(m, at=local(2026, 1, 5))
    run, created = appraisal_run(actor=c.admin, region=c.r("C1"), period=Q3)
    assert created and run.status == RunStatus.DONE and run.appraisals_count == 1
    assert (run.period, run.period_start, run.period_end) == ("2026Q3", date(2026, 7, 1), date(2026, 9, 30))
    assert run.policy is None  # the national defaults
    assert run.rules["grades"] == [["优秀", 90], ["合格", 70], ["基本合格", 60], ["不合格", 0]]
    assert run.rules["weights"] == {
        "self": 10,
        "unit": 20,
        "residents": 30,
        "community": 30,
        "organisation": 10,
    }
    assert run.rules["excellent_share_max"] == "0.333"
    assert run.rules["minimum"] == "期内至少 1 次服务"
    assert run.finished_at is not None
    event = AuditEvent.objects.get(action=Action.APPRAISAL_RUN)
    assert event.detail["members"] == 1 and event.actor == c.admin


def test_the_policy_in_force_on_the_periods_last_day_is_taken(c):
    old = Policy.objects.create(district=c.r("D1"), effective_from=date(2026, 1, 1), grade_excellent_min=95)
    Policy.objects.create(district=c.r("D1"), effective_from=date(2026, 10, 1), grade_excellent_min=80)
    run = c.run()
    assert run.policy == old
    assert run.rules["grades"][0] == ["优秀", 95]


@pytest.mark.parametrize("role", ["street_admin", "district_admin"])
def test_street_and_district_admins_run_any_region_in_their_scope(c, role):
    c.registered(c.member(), at=local(2026, 1, 5))
    # the smaller region first: a run over a region another run covers runs that one again (below)
    for code in ("C1", "S1") if role == "street_admin" else ("S2", "D1"):
        run, created = appraisal_run(actor=c.u(role), region=c.r(code), period=Q3)
        assert created and run.status == RunStatus.DONE


@pytest.mark.parametrize(
    ("role", "region"),
    [
        ("community_admin", "C2"),
        ("community_admin", "S1"),
        ("street_admin", "S2"),
        ("street_admin", "D1"),
        ("grid_worker", "C1"),
        ("unit_admin", "C1"),
        ("member", "C1"),
        ("far_community_admin", "C1"),
    ],
)
def test_others_may_not_run(c, role, region):
    with pytest.raises(Forbidden):
        appraisal_run(actor=c.u(role), region=c.r(region), period=Q3)
    assert not AppraisalRun.objects.exists()


def test_a_grid_is_refused(c):
    with pytest.raises(Invalid) as e:
        appraisal_run(actor=c.admin, region=c.r("C1G1"), period=Q3)
    assert "网格" in e.value.detail


def test_the_period_must_have_ended(c):
    with pytest.raises(Conflict) as e:
        appraisal_run(actor=c.admin, region=c.r("C1"), period=period_parse("2026Q4"))
    assert e.value.code == "period_not_ended"
    with pytest.raises(Conflict):
        appraisal_run(actor=c.admin, region=c.r("C1"), period=YEAR)


def test_a_run_again_recomputes_open_appraisals_keeps_finalised_ones_and_adds_newcomers(c):
    kept, open_, late = c.member("已确定"), c.member("未确定"), c.member("补报到")
    for m in (kept, open_):
        c.registered(m, at=local(2026, 1, 5))
    first = c.run()
    c.scored(kept, 75)
    appraisal_finalise(actor=c.admin, appraisal=c.appraisal(kept))
    c.scored(open_, 95)
    # service recorded late, and a registration entered late
    for m in (kept, open_):
        c.served(m, local(2026, 9, 1), "2", rating=3)
    c.registered(late, at=local(2026, 9, 15))
    run, created = appraisal_run(actor=c.admin, region=c.r("C1"), period=Q3)
    assert run == first and not created and run.appraisals_count == 3
    finalised = c.appraisal(kept)
    assert (finalised.services, finalised.status, finalised.grade_level, finalised.score_residents) == (
        0,
        Status.FINALISED,
        2,
        None,
    )
    recomputed = c.appraisal(open_)
    assert (recomputed.services, recomputed.score_residents, recomputed.score_community) == (1, 60, 95)
    assert (recomputed.score, recomputed.proposed_level) == (Decimal("77.50"), 2)  # (30×60 + 30×95) / 60
    assert c.appraisal(late).registered


def test_a_member_appraised_by_another_run_is_skipped(c):
    m = c.member()
    c.registered(m, at=local(2026, 1, 5))
    community_run = c.run()
    street_run = c.run("S1", actor=c.u("street_admin"))
    assert street_run.appraisals_count == 0
    assert Appraisal.objects.get(member=m).run == community_run


def test_a_rule_change_after_the_run_changes_nothing(c):
    policy = Policy.objects.create(district=c.r("D1"), effective_from=date(2026, 1, 1))
    m = c.member()
    for someone in (m, c.member(), c.member()):
        c.registered(someone, at=local(2026, 1, 5))
    c.run()
    Policy.objects.filter(pk=policy.pk).update(
        grade_excellent_min=99,
        min_services=5,
        weight_community=70,
        weight_self=0,
        weight_residents=0,
        excellent_share_max="0.001",
    )
    c.served(m, local(2026, 8, 1))
    a = c.scored(m, 92)
    assert (a.score, a.proposed_level) == (92, 1)
    c.run()  # again: the minimum as the run kept it (1 a quarter), not 5
    a = c.appraisal(m)
    assert a.minimum_met and (a.score, a.proposed_level) == (92, 1)
    assert appraisal_finalise(actor=c.admin, appraisal=a).grade == "优秀"  # 1 of 3 under the kept 0.333


def test_a_year_run_with_a_yearly_rule(c):
    Policy.objects.create(
        district=c.r("D1"), effective_from=date(2020, 1, 1), min_services=2, min_services_period=Period.YEAR
    )
    c.registered(m := c.member(), at=local(2025, 1, 5))
    c.served(m, local(2025, 2, 1))
    c.served(m, local(2025, 11, 1))
    run = c.run(period=period_parse("2025"))
    assert run.rules["minimum"] == "期内至少 2 次服务"
    assert c.appraisal(m, period_parse("2025")).minimum_met


def test_a_run_already_running_is_not_started_twice(c):
    run = c.run()
    AppraisalRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    with pytest.raises(Conflict) as e:
        c.run()
    assert e.value.code == "run_running"


@pytest.mark.django_db(transaction=True)
def test_a_big_run_goes_to_the_queue(c, monkeypatch):
    monkeypatch.setattr(services, "INLINE_MAX", 2)
    members = [c.member(f"党员{i}") for i in range(3)]
    for m in members:
        c.registered(m, at=local(2026, 1, 5))
    c.served(members[0], local(2026, 8, 1), rating=5)
    run, created = appraisal_run(actor=c.admin, region=c.r("C1"), period=Q3)
    assert created and run.status == RunStatus.RUNNING and not Appraisal.objects.exists()
    with pytest.raises(Conflict):  # not twice at once
        appraisal_run(actor=c.admin, region=c.r("C1"), period=Q3)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    run.refresh_from_db()
    assert (run.status, run.appraisals_count, run.error) == (RunStatus.DONE, 3, "")
    assert c.appraisal(members[0]).services == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_run_says_why(c, monkeypatch):
    monkeypatch.setattr(services, "INLINE_MAX", 0)
    c.registered(c.member(), at=local(2026, 1, 5))

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(services.indicators, "compute", broken)
    run = c.run()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, "磁盘已满")
    assert not Appraisal.objects.exists()
    monkeypatch.undo()
    again, created = appraisal_run(actor=c.admin, region=c.r("C1"), period=Q3)
    assert not created and again.status == RunStatus.DONE and again.appraisals_count == 1


def test_a_community_refresh_after_a_street_run_recomputes_it_and_creates_no_empty_run(c):
    m, other = c.member("李"), c.member("王")
    c.registered(m, at=local(2026, 1, 5))
    c.registered(other, at=local(2026, 1, 5), community="C2")
    street_run = c.run("S1", actor=c.u("street_admin"))
    assert c.appraisal(m).services == 0
    c.served(m, local(2026, 8, 1), rating=4)  # a service recorded late
    c.served(other, local(2026, 8, 1), community="C2")
    newcomer = c.member("补报到")
    c.registered(newcomer, at=local(2026, 9, 1))
    run, created = appraisal_run(actor=c.admin, region=c.r("C1"), period=Q3)
    assert run == street_run and not created and run.status == RunStatus.DONE
    assert not AppraisalRun.objects.filter(region=c.r("C1")).exists()
    refreshed = c.appraisal(m)
    assert (refreshed.services, refreshed.score_residents, refreshed.run) == (1, 80, street_run)
    assert c.appraisal(newcomer).run == street_run
    assert c.appraisal(other).services == 0  # C2 is not the community refreshed
    assert AuditEvent.objects.filter(action=Action.APPRAISAL_RUN).last().detail["run_region"] == "S1"


def test_a_refresh_recomputes_each_appraisal_with_its_own_runs_rules(c):
    m, n = c.member("社区先算"), c.member("街道后算")
    c.registered(m, at=local(2026, 1, 5))
    community_run = c.run()  # national defaults: 1 service a quarter
    Policy.objects.create(district=c.r("D1"), effective_from=date(2020, 1, 1), min_services=2)
    c.registered(n, at=local(2026, 1, 5))
    street_run = c.run("S1", actor=c.u("street_admin"))  # 2 services a quarter
    assert c.appraisal(n).run == street_run
    for someone in (m, n):
        c.served(someone, local(2026, 8, 1))
    appraisal_run(actor=c.u("street_admin"), region=c.r("S1"), period=Q3)
    assert c.appraisal(m).run == community_run and c.appraisal(m).minimum_met  # 1 of 1
    assert c.appraisal(n).services == 1 and not c.appraisal(n).minimum_met  # 1 of 2


def test_a_run_stuck_running_for_half_an_hour_may_be_run_again(c):
    from datetime import timedelta

    from django.utils import timezone

    c.registered(c.member(), at=local(2026, 1, 5))
    run = c.run()
    AppraisalRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=29)
    )
    with pytest.raises(Conflict) as e:
        c.run()
    assert e.value.code == "run_running"
    AppraisalRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(minutes=31))
    again, created = appraisal_run(actor=c.admin, region=c.r("C1"), period=Q3)
    assert again == run and not created and again.status == RunStatus.DONE
    assert again.started_at > timezone.now() - timedelta(minutes=1)


def test_a_database_error_other_than_the_one_run_per_region_is_not_taken_for_a_run_running(c, monkeypatch):
    from django.db import IntegrityError

    def broken(**kwargs):
        raise IntegrityError("NOT NULL constraint failed: appraisals_appraisalrun.rules")

    monkeypatch.setattr(AppraisalRun.objects, "create", broken)
    with pytest.raises(IntegrityError):
        c.run()


def test_a_run_again_and_finalise_all_touch_updated_at(c):
    from datetime import timedelta

    from django.utils import timezone

    m = c.member()
    c.registered(m, at=local(2026, 1, 5))
    c.run()
    long_ago = timezone.now() - timedelta(days=3)
    Appraisal.objects.update(updated_at=long_ago)
    c.run()
    assert c.appraisal(m).updated_at > long_ago
    c.scored(m, 80)
    Appraisal.objects.update(updated_at=long_ago)
    services.appraisal_finalise_all(actor=c.admin, community=c.r("C1"), period=Q3)
    assert c.appraisal(m).status == Status.FINALISED and c.appraisal(m).updated_at > long_ago
