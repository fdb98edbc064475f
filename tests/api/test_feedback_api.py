"""`/api/v1/units/{code}/feedback` (and its PDF and Excel), `/api/v1/feedback/send` and
`/api/v1/units/{code}/remind` — for unit, street and district admins, outsiders and anonymous callers."""

import io

import openpyxl
import pypdf
import pytest

from baodao.accounts.models import Role
from baodao.feedback.models import FeedbackLetter, Reminder
from baodao.lib.periods import current_quarter, previous_quarter
from tests import factories
from tests.circulars.helpers import _roster_long_ago  # noqa: F401  (autouse)
from tests.feedback.helpers import history

URL = "/api/v1/units/U1/feedback"


@pytest.fixture
def period():
    return previous_quarter()


@pytest.fixture
def people(w, period):
    return history(w, period)


def test_anonymous_callers_are_refused(w, anon, period):
    q = {"period": period.code}
    assert anon.get(URL, q).status_code == 401
    assert anon.get(f"{URL}.pdf", q).status_code == 401
    assert anon.get(f"{URL}.xlsx", q).status_code == 401
    assert anon.post("/api/v1/feedback/send", {**q, "region": "S1"}, format="json").status_code == 401
    assert anon.post("/api/v1/units/U1/remind", {**q, "who": "unserved"}, format="json").status_code == 401


def test_the_unit_admin_reads_its_letter(w, api_as, people, period):
    r = api_as(w.users["unit_admin"]).get(URL, {"period": period.code})
    assert r.status_code == 200
    body = r.json()
    assert body["unit"] == {"code": "U1", "name": "区税务局"}
    assert body["period"] == period.code
    assert body["sent_at"] is None
    assert body["summary"] == {
        "members": 3,
        "registered": 2,
        "served": 1,
        "coverage": 0.6667,
        "active_rate": 0.5,
    }
    members = {m["name"]: m for m in body["members"]}
    assert sorted(members) == sorted(["李明", "赵强", "钱芳"])
    assert members["赵强"] == {
        "id": people["served"].pk,
        "name": "赵强",
        "registered": True,
        "community": "幸福社区",
        "services": 1,
        "hours": "2.00",
        "served": True,
        "minimum_met": True,
        "grade": "",
        "comment": "",
    }
    assert members["李明"]["registered"] is False
    assert body["pdf_url"] == f"http://testserver/api/v1/units/U1/feedback.pdf?period={period.code}"
    assert body["xlsx_url"] == f"http://testserver/api/v1/units/U1/feedback.xlsx?period={period.code}"


@pytest.mark.parametrize("who", ["street_admin", "district_admin"])
def test_admins_over_the_units_region_read_it(w, api_as, people, period, who):
    r = api_as(w.users[who]).get(URL, {"period": period.code})
    assert r.status_code == 200
    assert len(r.json()["members"]) == 3


@pytest.mark.parametrize("who", ["other_unit_admin", "community_admin", "member", "resident", "s2_admin"])
def test_others_are_told_there_is_no_such_unit(w, api_as, period, who):
    if who == "s2_admin":
        w.users[who] = factories.user(Role.STREET_ADMIN, region_=w.r("S2"), name="江边街道")
    client = api_as(w.users[who])
    q = {"period": period.code}
    assert client.get(URL, q).status_code == 404
    assert client.get(f"{URL}.pdf", q).status_code == 404
    assert (
        client.post("/api/v1/units/U1/remind", {**q, "who": "unregistered"}, format="json").status_code == 404
    )


@pytest.mark.parametrize("query", [{}, {"period": "2026Q5"}, {"period": "上季度"}])
def test_a_missing_or_bad_period_is_400(w, api_as, query):
    r = api_as(w.users["unit_admin"]).get(URL, query)
    assert r.status_code == 400
    assert r.json()["fields"]["period"]


def test_the_current_period_may_be_read(w, api_as):
    r = api_as(w.users["unit_admin"]).get(URL, {"period": current_quarter().code})
    assert r.status_code == 200


def test_the_files(w, api_as, people, period):
    client = api_as(w.users["unit_admin"])
    r = client.get(f"{URL}.pdf", {"period": period.code})
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''%E5%8F%8D%E9%A6%88%E5%87%BD" in r["Content-Disposition"]
    assert len(pypdf.PdfReader(io.BytesIO(b"".join(r.streaming_content))).pages) == 1
    r = client.get(f"{URL}.xlsx", {"period": period.code})
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == sorted(
        ["李明", "赵强", "钱芳"]
    )


def test_sending_and_sent_at(w, api_as, people, period):
    client = api_as(w.users["street_admin"])
    r = client.post("/api/v1/feedback/send", {"period": period.code, "region": "S1"}, format="json")
    assert (r.status_code, r.json()) == (200, {"sent": 2, "no_admin": 0})
    r = client.post("/api/v1/feedback/send", {"period": period.code, "region": "S1"}, format="json")
    assert (r.status_code, r.json()["error"]) == (409, "already_sent")
    sent_at = api_as(w.users["unit_admin"]).get(URL, {"period": period.code}).json()["sent_at"]
    assert sent_at is not None
    assert FeedbackLetter.objects.count() == 2


def test_sending_a_period_not_ended_is_409(w, api_as):
    client = api_as(w.users["district_admin"])
    r = client.post(
        "/api/v1/feedback/send", {"period": current_quarter().code, "region": "D1"}, format="json"
    )
    assert (r.status_code, r.json()["error"]) == (409, "period_not_ended")


@pytest.mark.parametrize(
    ("who", "region"), [("unit_admin", "S1"), ("street_admin", "S2"), ("street_admin", "D2")]
)
def test_sending_out_of_scope_is_404(w, api_as, period, who, region):
    r = api_as(w.users[who]).post(
        "/api/v1/feedback/send", {"period": period.code, "region": region}, format="json"
    )
    assert r.status_code == 404
    assert not FeedbackLetter.objects.exists()


def test_sending_without_a_region_is_400(w, api_as, period):
    r = api_as(w.users["street_admin"]).post("/api/v1/feedback/send", {"period": period.code}, format="json")
    assert r.status_code == 400


def test_reminding(w, api_as, people, period):
    client = api_as(w.users["unit_admin"])
    body = {"period": period.code, "who": "unregistered"}
    r = client.post("/api/v1/units/U1/remind", body, format="json")
    assert (r.status_code, r.json()) == (200, {"reminded": 1})
    r = client.post("/api/v1/units/U1/remind", body, format="json")
    assert (r.status_code, r.json()["error"]) == (409, "reminded_recently")
    r = client.post("/api/v1/units/U1/remind", {**body, "who": "nobody"}, format="json")
    assert r.status_code == 400
    assert Reminder.objects.count() == 1


def test_reminding_an_empty_list_is_409(w, api_as, period):
    r = api_as(w.users["unit_admin"]).post(
        "/api/v1/units/U1/remind", {"period": period.code, "who": "unserved"}, format="json"
    )
    assert (r.status_code, r.json()["error"]) == (409, "nobody_to_remind")


def test_units_without_an_admin_are_counted_not_sent(w, api_as, period):
    r = api_as(w.users["district_admin"]).post(
        "/api/v1/feedback/send", {"period": period.code, "region": "D1"}, format="json"
    )
    assert (r.status_code, r.json()) == (200, {"sent": 2, "no_admin": 1})
    assert not FeedbackLetter.objects.filter(unit=w.units["U3"]).exists()


def test_an_open_appraisals_grade_and_comment_are_not_shown(w, api_as, people, period):
    from baodao.appraisals.models import Status
    from tests.feedback.helpers import appraised

    appraised(w, people["served"], period, status=Status.OPEN, level=1, comment="还在评")
    appraised(w, people["idle"], period, status=Status.FINALISED, level=2, comment="已定")
    client = api_as(w.users["unit_admin"])
    members = {m["name"]: m for m in client.get(URL, {"period": period.code}).json()["members"]}
    assert (members["赵强"]["grade"], members["赵强"]["comment"]) == ("", "")
    assert (members["钱芳"]["grade"], members["钱芳"]["comment"]) == ("合格", "已定")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{URL}.xlsx", {"period": period.code}).content))
    cells = {row[1]: row for row in sheet.active.iter_rows(min_row=2, values_only=True)}
    assert "还在评" not in cells["赵强"] and "已定" in cells["钱芳"]
    pdf = pypdf.PdfReader(
        io.BytesIO(b"".join(client.get(f"{URL}.pdf", {"period": period.code}).streaming_content))
    )
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "还在评" not in text


def test_reminding_again_for_another_period_is_409(w, api_as, people, period):
    from baodao.lib.periods import Period

    client = api_as(w.users["unit_admin"])
    r = client.post("/api/v1/units/U1/remind", {"period": period.code, "who": "unregistered"}, format="json")
    assert r.status_code == 200
    r = client.post(
        "/api/v1/units/U1/remind", {"period": Period(period.year).code, "who": "unregistered"}, format="json"
    )
    assert (r.status_code, r.json()["error"]) == (409, "reminded_recently")
