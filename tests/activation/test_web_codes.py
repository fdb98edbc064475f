"""The admins' pages that issue activation codes and print the sheet: unit, community, grid."""

import re

import pytest
from django.utils import timezone

from baodao.activation.models import ActivationCode
from baodao.activation.services import account_activate
from baodao.audit.models import Action, AuditEvent
from tests import factories

from .conftest import NEW_PASSWORD, without_password

PAGES = ["/unit/U1/activation/", "/community/C1/activation/", "/grid/C1G1/activation/"]
ADMINS = {PAGES[0]: "unit_admin", PAGES[1]: "community_admin", PAGES[2]: "grid_worker"}


def codes_on(html: str) -> list[str]:
    return re.findall(r'<dd class="receipt">(\d{8})</dd>', html)


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_visitors_to_login(client, url):
    for r in (client.get(url), client.post(url, {"scope": "all"})):
        assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize(
    ("url", "outsider"),
    [
        (PAGES[0], "other_unit_admin"),
        (PAGES[0], "community_admin"),
        (PAGES[1], "other_community_admin"),
        (PAGES[1], "unit_admin"),
        (PAGES[2], "far_community_admin"),
        (PAGES[2], "member"),
    ],
)
def test_it_hides_places_out_of_scope(as_user, w, newcomer, url, outsider):
    client = as_user(w.users[outsider])
    assert client.get(url).status_code == 404
    assert client.post(url, {"scope": "all"}).status_code == 404
    assert not ActivationCode.objects.exists()


@pytest.mark.parametrize("url", PAGES)
def test_it_lists_only_members_without_a_password(as_user, w, newcomer, url):
    r = as_user(w.users[ADMINS[url]]).get(url)
    assert r.status_code == 200
    html = r.text
    assert "陈新" in html and "李明" not in html  # 李明 has a password
    assert newcomer.phone_masked in html and newcomer.user.phone not in html
    assert "未发放" in html and "不在此办理" in html
    assert f'name="member" value="{newcomer.pk}"' in html


def test_the_tabs_lead_to_it(as_user, w):
    assert 'href="/unit/U1/activation/"' in as_user(w.users["unit_admin"]).get("/unit/U1/members/").text
    html = as_user(w.users["community_admin"]).get("/community/C1/members/").text
    assert 'href="/community/C1/activation/"' in html
    assert 'href="/grid/C1G1/activation/"' in as_user(w.users["grid_worker"]).get("/grid/C1G1/members/").text


def test_it_prints_a_sheet_for_the_selected_members(as_user, w, newcomer):
    client = as_user(w.users["unit_admin"])
    r = client.post("/unit/U1/activation/", {"scope": "selected", "member": [str(newcomer.pk)]})
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    html = r.text
    [code] = codes_on(html)
    assert "陈新" in html and newcomer.phone_masked in html and newcomer.user.phone not in html
    expires = timezone.localtime(ActivationCode.objects.get().expires_at)
    assert f"{expires:%Y-%m-%d %H:%M}" in html
    assert "http://testserver/activate/" in html and "只显示这一次" in html
    account_activate(phone=newcomer.user.phone, code=code, password=NEW_PASSWORD)
    event = AuditEvent.objects.get(action=Action.ACTIVATION_ISSUED)
    assert event.actor == w.users["unit_admin"] and event.detail["users"] == [newcomer.user_id]
    assert code not in str(event.detail)


def test_the_sheet_prints_the_public_address(as_user, w, newcomer, settings):
    settings.PUBLIC_BASE_URL = "https://baodao.example.gov.cn"
    r = as_user(w.users["unit_admin"]).post(
        "/unit/U1/activation/", {"scope": "selected", "member": [str(newcomer.pk)]}
    )
    assert "https://baodao.example.gov.cn/activate/" in r.text and "testserver" not in r.text


def test_it_issues_to_all_who_have_no_code_yet(as_user, w, newcomer):
    client = as_user(w.users["unit_admin"])
    client.post("/unit/U1/activation/", {"scope": "selected", "member": [str(newcomer.pk)]})
    others = [
        without_password(factories.member(w.units["U1"], community=w.r("C2"), name=name))
        for name in ("甲一", "乙二")
    ]
    page = client.get("/unit/U1/activation/").text
    assert "已发放" in page and "为全部 2 名未发放的党员生成" in page
    sheet = client.post("/unit/U1/activation/", {"scope": "all"}).text
    assert len(codes_on(sheet)) == 2 and "甲一" in sheet and "乙二" in sheet and "陈新" not in sheet
    assert ActivationCode.objects.filter(revoked_at__isnull=True).count() == 3
    assert {o.user_id for o in others} <= set(ActivationCode.objects.values_list("user_id", flat=True))


def test_it_ignores_members_it_may_not_issue_to(as_user, w, newcomer, stranger):
    client = as_user(w.users["unit_admin"])
    ids = [str(stranger.pk), str(w.members["member"].pk)]
    r = client.post("/unit/U1/activation/", {"scope": "selected", "member": ids})
    assert r.status_code == 302
    assert "请先选择要发放激活码的党员" in client.get(r.url).text
    assert not ActivationCode.objects.exists()


def test_a_community_issues_to_members_of_any_unit_living_there(as_user, w, newcomer):
    u2 = without_password(factories.member(w.units["U2"], community=w.r("C1"), grid=w.r("C1G2"), name="丙三"))
    client = as_user(w.users["community_admin"])
    sheet = client.post("/community/C1/activation/", {"scope": "all"}).text
    assert len(codes_on(sheet)) == 2 and "丙三" in sheet and "陈新" in sheet
    chosen = {"scope": "selected", "member": [str(newcomer.pk), str(u2.pk)]}
    grid_sheet = as_user(w.users["grid_worker"]).post("/grid/C1G1/activation/", chosen).text
    assert len(codes_on(grid_sheet)) == 1 and "丙三" not in grid_sheet  # C1G2 is not its grid
    assert u2.user_id in set(ActivationCode.objects.values_list("user_id", flat=True))


def test_it_says_when_nobody_waits(as_user, w):
    html = as_user(w.users["unit_admin"]).get("/unit/U1/activation/").text
    assert "没有尚未设置密码的党员" in html


def test_it_reads_the_list_in_a_bounded_number_of_queries(
    as_user, w, newcomer, django_assert_max_num_queries
):
    for n in range(10):
        without_password(factories.member(w.units["U1"], community=w.r("C1"), name=f"党员{n}"))
    client = as_user(w.users["unit_admin"])
    with django_assert_max_num_queries(10):
        assert client.get("/unit/U1/activation/").status_code == 200
