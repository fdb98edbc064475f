"""`/api/v1/circulars`: the preview ranking, publishing a snapshot (once per region and period), the published
list, one circular and its PDF — scoped for district, street, community and unit admins and outsiders."""

import io

import pypdf
import pytest

from baodao.audit.models import Action, AuditEvent
from baodao.circulars.models import Circular
from tests.circulars.helpers import (
    _roster_long_ago,  # noqa: F401  (autouse)
    local,
    member_of,
    registered,
    served,
)

URL = "/api/v1/circulars"
Q3 = {"period": "2026Q3", "region": "S1"}


@pytest.fixture
def history(w):
    """U1: the world's member and one registered mid-quarter who served (1/2, completed); U2: nobody
    registered (0/1)."""
    m = member_of(w, "U1", name="赵强")
    registered(w, m, at=local(2026, 8, 15))
    served(w, m, local(2026, 9, 1))
    return m


def publish(client, body=Q3):
    return client.post(URL, body, format="json")


def test_anonymous_callers_are_refused(w, anon):
    assert anon.get(URL, Q3).status_code == 401
    assert publish(anon).status_code == 401
    assert anon.get(f"{URL}/published").status_code == 401


def test_the_preview_ranks_the_regions_units(w, api_as, history):
    r = api_as(w.users["street_admin"]).get(URL, Q3)
    assert r.status_code == 200
    assert r.json() == {
        "period": "2026Q3",
        "units": [
            {
                "code": "U1",
                "name": "区税务局",
                "coverage": 0.5,
                "completion": 1.0,
                "below_threshold": True,
                "rank": 1,
            },
            {
                "code": "U2",
                "name": "区人民医院",
                "coverage": 0.0,
                "completion": None,
                "below_threshold": True,
                "rank": 2,
            },
        ],
    }


def test_a_district_admin_ranks_its_district_and_its_streets(w, api_as, history):
    client = api_as(w.users["district_admin"])
    assert [u["code"] for u in client.get(URL, {"period": "2026", "region": "D1"}).json()["units"]] == [
        "U1",
        "U2",
        "U3",
    ]
    assert client.get(URL, Q3).status_code == 200


@pytest.mark.parametrize(
    ("who", "region"),
    [
        ("street_admin", "D1"),  # above its street
        ("street_admin", "S2"),
        ("district_admin", "D2"),
        ("community_admin", "S1"),
        ("unit_admin", "S1"),
        ("member", "S1"),
        ("street_admin", "C1"),  # a community is not a region a circular ranks
        ("street_admin", "NOPE"),
    ],
)
def test_regions_out_of_scope_are_not_found(w, api_as, who, region):
    client = api_as(w.users[who])
    assert client.get(URL, {"period": "2026Q3", "region": region}).status_code == 404
    assert publish(client, {"period": "2026Q3", "region": region}).status_code == 404
    assert not Circular.objects.exists()


@pytest.mark.parametrize(
    "params", [{"region": "S1"}, {"period": "2026Q5", "region": "S1"}, {"period": "2026Q3"}]
)
def test_a_missing_or_bad_period_or_region_is_a_400(w, api_as, params):
    r = api_as(w.users["street_admin"]).get(URL, params)
    assert r.status_code == 400
    assert set(r.json()["fields"]) <= {"period", "region"} and r.json()["fields"]


def test_publishing_stores_a_snapshot_that_later_changes_leave_alone(w, api_as, history):
    r = publish(api_as(w.users["street_admin"]))
    assert r.status_code == 201
    body = r.json()
    assert body["region"] == {"code": "S1", "name": "大塘街道"} and body["period"] == "2026Q3"
    assert body["published_by"] == "街道书记" and body["issuer"] == "大塘街道"
    assert [(u["code"], u["rank"], u["coverage"], u["members"], u["registered"]) for u in body["units"]] == [
        ("U1", 1, 0.5, 2, 1),
        ("U2", 2, 0.0, 1, 0),
    ]
    # later: U2's member registers (back-dated into the quarter) and U1 is renamed
    registered(w, w.members["other_member"], at=local(2026, 8, 1))
    w.units["U1"].name = "新名称"
    w.units["U1"].save()
    again = api_as(w.users["street_admin"]).get(f"{URL}/{body['id']}").json()
    assert again["units"] == body["units"]
    preview = api_as(w.users["street_admin"]).get(URL, Q3).json()["units"]
    assert preview[0]["code"] == "U2"


def test_publishing_twice_is_a_conflict(w, api_as, history):
    client = api_as(w.users["district_admin"])
    assert publish(client).status_code == 201
    r = publish(api_as(w.users["street_admin"]))
    assert r.status_code == 409 and r.json()["error"] == "already_published"
    assert Circular.objects.count() == 1
    client = api_as(w.users["district_admin"])  # the clients share credentials: sign in again
    assert publish(client, {"period": "2026Q2", "region": "S1"}).status_code == 201
    assert publish(client, {"period": "2026Q3", "region": "D1"}).status_code == 201


def test_publishing_is_audited(w, api_as, history):
    pk = publish(api_as(w.users["street_admin"])).json()["id"]
    event = AuditEvent.objects.get(action=Action.CIRCULAR_PUBLISHED)
    assert event.actor == w.users["street_admin"] and event.target_id == str(pk)
    assert event.detail == {"region": "S1", "period": "2026Q3", "units": 2, "below_threshold": 2}


@pytest.fixture
def published(w, api_as, history):
    """S1's and D2's circulars for 2026Q3, and D1's for 2026."""
    district = api_as(w.users["district_admin"])
    s1 = publish(district).json()["id"]
    d1 = publish(district, {"period": "2025", "region": "D1"}).json()["id"]
    from tests import factories

    d2_admin = factories.user("district_admin", region_=w.r("D2"))
    d2 = publish(api_as(d2_admin), {"period": "2026Q3", "region": "D2"}).json()["id"]
    return {"S1": s1, "D1": d1, "D2": d2}


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("district_admin", {"S1", "D1"}),
        ("street_admin", {"S1", "D1"}),  # its street's, and its district's
        ("unit_admin", {"S1", "D1"}),  # its unit's street and district
        ("other_unit_admin", {"S1", "D1"}),
        ("community_admin", set()),
        ("member", set()),
        ("far_community_admin", set()),
    ],
)
def test_who_reads_which_circulars(w, api_as, published, who, visible):
    client = api_as(w.users[who])
    listed = {c["region"]["code"] for c in client.get(f"{URL}/published").json()["results"]}
    assert listed == visible
    for code, pk in published.items():
        expected = 200 if code in visible else 404
        assert client.get(f"{URL}/{pk}").status_code == expected
        assert client.get(f"{URL}/{pk}/pdf").status_code == expected


def test_a_unit_admin_sees_its_own_row_marked(w, api_as, published):
    units = api_as(w.users["unit_admin"]).get(f"{URL}/{published['S1']}").json()["units"]
    assert {u["code"]: u["own"] for u in units} == {"U1": True, "U2": False}


def test_a_unit_admin_of_a_unit_attached_to_a_district_reads_only_the_districts(w, api_as, published):
    from tests import factories

    u4_admin = factories.user("unit_admin", unit_=w.units["U4"])
    listed = {c["region"]["code"] for c in api_as(u4_admin).get(f"{URL}/published").json()["results"]}
    assert listed == {"D2"}


def test_the_pdf_reads_back_the_snapshot(w, api_as, published):
    r = api_as(w.users["unit_admin"]).get(f"{URL}/{published['S1']}/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(b"".join(r.streaming_content))).pages
    )
    compact = text.replace(" ", "").replace("\n", "")
    assert "关于2026年第三季度在职党员进社区报到和服务情况的通报" in compact
    assert "区税务局" in text and "区人民医院" in text
    assert compact.count("未达标") == 2
    assert "50%" in text and "大塘街道" in text


def test_unknown_circulars_are_not_found(w, api_as):
    client = api_as(w.users["district_admin"])
    assert client.get(f"{URL}/999").status_code == 404
    assert client.get(f"{URL}/999/pdf").status_code == 404


def test_a_period_not_yet_over_is_only_previewed(w, api_as):
    client = api_as(w.users["district_admin"])
    for period in ("2026Q4", "2026", "2099Q1"):
        r = publish(client, {"period": period, "region": "D1"})
        assert r.status_code == 409 and r.json()["error"] == "period_not_ended", period
        assert client.get(URL, {"period": period, "region": "D1"}).status_code == 200  # the preview
    assert not Circular.objects.exists()
