"""The community admin's pages: 报到 to decide, registered members, unit registrations."""

import pytest

from baodao.audit.models import Action, AuditEvent
from baodao.registration.models import Status
from baodao.registration.services import unit_registration_apply
from tests import factories

COMMUNITY_PAGES = [
    "/community/C1/registrations/",
    "/community/C1/members/",
    "/community/C1/unit-registrations/",
]


@pytest.mark.parametrize("url", COMMUNITY_PAGES)
def test_it_sends_anonymous_visitors_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("url", COMMUNITY_PAGES)
def test_it_hides_another_community(as_user, w, url):
    assert as_user(w.users["other_community_admin"]).get(url).status_code == 404


@pytest.mark.parametrize("url", COMMUNITY_PAGES)
def test_it_is_not_found_for_an_unknown_community(as_user, w, url):
    assert as_user(w.users["community_admin"]).get(url.replace("C1", "NOPE")).status_code == 404


def test_it_lists_pending_registrations_first_with_what_the_admin_needs(as_user, w, pending):
    earlier = factories.member(w.units["U2"], community=w.r("C1"), name="周涛")
    factories.registered(earlier, w.r("C1"), by=w.users["community_admin"])
    r = as_user(w.users["community_admin"]).get("/community/C1/registrations/")
    html = r.text
    assert r.status_code == 200
    assert html.index("李明") < html.index("周涛")  # pending before confirmed
    for shown in ("区税务局", "网格C1G1", "3栋2单元502", "待确认"):
        assert shown in html
    assert f'action="/registrations/{pending.pk}/confirm/"' in html
    assert f'action="/registrations/{pending.pk}/reject/"' in html
    assert f'<label for="reg-{pending.pk}-reason">驳回原因</label>' in html
    assert ">确认</button>" in html and ">驳回</button>" in html


def test_it_filters_registrations_by_status(as_user, w, pending):
    client = as_user(w.users["community_admin"])
    assert "李明" not in client.get("/community/C1/registrations/?status=confirmed").text
    assert "李明" in client.get("/community/C1/registrations/?status=pending").text
    assert client.get("/community/C1/registrations/?status=bogus").status_code == 200


def test_it_confirms_a_registration(as_user, w, pending):
    client = as_user(w.users["community_admin"])
    r = client.post(f"/registrations/{pending.pk}/confirm/", follow=True)
    pending.refresh_from_db()
    assert pending.status == Status.CONFIRMED
    assert r.redirect_chain[-1][0] == "/community/C1/registrations/"
    assert f"回执编号 {pending.receipt_no}" in r.text


def test_it_rejects_with_a_reason(as_user, w, pending):
    client = as_user(w.users["community_admin"])
    r = client.post(f"/registrations/{pending.pk}/reject/", {"reason": "住址不在本社区"}, follow=True)
    pending.refresh_from_db()
    assert (pending.status, pending.reason) == (Status.REJECTED, "住址不在本社区")
    assert "已驳回李明的报到申请" in r.text


def test_it_needs_a_reason_to_reject(as_user, w, pending):
    r = as_user(w.users["community_admin"]).post(f"/registrations/{pending.pk}/reject/", follow=True)
    assert "请填写原因。" in r.text
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_it_explains_an_illegal_transition(as_user, w, pending):
    client = as_user(w.users["community_admin"])
    client.post(f"/registrations/{pending.pk}/confirm/")
    r = client.post(f"/registrations/{pending.pk}/confirm/", follow=True)
    assert "该报到已确认，无需重复确认。" in r.text


def test_it_lets_a_street_admin_look_but_not_decide(as_user, w, pending):
    client = as_user(w.users["street_admin"])
    page = client.get("/community/C1/registrations/")
    assert page.status_code == 200
    assert "确认和驳回由社区党委办理" in page.text
    assert "/confirm/" not in page.text and "3栋2单元502" not in page.text
    r = client.post(f"/registrations/{pending.pk}/confirm/")
    assert r.status_code == 403
    assert "只有该社区的管理员可以处理报到。" in r.text
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_it_does_not_find_another_communitys_registration(as_user, w, pending):
    client = as_user(w.users["other_community_admin"])
    assert client.post(f"/registrations/{pending.pk}/confirm/").status_code == 404
    assert client.post(f"/registrations/{pending.pk}/reject/", {"reason": "x"}).status_code == 404
    assert client.post("/registrations/999999/confirm/").status_code == 404


def test_it_only_accepts_posts_for_decisions(as_user, w, pending):
    assert as_user(w.users["community_admin"]).get(f"/registrations/{pending.pk}/confirm/").status_code == 405


def test_it_lists_registered_members_with_filters(as_user, w):
    admin = w.users["community_admin"]
    factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=admin)
    nurse = factories.member(
        w.units["U2"], community=w.r("C1"), grid=w.r("C1G2"), name="黄丽", skills=("health",)
    )
    factories.registered(nurse, w.r("C1"), w.r("C1G2"), by=admin)
    factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G1"), name="未报到者")
    client = as_user(admin)

    html = client.get("/community/C1/members/").text
    assert "李明" in html and "黄丽" in html and "未报到者" not in html
    assert '<label for="id_grid">网格</label>' in html and '<label for="id_skill">特长</label>' in html
    assert '<option value="U2">区人民医院</option>' in html

    def names(query):
        html = client.get(f"/community/C1/members/?{query}").text
        return {n for n in ("李明", "黄丽") if n in html}

    assert names("grid=C1G2") == {"黄丽"}
    assert names("unit=U1") == {"李明"}
    assert names("skill=legal") == {"李明"}
    assert names("skill=health&unit=U2") == {"黄丽"}


def test_it_paginates_members_by_fifty(as_user, w):
    admin = w.users["community_admin"]
    for i in range(51):
        factories.registered(
            factories.member(w.units["U1"], community=w.r("C1"), name=f"党员{i:02d}"), w.r("C1"), by=admin
        )
    client = as_user(admin)
    first = client.get("/community/C1/members/").text
    assert "第 1 / 2 页" in first and "?page=2" in first
    second = client.get("/community/C1/members/?page=2").text
    assert second.count('href="/members/') == 1
    assert client.get("/community/C1/members/?page=99").status_code == 200


def test_it_confirms_and_rejects_unit_registrations(as_user, w):
    u1 = unit_registration_apply(
        actor=w.users["unit_admin"],
        unit=w.units["U1"],
        community=w.r("C1"),
        commitments="每季度法律咨询进社区",
    )
    u2 = unit_registration_apply(
        actor=w.users["other_unit_admin"], unit=w.units["U2"], community=w.r("C1"), commitments="义诊"
    )
    client = as_user(w.users["community_admin"])
    html = client.get("/community/C1/unit-registrations/").text
    assert "每季度法律咨询进社区" in html and f'action="/unit-registrations/{u1.pk}/confirm/"' in html

    r = client.post(f"/unit-registrations/{u1.pk}/confirm/", follow=True)
    u1.refresh_from_db()
    assert u1.status == Status.CONFIRMED and u1.receipt_no in r.text
    client.post(f"/unit-registrations/{u2.pk}/reject/", {"reason": "非共建单位"})
    u2.refresh_from_db()
    assert (u2.status, u2.reason) == (Status.REJECTED, "非共建单位")
    assert AuditEvent.objects.filter(action=Action.UNIT_REGISTRATION_CONFIRMED).count() == 1


def test_it_refuses_a_unit_registration_decision_to_the_unit_itself(as_user, w):
    u1 = unit_registration_apply(
        actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C1"), commitments="共建"
    )
    r = as_user(w.users["unit_admin"]).post(f"/unit-registrations/{u1.pk}/confirm/")
    assert r.status_code == 403 and "只有该社区的管理员" in r.text
    assert (
        as_user(w.users["other_community_admin"]).post(f"/unit-registrations/{u1.pk}/confirm/").status_code
        == 404
    )
