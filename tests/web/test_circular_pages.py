"""通报 pages: the preview and publish form for district and street admins, the published list, one circular
(with the unit admin's own row marked) and its PDF — for every role."""

import io
from datetime import timedelta

import pypdf
import pytest
from django.utils import timezone

from baodao.audit.models import Action, AuditEvent
from baodao.circulars.models import Circular
from baodao.lib.periods import local_midnight, previous_quarter
from tests.circulars.helpers import (
    _roster_long_ago,  # noqa: F401  (autouse)
    member_of,
    registered,
    served,
)

LIST = "/circulars/"


@pytest.fixture
def period():
    return previous_quarter()


@pytest.fixture
def history(w, period):
    """In the last quarter, U1: one of two registered who served; U2: none of one."""
    m = member_of(w, "U1", name="赵强")
    registered(w, m, at=local_midnight(period.start + timedelta(days=20)))
    served(w, m, local_midnight(period.start + timedelta(days=30)))
    return m


def preview(client, period, region="S1"):
    return client.get(LIST, {"region": region, "period": period.code})


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(LIST).status_code == 302
    assert client.get(f"{LIST}1/").status_code == 302
    assert client.get(f"{LIST}1/pdf/").status_code == 302


def test_the_preview_shows_the_ranking_with_flags_and_a_publish_button(w, as_user, history, period):
    r = preview(as_user(w.users["street_admin"]), period)
    assert r.status_code == 200
    html = r.content.decode()
    assert "区税务局" in html and "区人民医院" in html
    assert html.count('class="badge bad">未达标') == 2
    assert "50%" in html and "100%" in html
    assert "名册不保留历史" in html  # the helptext says the roster is today's
    assert f'name="period" value="{period.code}"' in html and "发布" in html


def test_the_form_offers_only_regions_in_scope(w, as_user):
    html = as_user(w.users["street_admin"]).get(LIST).content.decode()
    assert 'value="S1"' in html and 'value="D1"' not in html and 'value="S2"' not in html
    html = as_user(w.users["district_admin"]).get(LIST).content.decode()
    assert 'value="D1"' in html and 'value="S1"' in html and 'value="S2"' in html


def test_a_region_out_of_scope_is_not_previewed(w, as_user, period):
    r = preview(as_user(w.users["street_admin"]), period, region="S2")
    assert r.status_code == 200 and "区实验中学" not in r.content.decode()


@pytest.mark.parametrize("who", ["community_admin", "member", "resident", "grid_worker"])
def test_people_without_circulars_do_not_find_the_page(w, as_user, who):
    assert as_user(w.users[who]).get(LIST).status_code == 404


def test_publishing_stores_audits_and_opens_the_circular(w, as_user, history, period):
    client = as_user(w.users["street_admin"])
    r = client.post(LIST, {"region": "S1", "period": period.code})
    circular = Circular.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/circulars/{circular.pk}/"
    assert AuditEvent.objects.filter(action=Action.CIRCULAR_PUBLISHED, target_id=str(circular.pk)).exists()
    html = client.get(r["Location"]).content.decode()
    assert f"关于 {period.label} 在职党员进社区报到和服务情况的通报" in html
    assert "大塘街道" in html and "下载 PDF" in html
    # the preview now links to it instead of offering to publish again
    again = preview(client, period).content.decode()
    assert f"/circulars/{circular.pk}/" in again and 'action="/circulars/"' not in again


def test_publishing_twice_says_so(w, as_user, history, period):
    client = as_user(w.users["street_admin"])
    client.post(LIST, {"region": "S1", "period": period.code})
    r = client.post(LIST, {"region": "S1", "period": period.code}, follow=True)
    assert "已经发布" in r.content.decode()
    assert Circular.objects.count() == 1


def test_a_unit_admin_cannot_publish(w, as_user, period):
    assert (
        as_user(w.users["unit_admin"]).post(LIST, {"region": "S1", "period": period.code}).status_code == 404
    )
    assert not Circular.objects.exists()


def test_a_bad_period_is_refused_on_the_form(w, as_user):
    r = as_user(w.users["street_admin"]).get(LIST, {"region": "S1", "period": "2026Q9"})
    assert r.status_code == 200 and "errorlist" in r.content.decode()


@pytest.fixture
def circular(w, as_user, history, period):
    as_user(w.users["street_admin"]).post(LIST, {"region": "S1", "period": period.code})
    return Circular.objects.get()


def test_a_unit_admin_reads_the_circular_with_its_row_marked(w, as_user, circular):
    client = as_user(w.users["unit_admin"])
    listing = client.get(LIST).content.decode()
    assert f"/circulars/{circular.pk}/" in listing and 'action="/circulars/"' not in listing
    html = client.get(f"/circulars/{circular.pk}/").content.decode()
    assert html.count("本单位") == 1 and 'aria-current="true"' in html
    row = html.split('aria-current="true"')[1].split("</tr>")[0]
    assert "区税务局" in row


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("district_admin", 200),
        ("street_admin", 200),
        ("unit_admin", 200),
        ("other_unit_admin", 200),
        ("community_admin", 404),
        ("far_community_admin", 404),
        ("member", 404),
    ],
)
def test_who_reads_a_circular(w, as_user, circular, who, status):
    client = as_user(w.users[who])
    assert client.get(f"/circulars/{circular.pk}/").status_code == status
    assert client.get(f"/circulars/{circular.pk}/pdf/").status_code == status


def test_the_pdf_is_drawn_from_the_snapshot(w, as_user, circular, period):
    w.units["U1"].name = "改名以后"
    w.units["U1"].save()
    r = as_user(w.users["unit_admin"]).get(f"/circulars/{circular.pk}/pdf/")
    assert r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(b"".join(r.streaming_content))).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert f"关于{period.label.replace(' ', '')}在职党员进社区报到和服务情况的通报" in compact
    assert "区税务局" in text and "改名以后" not in text
    assert compact.count("未达标") == 2
    assert timezone.localdate(circular.published_at).strftime("%Y") in text
