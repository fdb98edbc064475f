"""The district's policy page: the rules in force in plain words, the upcoming change and the history for
everyone working in the district; the form that sets a new version for the district's admin only."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.accounts.models import Role
from baodao.policy.models import Policy
from baodao.policy.services import EDITABLE
from baodao.web.policy_forms import PolicyForm
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/district/D1/policy/"


def day(n):
    return timezone.localdate() + timedelta(days=n)


def form_data(policy, **changes):
    data = {k: ("" if v is None else v) for k, v in PolicyForm.initial_from(policy).items()}
    data["posts_required"] = "on" if policy.posts_required else ""
    if not data["posts_required"]:
        del data["posts_required"]
    return {**data, "effective_from": day(1).isoformat(), **changes}


def test_it_sends_anonymous_visitors_to_login(client, w):
    assert client.get(URL).url.startswith("/login/")


def test_it_hides_another_district(w, as_user):
    d2_admin = factories.user(Role.DISTRICT_ADMIN, region_=w.r("D2"))
    assert as_user(d2_admin).get(URL).status_code == 404
    assert as_user(d2_admin).post(URL, {"effective_from": day(1).isoformat()}).status_code == 404
    assert as_user(w.users["district_admin"]).get("/district/S1/policy/").status_code == 404


def test_it_tells_the_rules_in_force_in_plain_words(w, as_user):
    Policy.objects.create(district=w.r("D1"), effective_from=day(-3), coverage_threshold=Decimal("0.95"))
    Policy.objects.create(district=w.r("D1"), effective_from=day(-90))
    html = as_user(w.users["member"]).get(URL).content.decode()
    assert "单位报到率达到 95% 为达标" in html
    assert "每季度至少 1 次经核实的服务" in html
    assert "优秀：90 分及以上（不超过参评人数的 33.3%）" in html
    assert "党员自评 10%" in html
    assert f"自 {day(-3).isoformat()} 起执行" in html
    assert day(-90).isoformat() in html  # history
    assert "保存新版本" not in html  # no form for a member


def test_it_shows_the_national_defaults_and_the_upcoming_change(w, as_user):
    Policy.objects.create(
        district=w.r("D1"),
        effective_from=day(10),
        min_services=2,
        min_services_period="year",
        min_hours_per_year=50,
    )
    html = as_user(w.users["street_admin"]).get(URL).content.decode()
    assert "执行全国默认标准" in html
    assert f"将于 {day(10).isoformat()} 起执行的调整" in html
    assert "每年至少 2 次经核实的服务，并且每年至少服务 50 小时" in html


def test_the_district_admin_sets_a_new_version(w, as_user):
    client = as_user(w.users["district_admin"])
    page = client.get(URL)
    assert "保存新版本" in page.content.decode()
    form = page.context["form"]
    assert form.initial["coverage_threshold"] == Decimal("0.900")
    assert form.initial["effective_from"] == day(1)
    response = client.post(URL, form_data(Policy(), coverage_threshold="0.95", grade_excellent_name="先进"))
    assert response.status_code == 302
    policy = Policy.objects.get(district=w.r("D1"))
    assert (policy.effective_from, policy.coverage_threshold, policy.grade_excellent_name) == (
        day(1),
        Decimal("0.950"),
        "先进",
    )
    assert set(EDITABLE) <= set(page.context["form"].fields)


def test_it_shows_refusals_on_their_fields(w, as_user):
    client = as_user(w.users["district_admin"])
    response = client.post(URL, form_data(Policy(), effective_from=day(-1).isoformat(), weight_self="30"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "effective_from" in errors
    assert not Policy.objects.exists()
    response = client.post(URL, form_data(Policy(), weight_self="30"))
    assert "合计须为 100" in response.context["form"].errors["weight_self"][0]
    assert not Policy.objects.exists()


@pytest.mark.parametrize("role", ["street_admin", "community_admin", "unit_admin", "member"])
def test_others_may_read_but_not_set(w, as_user, role):
    client = as_user(w.users[role])
    assert client.get(URL).status_code == 200
    assert client.post(URL, form_data(Policy(), min_services="3")).status_code == 403
    assert not Policy.objects.exists()


def test_the_coverage_page_links_to_it(w, as_user):
    html = as_user(w.users["district_admin"]).get("/coverage/D1/").content.decode()
    assert URL in html
