"""服务记录: the ledger rows of service done in the community, their totals, and 冲销 (reversal) by the
community's admins — reversed rows stay, marked; nothing is edited."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.audit.models import Action, AuditEvent
from baodao.ledger.models import ServiceRecord, Source
from baodao.ledger.services import record_write
from baodao.needs.services import need_claim, need_complete, need_confirm
from baodao.registration.services import unit_registration_apply, unit_registration_confirm
from tests import factories
from tests.web.needs_admin_data import ledger

RECORDS = "/community/C1/records/"


@pytest.fixture
def needs(w):
    return ledger(w)


@pytest.fixture
def record(needs):
    return ServiceRecord.objects.get(need=needs.fixed)


def reverse_url(record):
    return f"/records/{record.pk}/reverse/"


def test_it_sends_anonymous_visitors_to_login(client, record):
    for r in (client.get(RECORDS), client.post(reverse_url(record), {"reason": "记错了"})):
        assert r.status_code == 302 and r.url.startswith("/login/")
    assert ServiceRecord.objects.count() == 1


@pytest.mark.parametrize("role", ["other_community_admin", "far_community_admin", "grid_worker", "member"])
def test_the_page_is_not_found_outside_the_community(as_user, w, role):
    assert as_user(w.users[role]).get(RECORDS).status_code == 404


@pytest.mark.parametrize("role", ["community_admin", "street_admin", "district_admin"])
def test_it_lists_the_communitys_records_with_totals(as_user, w, record, role):
    html = as_user(w.users[role]).get(RECORDS).text
    row = next(r for r in html.split("<tr") if "修水龙头" in r)
    for shown in ("李明", "2", "5 星", "服务对象确认", "有效", f'href="/needs/{record.need_id}/"'):
        assert shown in row
    assert w.users["resident"].name not in html  # the resident who confirmed is never named here
    assert '服务时长<br><span class="figure">2</span> 小时' in html
    assert '有效服务<br><span class="figure">1</span> 次' in html
    assert '服务党员<br><span class="figure">1</span> 人' in html
    assert (f'action="/records/{record.pk}/reverse/"' in html) == (role == "community_admin")


def test_it_filters_by_the_day_of_service(as_user, w, record):
    client = as_user(w.users["community_admin"])
    today = timezone.localdate()
    assert "修水龙头" in client.get(RECORDS, {"since": today.isoformat(), "until": today.isoformat()}).text
    later = client.get(RECORDS, {"since": (today + timedelta(days=1)).isoformat()}).text
    assert "修水龙头" not in later and "这段时间还没有记入台账的服务。" in later
    assert '服务时长<br><span class="figure">0</span> 小时' in later


def test_the_days_are_the_sites_days_from_midnight_to_midnight(as_user, w):
    """A service done at 23:30 Beijing time belongs to that day, not the next (in UTC it is 15:30)."""
    factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    day = timezone.localdate() - timedelta(days=3)
    for title, at in (("前一天深夜", time(23, 30)), ("当天清晨", time(0, 0)), ("当天深夜", time(23, 59))):
        when = day - timedelta(days=1) if title == "前一天深夜" else day
        record_write(
            source=Source.NEED,
            member=w.members["member"],
            unit=None,
            community=w.r("C1"),
            path=w.r("C1").path,
            title=title,
            category="repair",
            hours=Decimal("1"),
            served_at=timezone.make_aware(datetime.combine(when, at)),
            verified_by=w.users["community_admin"],
        )
    html = as_user(w.users["community_admin"]).get(RECORDS, {"since": day, "until": day}).text
    assert "当天清晨" in html and "当天深夜" in html and "前一天深夜" not in html
    assert '服务时长<br><span class="figure">2</span> 小时' in html


def test_the_community_reverses_a_record_which_stays_marked(as_user, w, record):
    client = as_user(w.users["community_admin"])
    r = client.post(reverse_url(record), {"reason": "重复记录"}, follow=True)
    assert r.redirect_chain[-1][0] == RECORDS
    assert "已冲销“修水龙头”的 2 小时服务记录。" in r.text
    reversal = ServiceRecord.objects.get(reverses=record)
    assert (reversal.hours, reversal.reason, reversal.verified_by) == (
        Decimal("-2.0"),
        "重复记录",
        w.users["community_admin"],
    )
    record.refresh_from_db()
    assert record.hours == Decimal("2.0")  # never edited
    html = r.text
    assert html.count("修水龙头") >= 2  # both rows shown
    assert "已冲销" in html and "冲销记录" in html and "原因：重复记录" in html
    assert f'action="/records/{record.pk}/reverse/"' not in html
    assert f'action="/records/{reversal.pk}/reverse/"' not in html
    assert '服务时长<br><span class="figure">0</span> 小时' in html
    assert '有效服务<br><span class="figure">0</span> 次' in html
    assert AuditEvent.objects.filter(action=Action.SERVICE_REVERSED, target_id=str(record.pk)).exists()


def test_a_second_reversal_is_refused_with_a_message(as_user, w, record):
    client = as_user(w.users["community_admin"])
    client.post(reverse_url(record), {"reason": "重复记录"})
    r = client.post(reverse_url(record), {"reason": "又一次"}, follow=True)
    assert "该记录已经冲销过了。" in r.text
    reversal = ServiceRecord.objects.get(reverses=record)
    r = client.post(reverse_url(reversal), {"reason": "冲销冲销"}, follow=True)
    assert "冲销记录本身不能再冲销。" in r.text
    assert ServiceRecord.objects.count() == 2


def test_a_reversal_needs_a_reason(as_user, w, record):
    r = as_user(w.users["community_admin"]).post(reverse_url(record), {"reason": "  "}, follow=True)
    assert "请填写冲销原因。" in r.text
    assert not ServiceRecord.objects.filter(reverses=record).exists()


@pytest.mark.parametrize("role", ["street_admin", "district_admin", "grid_worker", "member"])
def test_who_sees_a_record_but_did_not_verify_it_may_not_reverse_it(as_user, w, record, role):
    r = as_user(w.users[role]).post(reverse_url(record), {"reason": "记错了"})
    assert r.status_code == 403 and "只有记录所在社区的管理员可以冲销服务记录。" in r.text
    assert ServiceRecord.objects.count() == 1


@pytest.mark.parametrize("role", ["other_community_admin", "far_community_admin", "other_member", "resident"])
def test_a_record_out_of_scope_is_not_found(as_user, w, record, role):
    assert as_user(w.users[role]).post(reverse_url(record), {"reason": "记错了"}).status_code == 404
    assert as_user(w.users["community_admin"]).post("/records/999999/reverse/").status_code == 404
    assert ServiceRecord.objects.count() == 1


def test_reversal_is_a_post(as_user, w, record):
    assert as_user(w.users["community_admin"]).get(reverse_url(record)).status_code == 405


def test_the_totals_count_members_and_units_that_served(as_user, w, needs):
    admin = w.users["community_admin"]
    need_confirm(actor=admin, need=needs.escort, rating=4)  # taken down for someone without an account
    agreement = unit_registration_apply(
        actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C1"), commitments="共建"
    )
    unit_registration_confirm(actor=admin, unit_registration=agreement)
    need_claim(actor=w.users["unit_admin"], need=needs.cleanup, unit=w.units["U1"])
    need_complete(actor=w.users["unit_admin"], need=needs.cleanup, note="组织了八名党员", hours="1.5")
    need_confirm(actor=admin, need=needs.cleanup, rating=5)
    html = as_user(admin).get(RECORDS).text
    assert '服务时长<br><span class="figure">6.5</span> 小时' in html
    assert '有效服务<br><span class="figure">3</span> 次' in html
    assert '服务党员<br><span class="figure">1</span> 人' in html
    assert '服务单位<br><span class="figure">1</span> 个' in html
    row = next(r for r in html.split("<tr") if "环境整治" in r)
    assert "区税务局" in row and "社区书记" in row


def test_it_goes_back_to_the_page_the_reversal_came_from_but_never_elsewhere(as_user, w, record):
    client = as_user(w.users["community_admin"])
    r = client.post(reverse_url(record), {"reason": "重复记录", "next": "/community/C1/flags/"})
    assert r.status_code == 302 and r.url == "/community/C1/flags/"
    assert ServiceRecord.objects.filter(reverses=record).count() == 1


def test_it_never_goes_back_to_another_site(as_user, w, record):
    client = as_user(w.users["community_admin"])
    r = client.post(reverse_url(record), {"reason": "重复记录", "next": "https://evil.example/"})
    assert r.status_code == 302 and r.url == RECORDS
    assert ServiceRecord.objects.filter(reverses=record).count() == 1
