"""`GET|PUT /api/v1/policy`: the caller's district's policy in force, history and upcoming versions; a new
version set by the district's admin only, partial bodies carried over, bad values refused per field."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.accounts.models import Role
from baodao.audit.models import Action, AuditEvent
from baodao.policy.models import Policy
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/policy"


def days(n):
    return (timezone.localdate() + timedelta(days=n)).isoformat()


@pytest.fixture
def d2_admin(w):
    return factories.user(Role.DISTRICT_ADMIN, region_=w.r("D2"), name="西山区组织部")


def test_it_refuses_anonymous_callers(anon):
    assert anon.get(URL).status_code == 401
    assert anon.put(URL, {"effective_from": days(1)}, format="json").status_code == 401


def test_it_shows_the_national_defaults_when_the_district_set_none(w, api_as):
    body = api_as(w.users["district_admin"]).get(URL).json()
    assert body["district"] == {"code": "D1", "name": "东湖区"}
    assert body["is_default"] is True
    assert body["effective_from"] is None
    assert body["coverage_threshold"] == 0.9
    assert body["registration_deadline_days"] == 30
    assert body["reconfirm_months"] == 12
    assert body["grade_excellent_name"] == "优秀"
    assert body["grade_poor_name"] == "不合格"
    assert (body["grade_excellent_min"], body["grade_good_min"], body["grade_basic_min"]) == (90, 70, 60)
    assert body["excellent_share_max"] == 0.333
    assert body["min_services"] == 1
    assert body["min_services_period"] == "quarter"
    assert body["may_edit"] is True
    assert body["history"] == []
    assert body["upcoming"] == []


def test_it_shows_the_version_in_force_with_history_and_upcoming(w, api_as):
    d1 = w.r("D1")
    Policy.objects.create(district=d1, effective_from=timezone.localdate() - timedelta(days=100))
    Policy.objects.create(
        district=d1,
        effective_from=timezone.localdate() - timedelta(days=3),
        coverage_threshold=Decimal("0.95"),
    )
    Policy.objects.create(
        district=d1, effective_from=timezone.localdate() + timedelta(days=9), min_services=2
    )
    body = api_as(w.users["member"]).get(URL).json()
    assert body["is_default"] is False
    assert body["effective_from"] == days(-3)
    assert body["coverage_threshold"] == 0.95
    assert [v["effective_from"] for v in body["history"]] == [days(-3), days(-100)]
    assert "created_at" in body["history"][0]
    assert [(v["effective_from"], v["min_services"]) for v in body["upcoming"]] == [(days(9), 2)]
    assert body["may_edit"] is False


@pytest.mark.parametrize("role", ["street_admin", "community_admin", "grid_worker", "unit_admin", "member"])
def test_everyone_working_in_the_district_reads_it(w, api_as, role):
    response = api_as(w.users[role]).get(URL)
    assert response.status_code == 200
    assert response.json()["district"]["code"] == "D1"


@pytest.mark.parametrize("role", ["resident"])
def test_it_hides_it_from_those_without_a_district(w, api_as, role):
    assert api_as(w.users[role]).get(URL).status_code == 404


def test_it_keeps_other_districts_out_of_reach(w, api_as, d2_admin):
    assert api_as(d2_admin).get(URL + "?district=D1").status_code == 404
    assert api_as(d2_admin).get(URL).json()["district"]["code"] == "D2"
    put = api_as(d2_admin).put(URL + "?district=D1", {"effective_from": days(1)}, format="json")
    assert put.status_code == 404
    assert not Policy.objects.exists()


def test_someone_with_several_districts_names_one(w, api_as):
    # a member of a D1 unit living in D2
    m = factories.member(w.units["U1"], community=w.r("C4"), name="跨区党员")
    client = api_as(m.user)
    missing = client.get(URL)
    assert missing.status_code == 400
    assert "district" in missing.json()["fields"]
    assert client.get(URL + "?district=D2").json()["district"]["code"] == "D2"
    assert client.get(URL + "?district=D1").json()["district"]["code"] == "D1"


def test_the_district_admin_sets_a_new_version_with_a_partial_body(w, api_as):
    Policy.objects.create(
        district=w.r("D1"), effective_from=timezone.localdate() - timedelta(days=3), min_services=2
    )
    response = api_as(w.users["district_admin"]).put(
        URL,
        {"effective_from": days(5), "coverage_threshold": "0.95", "grade_excellent_name": "先进"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["coverage_threshold"] == 0.9  # today's version is unchanged
    [upcoming] = body["upcoming"]
    assert upcoming["effective_from"] == days(5)
    assert upcoming["coverage_threshold"] == 0.95
    assert upcoming["grade_excellent_name"] == "先进"
    assert upcoming["min_services"] == 2  # carried over
    assert AuditEvent.objects.filter(action=Action.POLICY_CHANGED, actor=w.users["district_admin"]).exists()


@pytest.mark.parametrize("role", ["street_admin", "community_admin", "grid_worker", "unit_admin", "member"])
def test_others_in_the_district_may_not_set_it(w, api_as, role):
    response = api_as(w.users[role]).put(URL, {"effective_from": days(1), "min_services": 3}, format="json")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert not Policy.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"effective_from": days(-1)}, "effective_from"),
        ({}, "effective_from"),
        ({"effective_from": days(1), "min_services": "很多"}, "min_services"),
        ({"effective_from": days(1), "reconfirm_months": 0}, "reconfirm_months"),
        ({"effective_from": days(1), "grade_good_min": 95}, "grade_good_min"),
        ({"effective_from": days(1), "excellent_share_max": "1.5"}, "excellent_share_max"),
        ({"effective_from": days(1), "weight_unit": 50}, "weight_unit"),
        ({"effective_from": days(1), "min_services_period": "month"}, "min_services_period"),
    ],
)
def test_it_refuses_bad_values_on_their_field(w, api_as, body, field):
    response = api_as(w.users["district_admin"]).put(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Policy.objects.exists()


def test_it_keeps_a_version_started_today(w, api_as):
    Policy.objects.create(district=w.r("D1"), effective_from=timezone.localdate(), min_services=2)
    response = api_as(w.users["district_admin"]).put(
        URL, {"effective_from": days(0), "min_services": 3}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"] == "in_force"


def test_a_change_is_carried_into_the_versions_planned_after_it(w, api_as):
    client = api_as(w.users["district_admin"])
    r = client.put(URL, {"effective_from": days(30), "need_resolve_days": 10}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["saved"]["effective_from"] == days(30)
    r = client.put(URL, {"effective_from": days(10), "coverage_threshold": "0.95"}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["saved"]["effective_from"], r.json()["saved"]["coverage_threshold"]) == (
        days(10),
        0.95,
    )
    later = Policy.objects.get(effective_from=days(30))
    # the later plan had inherited 0.90: it takes 0.95, and keeps its own change
    assert (later.coverage_threshold, later.need_resolve_days) == (Decimal("0.950"), 10)
    event = AuditEvent.objects.filter(action=Action.POLICY_CHANGED).latest("id")
    assert event.detail["carried_to"] == [days(30)]


def test_a_later_plans_own_choice_is_kept(w, api_as):
    client = api_as(w.users["district_admin"])
    client.put(URL, {"effective_from": days(30), "coverage_threshold": "0.85"}, format="json")
    client.put(URL, {"effective_from": days(10), "coverage_threshold": "0.95"}, format="json")
    assert Policy.objects.get(effective_from=days(30)).coverage_threshold == Decimal("0.850")


def test_a_new_version_that_changes_nothing_is_refused(w, api_as):
    client = api_as(w.users["district_admin"])
    r = client.put(URL, {"effective_from": days(5)}, format="json")
    assert r.status_code == 400 and "effective_from" in r.json()["fields"]
    assert (
        not Policy.objects.exists() and not AuditEvent.objects.filter(action=Action.POLICY_CHANGED).exists()
    )
