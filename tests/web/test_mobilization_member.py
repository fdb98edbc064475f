"""A called member's pages of an emergency: 应急响应 (its calls), the emergency with the answer form
(到岗 with the expected arrival computed on the server, 无法到岗 with a required reason, a change of
mind), 签到上岗 with a right and a wrong code (and the lock-out), 签退下岗 crediting the hours, the
banner on every page, and a stood-down emergency read-only. Anonymous visitors go to sign in; an
emergency out of scope is not found."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.activities.codes import MAX_CODE_FAILURES
from baodao.ledger.models import ServiceRecord, Source
from baodao.mobilizations.models import Answer, Call, Shift
from baodao.mobilizations.services import call_respond, mobilization_stand_down
from tests.mobilizations.helpers import activate, check_in, code_at, member_in
from tests.web.mobilization_data import scene

MEMBER_PAGES = ["", "checkin/"]
MEMBER_POSTS = ["respond/", "checkin/", "checkout/"]


def url(s, suffix=""):
    return f"/emergencies/{s.mobilization.pk}/{suffix}"


def call_of(s, member):
    return Call.objects.get(mobilization=s.mobilization, member=member)


@pytest.mark.parametrize("suffix", MEMBER_PAGES)
def test_it_sends_anonymous_visitors_to_sign_in(client, w, suffix):
    s = scene(w)
    r = client.get(url(s, suffix))
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_it_sends_anonymous_visitors_from_the_calls_to_sign_in(client, w):
    r = client.get("/me/emergencies/")
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("suffix", MEMBER_PAGES)
def test_it_does_not_find_an_emergency_for_a_member_not_called(as_user, w, suffix):
    s = scene(w)
    outsider = member_in(s.c, "王五", community="C2", grid="C2G1")
    assert as_user(outsider.user).get(url(s, suffix)).status_code == 404


@pytest.mark.parametrize("suffix", MEMBER_POSTS)
def test_it_refuses_actions_on_an_emergency_out_of_scope(as_user, w, suffix):
    s = scene(w)
    data = {"answer": "yes", "eta": "15", "code": "123456"}
    r = as_user(w.users["other_member"]).post(url(s, suffix), data)
    assert r.status_code == 404
    assert not Call.objects.filter(member=w.members["other_member"]).exists()


def test_my_emergencies_lists_the_calls_active_first(as_user, w):
    s = scene(w)
    mobilization_stand_down(actor=s.c.admin, mobilization=s.mobilization)
    current = activate(s.c, posts=[(s.post, 1)], title="寒潮防冻")
    r = as_user(s.c.member.user).get("/me/emergencies/")
    assert r.status_code == 200
    html = r.text
    assert html.index("寒潮防冻") < html.index("暴雨防汛")
    assert "已解除" in html and "未响应" in html
    assert f'href="/emergencies/{current.pk}/"' in html
    assert 'aria-current="page">应急响应' in html


def test_my_emergencies_is_not_found_without_a_member_profile(as_user, w):
    assert as_user(w.users["community_admin"]).get("/me/emergencies/").status_code == 404


def test_the_detail_shows_the_call_and_the_answer_form(as_user, w):
    s = scene(w, description="地下车库进水，带上雨靴")
    r = as_user(s.c.member.user).get(url(s))
    assert r.status_code == 200
    html = r.text
    assert "暴雨防汛" in html and "地下车库进水" in html and "物资配送" in html
    assert "请立即响应" in html
    assert f'action="/emergencies/{s.mobilization.pk}/respond/"' in html
    assert f'href="/emergencies/{s.mobilization.pk}/checkin/"' in html
    assert "点名板" not in html  # a member does not command


def test_it_answers_yes_with_the_arrival_computed_on_the_server(as_user, w):
    s = scene(w)
    before = timezone.now()
    r = as_user(s.c.member.user).post(url(s, "respond/"), {"answer": "yes", "eta": "30"}, follow=True)
    assert r.redirect_chain[-1][0] == url(s)
    assert "已响应：到岗" in r.text
    call = call_of(s, s.c.member)
    assert call.answer == Answer.YES and call.no_reason == ""
    assert before + timedelta(minutes=30) <= call.eta <= timezone.now() + timedelta(minutes=30)
    assert "更改响应" in r.text


def test_it_changes_its_mind_to_no_and_requires_a_reason(as_user, w):
    s = scene(w)
    client = as_user(s.c.member.user)
    client.post(url(s, "respond/"), {"answer": "yes", "eta": "0"})
    r = client.post(url(s, "respond/"), {"answer": "no", "reason": ""})
    assert r.status_code == 400
    assert "请填写无法到岗的原因" in r.text
    assert call_of(s, s.c.member).answer == Answer.YES
    r = client.post(url(s, "respond/"), {"answer": "no", "reason": "在外地出差"}, follow=True)
    assert "已响应：无法到岗" in r.text
    call = call_of(s, s.c.member)
    assert (call.answer, call.no_reason, call.eta) == (Answer.NO, "在外地出差", None)
    assert "在外地出差" in r.text


def test_it_refuses_an_answer_without_a_choice(as_user, w):
    s = scene(w)
    r = as_user(s.c.member.user).post(url(s, "respond/"), {})
    assert r.status_code == 400
    assert "请选择到岗或无法到岗" in r.text
    assert call_of(s, s.c.member).answer == Answer.NONE


def test_it_refuses_a_no_while_on_duty_with_409(as_user, w):
    s = scene(w)
    check_in(s.mobilization, s.c.member)
    r = as_user(s.c.member.user).post(url(s, "respond/"), {"answer": "no", "reason": "有事"})
    assert r.status_code == 409
    assert "您正在岗上，请先签退" in r.text
    assert call_of(s, s.c.member).answer == Answer.YES


def test_a_stood_down_emergency_is_read_only(as_user, w):
    s = scene(w)
    mobilization_stand_down(actor=s.c.admin, mobilization=s.mobilization)
    client = as_user(s.c.member.user)
    html = client.get(url(s)).text
    assert "本页只供查看" in html
    assert "/respond/" not in html and "签到上岗</a>" not in html
    r = client.post(url(s, "respond/"), {"answer": "yes", "eta": "15"})
    assert r.status_code == 409
    assert "应急动员已解除" in r.text
    assert call_of(s, s.c.member).answer == Answer.NONE


def test_the_checkin_page_fills_in_the_code_from_the_qr_code(as_user, w):
    s = scene(w)
    r = as_user(s.c.member.user).get(url(s, "checkin/") + "?code=123456")
    assert r.status_code == 200
    assert 'value="123456"' in r.text
    assert 'name="code"' in r.text


def test_it_checks_in_with_the_right_code_and_out_again(as_user, w):
    s = scene(w)
    client = as_user(s.c.member.user)
    r = client.post(url(s, "checkin/"), {"code": code_at(s.mobilization, timezone.now())}, follow=True)
    assert r.redirect_chain[-1][0] == url(s)
    assert "签到成功" in r.text and "签退下岗" in r.text
    call = call_of(s, s.c.member)
    assert call.arrived_at is not None and call.answer == Answer.YES
    shift = Shift.objects.get(call=call)
    assert shift.ended_at is None
    # an hour on duty, then out with the code of now
    Shift.objects.filter(pk=shift.pk).update(started_at=timezone.now() - timedelta(hours=1))
    r = client.post(url(s, "checkout/"), {"code": code_at(s.mobilization, timezone.now())}, follow=True)
    assert "签退成功" in r.text and "1 小时" in r.text
    shift.refresh_from_db()
    assert shift.ended_at is not None and shift.hours == 1
    assert ServiceRecord.objects.filter(member=s.c.member, source=Source.EMERGENCY, hours=1).count() == 1


def test_it_refuses_a_wrong_code_with_400_and_locks_out_with_429(as_user, w):
    s = scene(w)
    client = as_user(s.c.member.user)
    right = code_at(s.mobilization, timezone.now())
    wrong = "000000" if right != "000000" else "111111"
    r = client.post(url(s, "checkin/"), {"code": wrong})
    assert r.status_code == 400
    assert "签到码不正确或已过期" in r.text
    for _ in range(MAX_CODE_FAILURES - 1):
        client.post(url(s, "checkin/"), {"code": wrong})
    r = client.post(url(s, "checkin/"), {"code": right})
    assert r.status_code == 429
    assert "签到码输错次数过多" in r.text
    assert not Shift.objects.exists()


def test_it_refuses_a_malformed_code_and_a_checkout_off_duty(as_user, w):
    s = scene(w)
    client = as_user(s.c.member.user)
    r = client.post(url(s, "checkin/"), {"code": "12ab56"})
    assert r.status_code == 400 and "须为 6 位数字" in r.text
    r = client.post(url(s, "checkout/"), {"code": code_at(s.mobilization, timezone.now())})
    assert r.status_code == 409
    assert "您不在岗上，不能签退" in r.text


def test_a_member_not_called_cannot_check_in(as_user, w):
    s = scene(w)
    # an admin of the community sees the emergency but is not called
    r = as_user(s.c.admin).post(url(s, "checkin/"), {"code": code_at(s.mobilization, timezone.now())})
    assert r.status_code == 409
    assert "不在这次应急动员的呼叫名单中" in r.text


def test_a_registered_member_of_the_area_not_called_checks_in_anyway(as_user, w):
    s = scene(w)
    walk_in = member_in(s.c, "路过", grid="C1G2")
    client = as_user(walk_in.user)
    assert client.get(url(s)).status_code == 404  # not called: the emergency is not its to answer …
    code = code_at(s.mobilization, timezone.now())
    page = client.get(url(s, "checkin/") + f"?code={code}")  # … but the QR code on site lets it in
    assert page.status_code == 200 and "可以自行到岗" in page.text and f'value="{code}"' in page.text
    r = client.post(url(s, "checkin/"), {"code": code})
    assert r.status_code == 302
    call = Call.objects.get(mobilization=s.mobilization, member=walk_in)
    assert (call.reason, call.answer, call.arrived_at is not None) == ("walk_in", "yes", True)
    assert client.get(url(s)).status_code == 200  # now it is on the list, and on duty


def test_the_checkout_form_on_the_qr_page_has_the_code_filled_in(as_user, w):
    s = scene(w)
    check_in(s.mobilization, s.c.member)
    r = as_user(s.c.member.user).get(url(s, "checkin/") + "?code=654321")
    assert r.status_code == 200 and "签退下岗" in r.text and 'value="654321"' in r.text


# ---- the banner --------------------------------------------------------------------------------------


def test_the_banner_calls_an_unanswered_member_on_every_page(as_user, w):
    s = scene(w)
    client = as_user(s.c.member.user)
    html = client.get("/me/").text
    assert "【应急动员】暴雨防汛" in html and "请立即响应" in html
    assert f'href="/emergencies/{s.mobilization.pk}/"' in html
    call_respond(actor=s.c.member.user, mobilization=s.mobilization, answer="yes")
    html = client.get("/me/").text
    assert "请立即响应" not in html
    assert "您已响应到岗" in html
    check_in(s.mobilization, s.c.member)
    assert "【应急动员】" not in client.get("/me/").text


def test_the_banner_is_gone_after_the_stand_down_and_never_shown_to_others(as_user, w):
    s = scene(w)
    assert "【应急动员】" not in as_user(w.users["other_member"]).get("/me/").text
    mobilization_stand_down(actor=s.c.admin, mobilization=s.mobilization)
    assert "【应急动员】" not in as_user(s.c.member.user).get("/me/").text
