"""Setting a district's policy: who may, from which date, every field checked with a Chinese message on its
field, values carried over from the version in force on the start date, one row per start date, audited."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.audit.models import Action, AuditEvent
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.policy.models import Policy
from baodao.policy.selectors import policy_history, policy_in_force, policy_upcoming
from baodao.policy.services import policy_set

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + timedelta(days=n)


def set_(w, start=None, actor=None, **values):
    return policy_set(
        actor=actor or w.users["district_admin"],
        district=w.r("D1"),
        effective_from=start or days(1),
        **values,
    )


def refusal(w, **values):
    with pytest.raises(Invalid) as caught:
        set_(w, **values)
    return caught.value.fields


# ---- who may -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["street_admin", "community_admin", "unit_admin", "member", "resident"])
def test_it_lets_only_the_district_admin_set_policy(w, role):
    with pytest.raises(Forbidden):
        set_(w, actor=w.users[role], min_services=2)
    assert not Policy.objects.exists()


def test_it_refuses_the_admin_of_another_district(w, d2_admin):
    with pytest.raises(Forbidden):
        set_(w, actor=d2_admin, min_services=2)


def test_it_sets_policy_for_districts_only(w):
    with pytest.raises(Invalid) as caught:
        policy_set(actor=w.users["district_admin"], district=w.r("S1"), effective_from=days(1))
    assert "district" in caught.value.fields


# ---- start dates ---------------------------------------------------------------------------------------


def test_it_refuses_a_start_date_in_the_past(w):
    fields = refusal(w, start=days(-1), min_services=2)
    assert "今天" in fields["effective_from"][0]
    assert not Policy.objects.exists()


def test_it_refuses_a_missing_or_garbled_start_date(w):
    with pytest.raises(Invalid) as caught:
        policy_set(actor=w.users["district_admin"], district=w.r("D1"), effective_from="2026-13-40")
    assert "effective_from" in caught.value.fields


def test_it_starts_a_version_today(w):
    policy = set_(w, start=days(0), min_services=2)
    assert policy_in_force("D1").pk == policy.pk
    assert policy_in_force("D1").min_services == 2


def test_it_keeps_a_version_in_force_unchanged(w):
    Policy.objects.create(district=w.r("D1"), effective_from=days(0), min_services=3)
    with pytest.raises(Conflict) as caught:
        set_(w, start=days(0), min_services=5)
    assert caught.value.code == "in_force"
    assert policy_in_force("D1").min_services == 3


def test_it_adds_a_row_per_start_date_and_leaves_the_current_one(w):
    current = Policy.objects.create(district=w.r("D1"), effective_from=days(-30), min_services=1)
    upcoming = set_(w, start=days(10), min_services=2)
    assert upcoming.pk != current.pk
    assert policy_in_force("D1").pk == current.pk
    assert policy_in_force("D1", on=days(10)).min_services == 2
    current.refresh_from_db()
    assert current.min_services == 1


def test_it_replaces_an_upcoming_version_set_again_for_the_same_date(w):
    first = set_(w, start=days(10), min_services=2)
    again = set_(w, start=days(10), min_services=4)
    assert again.pk == first.pk
    assert Policy.objects.filter(district=w.r("D1")).count() == 1
    assert policy_in_force("D1", on=days(10)).min_services == 4


# ---- carried over --------------------------------------------------------------------------------------


def test_it_carries_over_what_is_not_given_from_the_version_in_force_on_that_date(w):
    Policy.objects.create(
        district=w.r("D1"), effective_from=days(-5), coverage_threshold=Decimal("0.950"), min_services=2
    )
    Policy.objects.create(district=w.r("D1"), effective_from=days(20), coverage_threshold=Decimal("0.800"))
    policy = set_(w, start=days(30), weight_self=20, weight_unit=10)
    assert policy.coverage_threshold == Decimal("0.800")  # from the version starting on day 20
    assert (policy.weight_self, policy.weight_unit, policy.weight_residents) == (20, 10, 30)
    earlier = set_(w, start=days(3), reconfirm_months=6)
    assert earlier.coverage_threshold == Decimal("0.950")  # from the version in force today
    assert earlier.min_services == 2


def test_it_starts_from_the_national_defaults(w):
    policy = set_(w, grade_excellent_name="好")
    assert policy.coverage_threshold == Decimal("0.900")
    assert policy.registration_deadline_days == 30
    assert policy.reconfirm_months == 12
    assert [g for g, _ in policy.grades()] == ["好", "合格", "基本合格", "不合格"]
    assert [m for _, m in policy.grades()] == [90, 70, 60, 0]
    assert policy.excellent_share_max == Decimal("0.333")
    assert policy.weights() == {"self": 10, "unit": 20, "residents": 30, "community": 30, "organisation": 10}


def test_the_defaults_are_an_unsaved_row(w):
    policy = policy_in_force("D1")
    assert policy.is_default
    assert policy.grade_excellent_name == "优秀"


# ---- each field ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("coverage_threshold", "0"),
        ("coverage_threshold", "1.2"),
        ("coverage_threshold", "0.9005"),
        ("coverage_threshold", "九成"),
        ("registration_deadline_days", 0),
        ("registration_deadline_days", 400),
        ("registration_deadline_days", "三十"),
        ("reconfirm_months", 0),
        ("reconfirm_months", 61),
        ("min_services", -1),
        ("min_services", 2.5),
        ("min_services_period", "month"),
        ("min_hours_per_year", 0),
        ("min_hours_per_year", 5000),
        ("posts_required", "maybe"),
        ("need_respond_hours", 0),
        ("need_resolve_days", 366),
        ("claim_lapse_days", 0),
        ("hours_rounding", "0"),
        ("hours_rounding", "2"),
        ("points_per_hour", "-1"),
        ("points_per_need", "1.005"),
        ("points_rating_bonus", "10000"),
        ("points_no_show", "x"),
        ("points_yearly_cap", 0),
        ("grade_excellent_name", ""),
        ("grade_good_name", "  "),
        ("grade_basic_name", "基本合格基本合格基本合格"),
        ("grade_poor_name", None),
        ("grade_excellent_min", 101),
        ("grade_good_min", -5),
        ("grade_basic_min", "六十"),
        ("excellent_share_max", "0"),
        ("excellent_share_max", "1.5"),
        ("weight_self", -10),
        ("weight_organisation", 101),
    ],
)
def test_it_refuses_a_bad_value_on_its_field(w, field, value):
    fields = refusal(w, **{field: value})
    assert list(fields) == [field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in fields[field][0])  # a Chinese message
    assert not Policy.objects.exists()


def test_it_collects_every_bad_field_at_once(w):
    fields = refusal(w, min_services=-1, reconfirm_months=0)
    assert set(fields) == {"min_services", "reconfirm_months"}


def test_it_refuses_a_field_that_does_not_exist(w):
    assert "colour" in refusal(w, colour="red")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"grade_good_min": 90}, "grade_good_min"),
        ({"grade_good_min": 95}, "grade_good_min"),
        ({"grade_basic_min": 70}, "grade_basic_min"),
        ({"grade_excellent_min": 70}, "grade_excellent_min"),
    ],
)
def test_it_wants_cut_offs_strictly_decreasing(w, values, field):
    assert field in refusal(w, **values)


def test_it_accepts_cut_offs_across_the_whole_scale(w):
    policy = set_(w, grade_excellent_min=100, grade_good_min=50, grade_basic_min=0)
    assert [m for _, m in policy.grades()] == [100, 50, 0, 0]


def test_it_wants_four_different_grade_names(w):
    fields = refusal(w, grade_basic_name="合格")
    assert list(fields) == ["grade_basic_name"]


def test_it_wants_the_weights_to_sum_to_100(w):
    fields = refusal(w, weight_self=20)
    assert "100" in fields["weight_self"][0]
    assert "110" in fields["weight_self"][0]
    policy = set_(
        w, weight_self=0, weight_unit=0, weight_residents=50, weight_community=50, weight_organisation=0
    )
    assert sum(policy.weights().values()) == 100


def test_it_accepts_alternatives_to_the_quarterly_minimum(w):
    policy = set_(w, min_services=2, min_services_period="year")
    assert (policy.min_services, policy.min_services_period) == (2, "year")
    hours_only = set_(w, start=days(2), min_services=0, min_hours_per_year=50)
    assert (hours_only.min_services, hours_only.min_hours_per_year) == (0, 50)
    cleared = set_(w, start=days(3), min_hours_per_year=None)
    assert cleared.min_hours_per_year is None


# ---- history and audit ---------------------------------------------------------------------------------


def test_it_lists_history_newest_first_and_upcoming_soonest_first(w):
    older = Policy.objects.create(district=w.r("D1"), effective_from=days(-100))
    current = Policy.objects.create(district=w.r("D1"), effective_from=days(-10))
    later = set_(w, start=days(40), min_services=3)
    sooner = set_(w, start=days(5), min_services=2)
    Policy.objects.create(district=w.r("D2"), effective_from=days(-1))
    assert list(policy_history(w.r("D1"))) == [current, older]
    assert list(policy_upcoming(w.r("D1"))) == [sooner, later]


def test_it_audits_the_changed_fields_old_and_new(w):
    policy = set_(w, start=days(7), min_services=2, coverage_threshold="0.95", weight_self=10)
    event = AuditEvent.objects.get(action=Action.POLICY_CHANGED)
    assert event.actor == w.users["district_admin"]
    assert event.target_id == str(policy.pk)
    assert event.detail["district"] == "D1"
    assert event.detail["effective_from"] == days(7).isoformat()
    assert event.detail["replaced"] is False
    assert event.detail["changes"] == {"min_services": [1, 2], "coverage_threshold": ["0.900", "0.95"]}


def test_it_audits_a_replacement_against_the_version_it_replaces(w):
    set_(w, start=days(7), min_services=2)
    set_(w, start=days(7), min_services=3)
    last = AuditEvent.objects.filter(action=Action.POLICY_CHANGED).order_by("-id").first()
    assert last.detail["replaced"] is True
    assert last.detail["changes"] == {"min_services": [2, 3]}


def test_setting_the_same_values_again_changes_nothing(w):
    set_(w, start=days(7), min_services=2)
    set_(w, start=days(7), min_services=2)
    assert AuditEvent.objects.filter(action=Action.POLICY_CHANGED).count() == 1
