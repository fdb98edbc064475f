"""反馈函 pages: a unit's letter with its lists and one-click reminders, its PDF and Excel; the region's
letters and the send button for district and street admins — anonymous, out of scope and happy paths."""

import io

import openpyxl
import pypdf
import pytest

from baodao.feedback.models import FeedbackLetter, Reminder
from baodao.lib.periods import current_quarter, previous_quarter
from baodao.notify.models import Notice
from tests.circulars.helpers import _roster_long_ago  # noqa: F401  (autouse)
from tests.feedback.helpers import history

PAGE = "/unit/U1/feedback/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def period():
    return previous_quarter()


@pytest.fixture
def people(w, period):
    return history(w, period)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (PAGE, f"{PAGE}pdf/", f"{PAGE}xlsx/", "/feedback/"):
        r = client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"]
    assert client.post(f"{PAGE}remind/", {"who": "unregistered"}).status_code == 302
    assert client.post("/feedback/send/", {"region": "S1"}).status_code == 302


def test_the_unit_admin_sees_the_letter_and_the_lists(w, as_user, people, period):
    r = as_user(w.users["unit_admin"]).get(PAGE, {"period": period.code})
    assert r.status_code == 200
    html = r.content.decode()
    for name in ("李明", "赵强", "钱芳"):
        assert name in html
    assert "王芳" not in html  # another unit's member
    assert f"/unit/U1/feedback/pdf/?period={period.code}" in html
    assert 'action="/unit/U1/feedback/remind/"' in html
    assert 'aria-current="page">反馈函' in html
    assert "尚未由区或街道发送" in html


def test_the_page_defaults_to_the_last_quarter(w, as_user, people, period):
    r = as_user(w.users["unit_admin"]).get(PAGE)
    assert r.context["letter"].period == period


@pytest.mark.parametrize("who", ["other_unit_admin", "community_admin", "member"])
def test_others_find_no_such_unit(w, as_user, period, who):
    client = as_user(w.users[who])
    assert client.get(PAGE).status_code == 404
    assert client.get(f"{PAGE}pdf/").status_code == 404
    assert client.post(f"{PAGE}remind/", {"who": "unregistered", "period": period.code}).status_code == 404
    assert not Notice.objects.exists()


def test_one_click_reminder_redirects_with_a_message(w, as_user, people, period):
    client = as_user(w.users["unit_admin"])
    r = client.post(f"{PAGE}remind/", {"who": "unserved", "period": period.code}, follow=True)
    assert r.redirect_chain[-1][0] == f"{PAGE}?period={period.code}"
    html = r.content.decode()
    assert "已提醒 1 名党员（站内消息" in html
    assert "短信" not in html.split("已提醒 1 名党员")[1].split("</")[0]  # no channel configured: no SMS
    assert Notice.objects.filter(user=people["idle"].user).count() == 1
    r = client.post(f"{PAGE}remind/", {"who": "unserved", "period": period.code}, follow=True)
    assert "24 小时内不能重复提醒" in r.content.decode()
    assert Reminder.objects.count() == 1
    assert client.get(f"{PAGE}remind/").status_code == 405


def test_downloads(w, as_user, people, period):
    client = as_user(w.users["street_admin"])
    r = client.get(f"{PAGE}pdf/", {"period": period.code})
    assert r.status_code == 200
    assert len(pypdf.PdfReader(io.BytesIO(b"".join(r.streaming_content))).pages) == 1
    r = client.get(f"{PAGE}xlsx/", {"period": period.code})
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sheet.max_row == 4


def test_the_street_admin_lists_and_sends_the_letters(w, as_user, people, period):
    client = as_user(w.users["street_admin"])
    r = client.get("/feedback/", {"region": "S1", "period": period.code})
    assert r.status_code == 200
    html = r.content.decode()
    assert "区税务局" in html and "区实验中学" not in html
    assert 'action="/feedback/send/"' in html
    r = client.post("/feedback/send/", {"region": "S1", "period": period.code}, follow=True)
    assert r.redirect_chain[-1][0] == f"/feedback/?region=S1&period={period.code}"
    assert "已向 2 个单位发送反馈函。" in r.content.decode()
    assert FeedbackLetter.objects.count() == 2
    assert "已全部发送" in r.content.decode()
    notice = Notice.objects.get(user=w.users["unit_admin"])
    page = as_user(w.users["unit_admin"]).get(notice.url)
    assert "已于" in page.content.decode()


def test_the_current_period_cannot_be_sent(w, as_user):
    client = as_user(w.users["district_admin"])
    r = client.get("/feedback/", {"region": "D1", "period": current_quarter().code})
    assert 'action="/feedback/send/"' not in r.content.decode()
    r = client.post("/feedback/send/", {"region": "D1", "period": current_quarter().code}, follow=True)
    assert "还没有结束" in r.content.decode()
    assert not FeedbackLetter.objects.exists()


@pytest.mark.parametrize("who", ["unit_admin", "community_admin", "member"])
def test_others_find_no_send_page(w, as_user, period, who):
    client = as_user(w.users[who])
    assert client.get("/feedback/").status_code == 404
    assert client.post("/feedback/send/", {"region": "S1", "period": period.code}).status_code == 404


def test_a_street_admin_cannot_send_another_region(w, as_user, period):
    r = as_user(w.users["street_admin"]).post("/feedback/send/", {"region": "D1", "period": period.code})
    assert r.status_code == 404


def test_the_coverage_page_leads_to_the_letters(w, as_user):
    r = as_user(w.users["street_admin"]).get("/coverage/S1/")
    assert 'href="/feedback/?region=S1"' in r.content.decode()


def test_the_message_says_a_text_message_went_out_when_sms_is_on(w, as_user, people, period, settings):
    settings.NOTIFY_CHANNELS = ["baodao.notify.services.SmsChannel"]
    r = as_user(w.users["unit_admin"]).post(
        f"{PAGE}remind/", {"who": "unserved", "period": period.code}, follow=True
    )
    assert "已提醒 1 名党员（站内消息，同时发送短信）" in r.content.decode()


@pytest.mark.parametrize("data", [{}, {"period": "2026Q5"}, {"period": "上季度"}])
def test_a_reminder_without_a_valid_period_sends_nothing(w, as_user, people, data):
    r = as_user(w.users["unit_admin"]).post(f"{PAGE}remind/", {"who": "unregistered", **data}, follow=True)
    assert r.status_code == 200
    assert "请选择统计期" in r.content.decode()
    assert not Notice.objects.exists()
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("data", [{}, {"period": "2026Q5"}])
def test_sending_without_a_valid_period_sends_nothing(w, as_user, people, data):
    r = as_user(w.users["street_admin"]).post("/feedback/send/", {"region": "S1", **data}, follow=True)
    assert r.status_code == 200
    assert r.redirect_chain[-1][0] == "/feedback/?region=S1"
    assert "请选择统计期" in r.content.decode()
    assert not FeedbackLetter.objects.exists()


def test_the_send_message_counts_units_without_an_admin(w, as_user, people, period):
    r = as_user(w.users["district_admin"]).post(
        "/feedback/send/", {"region": "D1", "period": period.code}, follow=True
    )
    html = r.content.decode()
    assert "已向 2 个单位发送反馈函" in html
    assert "1 个单位还没有单位管理员" in html
    assert FeedbackLetter.objects.count() == 2


def test_an_open_appraisals_comment_is_not_on_the_page(w, as_user, people, period):
    from baodao.appraisals.models import Status
    from tests.feedback.helpers import appraised

    appraised(w, people["served"], period, status=Status.OPEN, level=1, comment="还在评")
    r = as_user(w.users["unit_admin"]).get(PAGE, {"period": period.code})
    assert "还在评" not in r.content.decode()
