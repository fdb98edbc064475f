import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from baodao.accounts.models import Grant, Role, User
from baodao.activities.models import Activity, Attendance, Signup, SignupStatus
from baodao.activities.selectors import Flag, attendance_flags
from baodao.certificates.services import certificate_issue
from baodao.ledger.models import PointEntry, Rule, ServiceRecord
from baodao.ledger.points import points_balance
from baodao.lib import idnumber
from baodao.members.models import Member, Skill
from baodao.needs.models import Claim, ClaimStatus, Need, NeedEvent
from baodao.needs.selectors import counts_by_status, need_stats_by_community, overdue_q
from baodao.notify.models import Notice
from baodao.org.models import Level, Region, Unit
from baodao.policy.models import Policy
from baodao.registration.models import Registration, RegistrationEvent, Status, UnitRegistration
from baodao.registration.services import registration_apply, registration_confirm

SMALL = {"members": 300, "communities": 3}
PASSWORD = "Baodao@2026"


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **{**SMALL, **options})
    return out.getvalue()


@pytest.fixture
def demo(db):
    return seed()


def grant_of(phone):
    return Grant.objects.select_related("region", "unit").get(user__phone=phone)


def test_it_builds_the_street_at_the_requested_size(demo):
    street = Region.objects.get(code="HB")
    assert (street.level, street.parent.code, street.parent.name) == ("street", "DH", "东湖区")
    communities = Region.objects.filter(level=Level.COMMUNITY, parent=street)
    assert communities.count() == 3
    assert all(n.endswith("社区") for n in communities.values_list("name", flat=True))
    for community in communities:
        assert 4 <= community.children.count() <= 8
    assert Unit.objects.count() == 41
    assert Unit.objects.filter(region__level=Level.STREET).exists()
    assert all(u.branches.count() >= 2 for u in Unit.objects.all())
    assert Member.objects.count() == 300
    assert Policy.objects.get(district__code="DH").coverage_threshold == Decimal("0.900")


def test_most_members_are_registered_and_the_rest_tell_a_story(demo):
    members = Member.objects.count()
    registered = Member.objects.filter(registered_community__isnull=False).count()
    assert 0.75 <= registered / members <= 0.95
    statuses = set(Registration.objects.values_list("status", flat=True))
    assert statuses == {Status.CONFIRMED, Status.PENDING, Status.REJECTED, Status.ENDED}
    assert Member.objects.filter(registrations__isnull=True).exists()  # some never applied
    assert UnitRegistration.objects.filter(status=Status.CONFIRMED, receipt_no__startswith="DW").exists()


def test_members_look_like_people(demo):
    m = Member.objects.exclude(pledge="").select_related("user").order_by("pk")[10]
    assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", m.user.name)
    assert re.fullmatch(r"1[3-9]\d{9}", m.user.phone)
    assert m.skills and set(m.skills) <= set(Skill.values)
    assert m.availability
    assert m.address.endswith(tuple("0123456789"))
    with_id = Member.objects.exclude(id_number_encrypted="")
    assert 0.15 <= with_id.count() / Member.objects.count() <= 0.45
    for member in with_id[:20]:
        number = member.id_number()
        assert idnumber.is_valid(number)
        assert member.id_number_masked == idnumber.mask(number)
        assert member.id_number_hash and number not in member.id_number_masked


def test_demo_data_obeys_the_invariants(demo):
    confirmed = Registration.objects.filter(status=Status.CONFIRMED)
    assert not confirmed.filter(Q(receipt_no__isnull=True) | Q(decided_at__isnull=True)).exists()
    for reg in Registration.objects.exclude(receipt_no__isnull=True).select_related("community"):
        assert (
            reg.receipt_no == f"BD{reg.community.code}-{timezone.localdate(reg.decided_at).year}-{reg.pk:06d}"
        )
    # registered_community is exactly the community of the member's confirmed registration
    expected = dict(confirmed.values_list("member_id", "community_id"))
    actual = dict(
        Member.objects.filter(registered_community__isnull=False).values_list("pk", "registered_community_id")
    )
    assert actual == expected
    active = Member.objects.annotate(
        n=Count("registrations", filter=Q(registrations__status__in=[Status.PENDING, Status.CONFIRMED]))
    )
    assert not active.filter(n__gt=1).exists()
    # each registration's history starts with its application, by the member, and matches its state
    for reg in Registration.objects.prefetch_related("events").select_related("member"):
        kinds = [e.kind for e in reg.events.all()]
        assert kinds[0] == RegistrationEvent.Kind.APPLIED
        assert reg.events.all()[0].actor_id == reg.member.user_id
        assert {
            Status.PENDING: ["applied"],
            Status.CONFIRMED: ["applied", "confirmed"],
            Status.REJECTED: ["applied", "rejected"],
            Status.ENDED: ["applied", "confirmed", "ended"],
        }[reg.status] == kinds
        times = [t for t in (reg.applied_at, reg.decided_at, reg.ended_at) if t is not None]
        assert times == sorted(times)
    # members live where their grid is
    for m in Member.objects.exclude(grid=None).select_related("grid", "community")[:100]:
        assert m.grid.parent_id == m.community_id and m.residence_path == m.grid.path


def test_it_creates_one_login_per_role(demo):
    expected = {
        "13900000001": (Role.DISTRICT_ADMIN, "DH"),
        "13900000002": (Role.STREET_ADMIN, "HB"),
        "13900000003": (Role.COMMUNITY_ADMIN, "HB01"),
        "13900000004": (Role.GRID_WORKER, "HB01G1"),
        "13900000008": (Role.RESIDENT, "HB01"),
    }
    for phone, (role, region) in expected.items():
        grant = grant_of(phone)
        assert (grant.role, grant.region.code) == (role, region)
        assert User.objects.get(phone=phone).check_password(PASSWORD)
    assert grant_of("13900000003").can_unmask

    unit_admin = grant_of("13900000005")
    assert (unit_admin.role, unit_admin.unit.code) == (Role.UNIT_ADMIN, "DH-SWJ")
    assert Member.objects.filter(unit=unit_admin.unit, community__code="HB01").count() >= 2

    newcomer = Member.objects.get(user__phone="13900000006")
    assert (newcomer.unit.code, newcomer.community.code, newcomer.grid.code) == ("DH-SWJ", "HB01", "HB01G1")
    assert newcomer.address and newcomer.pledge and newcomer.skills
    assert not newcomer.registrations.exists() and newcomer.registered_community is None

    registered = Member.objects.get(user__phone="13900000007")
    assert registered.registered_community.code == "HB01"
    assert registered.registrations.get().receipt_no.startswith("BDHB01-")


def test_the_newcomer_can_do_the_handshake(demo):
    newcomer = Member.objects.get(user__phone="13900000006")
    registration = registration_apply(member=newcomer, community=newcomer.community, grid=newcomer.grid)
    registration_confirm(actor=User.objects.get(phone="13900000003"), registration=registration)

    newcomer.refresh_from_db()
    assert newcomer.registered_community.code == "HB01"


def test_it_prints_the_logins_and_the_time(demo):
    assert re.search(r"演示数据已载入，用时 \d+\.\d 秒", demo)
    lines = demo.splitlines()
    for phone, page in (
        ("13900000001", "/coverage/DH/"),
        ("13900000003", "/community/HB01/registrations/"),
        ("13900000006", "/me/apply/"),
        ("13900000007", "/me/"),
    ):
        (line,) = [line for line in lines if phone in line]
        assert PASSWORD in line
        assert line.endswith("http://127.0.0.1:8000" + page)
    assert sum("13900000" in line for line in lines) == 8


SEEDED = (
    User,
    Grant,
    Member,
    Registration,
    RegistrationEvent,
    Region,
    Need,
    NeedEvent,
    Claim,
    ServiceRecord,
    Notice,
    Activity,
    Signup,
    PointEntry,
)


def test_a_second_run_changes_nothing_and_prints_the_logins_again(demo):
    counts = [m.objects.count() for m in SEEDED]

    again = seed(members=5000)

    assert "演示数据已存在，未做修改" in again
    assert [m.objects.count() for m in SEEDED] == counts
    assert sum("13900000" in line for line in again.splitlines()) == 8


def test_it_fills_an_existing_district_made_by_bootstrap(db):
    call_command(
        "bootstrap_district",
        code="DH",
        name="东湖区",
        admin_phone="13912345678",
        admin_password="Dh#Admin2026",
        stdout=StringIO(),
    )

    seed()

    assert Region.objects.filter(code="DH").count() == 1
    assert Region.objects.get(code="HB").parent.code == "DH"


def test_it_refuses_demo_phones_held_by_someone_else_and_leaves_nothing(db):
    User.objects.create_user(phone="13900000003", password=PASSWORD, name="别人")

    with pytest.raises(CommandError, match="冲突"):
        seed()

    assert not Region.objects.exists()
    assert Member.objects.count() == 0


@pytest.mark.parametrize("options", [{"communities": 0}, {"communities": 40}, {"members": 1}])
def test_it_refuses_sizes_out_of_range(db, options):
    with pytest.raises(CommandError):
        seed(**options)


def test_the_demo_community_has_a_ledger_of_needs_in_every_state(demo):
    needs = Need.objects.filter(community__code="HB01")
    assert 35 <= needs.count() <= 45
    assert set(needs.values_list("kind", flat=True)) == {"service", "task", "wish", "request"}
    assert all(counts_by_status(needs).values())  # every status, declined and merged included
    assert needs.filter(overdue_q(), status="submitted", escalated_at__isnull=False).exists()
    assert needs.filter(on_behalf=True, submitted_by__phone="13900000004", requester=None).exists()
    merged = needs.get(status="merged")
    assert merged.merged_into.community.code == "HB01"
    assert all(n.decline_reason for n in needs.filter(status="declined"))
    # a resident's need the community ended is terminated with the reason it sees, never "closed"
    ended = needs.get(status="terminated")
    assert ended.kind in ("wish", "request") and ended.rating is None
    assert ended.events.get(kind="terminated").note
    assert set(ended.claims.values_list("status", flat=True)) == {"released"}
    assert not needs.filter(status="closed", kind__in=("wish", "request"), rating__isnull=True).exists()


def test_the_demo_people_have_their_part_in_it(demo):
    wang, zhang = User.objects.get(phone="13900000007"), User.objects.get(phone="13900000008")
    waiting = Need.objects.filter(community__code="HB01", status="completed", requester=zhang)
    assert waiting.count() >= 2
    assert all(n.claims.get(status=ClaimStatus.COMPLETED).member.user == wang for n in waiting)
    assert Claim.objects.filter(member__user=wang, status=ClaimStatus.ACTIVE).exists()
    assert Notice.objects.filter(user=zhang, title="请确认办结并评价").exists()
    assert Notice.objects.filter(user__phone="13900000002", title="需求超时，已上报街道").exists()


def test_demo_needs_obey_the_invariants_and_read_like_weeks_of_use(demo):
    now = timezone.now()
    for need in Need.objects.prefetch_related("events", "claims"):
        times = [e.at for e in need.events.all()]
        assert times == sorted(times) and times[-1] <= now
        assert need.created_at == times[0] and need.events.all()[0].kind in ("submitted", "created")
        assert need.taken == sum(
            c.status in ("active", "completed", "disputed", "confirmed") for c in need.claims.all()
        )
        if need.status == "closed":
            assert need.rating and need.closed_at <= now
    oldest = Need.objects.order_by("created_at").first()
    assert (now - oldest.created_at).days >= 40
    # each confirmed claim wrote one ledger row, when the service was done
    confirmed = Claim.objects.filter(status=ClaimStatus.CONFIRMED)
    from_needs = ServiceRecord.objects.filter(need__isnull=False)
    assert confirmed.count() == from_needs.count() >= 10
    from_activities = ServiceRecord.objects.filter(activity__isnull=False).count()
    from_emergencies = ServiceRecord.objects.filter(shift__isnull=False).count()
    assert from_needs.count() + from_activities + from_emergencies == ServiceRecord.objects.count()
    for record in from_needs.select_related("claim"):
        assert record.served_at == record.claim.completed_at < record.created_at
        assert record.hours > 0


def test_the_street_has_needs_to_compare(demo):
    rows = need_stats_by_community(Region.objects.get(code="HB"))
    assert sum(1 for r in rows if r.total) == 3
    assert any(r.on_time_rate is not None and r.on_time_rate < 1 for r in rows)


def test_the_demo_community_has_activities_in_every_state(demo):
    now = timezone.now()
    activities = Activity.objects.filter(community__code="HB01")
    assert activities.count() == 8
    assert sorted(activities.values_list("status", flat=True)) == sorted(
        ["closed"] * 4 + ["published"] * 3 + ["cancelled"]
    )
    upcoming = activities.filter(status="published", starts_at__gt=now)
    assert upcoming.count() == 2
    full = upcoming.get(taken=F("places"))
    assert full.signups.filter(status=SignupStatus.WAITLISTED).count() == 2
    to_close = activities.get(status="published", ends_at__lt=now)
    assert to_close.signups.filter(attendance=Attendance.CHECKED_IN).exists()
    called_off = activities.get(status="cancelled")
    assert called_off.cancel_reason and not called_off.signups.exclude(status="cancelled").exists()
    closed = Signup.objects.filter(activity__status="closed")
    assert {Attendance.ATTENDED, Attendance.CLOSED_BY_RULE, Attendance.NO_SHOW, Attendance.MANUAL} <= set(
        closed.values_list("attendance", flat=True)
    )
    assert PointEntry.objects.filter(rule=Rule.NO_SHOW).exists()
    flags = {f for item in attendance_flags(Region.objects.get(code="HB01")) for f in item.flags}
    assert {Flag.OUTSIDE_GEOFENCE, Flag.NO_POSITION} <= flags


def test_demo_attendance_obeys_the_invariants(demo):
    for signup in Signup.objects.filter(hours__gt=0).select_related("activity"):
        record = ServiceRecord.objects.get(signup=signup)
        assert record.hours == signup.hours and record.activity == signup.activity
        # the service day is the activity's: an early arrival does not move it
        assert record.served_at == max(signup.checked_in_at, signup.activity.starts_at)
        if signup.attendance == Attendance.ATTENDED:
            assert signup.checked_in_at < signup.checked_out_at
    for activity in Activity.objects.all():
        assert activity.taken == activity.signups.filter(status=SignupStatus.CONFIRMED).count()
        assert activity.created_at <= min(
            [activity.starts_at, *activity.signups.values_list("created_at", flat=True)]
        )


def test_wang_fang_has_activity_records_points_and_a_certificate(demo):
    wang = Member.objects.get(user__phone="13900000007")
    assert ServiceRecord.objects.filter(member=wang, activity__isnull=False).count() == 4
    assert points_balance(wang.pk) > 0
    upcoming = Signup.objects.filter(member=wang, status=SignupStatus.CONFIRMED, activity__status="published")
    assert upcoming.exists()
    today = timezone.localdate()
    cert = certificate_issue(actor=wang.user, period_start=today - timedelta(days=60), period_end=today)
    assert cert.number
